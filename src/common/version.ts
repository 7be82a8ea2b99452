import { version } from '../../package.json';

/** The extension's version: package.json, the one version source. */
export const OUTERLOOP_VERSION: string = version;

import { tmpdir } from 'node:os';
import { NotImplementedError } from '../../../src/common/errors';
import { renderComposeProject } from '../../../src/k8s/render';

/**
 * True once the compose→Kubernetes converter (issue 6) is merged. Until then src/k8s/render.ts
 * throws NotImplementedError and ComposeToK8s@1's render and deploy tests cannot run; this gate
 * (and every use of it) goes away when both branches are in main.
 */
export async function converterReady(): Promise<boolean> {
  try {
    await renderComposeProject({ composeFiles: [], workingDir: tmpdir(), environment: {} });
    return true;
  } catch (err) {
    return !(err instanceof NotImplementedError);
  }
}

/** For a `before` hook: skips the suite, saying why, while the converter is missing. */
export async function skipUntilConverter(context: Mocha.Context): Promise<void> {
  if (await converterReady()) return;
  console.log('    (skipped until the compose→Kubernetes converter of issue 6 is merged: src/k8s/render.ts still throws NotImplementedError)');
  context.skip();
}

import sinon from 'sinon';
import type { Compose } from '../../src/docker/compose';
import type { Docker } from '../../src/docker/engine';
import type { PipelineOutput, TaskContext, TaskEnvironment } from '../../src/pipeline/interfaces';
import type { ProcessRunner } from '../../src/process/runner';

/** Every method of `T` a sinon stub. */
export type Stubbed<T> = { [K in keyof T]: sinon.SinonStub };

/** A PipelineOutput whose every method is a sinon stub. */
export function fakeOutput(): Stubbed<PipelineOutput> {
  return {
    info: sinon.stub(),
    warning: sinon.stub(),
    debug: sinon.stub(),
    setSecret: sinon.stub(),
    setOutput: sinon.stub(),
    uploadArtifact: sinon.stub(),
    publishTestResults: sinon.stub(),
    uploadSummary: sinon.stub(),
    addAttachment: sinon.stub(),
  };
}

/** A TaskContext of fakes: no inputs or variables, a runner that refuses to run anything, the real clock (deadlines pass). */
export function fakeContext(
  overrides: Partial<Omit<TaskContext, 'output'>> & { output?: Stubbed<PipelineOutput> } = {},
): TaskContext & { output: Stubbed<PipelineOutput> } {
  const env: TaskEnvironment = { input: () => undefined, variable: () => undefined, endpoint: () => undefined };
  const runner: ProcessRunner = { exec: sinon.stub().rejects(new Error('no process may run in this test')) };
  return {
    env,
    runner,
    signal: new AbortController().signal,
    clock: Date.now,
    ...overrides,
    output: overrides.output ?? fakeOutput(),
  };
}

/** A Docker port whose every method is a stub that resolves to nothing (set answers per test). */
export function fakeDocker(): Stubbed<Docker> & Docker {
  const none = { containers: [], networks: [], volumes: [] };
  return {
    hasBuildx: sinon.stub().resolves(true),
    build: sinon.stub().resolves(`sha256:${'a'.repeat(64)}`),
    login: sinon.stub().resolves(),
    push: sinon.stub().resolves(''),
    pull: sinon.stub().resolves(),
    inspectImages: sinon.stub().resolves([]),
    imageExists: sinon.stub().resolves(true),
    inspectContainers: sinon.stub().resolves({ containers: [], raw: [] }),
    inspectProject: sinon.stub().resolves({ containers: [], raw: [] }),
    logs: sinon.stub().resolves(''),
    watchEvents: sinon.stub().resolves(),
    findResources: sinon.stub().resolves(none),
    removeResources: sinon.stub().resolves(),
    removeImages: sinon.stub().resolves([]),
  };
}

/** A Compose port whose every method is a stub (config resolves to no services). */
export function fakeCompose(): Stubbed<Compose> & Compose {
  return {
    config: sinon.stub().resolves('services: {}\n'),
    build: sinon.stub().resolves(),
    pull: sinon.stub().resolves(),
    up: sinon.stub().resolves(),
    run: sinon.stub().resolves(0),
    ps: sinon.stub().resolves(''),
    logs: sinon.stub().resolves(''),
    remove: sinon.stub().resolves(),
    down: sinon.stub().resolves(),
  };
}

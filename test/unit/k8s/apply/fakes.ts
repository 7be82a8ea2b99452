import sinon from 'sinon';
import type { PipelineOutput } from '../../../../src/pipeline/interfaces';
import type { ExecResult } from '../../../../src/process/runner';
import type { Kubectl } from '../../../../src/k8s/apply/kubectl';

/** A PipelineOutput whose every method is a sinon spy. */
export function fakeOutput(): { [K in keyof PipelineOutput]: sinon.SinonSpy } {
  return {
    info: sinon.spy(),
    warning: sinon.spy(),
    debug: sinon.spy(),
    setSecret: sinon.spy(),
    setOutput: sinon.spy(),
    uploadArtifact: sinon.spy(),
    publishTestResults: sinon.spy(),
    uploadSummary: sinon.spy(),
    addAttachment: sinon.spy(),
  };
}

/** The text of every info line an output spy received. */
export function infoLines(output: { info: sinon.SinonSpy }): string[] {
  return output.info.getCalls().map((c) => String(c.args[0]));
}

export const ok = (stdout = ''): ExecResult => ({ code: 0, stdout, stderr: '' });
export const failed = (stderr: string, code = 1): ExecResult => ({ code, stdout: '', stderr });

/**
 * A Kubectl whose answers are chosen by the command (`apply`, `rollout status`, `get pods`, …):
 * the first rule whose prefix matches the argv wins; anything else succeeds (a `get` with an empty list).
 */
export function fakeKubectl(
  rules: Array<[prefix: string, answer: ExecResult | ((args: readonly string[]) => ExecResult | Promise<ExecResult>)]> = [],
): Kubectl & { run: sinon.SinonStub } {
  const run = sinon.stub().callsFake(async (args: readonly string[]) => {
    const line = args.join(' ');
    for (const [prefix, answer] of rules) if (line.startsWith(prefix)) return typeof answer === 'function' ? answer(args) : answer;
    return line.startsWith('get ') ? ok('{"apiVersion":"v1","kind":"List","items":[]}') : ok();
  });
  return { run };
}

/** The argv of every kubectl call, joined with spaces, in order. */
export function commandLines(kubectl: { run: sinon.SinonStub }): string[] {
  return kubectl.run.getCalls().map((c) => (c.args[0] as string[]).join(' '));
}

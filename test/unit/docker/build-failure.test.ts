import { strict as assert } from 'node:assert';
import { describeBuildFailure } from '../../../src/docker/build-failure';

const DEPRECATED =
  'DEPRECATED: The legacy builder is deprecated and will be removed in a future release.\n            Install the buildx component to build images with BuildKit:\n            https://docs.docker.com/go/buildx/\n\n';

describe('describeBuildFailure', () => {
  it("classic builder: the failing step, docker's error and the step's last output", () => {
    const stdout =
      'Sending build context to Docker daemon  2.048kB\nStep 1/3 : FROM base\n ---> 31c927dd5ca5\nStep 2/3 : RUN ./check.sh\n ---> Running in 0a1b\nchecking\n\u001b[91mconfig missing\n\u001b[0m';
    const stderr = `${DEPRECATED}The command '/bin/sh -c ./check.sh' returned a non-zero code: 3\n`;
    assert.equal(
      describeBuildFailure({ code: 3, stdout, stderr }),
      `docker build failed at step 2/3 (RUN ./check.sh): The command '/bin/sh -c ./check.sh' returned a non-zero code: 3; the step's last output was 'config missing'.`,
    );
  });

  it('BuildKit: the step from the error summary and the ERROR line', () => {
    const stderr =
      '#5 [2/2] RUN exit 3\n#5 ERROR: process "/bin/sh -c exit 3" did not complete successfully: exit code: 3\n------\n > [2/2] RUN exit 3:\n------\nDockerfile:2\nERROR: failed to solve: process "/bin/sh -c exit 3" did not complete successfully: exit code: 3\n';
    assert.equal(
      describeBuildFailure({ code: 1, stdout: '', stderr }),
      'docker build failed at step 2/2 (RUN exit 3): failed to solve: process "/bin/sh -c exit 3" did not complete successfully: exit code: 3.',
    );
  });

  it("BuildKit: the step's last output line, from the summary's time-stamped lines, as the classic builder gives it", () => {
    const stderr = [
      '#5 [2/2] RUN echo first; ./check.sh',
      '#5 0.342 first',
      '#5 0.344 config missing',
      '#5 ERROR: process "/bin/sh -c echo first; ./check.sh" did not complete successfully: exit code: 3',
      '------',
      ' > [2/2] RUN echo first; ./check.sh:',
      '0.342 first',
      '0.344 config missing',
      '------',
      'Dockerfile:2',
      '--------------------',
      '   2 | >>> RUN echo first; ./check.sh',
      '--------------------',
      'ERROR: failed to solve: process "/bin/sh -c echo first; ./check.sh" did not complete successfully: exit code: 3',
      '',
    ].join('\n');
    assert.equal(
      describeBuildFailure({ code: 1, stdout: '', stderr }),
      "docker build failed at step 2/2 (RUN echo first; ./check.sh): failed to solve: process \"/bin/sh -c echo first; ./check.sh\" did not complete successfully: exit code: 3; the step's last output was 'config missing'.",
    );
  });

  it("before any step: docker's last error line, with logging commands neutralized", () => {
    assert.equal(
      describeBuildFailure({ code: 1, stdout: '', stderr: `${DEPRECATED}unable to prepare context: path "/x" not found\n` }),
      'docker build failed: unable to prepare context: path "/x" not found.',
    );
    assert.doesNotMatch(describeBuildFailure({ code: 1, stdout: '', stderr: '##vso[task.complete result=Failed]x\n' }), /##vso\[/);
    assert.equal(describeBuildFailure({ code: 137, stdout: '', stderr: '' }), 'docker build failed: exit code 137.');
  });
});

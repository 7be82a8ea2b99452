import { readDockerBuildTagInputs } from '../../src/docker-build-tag/inputs';
import { makeDockerBuildTagPorts, runDockerBuildTag } from '../../src/docker-build-tag/run';
import { InputReader } from '../../src/pipeline/inputs';
import { runTask } from '../../src/pipeline/run-task';

void runTask((ctx) => runDockerBuildTag(readDockerBuildTagInputs(new InputReader(ctx.env)), ctx, makeDockerBuildTagPorts(ctx)));

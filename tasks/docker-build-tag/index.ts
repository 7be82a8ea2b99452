import { runTask } from '../../src/pipeline/run-task';
import { InputReader } from '../../src/pipeline/inputs';
import { readDockerBuildTagInputs } from '../../src/docker-build-tag/inputs';
import { runDockerBuildTag } from '../../src/docker-build-tag/run';

void runTask(async (context) => runDockerBuildTag(readDockerBuildTagInputs(new InputReader(context.env)), context));

import { runTask } from '../../src/pipeline/run-task';
import { InputReader } from '../../src/pipeline/inputs';
import { readComposeDeployInputs } from '../../src/compose-deploy/inputs';
import { runComposeDeploy } from '../../src/compose-deploy/run';

void runTask(async (context) => runComposeDeploy(readComposeDeployInputs(new InputReader(context.env)), context));

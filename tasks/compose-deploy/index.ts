import { readComposeDeployInputs } from '../../src/compose-deploy/inputs';
import { makeComposeDeployPorts, runComposeDeploy } from '../../src/compose-deploy/run';
import { InputReader } from '../../src/pipeline/inputs';
import { runTask } from '../../src/pipeline/run-task';

void runTask((ctx) => runComposeDeploy(readComposeDeployInputs(new InputReader(ctx.env)), ctx, makeComposeDeployPorts(ctx)));

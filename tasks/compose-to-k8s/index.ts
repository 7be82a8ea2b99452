import { readComposeToK8sInputs } from '../../src/compose-to-k8s/inputs';
import { makeComposeToK8sPorts, runComposeToK8s } from '../../src/compose-to-k8s/run';
import { InputReader } from '../../src/pipeline/inputs';
import { runTask } from '../../src/pipeline/run-task';

void runTask((ctx) => runComposeToK8s(readComposeToK8sInputs(new InputReader(ctx.env)), ctx, makeComposeToK8sPorts(ctx)));

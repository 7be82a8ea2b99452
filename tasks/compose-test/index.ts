import { readComposeTestInputs } from '../../src/compose-test/inputs';
import { makeComposeTestPorts, runComposeTest } from '../../src/compose-test/run';
import { InputReader } from '../../src/pipeline/inputs';
import { runTask } from '../../src/pipeline/run-task';

void runTask((ctx) => runComposeTest(readComposeTestInputs(new InputReader(ctx.env)), ctx, makeComposeTestPorts(ctx)));

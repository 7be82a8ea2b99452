import { runTask } from '../../src/pipeline/run-task';
import { InputReader } from '../../src/pipeline/inputs';
import { readComposeTestInputs } from '../../src/compose-test/inputs';
import { runComposeTest } from '../../src/compose-test/run';

void runTask(async (context) => runComposeTest(readComposeTestInputs(new InputReader(context.env)), context));

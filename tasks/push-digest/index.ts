import { runTask } from '../../src/pipeline/run-task';
import { InputReader } from '../../src/pipeline/inputs';
import { readPushDigestInputs } from '../../src/push-digest/inputs';
import { runPushDigest } from '../../src/push-digest/run';

void runTask(async (context) => runPushDigest(readPushDigestInputs(new InputReader(context.env)), context));

import { InputReader } from '../../src/pipeline/inputs';
import { runTask } from '../../src/pipeline/run-task';
import { readPushDigestInputs } from '../../src/push-digest/inputs';
import { makePushDigestPorts, runPushDigest } from '../../src/push-digest/run';

void runTask((ctx) => runPushDigest(readPushDigestInputs(new InputReader(ctx.env)), ctx, makePushDigestPorts(ctx)));

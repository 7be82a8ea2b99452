import { runTask } from '../../src/pipeline/run-task';
import { InputReader } from '../../src/pipeline/inputs';
import { readComposeToK8sInputs } from '../../src/compose-to-k8s/inputs';
import { runComposeToK8s } from '../../src/compose-to-k8s/run';
import { renderComposeProject } from '../../src/k8s/convert';

void runTask(async (context) => runComposeToK8s(readComposeToK8sInputs(new InputReader(context.env)), context, { render: renderComposeProject }));

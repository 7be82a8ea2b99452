import { strict as assert } from 'node:assert';
import { TaskCatalog } from '../../../src/local-run/task-catalog';
import { FIXTURE_TASKS } from '../../support/run-pipeline';

describe('the task catalog', () => {
  it('maps Name@Major by task.json, also qualified by extension or by id', async () => {
    const catalog = await TaskCatalog.load([FIXTURE_TASKS, '/nonexistent']);
    assert.deepEqual(catalog.names(), ['Probe@1', 'Probe@2']);
    assert.match(catalog.resolve('probe', 1).dir, /run-tasks\/probe$/);
    assert.match(catalog.resolve('Probe', 2).dir, /run-tasks\/probe-v2$/);
    assert.match(catalog.resolve('outerloop.outerloop.Probe', 1).dir, /run-tasks\/probe$/);
    assert.match(catalog.resolve('0d3c8a51-4f2e-4a8e-9f6e-2f2a3d1b7c02', 2).dir, /probe-v2$/);
    assert.throws(() => catalog.resolve('Probe', 9), /Task 'Probe@9' is not available: outerloop has Probe@1, @2\./);
  });
});

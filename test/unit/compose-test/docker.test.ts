import { strict as assert } from 'node:assert';
import { mergeTimestamped } from '../../../src/compose-test/docker';

describe('mergeTimestamped', () => {
  it('interleaves stdout and stderr lines by their time stamps, whatever their precision', () => {
    const out = '2026-11-22T02:00:00.5Z out 1\n2026-11-22T02:00:02.000000001Z out 2\n';
    const err = '2026-11-22T02:00:00.123456789Z err 1\n2026-11-22T02:00:01Z err 2\n';
    assert.equal(mergeTimestamped(out, err), [
      '2026-11-22T02:00:00.123456789Z err 1', '2026-11-22T02:00:00.5Z out 1', '2026-11-22T02:00:01Z err 2', '2026-11-22T02:00:02.000000001Z out 2', '',
    ].join('\n'));
    assert.equal(mergeTimestamped('', ''), '');
  });
});

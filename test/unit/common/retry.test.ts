import { strict as assert } from 'node:assert';
import sinon from 'sinon';
import { backoffDelay, realSleep, withRetries } from '../../../src/common/retry';

describe('withRetries', () => {
  const transient = () => ({ transient: true, reason: 'flaky' });

  it('waits 1×, 2×, 4× the base delay between attempts, then rethrows the last error', async () => {
    const sleep = sinon.stub().resolves();
    const attempt = sinon.stub().rejects(new Error('down'));
    await assert.rejects(withRetries({ retries: 3, baseDelayMs: 500, sleep }, attempt, transient), /^Error: down$/);
    assert.equal(attempt.callCount, 4);
    assert.deepEqual(
      sleep.getCalls().map((c) => c.args[0]),
      [500, 1000, 2000],
    );
    assert.deepEqual(
      [1, 2, 3, 4].map((n) => backoffDelay({ baseDelayMs: 1000 }, n)),
      [1000, 2000, 4000, 8000],
    );
  });

  it('does not retry a permanent failure, and returns the first success', async () => {
    const sleep = sinon.stub().resolves();
    await assert.rejects(
      withRetries(
        { retries: 3, baseDelayMs: 1, sleep },
        () => Promise.reject(new Error('401')),
        () => ({ transient: false, reason: '401' }),
      ),
      /401/,
    );
    sinon.assert.notCalled(sleep);
    const attempt = sinon.stub();
    attempt.onFirstCall().rejects(new Error('x'));
    attempt.onSecondCall().resolves('ok');
    assert.equal(await withRetries({ retries: 0, baseDelayMs: 1, sleep }, attempt, transient).catch(() => 'gave up'), 'gave up');
    attempt.resetHistory();
    attempt.onFirstCall().rejects(new Error('x'));
    attempt.onSecondCall().resolves('ok');
    assert.equal(await withRetries({ retries: 1, baseDelayMs: 1, sleep }, attempt, transient), 'ok');
  });

  it('stops waiting when the task is cancelled', async () => {
    const controller = new AbortController();
    const waiting = realSleep(60_000, controller.signal);
    controller.abort(new Error('cancelled'));
    await assert.rejects(waiting, /cancelled/);
  });
});

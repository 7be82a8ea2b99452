import { strict as assert } from 'node:assert';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sinon from 'sinon';
import { detectCompose } from '../../../src/docker/tools';
import type { ProcessRunner } from '../../../src/process/runner';

describe('detectCompose (src/docker/tools.ts)', () => {
  let bin: string;
  before(async () => {
    bin = await mkdtemp(join(tmpdir(), 'outerloop-bin-'));
    await writeFile(join(bin, 'docker-compose'), '#!/bin/sh\nexit 0\n');
    await chmod(join(bin, 'docker-compose'), 0o755);
  });
  after(() => rm(bin, { recursive: true, force: true }));

  const runner = (v2: 'ok' | 'fails' | 'missing'): ProcessRunner => ({
    exec:
      v2 === 'missing'
        ? sinon.stub().rejects(new Error('ENOENT'))
        : sinon.stub().resolves({ code: v2 === 'ok' ? 0 : 1, stdout: '2.29.1', stderr: '' }),
  });

  it('prefers Compose v2 when `docker compose` answers', async () => {
    assert.deepEqual(await detectCompose(runner('ok'), { PATH: bin }), { version: 2, file: 'docker', args: ['compose'] });
  });

  it('falls back to docker-compose on PATH, without starting it', async () => {
    const r = runner('fails');
    assert.deepEqual(await detectCompose(r, { PATH: `/nonexistent:${bin}` }), { version: 1, file: 'docker-compose', args: [] });
    sinon.assert.calledOnceWithMatch(r.exec as sinon.SinonStub, 'docker', ['compose', 'version', '--short']);
  });

  it('finds neither', async () => {
    assert.equal(await detectCompose(runner('missing'), { PATH: '/nonexistent' }), undefined);
  });
});

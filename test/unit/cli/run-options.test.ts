import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../../src/common/errors';
import { parseRunArgs } from '../../../src/cli/commands/run-options';

describe('outerloop run options', () => {
  it('reads a Docker host endpoint from a certificates folder (ca.pem, cert.pem, key.pem)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'outerloop-certs-'));
    try {
      for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(join(dir, f), `${f} text\n`);
      const o = parseRunArgs(['--endpoint', `qahost=tcp://127.0.0.1:2376,certs:${dir}`], {});
      assert.deepEqual(o.endpoints, [
        {
          id: 'qahost',
          url: 'tcp://127.0.0.1:2376',
          scheme: 'Certificate',
          parameters: { cacert: 'ca.pem text\n', cert: 'cert.pem text\n', key: 'key.pem text\n' },
          data: {},
        },
      ]);
      assert.throws(
        () => parseRunArgs(['--endpoint', `qa=tcp://h:2376,certs:${join(dir, 'none')}`], {}),
        /'qa' names the certificates folder .* which has no readable ca\.pem\./,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads the file, variables, secrets (also from the environment) and endpoints', () => {
    const o = parseRunArgs(
      [
        'ci.yml',
        '--var',
        'registry=127.0.0.1:5000',
        '--var=empty=',
        '--secret',
        'token=a=b',
        '--secret',
        'FROM_ENV',
        '--endpoint',
        'reg=http://127.0.0.1:5001,outerloop,env:REG_PW',
        '--tasks',
        'more',
        '--no-color',
        '--debug',
      ],
      { FROM_ENV: 'env-secret', REG_PW: 'pw,with,commas' },
    );
    assert.equal(o.file, 'ci.yml');
    assert.deepEqual(o.variables, { registry: '127.0.0.1:5000', empty: '' });
    assert.deepEqual(o.secrets, { token: 'a=b', FROM_ENV: 'env-secret' });
    assert.deepEqual(o.endpoints, [
      {
        id: 'reg',
        url: 'http://127.0.0.1:5001',
        scheme: 'UsernamePassword',
        parameters: { username: 'outerloop', password: 'pw,with,commas', registry: 'http://127.0.0.1:5001' },
        data: {},
      },
    ]);
    assert.deepEqual([o.taskDirs, o.colour, o.debug], [['more'], false, true]);
    assert.equal(parseRunArgs([], {}).file, 'azure-pipelines.yml');
  });

  it('reads runtime parameters, variables files, pipeline artifacts and --expand', () => {
    const o = parseRunArgs(
      [
        '--param',
        'env=qa',
        '--param=images=[web, api]',
        '--variables-file',
        'a.yml',
        '--variables-file',
        'b.yml',
        '--pipeline-artifacts',
        'ci=.outerloop/artifacts',
        '--expand',
      ],
      {},
    );
    assert.deepEqual(o.parameters, { env: 'qa', images: '[web, api]' });
    assert.deepEqual(o.variablesFiles, ['a.yml', 'b.yml']);
    assert.deepEqual(o.pipelineArtifacts, { ci: '.outerloop/artifacts' });
    assert.equal(o.expand, true);
    assert.equal(parseRunArgs([], {}).expand, false);
  });

  const bad: Array<[args: string[], message: string]> = [
    [['--var', 'novalue'], "Input '--var' needs NAME=VALUE, not 'novalue'."],
    [['--var'], "Input '--var' needs a value."],
    [['--secret', 'MISSING'], "Input '--secret' 'MISSING' has no value and no environment variable MISSING is set."],
    [['--endpoint', 'reg=http://r,user'], "Input '--endpoint' needs ID=URL,USER,PASSWORD, not 'reg=http://r,…'."],
    [
      ['--endpoint', 'reg=http://r,u,env:NOPE'],
      "Input '--endpoint' 'reg' reads its password from the environment variable NOPE, which is not set.",
    ],
    [['--frobnicate'], "Input '--frobnicate' is not an option of outerloop run (see 'outerloop run --help')."],
    [['a.yml', 'b.yml'], "Input 'b.yml' is a second pipeline file; outerloop run runs one (a.yml)."],
    [['--param', 'env'], "Input '--param' needs NAME=VALUE, not 'env'."],
    [['--pipeline-artifacts', 'ci'], "Input '--pipeline-artifacts' needs ALIAS=DIR, not 'ci'."],
    [['--variables-file'], "Input '--variables-file' needs a value."],
  ];
  for (const [args, message] of bad) {
    it(`rejects ${args.join(' ')}`, () =>
      assert.throws(
        () => parseRunArgs(args, {}),
        (err: unknown) => err instanceof InputError && err.message === message,
      ));
  }
});

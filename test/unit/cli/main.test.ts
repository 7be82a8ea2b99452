import { strict as assert } from 'node:assert';
import { main } from '../../../src/cli/main';
import type { CliCommand, CliIo } from '../../../src/cli/io';
import { InputError } from '../../../src/common/errors';
import { version } from '../../../package.json';

function io(): CliIo & { out: string; err: string } {
  const b = {
    out: '',
    err: '',
    cwd: '/',
    env: {},
    stdout: {
      write: (t: string) => {
        b.out += t;
      },
    },
    stderr: {
      write: (t: string) => {
        b.err += t;
      },
    },
  };
  return b;
}

const echo: CliCommand = {
  name: 'echo',
  summary: 'prints its arguments',
  usage: 'usage: outerloop echo ARGS\n',
  run: async (args, o) => {
    o.stdout.write(args.join(' ') + '\n');
    return 0;
  },
};
const failing: CliCommand = {
  name: 'fail',
  summary: 'fails',
  usage: '',
  run: async () => {
    throw new InputError('--file', 'is required.');
  },
};

describe('outerloop CLI', () => {
  it('prints the version from package.json', async () => {
    const o = io();
    assert.equal(await main(['--version'], o), 0);
    assert.equal(o.out, `${version}\n`);
  });

  it('lists commands in --help', async () => {
    const o = io();
    assert.equal(await main(['--help'], o, [echo]), 0);
    assert.match(o.out, /Usage: outerloop <command>/);
    assert.match(o.out, /echo\s+prints its arguments/);
  });

  it('runs a command, shows its own help, and rejects an unknown one', async () => {
    const o = io();
    assert.equal(await main(['echo', 'a', 'b'], o, [echo]), 0);
    assert.equal(o.out, 'a b\n');
    assert.equal(await main(['echo', '--help'], o, [echo]), 0);
    assert.match(o.out, /usage: outerloop echo/);
    assert.equal(await main(['nope'], o, [echo]), 2);
    assert.match(o.err, /unknown command 'nope'/);
  });

  it('turns a typed error into one line and exit 1, with no stack', async () => {
    const o = io();
    assert.equal(await main(['fail'], o, [failing]), 1);
    assert.equal(o.err, "outerloop fail: Input '--file' is required.\n");
  });
});

import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import type { CliIo } from '../../../src/cli/io';
import { main } from '../../../src/cli/main';
import { CONVERT_FIXTURES, listConvertFixtures } from '../../support/convert-fixtures';

function io(cwd: string): CliIo & { out: string; err: string } {
  const b = {
    out: '',
    err: '',
    cwd,
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

/** The arguments of a fixture's options.json as CLI options. */
function fixtureArgs(name: string): string[] {
  const file = join(CONVERT_FIXTURES, name, 'options.json');
  if (!existsSync(file)) return [];
  const options = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const args: string[] = [];
  for (const [key, value] of Object.entries(options)) {
    if (key === 'strict' && value === true) args.push('--strict');
    else if (key === 'digests') args.push('--digests', String(value));
    else if (key === 'namespace') args.push('-n', String(value));
    else if (key === 'environment') for (const [k, v] of Object.entries(value as Record<string, string>)) args.push('-e', `${k}=${v}`);
    else if (key === 'profiles') for (const p of value as string[]) args.push('--profile', p);
    else if (key === 'envFiles') for (const f of value as string[]) args.push('--env-file', f);
    else if (key === 'composeFiles') for (const f of value as string[]) args.push('-f', f);
    else if (key === 'projectName') args.push('-p', String(value));
    else if (key === 'ingressHost') args.push('--ingress-host', String(value));
    else if (key === 'serviceType') args.push('--service-type', String(value));
    else return ['unmapped'];
  }
  return args;
}

describe('outerloop convert --format helm', () => {
  let out: string;
  beforeEach(() => {
    out = mkdtempSync(join(tmpdir(), 'outerloop-chart-cli-'));
  });
  afterEach(() => rmSync(out, { recursive: true, force: true }));

  it('writes a chart folder and, with --package, its .tgz beside it', async () => {
    const o = io(join(CONVERT_FIXTURES, 'rw-wordpress-mysql'));
    const dir = join(out, 'chart');
    assert.equal(
      await main(
        [
          'convert',
          '--format',
          'helm',
          '--chart-name',
          'blog',
          '--chart-version',
          '1.2.3',
          '--app-version',
          '20261122.4',
          '--package',
          '-o',
          dir,
        ],
        o,
      ),
      0,
      o.err,
    );
    const chart = load(readFileSync(join(dir, 'Chart.yaml'), 'utf8')) as Record<string, string>;
    assert.deepEqual([chart['apiVersion'], chart['name'], chart['version'], chart['appVersion']], ['v2', 'blog', '1.2.3', '20261122.4']);
    for (const file of ['values.yaml', 'values.schema.json', 'templates/_helpers.tpl', 'templates/deployment.yaml'])
      assert.ok(existsSync(join(dir, file)), file);
    const values = load(readFileSync(join(dir, 'values.yaml'), 'utf8')) as { services: Record<string, { image: { repository: string } }> };
    assert.ok(values.services['wordpress'].image.repository);
    assert.match(readFileSync(join(dir, 'templates/_helpers.tpl'), 'utf8'), /define "blog\.labels"/);
    assert.ok(existsSync(join(out, 'blog-1.2.3.tgz')));
    assert.match(o.err, /wrote the chart blog 1\.2\.3/);
  });

  it('replaces a chart it wrote before, and refuses a folder that holds something else', async () => {
    const cwd = join(CONVERT_FIXTURES, 'deployment-basics');
    const dir = join(out, 'chart');
    assert.equal(await main(['convert', '--format', 'helm', '-o', dir], io(cwd)), 0);
    writeFileSync(join(dir, 'templates', 'deployment-gone.yaml'), 'stale');
    assert.equal(await main(['convert', '--format', 'helm', '-o', dir], io(cwd)), 0);
    assert.ok(!existsSync(join(dir, 'templates', 'deployment-gone.yaml')), 'a stale template is gone');
    const other = join(out, 'src');
    mkdirSync(other);
    writeFileSync(join(other, 'main.go'), 'package main');
    const o = io(cwd);
    assert.equal(await main(['convert', '--format', 'helm', '-o', other], o), 1);
    assert.match(o.err, /is not empty and holds no Chart\.yaml/);
    assert.deepEqual(readdirSync(other), ['main.go']);
  });

  it('--values-only writes just the digests of the pinned images', async () => {
    const o = io(join(CONVERT_FIXTURES, 'digest-pinning'));
    assert.equal(
      await main(['convert', '--format', 'helm', '--values-only', '-e', 'TAG=42', '--digests', 'image-digests.json'], o),
      0,
      o.err,
    );
    const values = load(o.out) as { services: Record<string, { image: Record<string, string> }> };
    assert.ok(Object.keys(values.services).length > 0);
    for (const [name, service] of Object.entries(values.services)) {
      assert.deepEqual(Object.keys(service.image), ['digest'], name);
      assert.match(service.image['digest'], /^sha256:[0-9a-f]{64}$/, name);
    }
  });

  it('rejects bad options with one sentence naming the option', async () => {
    const cwd = join(CONVERT_FIXTURES, 'deployment-basics');
    const cases: Array<[string[], RegExp]> = [
      [['--format', 'xml'], /Input '--format' must be manifests or helm, not 'xml'/],
      [['--chart-name', 'x'], /Input '--chart-name' needs --format helm/],
      [['--format', 'helm'], /Input '--output' is required with --format helm/],
      [['--format', 'helm', '--output-dir', out], /Input '--output-dir' is for manifests/],
      [['--format', 'helm', '-o', join(out, 'c'), '--chart-version', '1.0'], /Input '--chart-version' must be a SemVer 2 version/],
      [['--format', 'helm', '-o', join(out, 'c'), '--chart-name', 'My_Chart'], /Input '--chart-name' must be a chart name/],
    ];
    for (const [args, message] of cases) {
      const o = io(cwd);
      assert.equal(await main(['convert', ...args], o), 1, args.join(' '));
      assert.match(o.err, message, args.join(' '));
      assert.equal(
        o.err
          .trim()
          .split('\n')
          .filter((l) => !l.startsWith('warning:')).length,
        1,
        'one line',
      );
    }
    assert.ok(!existsSync(join(out, 'c')), 'nothing written');
  });

  // Every conversion rule, warning and strict failure is the converter's: the same stderr either way.
  for (const name of listConvertFixtures()) {
    const args = fixtureArgs(name);
    if (args[0] === 'unmapped') continue;
    it(`${name}: the same warnings and errors as plain manifests`, async () => {
      const cwd = join(CONVERT_FIXTURES, name);
      const plain = io(cwd);
      const helm = io(cwd);
      const plainCode = await main(['convert', ...args, '-o', join(out, 'manifests.yaml')], plain);
      const helmCode = await main(['convert', ...args, '--format', 'helm', '-o', join(out, 'chart')], helm);
      assert.equal(helmCode, plainCode);
      // The same lines, apart from where each writes (named in the compose secrets' warning).
      const lines = (text: string): string[] =>
        text
          .split(join(out, 'chart'))
          .join('OUT')
          .split(join(out, 'manifests.yaml'))
          .join('OUT')
          .split('\n')
          .filter((l) => !l.startsWith('wrote '));
      assert.deepEqual(lines(helm.err), lines(plain.err));
      assert.equal(existsSync(join(out, 'chart')), plainCode === 0);
    });
  }
});

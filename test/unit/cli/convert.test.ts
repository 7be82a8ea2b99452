import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load, loadAll } from 'js-yaml';
import { main } from '../../../src/cli/main';
import type { CliIo } from '../../../src/cli/io';

function io(cwd: string, env: NodeJS.ProcessEnv = {}): CliIo & { out: string; err: string } {
  const b = {
    out: '',
    err: '',
    cwd,
    env,
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

const COMPOSE = `services:
  web:
    image: "example/web:\${TAG:-dev}"
    ports: ["8080:80"]
    environment: [SHELL_ONLY]
    volumes: ["./html:/usr/share/nginx/html"]
  db:
    image: postgres:16
    profiles: [db]
`;

describe('outerloop config and convert', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'outerloop-cli-'));
    writeFileSync(join(dir, 'compose.yaml'), COMPOSE);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lists both commands in --help', async () => {
    const o = io(dir);
    assert.equal(await main(['--help'], o), 0);
    assert.match(o.out, /config\s+print the merged/);
    assert.match(o.out, /convert\s+convert compose files to Kubernetes/);
  });

  it('config prints the normalized model as YAML or JSON', async () => {
    const o = io(dir);
    assert.equal(await main(['config', '--profile', 'db', '-e', 'TAG=1.0'], o), 0);
    const model = load(o.out) as { name: string; services: Array<{ name: string; image: string }> };
    assert.equal(model.services.map((s) => `${s.name}=${s.image}`).join(','), 'db=postgres:16,web=example/web:1.0');
    const j = io(dir);
    assert.equal(await main(['config', '--format', 'json'], j), 0);
    assert.equal((JSON.parse(j.out) as { services: unknown[] }).services.length, 1);
    assert.equal(await main(['config', '--format', 'xml'], j), 1);
    assert.match(j.err, /Input '--format' must be yaml or json, not 'xml'/);
  });

  it('convert writes multi-document YAML to stdout and warnings to stderr', async () => {
    const o = io(dir, { SHELL_ONLY: 'from-shell' });
    assert.equal(await main(['convert', '-n', 'qa'], o), 0);
    const docs = loadAll(o.out) as Array<{ kind: string; metadata: { namespace: string } }>;
    assert.deepEqual(
      docs.map((d) => d.kind),
      ['Service', 'Deployment'],
    );
    assert.ok(docs.every((d) => d.metadata.namespace === 'qa'));
    assert.doesNotMatch(o.out, /from-shell/, 'the shell environment is not read without --shell-env');
    assert.match(o.err, /^warning: .*compose\.yaml:5:\d+: services\.web\.environment\.SHELL_ONLY has no value/m);
    assert.match(o.err, /^warning: .*services\.web\.volumes\[0\] is a bind mount/m);
  });

  it('--shell-env reads the shell environment, as docker compose does', async () => {
    const o = io(dir, { SHELL_ONLY: 'from-shell', TAG: '9' });
    assert.equal(await main(['convert', '--shell-env'], o), 0);
    assert.match(o.out, /value: from-shell/);
    assert.match(o.out, /image: example\/web:9/);
  });

  it('--strict fails on the first warning, with exit code 1 and one line', async () => {
    const o = io(dir);
    assert.equal(await main(['convert', '--strict'], o), 1);
    assert.equal(o.out, '');
    assert.equal(o.err.split('\n').filter(Boolean).length, 1);
    assert.match(o.err, /^outerloop convert: .*compose\.yaml:\d+:\d+: services\.web\..* \(strict mode; 2 warnings in all\)\.\n$/);
  });

  it('warnings and errors that quote user strings are one line each, with ##vso[ neutralized', async () => {
    const key = 'bad\n##vso[task.setvariable variable=PWNED]yes\u2028';
    writeFileSync(join(dir, 'compose.yaml'), `services:\n  web:\n    image: x\n    ${JSON.stringify(key)}: 1\n`);
    for (const args of [['convert'], ['config'], ['convert', '--strict']]) {
      const o = io(dir);
      await main(args, o);
      assert.ok(o.err.length > 0, args.join(' '));
      assert.doesNotMatch(o.err, /##vso\[/i, o.err);
      for (const line of o.err.split('\n').filter(Boolean))
        assert.match(line, /^(warning: |outerloop convert: |wrote )/, `one line per message: ${JSON.stringify(o.err)}`);
      assert.match(o.err, /bad\\n##~vso\[task\.setvariable variable=PWNED\]yes\\u2028/);
    }
  });

  it('-o writes one file and --output-dir one file per object', async () => {
    const o = io(dir);
    assert.equal(await main(['convert', '-o', 'out/k8s.yaml'], o), 0);
    assert.equal(loadAll(readFileSync(join(dir, 'out', 'k8s.yaml'), 'utf8')).length, 2);
    assert.equal(await main(['convert', '--output-dir', 'manifests'], o), 0);
    assert.deepEqual(readdirSync(join(dir, 'manifests')).sort(), ['.outerloop-manifests', 'deployment-web.yaml', 'service-web.yaml']);
    writeFileSync(join(dir, 'manifests', 'mine.yaml'), 'kept: true\n');
    writeFileSync(join(dir, 'compose.yaml'), COMPOSE.replace('ports: ["8080:80"]', 'ports: []'));
    assert.equal(await main(['convert', '--output-dir', 'manifests'], o), 0);
    assert.deepEqual(
      readdirSync(join(dir, 'manifests')).sort(),
      ['.outerloop-manifests', 'deployment-web.yaml', 'mine.yaml'],
      "the stale Service file is removed, the user's file kept",
    );
    assert.match(o.err, /removed 1 that the project no longer has \(service-web\.yaml\)/);
    assert.equal(await main(['convert', '-o', 'a.yaml', '--output-dir', 'b'], o), 1);
    assert.match(o.err, /cannot be used together/);
  });

  it('pins images from --digests', async () => {
    writeFileSync(
      join(dir, 'digests.json'),
      JSON.stringify({
        version: 1,
        pipeline: {},
        images: [{ reference: 'example/web:dev', repository: 'example/web', tag: 'dev', digest: `sha256:${'a'.repeat(64)}` }],
      }),
    );
    const o = io(dir);
    assert.equal(await main(['convert', '--digests', 'digests.json'], o), 0);
    assert.match(o.out, new RegExp(`image: example/web@sha256:${'a'.repeat(64)}`));
  });

  it("--wait-image and --kubectl-image set the init containers' images, so they can be pinned by digest", async () => {
    writeFileSync(
      join(dir, 'compose.yaml'),
      [
        'services:',
        '  migrate: {image: example/migrate:1, restart: "no"}',
        '  db: {image: postgres:16, ports: ["5432"]}',
        '  web:',
        '    image: example/web:1',
        '    depends_on: {db: {condition: service_healthy}, migrate: {condition: service_completed_successfully}}',
        '',
      ].join('\n'),
    );
    const busybox = `busybox@sha256:${'b'.repeat(64)}`;
    const kubectl = `registry.example.com/kubectl:1.30@sha256:${'c'.repeat(64)}`;
    const o = io(dir);
    assert.equal(await main(['convert', '--wait-image', busybox, '--kubectl-image', kubectl], o), 0);
    const web = (
      loadAll(o.out) as Array<{
        kind: string;
        metadata: { name: string };
        spec: { template: { spec: { initContainers: Array<{ image: string }> } } };
      }>
    ).find((d) => d.kind === 'Deployment' && d.metadata.name === 'web')!;
    assert.deepEqual(web.spec.template.spec.initContainers.map((c) => c.image).sort(), [busybox, kubectl].sort());
    assert.doesNotMatch(o.out, /busybox:1\.36|bitnami\/kubectl/);
    const bad = io(dir);
    assert.equal(await main(['convert', '--wait-image', 'Busy Box'], bad), 1);
    assert.match(bad.err, /^outerloop convert: Input 'waitImage' 'Busy Box' is not a valid image reference: .*\.\n$/);
    const help = io(dir);
    assert.equal(await main(['convert', '--help'], help), 0);
    assert.match(help.out, /--wait-image IMAGE/);
    assert.match(help.out, /--kubectl-image IMAGE/);
  });

  it('makes ConfigMaps of read-only bind mounts of project files, unless --no-bind-configmaps', async () => {
    writeFileSync(
      join(dir, 'compose.yaml'),
      'services:\n  proxy:\n    image: nginx:1.27\n    volumes: ["./nginx.conf:/etc/nginx/nginx.conf:ro"]\n',
    );
    writeFileSync(join(dir, 'nginx.conf'), 'events {}\n');
    const on = io(dir);
    assert.equal(await main(['convert'], on), 0);
    assert.match(on.out, /kind: ConfigMap[\s\S]*name: bind-nginx-conf[\s\S]*mountPath: \/etc\/nginx\/nginx.conf/);
    assert.equal(on.err, '');
    const off = io(dir);
    assert.equal(await main(['convert', '--no-bind-configmaps'], off), 0);
    assert.doesNotMatch(off.out, /ConfigMap/);
    assert.match(off.err, /volumes\[0\] is a bind mount of .*nginx\.conf .*switched off/);
  });

  it("warns when it writes compose secrets' contents, and leaves the Secrets out with --no-secrets", async () => {
    writeFileSync(
      join(dir, 'compose.yaml'),
      'services:\n  api:\n    image: example/api:1\n    secrets: [token]\nsecrets:\n  token: {file: ./token.txt}\n',
    );
    writeFileSync(join(dir, 'token.txt'), 's3cr3t-token');
    const encoded = Buffer.from('s3cr3t-token').toString('base64');
    const written = io(dir);
    assert.equal(await main(['convert', '-o', 'k8s.yaml'], written), 0);
    assert.ok(readFileSync(join(dir, 'k8s.yaml'), 'utf8').includes(encoded));
    assert.match(
      written.err,
      /^warning: the contents of compose secrets are written in the clear \(base64\) to .*k8s\.yaml, in Secret token: keep them out of version control and logs, or use --no-secrets to leave the Secrets out$/m,
    );
    const left = io(dir);
    assert.equal(await main(['convert', '--no-secrets', '-o', 'k8s.yaml'], left), 0);
    const yaml = readFileSync(join(dir, 'k8s.yaml'), 'utf8');
    assert.ok(!yaml.includes(encoded) && !yaml.includes('kind: Secret') && yaml.includes('secretName: token'));
    assert.match(left.err, /^left out Secret token \(--no-secrets\): create them in the cluster before applying the manifests$/m);
    assert.doesNotMatch(left.err, /warning: the contents/);
  });

  it('fails with one line naming the file, line and key, and writes nothing', async () => {
    writeFileSync(join(dir, 'compose.yaml'), 'services:\n  web:\n    image: "x:${TAG:?TAG is required}"\n');
    const o = io(dir);
    assert.equal(await main(['convert', '-o', 'never.yaml'], o), 1);
    assert.equal(
      o.err,
      `outerloop convert: ${join(dir, 'compose.yaml')}:3:5: services.web.image: required variable TAG is not set: TAG is required.\n`,
    );
    assert.equal(existsSync(join(dir, 'never.yaml')), false);
  });

  it('rejects unknown options and a bad --env', async () => {
    const o = io(dir);
    assert.equal(await main(['convert', '--frobnicate'], o), 1);
    assert.match(o.err, /Unknown option '--frobnicate'/);
    assert.equal(await main(['config', '-e', 'NOVALUE'], o), 1);
    assert.match(o.err, /Input '--env' 'NOVALUE' must be NAME=VALUE/);
  });
});

import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { load, loadAll } from 'js-yaml';
import { loadComposeProject } from '../../src/compose/load';
import { NodeProcessRunner } from '../../src/process/runner';
import { ROOT } from '../support/paths';
import { requireTestBed, type TestBed } from '../support/testbed';

// The loader against the reference implementation (docker-compose on the test bed), and the
// bundled CLI end to end: a real build and push, its digest, manifests pinned by it.

type Projects = Record<string, Record<string, string>>;

const REFERENCE_PROJECTS: Projects = {
  'merge, .env and defaults': {
    'compose.yaml':
      'services:\n  web:\n    image: "example/web:${TAG:-dev}"\n    command: ["echo", "$$HOME", "${GREETING-hello}"]\n    environment:\n      A: "${A_VALUE}"\n      B: base\n    ports: ["8080:80"]\n',
    'override.yaml': 'services:\n  web:\n    command: ["serve"]\n    environment:\n      B: override\n      C: "${EMPTY:-fallback}"\n',
    '.env': 'TAG=1.2\nA_VALUE="quoted value"\nEMPTY=\n',
  },
  'env_file under environment': {
    'compose.yaml':
      'services:\n  api:\n    image: example/api\n    env_file: [a.env, b.env]\n    environment:\n      - SHARED=from-environment\n      - ONLY_HERE=1\n',
    'a.env': '# first\nSHARED=from-a\nFROM_A=a\nQUOTED="x y"\n',
    'b.env': 'FROM_B=b\nFROM_A=overridden-by-b\n',
  },
  'extends across files': {
    'compose.yaml':
      'services:\n  worker:\n    extends:\n      file: base.yaml\n      service: base\n    command: ["work", "--fast"]\n    environment:\n      LEVEL: worker\n',
    'base.yaml':
      'services:\n  base:\n    image: example/base:3\n    entrypoint: ["/entry"]\n    environment:\n      LEVEL: base\n      KEEP: kept\n',
  },
};

interface ServiceView {
  image?: string;
  command?: string[];
  entrypoint?: string[];
  environment: Record<string, string>;
}

function writeProject(root: string, files: Record<string, string>): string {
  const dir = join(root, randomBytes(4).toString('hex'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('compose loader and converter on the test bed', function () {
  let bed: TestBed;
  let root: string;
  before(function () {
    bed = requireTestBed(this);
    root = mkdtempSync(join(tmpdir(), 'outerloop-convert-it-'));
  });
  after(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  for (const [name, files] of Object.entries(REFERENCE_PROJECTS)) {
    it(`reads "${name}" as docker-compose does`, () => {
      const dir = writeProject(root, files);
      const composeFiles = Object.keys(files).filter((f) => f === 'compose.yaml' || f === 'override.yaml');
      const reference = load(
        execFileSync('docker-compose', [...composeFiles.flatMap((f) => ['-f', f]), 'config'], {
          cwd: dir,
          env: { PATH: process.env['PATH'] ?? '' },
          encoding: 'utf8',
        }),
      ) as { services: Record<string, ServiceView> };
      const { project } = loadComposeProject({ files: composeFiles, workingDir: dir, environment: {} });
      const ours: Record<string, ServiceView> = {};
      for (const s of project.services) {
        const environment: Record<string, string> = { ...s.envFileValues };
        for (const [k, v] of Object.entries(s.environment)) if (v !== null) environment[k] = v;
        ours[s.name] = { image: s.image, command: s.command, entrypoint: s.entrypoint, environment };
      }
      for (const [service, theirs] of Object.entries(reference.services)) {
        assert.ok(ours[service], `service ${service}`);
        assert.equal(ours[service].image, theirs.image, `${service}.image`);
        assert.deepEqual(ours[service].command, theirs.command, `${service}.command`);
        assert.deepEqual(ours[service].entrypoint, theirs.entrypoint, `${service}.entrypoint`);
        assert.deepEqual(ours[service].environment, theirs.environment ?? {}, `${service}.environment`);
      }
    });
  }

  it("takes the ports of a service others reach from its image's EXPOSE (a real build, bundled CLI)", async () => {
    const runner = new NodeProcessRunner({ write: () => undefined });
    const name = `outerloop-expose-${randomBytes(4).toString('hex')}`;
    const dir = writeProject(root, {
      'db/Dockerfile': `FROM ${bed.baseImage}\nEXPOSE 5432 5433/udp\nCMD ["sleep", "3600"]\n`,
      'compose.yaml': `name: ${name}\nservices:\n  app:\n    image: example/app:1\n    environment:\n      DATABASE_URL: postgres://db:5432/shop\n  db:\n    build: ./db\n`,
    });
    const built = await runner.exec('docker', ['build', '-t', `${name}-db`, 'db'], { env: bed.env, quiet: true, cwd: dir });
    assert.equal(built.code, 0, built.stderr);
    try {
      const cli = join(ROOT, 'bin', 'outerloop.js');
      const result = await runner.exec(process.execPath, [cli, 'convert'], { cwd: dir, quiet: true, env: { ...process.env, ...bed.env } });
      assert.equal(result.code, 0, result.stderr);
      const db = (
        loadAll(result.stdout) as Array<{
          kind: string;
          metadata: { name: string };
          spec: { ports?: Array<{ port: number; protocol: string }> };
        }>
      ).find((d) => d.kind === 'Service' && d.metadata.name === 'db');
      assert.deepEqual(
        db?.spec.ports?.map((p) => `${p.port}/${p.protocol}`),
        ['5432/TCP', '5433/UDP'],
      );
      assert.doesNotMatch(result.stderr, /services\.db has no ports/);
    } finally {
      await runner.exec('docker', ['image', 'rm', '-f', `${name}-db`], { env: bed.env, quiet: true });
    }
  });

  it('pins the manifests by the digest of a real push (bundled CLI, --digests, -o)', async () => {
    const runner = new NodeProcessRunner({ write: () => undefined });
    const repo = `${bed.registry}/outerloop-convert-${randomBytes(4).toString('hex')}/app`;
    const dir = writeProject(root, {
      Dockerfile: `FROM ${bed.baseImage}\nCMD ["sh", "-c", "sleep 1"]\n`,
      'compose.yaml': `name: itshop\nservices:\n  app:\n    build: .\n    image: ${repo}:\${TAG}\n    init: true\n    ports: ["8080:80"]\n`,
    });
    const docker = async (args: string[]): Promise<string> => {
      const r = await runner.exec('docker', args, { env: bed.env, quiet: true, cwd: dir });
      assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
      return r.stdout.trim();
    };
    try {
      await docker(['build', '-t', `${repo}:7`, '.']);
      await docker(['push', `${repo}:7`]);
      const repoDigest = await docker(['image', 'inspect', '--format', '{{index .RepoDigests 0}}', `${repo}:7`]);
      const digest = repoDigest.slice(repoDigest.indexOf('@') + 1);
      assert.match(digest, /^sha256:[0-9a-f]{64}$/);
      writeFileSync(
        join(dir, 'image-digests.json'),
        JSON.stringify({ version: 1, images: [{ reference: `${repo}:7`, repository: repo, tag: '7', digest }], pipeline: {} }),
      );
      const cli = join(ROOT, 'bin', 'outerloop.js');
      const result = await runner.exec(
        process.execPath,
        [cli, 'convert', '-e', 'TAG=7', '--digests', 'image-digests.json', '-n', 'it', '-o', 'k8s.yaml'],
        { cwd: dir, quiet: true },
      );
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /services\.app\.init is not converted/);
      const docs = loadAll(readFileSync(join(dir, 'k8s.yaml'), 'utf8')) as Array<{
        kind: string;
        spec: { template?: { spec: { containers: Array<{ image: string }> } } };
      }>;
      const deployment = docs.find((d) => d.kind === 'Deployment');
      assert.equal(deployment?.spec.template?.spec.containers[0].image, `${repo}@${digest}`);
      const again = await runner.exec(process.execPath, [cli, 'convert', '-e', 'TAG=7', '--digests', 'image-digests.json', '-n', 'it'], {
        cwd: dir,
        quiet: true,
      });
      assert.equal(again.stdout, readFileSync(join(dir, 'k8s.yaml'), 'utf8'), 'stdout and -o give the same bytes');
    } finally {
      await runner.exec('docker', ['image', 'rm', '-f', `${repo}:7`], { env: bed.env, quiet: true });
    }
  });
});

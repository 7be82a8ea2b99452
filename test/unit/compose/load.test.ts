import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { FileError, InputError, OuterloopError } from '../../../src/common/errors';
import { loadComposeProject } from '../../../src/compose/load';
import type { ComposeSource } from '../../../src/compose/source';

describe('compose loader', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'outerloop-load-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function write(files: Record<string, string>, folder = 'My Project'): string {
    const dir = join(root, folder);
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    return dir;
  }
  function load(dir: string, options: Partial<ComposeSource> = {}): ReturnType<typeof loadComposeProject> {
    return loadComposeProject({ files: [], workingDir: dir, environment: {}, ...options });
  }

  it('finds compose.yaml and its override, and names the project after the folder', () => {
    const dir = write({ 'compose.yaml': 'services: {a: {image: x}}', 'compose.override.yaml': 'services: {a: {user: "1"}}' });
    const { project } = load(dir);
    assert.equal(project.name, 'myproject');
    assert.equal(project.services[0].user, '1');
  });

  it('takes the project name from the option, then COMPOSE_PROJECT_NAME, then name:', () => {
    const dir = write({ 'compose.yaml': 'name: fromfile\nservices: {a: {image: x}}', '.env': 'COMPOSE_PROJECT_NAME=fromdotenv' });
    assert.equal(load(dir, { projectName: 'given' }).project.name, 'given');
    assert.equal(load(dir).project.name, 'fromdotenv');
    assert.equal(load(dir, { envFiles: [] }).project.name, 'fromfile');
    assert.throws(() => load(dir, { projectName: 'Bad Name' }), InputError);
  });

  it('reads .env, lets the given environment win, and never reads process.env', () => {
    const dir = write({
      'compose.yaml': 'services: {a: {image: "x:${TAG}", environment: [FROM_SHELL, OUTERLOOP_LOAD_TEST]}}',
      '.env': 'TAG=dotenv\nFROM_SHELL=dotenv',
    });
    process.env['OUTERLOOP_LOAD_TEST'] = 'leaked';
    try {
      const { project, warnings } = load(dir, { environment: { FROM_SHELL: 'given' } });
      assert.equal(project.services[0].image, 'x:dotenv');
      assert.deepEqual(project.services[0].environment, { FROM_SHELL: 'given', OUTERLOOP_LOAD_TEST: null });
      assert.ok(warnings.some((w) => /environment\.OUTERLOOP_LOAD_TEST has no value/.test(w)));
    } finally {
      delete process.env['OUTERLOOP_LOAD_TEST'];
    }
  });

  it('warns about an unset variable with its file:line:column and key path', () => {
    const dir = write({ 'compose.yaml': 'services:\n  a:\n    image: "x:${NOPE}"\n' });
    assert.deepEqual(load(dir).warnings, [
      `${join(dir, 'compose.yaml')}:3:5: services.a.image: the variable NOPE is not set: it became an empty string.`,
    ]);
  });

  it('enables services by profile, from the option or COMPOSE_PROFILES', () => {
    const dir = write({ 'compose.yaml': 'services: {a: {image: x}, b: {image: x, profiles: [debug]}, c: {image: x, profiles: [ops]}}' });
    const names = (o: Partial<ComposeSource>): string[] => load(dir, o).project.services.map((s) => s.name);
    assert.deepEqual(names({}), ['a']);
    assert.deepEqual(names({ profiles: ['debug'] }), ['a', 'b']);
    assert.deepEqual(names({ environment: { COMPOSE_PROFILES: 'ops,debug' } }), ['a', 'b', 'c']);
    assert.deepEqual(names({ profiles: ['*'] }), ['a', 'b', 'c']);
  });

  it('refuses an empty project and a profile selection that leaves no services (deploying nothing would prune the app)', () => {
    for (const text of ['', '# nothing\n', 'services: {}\n', 'name: x\nvolumes: {v: {}}\n']) {
      const dir = write({ 'compose.yaml': text }, `empty-${text.length}`);
      assert.throws(
        () => load(dir),
        (err: unknown) => err instanceof FileError && /compose\.yaml: the project defines no services/.test(err.message),
        JSON.stringify(text),
      );
    }
    const dir = write({ 'compose.yaml': 'services: {a: {image: x, profiles: [debug]}, b: {image: x, profiles: [ops, debug]}}' });
    assert.throws(() => load(dir), /every service is behind a profile and no profile is active: activate one of debug, ops/);
    assert.throws(() => load(dir, { profiles: ['test'] }), /the active profiles \(test\) enable none of them/);
    assert.deepEqual(
      load(dir, { profiles: ['ops'] }).project.services.map((s) => s.name),
      ['b'],
    );
  });

  it('warns when an env_file, label_file, secret or config reads a file outside the project folder', () => {
    write({ 'creds.env': 'A=1\n', 'key.pem': 'k' }, 'outside');
    const dir = write(
      {
        'compose.yaml':
          'services:\n  a:\n    image: x\n    env_file: ../outside/creds.env\n    label_file: ../outside/creds.env\n    secrets: [s]\n    configs: [c, inside]\nsecrets:\n  s: {file: ../outside/key.pem}\nconfigs:\n  c: {file: /etc/hostname}\n  inside: {file: ./compose.yaml}\n',
      },
      'app',
    );
    const warnings = load(dir).warnings.filter((w) => w.includes('outside the project folder'));
    assert.deepEqual(
      warnings.map((w) => w.replace(/^.*compose\.yaml:\d+:\d+: /, '').replace(root, 'ROOT')),
      [
        'services.a.label_file[0] reads ROOT/outside/creds.env, outside the project folder: its contents would be published with the manifests.',
        'services.a.env_file[0] reads ROOT/outside/creds.env, outside the project folder: its contents would be published with the manifests.',
        'secrets.s.file reads ROOT/outside/key.pem, outside the project folder: its contents would be published with the manifests.',
        'configs.c.file reads /etc/hostname, outside the project folder: its contents would be published with the manifests.',
      ],
    );
  });

  it('refuses more than 10,000 services early, in one sentence (a huge file of small services once ran for minutes)', () => {
    let text = 'services:\n';
    for (let i = 0; i <= 10_000; i++) text += `  s${i}: {image: x}\n`;
    const dir = write({ 'compose.yaml': text }, 'many');
    assert.throws(
      () => load(dir),
      (err: unknown) =>
        err instanceof FileError &&
        /compose\.yaml: the project has 10001 services, more than the 10000 outerloop converts: split it into several projects\.$/.test(
          err.message,
        ),
    );
    const inc = write(
      {
        'compose.yaml': 'include: [a.yaml, b.yaml]\n',
        'a.yaml': text.split('\n').slice(0, 6001).join('\n'),
        'b.yaml': `services:\n${text
          .split('\n')
          .slice(6001, 10_002)
          .join('\n')
          .replace(/ s(\d+):/g, ' t$1:')}`,
      },
      'many-included',
    );
    assert.throws(() => load(inc), /the project has 10001 services/);
  });

  it('loads an include listed twice in each of 20 chained files once, not 2^20 times (memoized)', function () {
    this.timeout(30_000);
    const files: Record<string, string> = { 'f20.yaml': 'x-leaf: true\n' };
    for (let i = 0; i < 20; i++)
      files[`f${i}.yaml`] = `${i === 0 ? 'services: {a: {image: x}}\n' : ''}include:\n  - f${i + 1}.yaml\n  - f${i + 1}.yaml\n`;
    const dir = write(files, 'include-chain');
    assert.deepEqual(
      load(dir, { files: ['f0.yaml'] }).project.services.map((s) => s.name),
      ['a'],
    );
  });

  it('resolves a linear chain of 2,000 extends in linear time, each service with its whole chain', function () {
    this.timeout(30_000);
    let text = 'services:\n  s0:\n    image: x\n    environment: {A: "0"}\n';
    for (let i = 1; i < 2000; i++) text += `  s${i}:\n    extends: s${i - 1}\n    environment: {A: "${i}"}\n`;
    const dir = write({ 'compose.yaml': text }, 'extends-chain');
    const services = load(dir).project.services;
    assert.equal(services.length, 2000);
    const last = services.find((s) => s.name === 's1999')!;
    assert.equal(last.image, 'x');
    assert.deepEqual(last.environment, { A: '1999' });
  });

  it('fails when an enabled service depends on a disabled one, and keeps an optional one as Compose does (nothing waits for it)', () => {
    const dir = write({
      'compose.yaml':
        'services:\n  a:\n    image: x\n    depends_on:\n      b: {condition: service_started}\n      c: {condition: service_started, required: false}\n  b: {image: x, profiles: [p]}\n  c: {image: x, profiles: [p]}\n',
    });
    assert.throws(
      () => load(dir),
      (e: unknown) =>
        e instanceof FileError &&
        /compose\.yaml:5:7: services\.a\.depends_on\.b: the service 'b' is disabled by its profiles \(p\)/.test(e.message),
    );
    const dir2 = write(
      {
        'compose.yaml':
          'services:\n  a:\n    image: x\n    depends_on:\n      c: {condition: service_started, required: false}\n  c: {image: x, profiles: [p]}\n',
      },
      'two',
    );
    assert.deepEqual(load(dir2).project.services[0].dependsOn, { c: { condition: 'service_started', required: false, restart: false } });
  });

  it('makes links, network_mode service:x and volumes_from implicit dependencies, as Compose does, and finds cycles through them', () => {
    const dir = write(
      {
        'compose.yaml':
          'services:\n  a: {image: x, links: ["b:alias"], network_mode: "service:c", volumes_from: ["d:ro", "container:other"]}\n  b: {image: x}\n  c: {image: x}\n  d: {image: x, depends_on: {b: {condition: service_healthy}}}\n',
      },
      'implicit',
    );
    const a = load(dir).project.services[0];
    assert.deepEqual(a.dependsOn, {
      b: { condition: 'service_started', required: true, restart: false, implicit: 'links' },
      c: { condition: 'service_started', required: true, restart: false, implicit: 'network_mode' },
      d: { condition: 'service_started', required: true, restart: false, implicit: 'volumes_from' },
    });
    const cycle = write({ 'compose.yaml': 'services:\n  a: {image: x, links: [b]}\n  b: {image: x, depends_on: [a]}\n' }, 'implicit-cycle');
    assert.throws(
      () => load(cycle),
      (e: unknown) => e instanceof FileError && /services\.b\.depends_on\.a: dependency cycle detected: a -> b -> a\.$/.test(e.message),
    );
  });

  it('reports a missing compose file, env file and extends file by name', () => {
    const dir = write({
      'compose.yaml': 'services: {a: {image: x, env_file: [missing.env]}}',
      'ext.yaml': 'services: {a: {extends: {file: nope.yaml, service: b}}}',
    });
    assert.throws(
      () => load(dir, { files: ['nope.yaml'] }),
      (e: unknown) => e instanceof FileError && /nope\.yaml: the compose file does not exist/.test(e.message),
    );
    assert.throws(
      () => load(dir),
      (e: unknown) => e instanceof FileError && /the env file .*missing\.env does not exist/.test(e.message),
    );
    assert.throws(
      () => load(dir, { files: ['ext.yaml'] }),
      (e: unknown) => e instanceof FileError && /nope\.yaml: the compose file does not exist/.test(e.message),
    );
  });

  it('rejects an include cycle and a resource defined twice', () => {
    const cycle = write(
      { 'compose.yaml': 'include: [b.yaml]\nservices: {a: {image: x}}', 'b.yaml': 'include: [compose.yaml]\nservices: {b: {image: x}}' },
      'cycle',
    );
    assert.throws(
      () => load(cycle),
      (e: unknown) => e instanceof FileError && /include cycle/.test(e.message),
    );
    const twice = write({ 'compose.yaml': 'include: [b.yaml]\nservices: {a: {image: x}}', 'b.yaml': 'services: {a: {image: y}}' }, 'twice');
    assert.throws(
      () => load(twice),
      (e: unknown) => e instanceof FileError && /services\.a is also defined by the included b\.yaml/.test(e.message),
    );
  });

  it('warns about unknown keys and removes them', () => {
    const dir = write({ 'compose.yaml': 'services:\n  a:\n    image: x\n    imagee: y\nfoo: 1\n' });
    const { warnings, project } = load(dir);
    assert.deepEqual(
      warnings.map((w) => w.replace(dir, '.')),
      ['./compose.yaml:4:5: services.a.imagee is not a Compose key: ignored.', './compose.yaml:5:1: foo is not a Compose key: ignored.'],
    );
    assert.deepEqual(project.services[0].other, {});
  });

  const invalid: Array<[string, string, RegExp]> = [
    ['an invalid service name', 'services: {"a b": {image: x}}', /services\.a b: 'a b' is not a valid name/],
    ['a wrong type', 'services: {a: {image: x, privileged: [1]}}', /services\.a\.privileged must be boolean or string/],
    [
      'an undefined dependency',
      'services: {a: {image: x, depends_on: [b]}}',
      /services\.a\.depends_on\.b names the service 'b', which is not defined/,
    ],
    ['an undefined secret', 'services: {a: {image: x, secrets: [s]}}', /services\.a\.secrets\[0\] refers to the secret 's'/],
    ['a bad duration', 'services: {a: {image: x, stop_grace_period: soon}}', /services\.a\.stop_grace_period must be a duration/],
    ['a bad port', 'services: {a: {image: x, ports: ["99999"]}}', /services\.a\.ports\[0\] is not valid: container port 99999/],
    ['a list document', '- a\n- b', /must be a mapping/],
  ];
  for (const [what, text, message] of invalid) {
    it(`rejects ${what} with file:line:column`, () => {
      const dir = write({ 'compose.yaml': text }, what.replace(/\W/g, ''));
      assert.throws(
        () => load(dir),
        (e: unknown) => e instanceof OuterloopError && /compose\.yaml:\d+:\d+: /.test(e.message) && message.test(e.message),
      );
    });
  }
});

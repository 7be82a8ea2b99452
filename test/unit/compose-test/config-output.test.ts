import { strict as assert } from 'node:assert';
import { InputError, ToolError } from '../../../src/common/errors';
import { enabledServices, parseComposeConfig, planBuiltImages, planScope } from '../../../src/compose-test/config-output';

// What `docker-compose config` prints (v2 prints the same shape), trimmed to what matters.
const CONFIG = `
services:
  db:
    image: postgres:16
  migrate:
    build: {context: ./migrate}
    depends_on: [db]
  api:
    build: {context: ./api}
    image: contoso/api:ci
    depends_on:
      db: {condition: service_healthy}
      migrate: {condition: service_completed_successfully}
  web:
    build: {context: ./web}
    depends_on:
      api: {condition: service_started}
  tests:
    build: {context: ./tests}
    depends_on:
      web: {condition: service_healthy}
  docs:
    image: nginx
volumes: {}
`;
const model = parseComposeConfig(CONFIG);

describe('compose-test config output', () => {
  it('reads services, build sections, images and both forms of depends_on', () => {
    assert.deepEqual([...model.keys()], ['db', 'migrate', 'api', 'web', 'tests', 'docs']);
    assert.deepEqual(model.get('migrate'), {
      name: 'migrate',
      build: true,
      image: undefined,
      dependsOn: [{ service: 'db', condition: 'service_started' }],
      profiles: [],
    });
    assert.deepEqual(model.get('api')?.dependsOn, [
      { service: 'db', condition: 'service_healthy' },
      { service: 'migrate', condition: 'service_completed_successfully' },
    ]);
    assert.equal(model.get('api')?.image, 'contoso/api:ci');
    assert.equal(model.get('db')?.build, false);
  });

  it('enabledServices: a service with profiles runs when one is enabled or it is named (v1 config prints them all)', () => {
    const profiled = parseComposeConfig(
      'services:\n  web: {image: w}\n  debug: {image: d, profiles: [debug]}\n  e2e: {image: e, profiles: [e2e, ci]}\n',
    );
    assert.deepEqual(profiled.get('debug')?.profiles, ['debug']);
    assert.deepEqual([...enabledServices(profiled, [], []).keys()], ['web']);
    assert.deepEqual([...enabledServices(profiled, ['ci'], []).keys()], ['web', 'e2e']);
    assert.deepEqual([...enabledServices(profiled, [], ['debug']).keys()], ['web', 'debug']);
  });

  it('refuses a project without services (empty, services: {}, or every profile inactive) as an input error', () => {
    for (const text of ['name: app\n', 'name: app\nservices: {}\n', 'services: null\n']) {
      assert.throws(
        () => parseComposeConfig(text),
        (err: unknown) => err instanceof InputError && /^Input 'composeFiles' name a project without services/.test(err.message),
      );
    }
  });

  it('turns unreadable config output into a ToolError', () => {
    assert.throws(() => parseComposeConfig('services: [\n'), ToolError);
  });

  describe('planScope', () => {
    const cases: Array<
      [string, string[], { kind: 'command'; command: string } | { kind: 'service'; service: string }, ReturnType<typeof planScope>]
    > = [
      [
        'everything with a test command: up names nothing',
        [],
        { kind: 'command', command: 'x' },
        {
          up: [],
          all: ['api', 'db', 'docs', 'migrate', 'tests', 'web'],
          build: ['api', 'migrate', 'tests', 'web'],
          pull: ['db', 'docs'],
          oneShot: ['migrate'],
        },
      ],
      [
        'some services, with their dependencies',
        ['web'],
        { kind: 'command', command: 'x' },
        {
          up: ['web'],
          all: ['api', 'db', 'migrate', 'web'],
          build: ['api', 'migrate', 'web'],
          pull: ['db'],
          oneShot: ['migrate'],
        },
      ],
      [
        'a test service is not started with the app, its dependencies are',
        [],
        { kind: 'service', service: 'tests' },
        {
          up: ['api', 'db', 'docs', 'migrate', 'web'],
          all: ['api', 'db', 'docs', 'migrate', 'tests', 'web'],
          build: ['api', 'migrate', 'tests', 'web'],
          pull: ['db', 'docs'],
          oneShot: ['migrate'],
        },
      ],
      [
        "services plus the test service's dependencies",
        ['db'],
        { kind: 'service', service: 'tests' },
        {
          up: ['api', 'db', 'migrate', 'web'],
          all: ['api', 'db', 'migrate', 'tests', 'web'],
          build: ['api', 'migrate', 'tests', 'web'],
          pull: ['db'],
          oneShot: ['migrate'],
        },
      ],
      [
        'a lone service',
        ['docs'],
        { kind: 'command', command: 'x' },
        { up: ['docs'], all: ['docs'], build: [], pull: ['docs'], oneShot: [] },
      ],
    ];
    for (const [name, services, test, expected] of cases) it(name, () => assert.deepEqual(planScope(model, services, test), expected));

    it('names the input and the known services when a service does not exist', () => {
      assert.throws(
        () => planScope(model, ['wbe'], { kind: 'command', command: 'x' }),
        (e: unknown) =>
          e instanceof InputError &&
          e.message ===
            "Input 'services' names service 'wbe', which the compose files do not define (they define: api, db, docs, migrate, tests, web).",
      );
      assert.throws(
        () => planScope(model, [], { kind: 'service', service: 'test' }),
        (e: unknown) => e instanceof InputError && e.input === 'testService',
      );
    });
  });

  it('planBuiltImages: the image when set, else the name compose gives (v1 _ , v2 -)', () => {
    const scope = planScope(model, ['web'], { kind: 'command', command: 'x' });
    assert.deepEqual(planBuiltImages(model, scope, 'shop-1', 1), ['contoso/api:ci', 'shop-1_migrate', 'shop-1_web']);
    assert.deepEqual(planBuiltImages(model, scope, 'shop-1', 2), ['contoso/api:ci', 'shop-1-migrate', 'shop-1-web']);
  });
});

import { strict as assert } from 'node:assert';
import * as plan from '../../../src/compose-test/plan';
import type { ContainerState } from '../../../src/docker/containers';

function container(service: string, ports: ContainerState['ports'], extra: Partial<ContainerState> = {}): ContainerState {
  return {
    id: service,
    name: `p_${service}_1`,
    service,
    number: 1,
    oneOff: false,
    image: '',
    status: 'running',
    exitCode: 0,
    restartCount: 0,
    ports,
    labels: {},
    ...extra,
  };
}

describe('compose-test planners', () => {
  describe('planProjectName', () => {
    const cases: Array<[string, Parameters<typeof plan.planProjectName>[0], string]> = [
      ['repository plus build id', { repository: 'shop', buildId: '4242', fallbackSuffix: 'x' }, 'shop-4242'],
      ['sanitized to [a-z0-9_-]', { repository: 'Contoso Web.App!', buildId: '7', fallbackSuffix: 'x' }, 'contoso-web-app-7'],
      [
        'job id added so parallel jobs differ',
        { repository: 'shop', buildId: '7', jobId: '12f1170f-54f2-53f3-20dd-22fc7dff55f9', fallbackSuffix: 'x' },
        'shop-7-12f1170f',
      ],
      ['no repository', { buildId: '7', fallbackSuffix: 'x' }, 'compose-7'],
      ['no build id (a local run): the random suffix', { repository: 'shop', fallbackSuffix: 'a1b2c3d4' }, 'shop-a1b2c3d4'],
      ['long repository names are cut', { repository: 'a'.repeat(60), buildId: '1', fallbackSuffix: 'x' }, `${'a'.repeat(40)}-1`],
      ['leading punctuation dropped', { repository: '__My_Repo', buildId: '1', fallbackSuffix: 'x' }, 'my_repo-1'],
    ];
    for (const [name, facts, expected] of cases) it(name, () => assert.equal(plan.planProjectName(facts), expected));
  });

  describe('explainNeedsComposeV2 (Compose v1 only)', () => {
    it('names the file and the top-level keys v1 rejects', () => {
      assert.equal(
        plan.explainNeedsComposeV2('compose.yml', { name: 'shop', include: ['db.yml'], services: {} }),
        "names 'compose.yml', whose top-level 'name' and 'include' need Compose v2 ('docker compose'), but this agent has only Compose v1 ('docker-compose'): install the Compose v2 plugin, or leave them out.",
      );
      assert.match(
        plan.explainNeedsComposeV2('a.yml', { include: ['b.yml'] }) ?? '',
        /top-level 'include' needs Compose v2 .*leave it out\.$/,
      );
      assert.equal(plan.explainNeedsComposeV2('a.yml', { services: { name: {} } }), undefined);
      assert.equal(plan.explainNeedsComposeV2('a.yml', 'not a mapping'), undefined);
    });
  });

  describe('port variables', () => {
    const cases: Array<[string, ContainerState[], Record<string, string>]> = [
      [
        'loopback binding',
        [container('web', [{ containerPort: '8080', protocol: 'tcp', hostIp: '127.0.0.1', hostPort: '32768' }])],
        { COMPOSE_WEB_8080: '127.0.0.1:32768' },
      ],
      [
        'all addresses are reached on 127.0.0.1; the IPv6 twin is not a second value',
        [
          container('web', [
            { containerPort: '80', protocol: 'tcp', hostIp: '0.0.0.0', hostPort: '1000' },
            { containerPort: '80', protocol: 'tcp', hostIp: '::', hostPort: '1000' },
          ]),
        ],
        { COMPOSE_WEB_80: '127.0.0.1:1000' },
      ],
      [
        'a specific address is kept',
        [container('web', [{ containerPort: '80', protocol: 'tcp', hostIp: '10.1.2.3', hostPort: '81' }])],
        { COMPOSE_WEB_80: '10.1.2.3:81' },
      ],
      [
        'service names upper-cased, other characters as _; udp suffixed',
        [
          container('my-api.v2', [
            { containerPort: '53', protocol: 'udp', hostIp: '127.0.0.1', hostPort: '5353' },
            { containerPort: '53', protocol: 'tcp', hostIp: '127.0.0.1', hostPort: '5354' },
          ]),
        ],
        { COMPOSE_MY_API_V2_53_UDP: '127.0.0.1:5353', COMPOSE_MY_API_V2_53: '127.0.0.1:5354' },
      ],
      [
        'scaled: the first container wins; one-off containers are ignored',
        [
          container('web', [{ containerPort: '80', protocol: 'tcp', hostIp: '', hostPort: '2002' }], { number: 2 }),
          container('web', [{ containerPort: '80', protocol: 'tcp', hostIp: '', hostPort: '2001' }], { number: 1 }),
          container('web', [{ containerPort: '80', protocol: 'tcp', hostIp: '', hostPort: '2009' }], {
            number: 1,
            oneOff: true,
            service: 'web',
          }),
        ],
        { COMPOSE_WEB_80: '127.0.0.1:2001' },
      ],
      ['no published ports', [container('worker', [])], {}],
    ];
    for (const [name, containers, expected] of cases) it(name, () => assert.deepEqual(plan.planPortVariables(containers), expected));
  });

  it('the test environment: agent env, then the values, then the project and ports (which win)', () => {
    const env = plan.planTestEnvironment(
      { PATH: '/bin', COMPOSE_PROJECT_NAME: 'stale', FOO: 'agent' },
      { FOO: 'input', COMPOSE_WEB_8080: 'spoofed' },
      'shop-42',
      [container('web', [{ containerPort: '8080', protocol: 'tcp', hostIp: '127.0.0.1', hostPort: '1' }])],
    );
    assert.deepEqual(env, { PATH: '/bin', COMPOSE_PROJECT_NAME: 'shop-42', FOO: 'input', COMPOSE_WEB_8080: '127.0.0.1:1' });
  });

  it('the test command is the single argument of bash -c, nothing spliced into it', () => {
    assert.deepEqual(plan.planTestCommand('npm test -- --grep "a b"; echo $X'), {
      file: 'bash',
      args: ['-c', 'npm test -- --grep "a b"; echo $X'],
    });
  });
});

import { strict as assert } from 'node:assert';
import { InputError } from '../../../src/common/errors';
import type { DockerBuildTagInputs } from '../../../src/docker-build-tag/inputs';
import { planBuildArgs, planDockerBuildTag, qualifyRepository } from '../../../src/docker-build-tag/plan';

function inputs(overrides: Partial<DockerBuildTagInputs> = {}): DockerBuildTagInputs {
  return {
    dockerfile: '/src/app/Dockerfile',
    repository: 'shop/api',
    tags: ['42'],
    autoTags: false,
    latestBranch: 'main',
    buildArgs: [],
    cacheFrom: [],
    cacheTo: [],
    secrets: [],
    secretFiles: [],
    labels: [],
    noCache: false,
    pull: false,
    addPipelineLabels: false,
    ...overrides,
  };
}
const BUILD = { iidFile: '/tmp/x/iid', created: '2026-11-22T03:00:00.000Z' };
const REFS = ['shop/api:42', 'shop/api:latest'];

interface ArgCase {
  name: string;
  inputs: Partial<DockerBuildTagInputs>;
  buildx: boolean;
  expected: string[];
}

const ARGV: ArgCase[] = [
  {
    name: "classic: the minimum, context = the Dockerfile's folder",
    inputs: {},
    buildx: false,
    expected: [
      'build',
      '--force-rm',
      '--iidfile',
      '/tmp/x/iid',
      '--file',
      '/src/app/Dockerfile',
      '--tag',
      'shop/api:42',
      '--tag',
      'shop/api:latest',
      '/src/app',
    ],
  },
  {
    name: 'buildx: --load, plain progress',
    inputs: { buildContext: '/src' },
    buildx: true,
    expected: [
      'buildx',
      'build',
      '--load',
      '--progress',
      'plain',
      '--iidfile',
      '/tmp/x/iid',
      '--file',
      '/src/app/Dockerfile',
      '--tag',
      'shop/api:42',
      '--tag',
      'shop/api:latest',
      '/src',
    ],
  },
  {
    name: 'buildx: every option, in a stable order',
    buildx: true,
    inputs: {
      buildArgs: [
        ['A', '1'],
        ['B', 'two words'],
      ],
      target: 'runtime',
      platform: 'linux/arm64',
      cacheFrom: ['shop/api:cache', 'type=local,src=/c'],
      noCache: true,
      pull: true,
    },
    expected: [
      'buildx',
      'build',
      '--load',
      '--progress',
      'plain',
      '--iidfile',
      '/tmp/x/iid',
      '--file',
      '/src/app/Dockerfile',
      '--tag',
      'shop/api:42',
      '--tag',
      'shop/api:latest',
      '--label',
      'team=checkout',
      '--build-arg',
      'A=1',
      '--build-arg',
      'B=two words',
      '--target',
      'runtime',
      '--platform',
      'linux/arm64',
      '--cache-from',
      'shop/api:cache',
      '--cache-from',
      'type=local,src=/c',
      '--no-cache',
      '--pull',
      '/src/app',
    ],
  },
  {
    name: 'classic: build args, target, image cache sources',
    buildx: false,
    inputs: { buildArgs: [['A', '1']], target: 'test', cacheFrom: ['shop/api:cache'] },
    expected: [
      'build',
      '--force-rm',
      '--iidfile',
      '/tmp/x/iid',
      '--file',
      '/src/app/Dockerfile',
      '--tag',
      'shop/api:42',
      '--tag',
      'shop/api:latest',
      '--label',
      'team=checkout',
      '--build-arg',
      'A=1',
      '--target',
      'test',
      '--cache-from',
      'shop/api:cache',
      '/src/app',
    ],
  },
];

describe('planBuildArgs (inputs → docker argv)', () => {
  for (const c of ARGV) {
    it(c.name, () => {
      const labels: Array<[string, string]> = c.expected.includes('--label') ? [['team', 'checkout']] : [];
      assert.deepEqual(
        planBuildArgs(inputs(c.inputs), { imageReferences: REFS, labels, buildx: c.buildx, iidFile: BUILD.iidFile }),
        c.expected,
      );
    });
  }

  it('buildx: cache exports (inline for short) and build secrets by id and file, never by value', () => {
    const args = planBuildArgs(inputs({ cacheTo: ['inline', 'type=local,dest=/c'], secrets: [['token', 'pa55']] }), {
      imageReferences: REFS,
      labels: [],
      buildx: true,
      iidFile: 'i',
      secretSources: [
        ['token', '/tmp/x/secret-0'],
        ['npmrc', '/src/.npmrc'],
      ],
    });
    assert.deepEqual(args.slice(args.indexOf('--cache-to'), -1), [
      '--cache-to',
      'type=inline',
      '--cache-to',
      'type=local,dest=/c',
      '--secret',
      'id=token,src=/tmp/x/secret-0',
      '--secret',
      'id=npmrc,src=/src/.npmrc',
    ]);
    assert.ok(!args.join(' ').includes('pa55'));
  });

  const REFUSED: Array<[string, Partial<DockerBuildTagInputs>, boolean, RegExp]> = [
    [
      'platform without buildx',
      { platform: 'linux/arm64' },
      false,
      /^Input 'platform' needs docker buildx, which is not installed on this agent; /,
    ],
    [
      'several platforms',
      { platform: 'linux/amd64,linux/arm64' },
      true,
      /^Input 'platform' names several platforms \(linux\/amd64,linux\/arm64\), but a multi-platform image cannot be loaded/,
    ],
    [
      'a BuildKit cache source without buildx',
      { cacheFrom: ['type=gha'] },
      false,
      /^Input 'cacheFrom' line 'type=gha' is a BuildKit cache source, which needs docker buildx/,
    ],
  ];
  for (const [name, given, buildx, message] of REFUSED) {
    it(`refuses ${name} with one sentence naming the input`, () => {
      assert.throws(
        () => planBuildArgs(inputs(given), { imageReferences: REFS, labels: [], buildx, iidFile: 'i' }),
        (err: unknown) => err instanceof InputError && message.test(err.message),
      );
    });
  }
});

describe('planDockerBuildTag (the whole run)', () => {
  const BUILDKIT_ONLY: Array<[string, Partial<DockerBuildTagInputs>]> = [
    ['secrets', { secrets: [['token', 'x']] }],
    ['secretFiles', { secretFiles: [['npmrc', '/src/.npmrc']] }],
    ['cacheTo', { cacheTo: ['inline'] }],
  ];
  for (const [input, given] of BUILDKIT_ONLY) {
    it(`classic builder: ${input} gets one sentence saying it needs BuildKit`, () => {
      assert.throws(
        () => planDockerBuildTag(inputs(given), {}, { ...BUILD, buildx: false }),
        (err: unknown) =>
          err instanceof InputError &&
          err.message ===
            `Input '${input}' needs BuildKit (docker buildx) for ${input === 'cacheTo' ? 'a cache export' : 'build secrets'}, and buildx is not installed on this agent; install the buildx plugin, or clear '${input}' to build with the classic builder.`,
      );
    });
  }

  it('buildx: one build applies tags and labels', () => {
    const plan = planDockerBuildTag(inputs({ labels: [['team', 'checkout']] }), {}, { ...BUILD, buildx: true });
    assert.equal(plan.builder, 'buildx');
    assert.equal(plan.labelBuild, undefined);
    assert.deepEqual(plan.env, {});
    assert.ok(plan.build.includes('--tag') && plan.build.includes('team=checkout'));
  });

  it('classic with labels: one build, the labels appended to the Dockerfile on stdin as one LABEL line', () => {
    const plan = planDockerBuildTag(
      inputs({ labels: [['team', 'checkout']], tags: ['42', 'stable'] }),
      {},
      { ...BUILD, buildx: false, dockerfileText: 'FROM base\nRUN make\n' },
    );
    assert.equal(plan.builder, 'classic');
    assert.deepEqual(plan.env, { DOCKER_BUILDKIT: '0' });
    assert.deepEqual(plan.build, [
      'build',
      '--force-rm',
      '--iidfile',
      '/tmp/x/iid',
      '--file',
      '-',
      '--tag',
      'shop/api:42',
      '--tag',
      'shop/api:stable',
      '/src/app',
    ]);
    assert.equal(plan.buildStdin, 'FROM base\nRUN make\nLABEL "team"="checkout"\n');
    assert.equal(plan.labelBuild, undefined);
  });

  it('classic with labels and a .dockerignore that excludes itself: still one build, the Dockerfile on stdin', () => {
    const plan = planDockerBuildTag(
      inputs({ labels: [['team', 'checkout']] }),
      {},
      { ...BUILD, buildx: false, dockerfileText: 'FROM base\n', dockerignoreText: '.git\n.dockerignore\n' },
    );
    assert.equal(plan.buildStdin, 'FROM base\nLABEL "team"="checkout"\n');
    assert.equal(plan.labelBuild, undefined);
  });

  for (const [why, given, text, dockerignoreText, reason] of [
    ['a target stage', { target: 'runtime' }, 'FROM base AS runtime\nFROM base AS test\n', undefined, /^target 'runtime' is set/],
    [
      'a Dockerfile that ends in a line continuation',
      {},
      'FROM base\nRUN make \\\n',
      undefined,
      /^the Dockerfile does not end in a complete instruction/,
    ],
    [
      'a .dockerignore that a Dockerfile on stdin would change',
      {},
      'FROM base\nCOPY . /app\n',
      'node_modules\n',
      /^the build context's \.dockerignore does not exclude itself/,
    ],
  ] as Array<[string, Partial<DockerBuildTagInputs>, string, string | undefined, RegExp]>) {
    it(`classic with labels and ${why}: a plain build, then one LABEL step that applies labels and every tag`, () => {
      const plan = planDockerBuildTag(
        inputs({ labels: [['team', 'checkout']], tags: ['42', 'stable'], ...given }),
        {},
        { ...BUILD, buildx: false, dockerfileText: text, dockerignoreText },
      );
      assert.equal(plan.buildStdin, undefined);
      assert.match(plan.labelBuildReason ?? '', reason);
      assert.ok(
        !plan.build.includes('--tag') && !plan.build.includes('--label') && plan.build.includes('/src/app/Dockerfile'),
        plan.build.join(' '),
      );
      assert.deepEqual(plan.labelBuild, [
        'build',
        '--force-rm',
        '--iidfile',
        '/tmp/x/iid',
        '--tag',
        'shop/api:42',
        '--tag',
        'shop/api:stable',
        '-',
      ]);
    });
  }

  it('classic without labels: one build applies every tag', () => {
    const plan = planDockerBuildTag(inputs(), {}, { ...BUILD, buildx: false });
    assert.equal(plan.labelBuild, undefined);
    assert.ok(plan.build.includes('shop/api:42'));
  });

  it('outputs: references, version, and the repository qualified by the service connection', () => {
    const plan = planDockerBuildTag(
      inputs({ tags: ['7'], autoTags: true, containerRegistry: { registry: '127.0.0.1:5001', username: 'u', password: 'p' } }),
      { sourceBranch: 'refs/tags/v2.1.0' },
      { ...BUILD, buildx: false },
    );
    assert.equal(plan.repository, '127.0.0.1:5001/shop/api');
    assert.deepEqual(plan.tags, ['7', '2.1.0', '2.1', '2']);
    assert.deepEqual(plan.imageReferences, [
      '127.0.0.1:5001/shop/api:7',
      '127.0.0.1:5001/shop/api:2.1.0',
      '127.0.0.1:5001/shop/api:2.1',
      '127.0.0.1:5001/shop/api:2',
    ]);
    assert.equal(plan.version, '2.1.0');
  });

  it('qualifies only bare repositories, and leaves Docker Hub in its familiar form', () => {
    assert.equal(qualifyRepository('shop/api', 'contoso.azurecr.io'), 'contoso.azurecr.io/shop/api');
    assert.equal(qualifyRepository('other.io/shop/api', 'contoso.azurecr.io'), 'other.io/shop/api');
    assert.equal(qualifyRepository('shop/api', 'docker.io'), 'shop/api');
    assert.equal(qualifyRepository('shop/api', undefined), 'shop/api');
  });
});

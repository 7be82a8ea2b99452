import { strict as assert } from 'node:assert';
import { SyntaxProblem, parseExpose, parseMount, parsePort, parseTmpfs, splitShellWords } from '../../../src/compose/syntax';
import { parseByteSize, parseDuration } from '../../../src/compose/units';

describe('compose short syntaxes', () => {
  describe('ports', () => {
    const cases: Array<[unknown, unknown]> = [
      [3000, [{ target: 3000, protocol: 'tcp' }]],
      ['3000', [{ target: 3000, protocol: 'tcp' }]],
      ['8000:80', [{ target: 80, published: 8000, protocol: 'tcp' }]],
      ['127.0.0.1:8001:8001', [{ target: 8001, published: 8001, protocol: 'tcp', hostIp: '127.0.0.1' }]],
      ['[::1]:6001:6001', [{ target: 6001, published: 6001, protocol: 'tcp', hostIp: '::1' }]],
      ['6060:6060/udp', [{ target: 6060, published: 6060, protocol: 'udp' }]],
      [
        '3000-3001',
        [
          { target: 3000, protocol: 'tcp' },
          { target: 3001, protocol: 'tcp' },
        ],
      ],
      [
        '9090-9091:8080-8081',
        [
          { target: 8080, published: 9090, protocol: 'tcp' },
          { target: 8081, published: 9091, protocol: 'tcp' },
        ],
      ],
      ['8000-8010:80', [{ target: 80, published: 8000, protocol: 'tcp' }]],
      [':80', [{ target: 80, protocol: 'tcp' }]],
      [
        { target: 80, published: '8080', protocol: 'tcp', mode: 'host', name: 'web', app_protocol: 'http' },
        [{ target: 80, published: 8080, protocol: 'tcp', mode: 'host', name: 'web', appProtocol: 'http' }],
      ],
      [{ target: 53, protocol: 'udp', host_ip: '0.0.0.0' }, [{ target: 53, protocol: 'udp', hostIp: '0.0.0.0' }]],
    ];
    for (const [input, expected] of cases) it(JSON.stringify(input), () => assert.deepEqual(parsePort(input), expected));
    for (const bad of ['0', '70000', 'abc', '80/http', '1:2:3:4', '8000-8001:80-82', '1-2000', true]) {
      it(`rejects ${JSON.stringify(bad)}`, () => assert.throws(() => parsePort(bad), SyntaxProblem));
    }
  });

  it('expose', () => {
    assert.deepEqual(parseExpose('3000-3001/udp'), [
      { port: 3000, protocol: 'udp' },
      { port: 3001, protocol: 'udp' },
    ]);
    assert.deepEqual(parseExpose(8080), [{ port: 8080, protocol: 'tcp' }]);
  });

  describe('volumes', () => {
    const cases: Array<[unknown, unknown]> = [
      ['/data', { type: 'volume', target: '/data', readOnly: false, extraOptions: [] }],
      ['data:/data', { type: 'volume', source: 'data', target: '/data', readOnly: false, extraOptions: [] }],
      ['data:/data:ro', { type: 'volume', source: 'data', target: '/data', readOnly: true, extraOptions: [] }],
      ['./conf:/etc/conf:ro,z', { type: 'bind', source: '/project/conf', target: '/etc/conf', readOnly: true, extraOptions: ['z'] }],
      [
        '/var/run/docker.sock:/var/run/docker.sock',
        { type: 'bind', source: '/var/run/docker.sock', target: '/var/run/docker.sock', readOnly: false, extraOptions: [] },
      ],
      ['~/cache:/cache', { type: 'bind', source: '~/cache', target: '/cache', readOnly: false, extraOptions: [] }],
      ['/data:ro', { type: 'volume', target: '/data', readOnly: true, extraOptions: [] }],
      [
        { type: 'volume', source: 'd', target: '/d', read_only: true, volume: { nocopy: true, subpath: 'sub' } },
        { type: 'volume', source: 'd', target: '/d', readOnly: true, subpath: 'sub', extraOptions: ['nocopy'] },
      ],
      [
        { type: 'tmpfs', target: '/t', tmpfs: { size: '1g', mode: 1777 } },
        { type: 'tmpfs', target: '/t', readOnly: false, tmpfsSize: 1024 ** 3, tmpfsMode: 1777, extraOptions: [] },
      ],
      [
        { type: 'bind', source: 'rel', target: '/r', bind: { propagation: 'rshared' } },
        { type: 'bind', source: '/project/rel', target: '/r', readOnly: false, extraOptions: ['bind.propagation'] },
      ],
    ];
    for (const [input, expected] of cases) it(JSON.stringify(input), () => assert.deepEqual(parseMount(input, '/project'), expected));
    for (const bad of ['data:relative', 'a:/b:c:d', 'data:/data:bogus', { type: 'weird', target: '/x' }, { target: 'rel' }]) {
      it(`rejects ${JSON.stringify(bad)}`, () => assert.throws(() => parseMount(bad, '/p'), SyntaxProblem));
    }
  });

  it('tmpfs', () => {
    assert.deepEqual(parseTmpfs('/run'), { type: 'tmpfs', target: '/run', readOnly: false, extraOptions: [] });
    assert.deepEqual(parseTmpfs('/run:size=64m,mode=1777,noexec'), {
      type: 'tmpfs',
      target: '/run',
      readOnly: false,
      tmpfsSize: 64 * 1024 ** 2,
      tmpfsMode: 0o1777,
      extraOptions: ['noexec'],
    });
    assert.throws(() => parseTmpfs('run'), SyntaxProblem);
  });

  describe('command strings split like a shell', () => {
    const cases: Array<[string, string[]]> = [
      ['echo hello world', ['echo', 'hello', 'world']],
      ['sh -c "echo $HOME && ls"', ['sh', '-c', 'echo $HOME && ls']],
      ['echo \'single $X\' "dq \\"x\\""', ['echo', 'single $X', 'dq "x"']],
      ['a\\ b  c', ['a b', 'c']],
      ['empty "" arg', ['empty', '', 'arg']],
    ];
    for (const [input, expected] of cases) it(input, () => assert.deepEqual(splitShellWords(input), expected));
    it('rejects an unclosed quote', () => assert.throws(() => splitShellWords('echo "x'), SyntaxProblem));
  });

  describe('units', () => {
    const durations: Array<[unknown, number | undefined]> = [
      ['30s', 30000],
      ['1m30s', 90000],
      ['500ms', 500],
      ['1h', 3600000],
      ['1.5s', 1500],
      ['10', 10000],
      [5, 5000],
      ['2us', 0.002],
      ['abc', undefined],
      ['1x', undefined],
      ['', undefined],
    ];
    for (const [input, expected] of durations) it(`duration ${JSON.stringify(input)}`, () => assert.equal(parseDuration(input), expected));
    const sizes: Array<[unknown, number | undefined]> = [
      ['512m', 512 * 1024 ** 2],
      ['1g', 1024 ** 3],
      ['1gb', 1024 ** 3],
      ['64k', 65536],
      ['100', 100],
      [2048, 2048],
      ['1.5g', 1.5 * 1024 ** 3],
      ['12x', undefined],
    ];
    for (const [input, expected] of sizes) it(`size ${JSON.stringify(input)}`, () => assert.equal(parseByteSize(input), expected));
  });
});

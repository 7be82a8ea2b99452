import { strict as assert } from 'node:assert';
import { mergeValues } from '../../../src/compose/merge';
import { parseYamlDocuments } from '../../../src/compose/yaml';

function merge(base: string, override: string): unknown {
  const [b, o] = [base, override].map((t) => parseYamlDocuments(t, 'x.yaml')[0].value);
  return mergeValues(mergeValues(undefined, b), o);
}

describe('compose merge rules', () => {
  const cases: Array<[string, string, string, unknown]> = [
    [
      'mappings merge by key',
      'services: {a: {image: x, user: "1"}}',
      'services: {a: {image: y}}',
      { services: { a: { image: 'y', user: '1' } } },
    ],
    [
      'sequences are appended',
      'services: {a: {dns: [1.1.1.1]}}',
      'services: {a: {dns: [8.8.8.8]}}',
      { services: { a: { dns: ['1.1.1.1', '8.8.8.8'] } } },
    ],
    ['command is replaced', 'services: {a: {command: [a, b]}}', 'services: {a: {command: [c]}}', { services: { a: { command: ['c'] } } }],
    [
      'entrypoint is replaced',
      'services: {a: {entrypoint: [a]}}',
      'services: {a: {entrypoint: [b]}}',
      { services: { a: { entrypoint: ['b'] } } },
    ],
    [
      'healthcheck.test is replaced',
      'services: {a: {healthcheck: {test: [CMD, a], interval: 1s}}}',
      'services: {a: {healthcheck: {test: [CMD, b]}}}',
      { services: { a: { healthcheck: { test: ['CMD', 'b'], interval: '1s' } } } },
    ],
    [
      'environment lists merge as mappings',
      'services: {a: {environment: [A=1, B=1]}}',
      'services: {a: {environment: {B: 2, C: 3}}}',
      { services: { a: { environment: { A: '1', B: 2, C: 3 } } } },
    ],
    [
      'labels merge as mappings',
      'services: {a: {labels: {x: "1"}}}',
      'services: {a: {labels: [y=2]}}',
      { services: { a: { labels: { x: '1', y: '2' } } } },
    ],
    [
      'ports merge by value',
      'services: {a: {ports: ["80:80", "443:443"]}}',
      'services: {a: {ports: ["443:443", "8080:80"]}}',
      { services: { a: { ports: ['80:80', '443:443', '8080:80'] } } },
    ],
    [
      'volumes merge by target',
      'services: {a: {volumes: ["d:/data", "l:/logs"]}}',
      'services: {a: {volumes: ["e:/data"]}}',
      { services: { a: { volumes: ['e:/data', 'l:/logs'] } } },
    ],
    [
      'secrets merge by target',
      'services: {a: {secrets: [s, {source: t, target: /x}]}}',
      'services: {a: {secrets: [{source: u, target: /x}]}}',
      { services: { a: { secrets: ['s', { source: 'u', target: '/x' }] } } },
    ],
    [
      'depends_on lists merge as mappings',
      'services: {a: {depends_on: [b]}}',
      'services: {a: {depends_on: {c: {condition: service_healthy}}}}',
      { services: { a: { depends_on: { b: { condition: 'service_started', required: true }, c: { condition: 'service_healthy' } } } } },
    ],
    ['!reset removes a key', 'services: {a: {dns: [x], image: i}}', 'services: {a: {dns: !reset []}}', { services: { a: { image: 'i' } } }],
    ['!reset removes a service', 'services: {a: {image: i}, b: {image: j}}', 'services: {b: !reset}', { services: { a: { image: 'i' } } }],
    [
      '!override replaces a mapping whole',
      'services: {a: {environment: {A: "1"}}}',
      'services: {a: {environment: !override {B: "2"}}}',
      { services: { a: { environment: { B: '2' } } } },
    ],
    [
      '!override replaces a sequence whole',
      'services: {a: {ports: ["1"]}}',
      'services: {a: {ports: !override ["2"]}}',
      { services: { a: { ports: ['2'] } } },
    ],
    ['scalars are replaced', 'name: a', 'name: b', { name: 'b' }],
  ];
  for (const [what, base, override, expected] of cases) {
    it(what, () => {
      assert.deepEqual(merge(base, override), expected);
    });
  }

  it('does not change its inputs', () => {
    const base = { services: { a: { dns: ['x'] } } };
    mergeValues(base, { services: { a: { dns: ['y'] } } });
    assert.deepEqual(base, { services: { a: { dns: ['x'] } } });
  });
});

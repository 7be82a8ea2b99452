import { strict as assert } from 'node:assert';
import { FileError } from '../../../src/common/errors';
import { describeEntry, loadPipelineYaml, locationOf } from '../../../src/local-run/pipeline-yaml';

/** Pipeline YAML read through compose's YAML tree (src/compose/yaml.ts) with the failsafe schema. */
describe('loadPipelineYaml', () => {
  const FILE = 'azure-pipelines.yml';

  it('reads every scalar as text and ignores tags, as the service does', () => {
    const doc = loadPipelineYaml('version: 1.10\nenabled: true\nempty:\nnothing: ~\ncount: !!int 3\n', FILE);
    assert.deepEqual(doc, { version: '1.10', enabled: 'true', empty: '', nothing: '~', count: '3' });
  });

  it('keeps the file and line of each mapping, sequence and entry', () => {
    const doc = loadPipelineYaml('trigger: none\n\nsteps:\n- script: echo one\n  displayName: One\n- bash: echo two\n', FILE) as {
      steps: object[];
    };
    assert.equal(describeEntry(doc, 'steps'), `${FILE}:3`);
    assert.equal(describeEntry(doc.steps, 1), `${FILE}:6`);
    assert.equal(describeEntry(doc.steps[0], 'displayName'), `${FILE}:5`);
    assert.equal(locationOf(doc.steps)?.line, 4);
  });

  it('merges a mapping by <<, the keys written beside it winning, and shares aliases', () => {
    const doc = loadPipelineYaml(
      'base: &base\n  pool: linux\n  timeout: "10"\njob:\n  <<: *base\n  timeout: "20"\nsame: *base\n',
      FILE,
    ) as Record<string, Record<string, string>>;
    assert.deepEqual(doc['job'], { pool: 'linux', timeout: '20' });
    assert.equal(describeEntry(doc['job'], 'pool'), `${FILE}:5`);
    assert.equal(doc['same'], doc['base']);
  });

  it('refuses a second document, a repeated key, an unknown alias and an alias bomb, naming the file and line', () => {
    const refuses = (text: string, message: RegExp, maxNodes?: number): void => {
      assert.throws(
        () => loadPipelineYaml(text, FILE, maxNodes),
        (err: unknown) => err instanceof FileError && message.test(err.message),
        text,
      );
    };
    refuses('a: 1\n---\nb: 2\n', /^azure-pipelines\.yml: holds more than one YAML document; a pipeline file holds one\.$/);
    refuses('a: 1\nb: 2\na: 3\n', /^azure-pipelines\.yml:3:1: the key 'a' appears twice/);
    refuses('a: *nowhere\n', /^azure-pipelines\.yml:1:\d+: the alias \*nowhere refers to no anchor/);
    refuses(
      'a: &a [x, x, x, x]\nb: &b [*a, *a, *a, *a]\nc: [*b, *b, *b, *b]\n',
      /expands to more than 20 YAML nodes \(an alias bomb\?\): refused\.$/,
      20,
    );
    refuses('steps:\n- script: echo\n  bad: [\n', /^azure-pipelines\.yml:4:1: not valid YAML \(/);
  });

  it('reads an empty file as nothing', () => assert.equal(loadPipelineYaml('', FILE), undefined));
});

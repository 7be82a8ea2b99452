import { strict as assert } from 'node:assert';
import { appendLabels, dockerfileEscape, labelDockerfile, labelInstruction } from '../../../src/docker-build-tag/classic-labels';

describe('classic-builder labels (one LABEL line)', () => {
  it('quotes what a Dockerfile would expand or end early on', () => {
    assert.equal(labelInstruction([['a.b', 'x "y" $HOME \\n'], ['c', 'line1\nline2']]), 'LABEL "a.b"="x \\"y\\" \\$HOME \\\\n" "c"="line1 line2"');
    assert.equal(labelInstruction([['a', 'C:\\x `y` "$z"']], '`'), 'LABEL "a"="C:\\x ``y`` `"`$z`""');
    assert.equal(labelDockerfile('sha256:abc', [['a', '1']]), 'FROM sha256:abc\nLABEL "a"="1"\n');
  });

  it('reads the escape parser directive, which only the top of the file may hold', () => {
    assert.equal(dockerfileEscape('# escape=`\nFROM x\n'), '`');
    assert.equal(dockerfileEscape('# syntax=docker/dockerfile:1\n#escape = `\nFROM x\n'), '`');
    assert.equal(dockerfileEscape('FROM x\n# escape=`\n'), '\\');
    assert.equal(dockerfileEscape('# a comment\n# escape=`\n'), '\\');
  });

  const TABLE: Array<[string, string, string | undefined]> = [
    ['appends to a file that ends with a newline', 'FROM x\nRUN a\n', 'FROM x\nRUN a\nLABEL "k"="v"\n'],
    ['adds the missing final newline', 'FROM x', 'FROM x\nLABEL "k"="v"\n'],
    ['ignores trailing comments and blank lines', 'FROM x\n# done\n\n', 'FROM x\n# done\n\nLABEL "k"="v"\n'],
    ['refuses a trailing line continuation', 'FROM x\nRUN a \\\n\n', undefined],
    ['refuses a trailing continuation with the escape directive', '# escape=`\nFROM x\nRUN a `\n', undefined],
    ['uses the escape directive', '# escape=`\nFROM x\nRUN dir c:\\\n', '# escape=`\nFROM x\nRUN dir c:\\\nLABEL "k"="v"\n'],
    ['refuses a file with no instruction', '# only a comment\n', undefined],
  ];
  for (const [name, dockerfile, expected] of TABLE) {
    it(name, () => assert.equal(appendLabels(dockerfile, [['k', 'v']]), expected));
  }
});

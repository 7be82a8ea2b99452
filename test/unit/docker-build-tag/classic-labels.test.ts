import { strict as assert } from 'node:assert';
import {
  appendLabels,
  dockerfileEscape,
  labelDockerfile,
  labelInstruction,
  stdinKeepsContext,
} from '../../../src/docker-build-tag/classic-labels';

describe('classic-builder labels (one LABEL line)', () => {
  it('quotes what a Dockerfile would expand or end early on', () => {
    assert.equal(
      labelInstruction([
        ['a.b', 'x "y" $HOME \\n'],
        ['c', 'line1\nline2'],
      ]),
      'LABEL "a.b"="x \\"y\\" \\$HOME \\\\n" "c"="line1 line2"',
    );
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

  const DOCKERIGNORE: Array<[string, string | undefined, boolean]> = [
    ['no .dockerignore (docker writes one that excludes itself)', undefined, true],
    ['a .dockerignore that does not name itself', 'node_modules\n*.md\n', false],
    ['an empty .dockerignore', '', false],
    ['one that excludes itself', '# build\nnode_modules\n.dockerignore\n', true],
    ['one that excludes itself as /.dockerignore or ./.dockerignore', '/.dockerignore\n', true],
    ['the same, written ./.dockerignore, with CRLF lines', 'x\r\n./.dockerignore\r\n', true],
    ['a later exception could bring it back', '.dockerignore\n!keep.txt\n', false],
    ['a commented-out line does not count', '# .dockerignore\n', false],
  ];
  for (const [name, text, safe] of DOCKERIGNORE) {
    it(`stdin Dockerfile ${safe ? 'keeps' : 'would alter'} the context: ${name}`, () => assert.equal(stdinKeepsContext(text), safe));
  }
});

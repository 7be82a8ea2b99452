/**
 * Step summaries (`task.uploadsummary`, Markdown) as plain text for the terminal: headings and
 * paragraphs as lines, tables as aligned columns, links as `text (address)`, emphasis and code
 * marks and backslash escapes removed. Pure; covers the Markdown the tasks write and degrades to
 * the raw line for anything else.
 */
export function markdownToPlainText(markdown: string): string {
  const out: string[] = [];
  let table: string[][] = [];
  const flushTable = (): void => {
    if (table.length === 0) return;
    const widths = table[0].map((_, i) => Math.max(...table.map((row) => Array.from(row[i] ?? '').length)));
    for (const row of table)
      out.push(`  ${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')}`.trimEnd());
    table = [];
  };
  for (const raw of markdown.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.trimEnd();
    if (/^\s*\|.*\|\s*$/.test(line)) {
      const cells = splitRow(line);
      if (!cells.every((c) => /^:?-{3,}:?$/.test(c.trim()))) table.push(cells.map((c) => inlineText(c.trim())));
      continue;
    }
    flushTable();
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (heading) out.push(inlineText(heading[1]));
    else if (/^\s*[-*+]\s+/.test(line)) out.push(`  - ${inlineText(line.replace(/^\s*[-*+]\s+/, ''))}`);
    else out.push(inlineText(line));
  }
  flushTable();
  return `${out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}

/** The cells of a table row, split at `|` that is not escaped. */
function splitRow(line: string): string[] {
  const inner = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  const cells: string[] = [];
  let cell = '';
  for (let i = 0; i < inner.length; i++) {
    if (inner[i] === '\\' && i + 1 < inner.length) {
      cell += inner[i] + inner[i + 1];
      i++;
    } else if (inner[i] === '|') {
      cells.push(cell);
      cell = '';
    } else {
      cell += inner[i];
    }
  }
  cells.push(cell);
  return cells;
}

/** One line of inline Markdown as text. */
function inlineText(text: string): string {
  const PLACEHOLDER = '\u0000';
  const escaped: string[] = [];
  // Escaped characters are set aside first, so that `\*` stays a star and `\[` opens no link.
  const plain = text.replace(/\\([!-/:-@[-`{-~])/g, (_, c: string) => {
    escaped.push(c);
    return PLACEHOLDER;
  });
  const rendered = plain
    .replace(/!?\[([^\]]*)\]\(([^)\s]*)\)/g, (_, label: string, url: string) => `${label} (${decodeSafely(url)})`)
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    .replace(/(^|[^\w*])[*_]([^*_]+)[*_](?=$|[^\w*])/g, '$1$2')
    .replace(/`([^`]*)`/g, '$1');
  let n = 0;
  return rendered.replace(new RegExp(PLACEHOLDER, 'g'), () => escaped[n++]);
}

function decodeSafely(url: string): string {
  try {
    return decodeURI(url);
  } catch {
    return url;
  }
}

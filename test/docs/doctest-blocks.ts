/** Doc tests' reading of Markdown: fenced blocks, which are doctests, and output matching. */

export interface Block {
  lang: string;
  code: string;
  expected?: string;
  /** The `##` section and `###` subsection it is in. */
  section: string;
  line: number;
}

/** The mark of a block that is run: the line right before its fence (blank lines allowed). */
export const DOCTEST_MARK = '<!-- doctest -->';
/** The mark of a command block that cannot run in the doc tests, with why: `<!-- not a doctest: needs a Redis server -->`. */
export const NOT_DOCTEST_MARK = /^<!-- not a doctest: (\S.*?) -->$/;

/** Fenced blocks with their language and line, and the headings they sit under. */
export function fencedBlocks(markdown: string): (Block & { doctest: boolean; notDoctest?: string })[] {
  const lines = markdown.split('\n');
  const out: (Block & { doctest: boolean; notDoctest?: string })[] = [];
  let section = '';
  let sub = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('## ')) [section, sub] = [line.slice(3).trim(), ''];
    else if (line.startsWith('### ')) sub = line.slice(4).trim();
    const open = /^(\s*)```(\w*)\s*$/.exec(line);
    if (!open) continue;
    const indent = open[1]!.length;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i]!); i++) body.push(lines[i]!.slice(indent));
    let prev = start - 1;
    while (prev >= 0 && lines[prev]!.trim() === '') prev--;
    const mark = prev >= 0 ? lines[prev]!.trim() : '';
    const why = NOT_DOCTEST_MARK.exec(mark)?.[1];
    out.push({ lang: open[2]!, code: body.join('\n'), section: sub ? `${section} / ${sub}` : section, line: start + 1, doctest: mark === DOCTEST_MARK, ...(why ? { notDoctest: why } : {}) });
  }
  return out;
}

/** Doctest blocks, each with the ```text block right after it as its expected output. */
export function doctests(markdown: string): Block[] {
  const blocks = fencedBlocks(markdown);
  const lines = markdown.split('\n');
  const out: Block[] = [];
  blocks.forEach((b, i) => {
    if (!b.doctest) return;
    const next = blocks[i + 1];
    // The output block must follow with only blank lines and the closing fence in between.
    const closing = b.line + b.code.split('\n').length; // index of the closing fence
    const gap = next ? lines.slice(closing + 1, next.line - 1) : [];
    const expected = next && next.lang === 'text' && !next.doctest && gap.every((l) => l.trim() === '') ? next.code : undefined;
    out.push({ lang: b.lang, code: b.code, section: b.section, line: b.line, ...(expected !== undefined ? { expected } : {}) });
  });
  return out;
}

/** Compares output with the expected text line by line; `…` matches anything. */
export function matches(actual: string, expected: string): boolean {
  const norm = (s: string) => s.replace(/\r\n/g, '\n').replace(/\n+$/, '').split('\n').map((l) => l.trimEnd());
  const a = norm(actual);
  const e = norm(expected);
  if (a.length !== e.length) return false;
  return e.every((line, i) => new RegExp('^' + line.split('…').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$').test(a[i]!));
}

/**
 * A checker for the links of a Markdown document that points at code and tests (docs/method.md).
 *
 * Conventions (stated for users in docs/method.md, "Notation and link convention"):
 * - a link's destination is `path#fragment`, optionally in angle brackets (`<path#title words>`)
 *   so that it may contain spaces; the path is relative to the document;
 * - a link into `src/` ending in `.ts` is a CODE link: the fragment is a symbol declared in the
 *   file (`function`, `class`, `const`, `let`, `var`, `interface`, `type`, `enum`, exported or
 *   not), or `Class.member` for a member declared after `class Class` in the file;
 * - a link into `tests/` ending in `.test.ts` is a TEST link: the fragment is a case-sensitive
 *   substring of the literal title of an `it(...)`, `test(...)`, `describe(...)` or `suite(...)`
 *   call (modifier chains such as `.each(table)`, `.skipIf(cond)`, `.concurrent` are understood;
 *   `.skip` and `.todo` calls do not count because they never run);
 * - any other relative link must name an existing file; a fragment on a Markdown file (or a bare
 *   `#anchor`) must be the GitHub slug of one of its headings.
 *
 * Known limits: titles built at run time (`it(name, ...)`) cannot be linked (link the enclosing
 * `describe`); a regular-expression literal with an unbalanced parenthesis inside an `.each`
 * table hides that one call's title. Links inside code spans, math spans and fenced blocks are
 * ignored.
 *
 * Everything here is pure: file access goes through a {@link FileReader}, so the checker can be
 * tested on made-up documents.
 */
import { posix } from 'node:path';

/** Reads a file by path relative to the repository root; undefined when it does not exist. */
export type FileReader = (path: string) => string | undefined;

/** One inline link of the document. */
export interface DocLink {
  text: string;
  /** The destination as written, without angle brackets. */
  destination: string;
  /** 1-based line in the document. */
  line: number;
}

/** What a link points at. */
export type LinkKind = 'code' | 'test' | 'file' | 'anchor' | 'external';

/** A link with its destination resolved against the document's folder. */
export interface ResolvedLink extends DocLink {
  kind: LinkKind;
  /** Repository-relative path of the target file ('' for an anchor in the document itself). */
  path: string;
  /** The part after the first '#', percent-decoded; '' when there is none. */
  fragment: string;
}

/** A heading and the text up to the next heading of the same or a higher level. */
export interface Section {
  level: number;
  /** The heading text as written. */
  title: string;
  /** The heading text without a leading section number such as `2.3` or `12.`. */
  name: string;
  line: number;
  links: DocLink[];
}

// ---------------------------------------------------------------------------------------------
// Markdown

/** Lines of the document with fenced code blocks, code spans and math spans blanked out. */
function proseLines(markdown: string): string[] {
  let fenced = false;
  return markdown.split('\n').map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return '';
    }
    if (fenced) return '';
    return line
      .replace(/`[^`]*`/g, (m) => ' '.repeat(m.length))
      .replace(/\$\$.*?\$\$/g, (m) => ' '.repeat(m.length))
      .replace(/\$[^$]*\$/g, (m) => ' '.repeat(m.length));
  });
}

// [text](<dest>) or [text](dest) where dest has no spaces and at most one level of parentheses.
const LINK = /(!?)\[([^\]\n]*)\]\((?:<([^<>\n]*)>|((?:[^()\s]|\([^()\s]*\))*))\)/g;

/** Every inline link of `markdown` outside code and math (images excluded). */
export function parseLinks(markdown: string): DocLink[] {
  const links: DocLink[] = [];
  proseLines(markdown).forEach((line, i) => {
    for (const match of line.matchAll(LINK)) {
      if (match[1] === '!') continue;
      links.push({ text: match[2], destination: match[3] ?? match[4], line: i + 1 });
    }
  });
  return links;
}

const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;

/** The headings of `markdown` (outside fenced blocks), each with the links of its body. */
export function parseSections(markdown: string): Section[] {
  const lines = proseLines(markdown);
  const raw = markdown.split('\n');
  const sections: Section[] = [];
  lines.forEach((line, i) => {
    const match = HEADING.exec(line);
    if (match === null) return;
    const title = raw[i].replace(/^#+\s+/, '').replace(/\s*#*\s*$/, '');
    sections.push({ level: match[1].length, title, name: title.replace(/^\d+(\.\d+)*\.?\s+/, ''), line: i + 1, links: [] });
  });
  const links = parseLinks(markdown);
  sections.forEach((section, k) => {
    let end = raw.length + 1;
    for (let next = k + 1; next < sections.length; next++) {
      if (sections[next].level <= section.level) {
        end = sections[next].line;
        break;
      }
    }
    section.links = links.filter((link) => link.line > section.line && link.line < end);
  });
  return sections;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function headingSlug(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function decodeFragment(fragment: string): string {
  try {
    return decodeURIComponent(fragment);
  } catch {
    return fragment;
  }
}

/** Classifies a link and resolves its path against `docPath` (repository-relative). */
export function resolveLink(link: DocLink, docPath: string): ResolvedLink {
  const { destination } = link;
  if (/^[a-z][a-z0-9+.-]*:/i.test(destination)) return { ...link, kind: 'external', path: '', fragment: '' };
  const hash = destination.indexOf('#');
  const target = hash < 0 ? destination : destination.slice(0, hash);
  const fragment = hash < 0 ? '' : decodeFragment(destination.slice(hash + 1));
  if (target === '') return { ...link, kind: 'anchor', path: '', fragment };
  const path = posix.normalize(posix.join(posix.dirname(docPath), target));
  const kind: LinkKind = path.startsWith('src/') && path.endsWith('.ts') ? 'code' : path.startsWith('tests/') && path.endsWith('.test.ts') ? 'test' : 'file';
  return { ...link, kind, path, fragment };
}

// ---------------------------------------------------------------------------------------------
// TypeScript sources

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function declaration(name: string): RegExp {
  return new RegExp(
    String.raw`^[ \t]*(?:export[ \t]+)?(?:default[ \t]+)?(?:declare[ \t]+)?(?:abstract[ \t]+)?(?:async[ \t]+)?` +
      String.raw`(?:function\*?|class|const|let|var|interface|type|enum)[ \t]+${escapeRegExp(name)}(?![\w$])`,
    'm',
  );
}

function memberDeclaration(name: string): RegExp {
  return new RegExp(
    String.raw`^[ \t]+(?:(?:public|private|protected|static|readonly|async|get|set|override|abstract)[ \t]+)*#?` +
      String.raw`${escapeRegExp(name)}[ \t]*(?:<[^>\n]*>)?[ \t]*[(:=]`,
    'm',
  );
}

/** Whether `symbol` (`name` or `Class.member`) is declared in `source`; see the module comment. */
export function declaresSymbol(source: string, symbol: string): boolean {
  const dot = symbol.indexOf('.');
  if (dot < 0) return declaration(symbol).test(source);
  const owner = new RegExp(
    String.raw`^[ \t]*(?:export[ \t]+)?(?:default[ \t]+)?(?:declare[ \t]+)?(?:abstract[ \t]+)?class[ \t]+${escapeRegExp(symbol.slice(0, dot))}(?![\w$])`,
    'm',
  ).exec(source);
  return owner !== null && memberDeclaration(symbol.slice(dot + 1)).test(source.slice(owner.index));
}

/** A test title and whether the call runs (false for `.skip` and `.todo`). */
export interface TestTitle {
  title: string;
  runs: boolean;
}

/** Modifiers that take their own argument list before the call's: `it.each(table)('title', fn)`. */
const ARGUMENT_MODIFIERS = new Set(['each', 'for', 'skipIf', 'runIf', 'extend', 'scoped']);
const NOT_RUN = new Set(['skip', 'todo']);
const QUOTES = new Set(["'", '"', '`']);

function skipSpace(source: string, i: number): number {
  while (i < source.length && /\s/.test(source[i])) i++;
  return i;
}

/** Index just past the string literal starting at `i`, and its value (escapes resolved naively). */
function readString(source: string, i: number): { end: number; value: string } {
  const quote = source[i];
  let value = '';
  let k = i + 1;
  while (k < source.length && source[k] !== quote) {
    if (source[k] === '\\' && k + 1 < source.length) {
      value += source[k + 1];
      k += 2;
    } else {
      value += source[k++];
    }
  }
  return { end: k + 1, value };
}

/** Index just past the balanced bracket group opening at `i`, skipping string literals. */
function skipGroup(source: string, i: number): number {
  let depth = 0;
  let k = i;
  while (k < source.length) {
    const c = source[k];
    if (QUOTES.has(c)) {
      k = readString(source, k).end;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) return k + 1;
    }
    k++;
  }
  return k;
}

/** The literal titles of every `it` / `test` / `describe` / `suite` call in a test source. */
export function testTitles(source: string): TestTitle[] {
  const titles: TestTitle[] = [];
  for (const match of source.matchAll(/(?<![\w$.])(?:it|test|describe|suite)(?![\w$])/g)) {
    let i = match.index + match[0].length;
    let runs = true;
    for (;;) {
      i = skipSpace(source, i);
      if (source[i] !== '.') break;
      const modifier = /^[A-Za-z_$][\w$]*/.exec(source.slice(i + 1, i + 41));
      if (modifier === null) break;
      i += 1 + modifier[0].length;
      if (NOT_RUN.has(modifier[0])) runs = false;
      if (ARGUMENT_MODIFIERS.has(modifier[0])) {
        i = skipSpace(source, i);
        if (source[i] === '(') i = skipGroup(source, i);
      }
    }
    if (source[i] !== '(') continue;
    i = skipSpace(source, i + 1);
    if (!QUOTES.has(source[i])) continue;
    titles.push({ title: readString(source, i).value, runs });
  }
  return titles;
}

// ---------------------------------------------------------------------------------------------
// The check

/** A link that does not resolve, with the reason. */
export interface BrokenLink {
  line: number;
  link: string;
  problem: string;
}

function describeLink(link: DocLink): string {
  return `[${link.text}](${link.destination})`;
}

/**
 * Checks every link of `markdown` (at `docPath`, repository-relative) and returns the broken
 * ones, each naming the link, its line and what is wrong. Empty when everything resolves.
 */
export function checkLinks(markdown: string, docPath: string, read: FileReader): BrokenLink[] {
  const broken: BrokenLink[] = [];
  const slugs = new Set(parseSections(markdown).map((s) => headingSlug(s.title)));
  const fail = (link: DocLink, problem: string) => broken.push({ line: link.line, link: describeLink(link), problem });
  for (const link of parseLinks(markdown).map((l) => resolveLink(l, docPath))) {
    if (link.kind === 'external') continue;
    if (link.kind === 'anchor') {
      if (!slugs.has(link.fragment)) fail(link, `no heading with anchor #${link.fragment} in ${docPath}`);
      continue;
    }
    const source = read(link.path);
    if (source === undefined) {
      fail(link, `file ${link.path} does not exist`);
      continue;
    }
    if (link.kind === 'code') {
      if (link.fragment === '') fail(link, `code link to ${link.path} names no symbol (#symbol)`);
      else if (!declaresSymbol(source, link.fragment)) fail(link, `${link.path} declares no ${link.fragment}`);
    } else if (link.kind === 'test') {
      if (link.fragment === '') {
        fail(link, `test link to ${link.path} names no test (#title words)`);
        continue;
      }
      const titles = testTitles(source).filter((t) => t.title.includes(link.fragment));
      if (titles.length === 0) fail(link, `${link.path} has no it/test/describe title containing "${link.fragment}"`);
      else if (!titles.some((t) => t.runs)) fail(link, `every title of ${link.path} containing "${link.fragment}" is skipped or todo`);
    } else if (link.fragment !== '' && link.path.endsWith('.md')) {
      const targetSlugs = new Set(parseSections(source).map((s) => headingSlug(s.title)));
      if (!targetSlugs.has(link.fragment)) fail(link, `no heading with anchor #${link.fragment} in ${link.path}`);
    }
  }
  return broken;
}

/** `###`-level sections (quantities) that lack a code link or a test link. */
export function sectionsWithoutLinks(markdown: string, docPath: string, level = 3): string[] {
  return parseSections(markdown)
    .filter((section) => section.level === level)
    .flatMap((section) => {
      const kinds = new Set(section.links.map((link) => resolveLink(link, docPath).kind));
      const missing = (['code', 'test'] as const).filter((kind) => !kinds.has(kind));
      return missing.length === 0 ? [] : [`line ${section.line} "${section.title}": no ${missing.join(' and no ')} link`];
    });
}

/** The names from `required` that no heading of `markdown` carries (numbers ignored). */
export function missingSections(markdown: string, required: readonly string[]): string[] {
  const names = new Set(parseSections(markdown).map((s) => s.name));
  return required.filter((name) => !names.has(name));
}

/**
 * Structural checks of a rendered report, without a browser: tag balance (HTML void elements
 * and self-closed SVG elements allowed), external resource references, and section slicing.
 */

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);

/** Every problem with the nesting of tags; empty when each opened element is closed in order. */
export function tagProblems(html: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const withoutComments = html.replace(/<!--[\s\S]*?-->/g, '');
  for (const match of withoutComments.matchAll(/<(\/?)([A-Za-z][A-Za-z0-9:-]*)\b[^>]*?(\/?)>|<!DOCTYPE[^>]*>/gi)) {
    if (match[2] === undefined) continue;
    const [, closing, rawName, selfClosing] = match;
    const name = rawName.toLowerCase();
    if (closing) {
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open ?? 'nothing'}> at offset ${match.index}`);
    } else if (!VOID.has(name) && selfClosing !== '/') {
      stack.push(name);
    }
  }
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(' > ')}`);
  return problems;
}

/** References that would make the browser fetch something from the network. */
export function externalReferences(html: string): string[] {
  const patterns = [
    /\b(?:src|href|xlink:href|action|poster|srcset|data)\s*=\s*["']?\s*(?:https?:)?\/\/[^"'\s>]*/gi,
    /@import\b[^;]*/gi,
    /url\(\s*["']?\s*(?:https?:)?\/\/[^)]*\)/gi,
    /<link\b[^>]*>/gi,
    /<script\b[^>]*\bsrc\s*=[^>]*>/gi,
  ];
  return patterns.flatMap((pattern) => [...html.matchAll(pattern)].map((match) => match[0]));
}

/** The `<section id="...">` element with that id (its whole markup); throws when absent. */
export function section(html: string, id: string): string {
  const start = html.indexOf(`<section id="${id}">`);
  if (start < 0) throw new Error(`no <section id="${id}">`);
  const end = html.indexOf('</section>', start);
  return html.slice(start, end + '</section>'.length);
}

/** The `<tr>` whose first cell has exactly `key` as its text, or null. */
export function rowWithKey(html: string, key: string): string | null {
  for (const match of html.matchAll(/<tr\b[^>]*>[\s\S]*?<\/tr>/g)) {
    const first = /<td\b[^>]*>([\s\S]*?)<\/td>/.exec(match[0]);
    if (first !== null && first[1] === key) return match[0];
  }
  return null;
}

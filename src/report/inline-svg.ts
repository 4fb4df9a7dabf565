/**
 * Prepares a rendered SVG document for inlining into an HTML page: drops the XML prolog and
 * doctype (invalid inside HTML) and prefixes every `id` with a per-figure scope, so two figures
 * that both define `id="clip"` (or the same figure of two experiments, side by side in a
 * comparison) cannot resolve each other's references.
 */

/** `svg` ready to inline; ids and their `#id` / `url(#id)` references are prefixed with `scope-`. */
export function inlineSvg(svg: string, scope: string): string {
  const body = svg.replace(/^\s*<\?xml[^>]*\?>\s*/, '').replace(/^\s*<!DOCTYPE[^>]*>\s*/i, '').trim();
  const ids = new Set<string>();
  for (const match of body.matchAll(/\sid\s*=\s*"([^"]+)"/g)) ids.add(match[1]);
  if (ids.size === 0) return body;
  const prefix = `${scope.replace(/[^A-Za-z0-9_-]/g, '_')}-`;
  const scoped = (id: string) => (ids.has(id) ? `${prefix}${id}` : id);
  return body
    .replace(/(\sid\s*=\s*")([^"]+)"/g, (_, head: string, id: string) => `${head}${scoped(id)}"`)
    .replace(/url\(\s*#([^)\s]+)\s*\)/g, (_, id: string) => `url(#${scoped(id)})`)
    .replace(/(href\s*=\s*")#([^"]+)"/g, (_, head: string, id: string) => `${head}#${scoped(id)}"`);
}

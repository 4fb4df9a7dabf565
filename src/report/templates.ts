/**
 * The mustache templates of the reports, read once from `templates/` beside this module, and the
 * one render call both reports use (HTML escaping of the five significant characters; SVG is
 * inserted with triple braces and never escaped).
 */
import { readFileSync } from 'node:fs';
import Mustache from 'mustache';
import { escapeHtml } from './format';

// Literal `new URL(..., import.meta.url)` calls, so the code fingerprint of a stage that renders a
// report includes the templates (src/pipeline/code-fingerprint.ts).
const TEMPLATE_URLS = {
  report: new URL('./templates/report.mustache', import.meta.url),
  compare: new URL('./templates/compare.mustache', import.meta.url),
  styles: new URL('./templates/styles.mustache', import.meta.url),
  table: new URL('./templates/table.mustache', import.meta.url),
} as const;

/** A template of the reports. */
export type TemplateName = keyof typeof TEMPLATE_URLS;

const cache = new Map<TemplateName, string>();

/** The text of `templates/<name>.mustache`. */
export function template(name: TemplateName): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(TEMPLATE_URLS[name], 'utf8');
    cache.set(name, text);
  }
  return text;
}

/** Renders template `name` with `view`; the `styles` and `table` partials are always available. */
export function renderTemplate(name: 'report' | 'compare', view: object): string {
  return Mustache.render(template(name), view, { styles: template('styles'), table: template('table') }, { escape: escapeHtml });
}

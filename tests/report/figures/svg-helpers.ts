/**
 * Test helpers: parse a figure with jsdom's XML parser (strict: a malformed document yields a
 * <parsererror>), query it, and read a PNG header.
 */
import { expect } from 'vitest';
import { D3Node, type D3NodeElement, type D3NodeXmlDocument } from 'd3-node';

const parserWindow = new D3Node().window;

/** Parses `svg` as XML and fails the test when it is not well-formed SVG. */
export function parseSvg(svg: string): D3NodeXmlDocument {
  const doc = new parserWindow.DOMParser().parseFromString(svg, 'image/svg+xml');
  const errors = doc.getElementsByTagName('parsererror');
  expect(errors.length, errors.length > 0 ? String(errors[0].textContent) : '').toBe(0);
  expect(doc.documentElement.tagName).toBe('svg');
  expect(doc.documentElement.getAttribute('xmlns')).toBe('http://www.w3.org/2000/svg');
  return doc;
}

/** Elements matching `selector`, as an array. */
export function all(doc: D3NodeXmlDocument, selector: string): D3NodeElement[] {
  return Array.from(doc.querySelectorAll(selector));
}

/** Text content of every `<text>` element. */
export function texts(doc: D3NodeXmlDocument): string[] {
  return all(doc, 'text').map((t) => t.textContent ?? '');
}

/** Width and height attributes of the root; asserts the viewBox is `0 0 width height`. */
export function svgSize(doc: D3NodeXmlDocument): { width: number; height: number } {
  const root = doc.documentElement;
  const width = Number(root.getAttribute('width'));
  const height = Number(root.getAttribute('height'));
  expect(width).toBeGreaterThan(0);
  expect(height).toBeGreaterThan(0);
  expect(root.getAttribute('viewBox')).toBe(`0 0 ${width} ${height}`);
  return { width, height };
}

/**
 * Common checks of a rendered figure: well-formed, fixed size, the title as both <title>
 * and visible heading, and each expected axis label present as an `.axis-label`.
 */
export function expectFigure(svg: string, title: string | RegExp, axisLabels: readonly string[] = []): D3NodeXmlDocument {
  const doc = parseSvg(svg);
  svgSize(doc);
  const heading = doc.querySelector('.figure-title')?.textContent ?? '';
  const accessible = doc.querySelector('title')?.textContent ?? '';
  if (typeof title === 'string') {
    expect(heading).toBe(title);
    expect(accessible).toBe(title);
  } else {
    expect(heading).toMatch(title);
    expect(accessible).toMatch(title);
  }
  const labels = all(doc, '.axis-label').map((e) => e.textContent);
  for (const label of axisLabels) expect(labels).toContain(label);
  return doc;
}

/** Asserts `svg` is the explicit "no data" figure and returns its message. */
export function expectNoData(svg: string): string {
  const doc = parseSvg(svg);
  svgSize(doc);
  expect(doc.documentElement.getAttribute('data-no-data')).toBe('true');
  const message = doc.querySelector('.no-data')?.textContent ?? '';
  expect(message).toMatch(/^No data: /);
  return message;
}

/** Number of subpaths (`M` commands) in a path's `d`; a gap in a line starts a new one. */
export function subpaths(path: D3NodeElement): number {
  return (path.getAttribute('d') ?? '').split('M').length - 1;
}

/** Width and height from a PNG's IHDR chunk; fails the test when the signature is wrong. */
export function pngSize(png: Buffer): { width: number; height: number } {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(png.toString('ascii', 12, 16)).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

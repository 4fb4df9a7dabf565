/**
 * SVG → PNG through resvg (`@resvg/resvg-js`, a Rust renderer with prebuilt binaries; no
 * browser, no install script). The native binding is loaded on first use, so importing the
 * figure library for SVG alone never touches it.
 */
import { createRequire } from 'node:module';
import { FONT_FAMILY } from './frame';

type ResvgModule = typeof import('@resvg/resvg-js');

let resvg: ResvgModule | null = null;

function loadResvg(): ResvgModule {
  resvg ??= createRequire(import.meta.url)('@resvg/resvg-js') as ResvgModule;
  return resvg;
}

/** Options of `svgToPng`. */
export interface PngOptions {
  /**
   * Pixels per SVG unit: 2 gives a sharp image on high-density screens and about 190 dpi for a
   * 760 px figure printed 10 cm wide.
   * @default 2
   */
  scale?: number;
}

/**
 * Rasterises an SVG string to PNG bytes, `scale` pixels per SVG unit, on a white background.
 * Text uses the system fonts (DejaVu Sans on Debian). Throws RangeError for a non-positive
 * scale, and resvg's Error for SVG it cannot parse.
 */
export function svgToPng(svg: string, options: PngOptions = {}): Buffer {
  const scale = options.scale ?? 2;
  if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError(`svgToPng: scale must be a positive number, got ${scale}`);
  const { Resvg } = loadResvg();
  const renderer = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: '#ffffff',
    font: { loadSystemFonts: true, defaultFontFamily: FONT_FAMILY.split(',')[0].replace(/'/g, '').trim() },
    logLevel: 'off',
  });
  return renderer.render().asPng();
}

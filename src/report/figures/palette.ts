/**
 * The figures' only colours: the Okabe–Ito colour-blind-safe palette (Okabe & Ito, 2008) for
 * categories, fixed roles on top of it, and one single-hue sequential ramp for heat maps.
 */

/** The eight Okabe–Ito colours. */
export const OKABE_ITO = {
  black: '#000000',
  orange: '#E69F00',
  skyBlue: '#56B4E9',
  bluishGreen: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermillion: '#D55E00',
  reddishPurple: '#CC79A7',
} as const;

/** Colours with a fixed meaning in every figure. */
export const ROLE = {
  violation: OKABE_ITO.vermillion,
  control: OKABE_ITO.blue,
  edge: OKABE_ITO.blue,
  rule: OKABE_ITO.orange,
  loss: OKABE_ITO.blue,
  movingAverage: OKABE_ITO.vermillion,
  observed: OKABE_ITO.vermillion,
  nullDistribution: OKABE_ITO.skyBlue,
  threshold: '#555555',
  chance: '#888888',
  /** Non-emphasised lines (e.g. non-primary AUROC curves). */
  context: '#A6A6A6',
  missing: '#EEEEEE',
  text: '#222222',
  axis: '#444444',
  grid: '#E6E6E6',
  background: '#FFFFFF',
} as const;

/**
 * Categorical order for series without a role: yellow is last because it has the least
 * contrast on white, black is left out (it reads as an axis or threshold).
 */
export const CATEGORICAL: readonly string[] = [
  OKABE_ITO.blue,
  OKABE_ITO.vermillion,
  OKABE_ITO.bluishGreen,
  OKABE_ITO.reddishPurple,
  OKABE_ITO.orange,
  OKABE_ITO.skyBlue,
  OKABE_ITO.yellow,
];

/** Dash patterns that extend `CATEGORICAL` when there are more series than colours. */
export const DASHES: readonly (string | null)[] = [null, '7,3', '2,2', '8,3,2,3'];

/** Colour and dash of the i-th categorical series (colours cycle, then dashes). */
export function categorical(i: number): { color: string; dash: string | null } {
  return { color: CATEGORICAL[i % CATEGORICAL.length], dash: DASHES[Math.floor(i / CATEGORICAL.length) % DASHES.length] };
}

/** Sequential ramp (ColorBrewer "Blues", 9 classes), light = low; interpolate between stops. */
export const SEQUENTIAL_STOPS: readonly string[] = [
  '#f7fbff',
  '#deebf7',
  '#c6dbef',
  '#9ecae1',
  '#6baed6',
  '#4292c6',
  '#2171b5',
  '#08519c',
  '#08306b',
];

/** Text colour (dark or white) that stays readable on `fill` (`#rrggbb` or `rgb(r, g, b)`). */
export function textColorOn(fill: string): string {
  const rgb = parseColor(fill);
  if (rgb === null) return ROLE.text;
  const [r, g, b] = rgb.map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return luminance > 0.3 ? ROLE.text : '#FFFFFF';
}

function parseColor(fill: string): [number, number, number] | null {
  const hex = /^#([0-9a-f]{6})$/i.exec(fill);
  if (hex) {
    const v = Number.parseInt(hex[1], 16);
    return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
  }
  const rgb = /^rgb\(\s*(\d+),\s*(\d+),\s*(\d+)\s*\)$/.exec(fill);
  return rgb ? [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])] : null;
}

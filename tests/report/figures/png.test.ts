import { describe, expect, test } from 'vitest';
import { svgToPng } from '../../../src/report/figures/png';
import { confusionMatrixFigure } from '../../../src/report/figures/confusion-matrix';
import { confusionData } from './fixtures';
import { parseSvg, pngSize, svgSize } from './svg-helpers';

describe('svgToPng', () => {
  test('gives a PNG twice the SVG size by default', () => {
    const svg = confusionMatrixFigure(confusionData());
    const { width, height } = svgSize(parseSvg(svg));
    expect(pngSize(svgToPng(svg))).toEqual({ width: 2 * width, height: 2 * height });
  });

  test('scale sets pixels per SVG unit', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="30" height="20" viewBox="0 0 30 20"><rect width="30" height="20" fill="#0072B2"/></svg>';
    expect(pngSize(svgToPng(svg, { scale: 1 }))).toEqual({ width: 30, height: 20 });
    expect(pngSize(svgToPng(svg, { scale: 3 }))).toEqual({ width: 90, height: 60 });
  });

  test('BAD CALL - a non-positive scale throws RangeError', () => {
    expect(() => svgToPng('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>', { scale: 0 })).toThrow(RangeError);
    expect(() => svgToPng('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>', { scale: NaN })).toThrow(/scale must be a positive number/);
  });

  test('EXPECTED FAILURE - text that is not SVG throws', () => {
    expect(() => svgToPng('not an svg')).toThrow();
  });
});

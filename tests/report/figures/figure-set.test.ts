import { describe, expect, test } from 'vitest';
import { renderFigureSet, type FigureSpec } from '../../../src/report/figures/index';
import { confusionData, permutationData, trainingData } from './fixtures';
import { parseSvg, pngSize, svgSize } from './svg-helpers';

const specs: FigureSpec[] = [
  { name: 'training_curves', kind: 'training-curves', data: trainingData(200) },
  { name: 'confusion_matrix', kind: 'confusion-matrix', data: confusionData() },
  { name: 'null_qkt.layer_0.grassmannian_distance_r8', kind: 'permutation-null', data: permutationData() },
];

describe('renderFigureSet', () => {
  test('renders every spec in order, SVG only by default', () => {
    const out = renderFigureSet(specs);
    expect(out.map((f) => [f.name, f.kind])).toEqual(specs.map((s) => [s.name, s.kind]));
    expect(out.every((f) => f.png === undefined)).toBe(true);
    for (const f of out) parseSvg(f.svg);
  });

  test('with png, each PNG matches its SVG size at the given scale', () => {
    for (const f of renderFigureSet(specs.slice(1, 2), { png: true, scale: 1.5 })) {
      const { width, height } = svgSize(parseSvg(f.svg));
      expect(pngSize(f.png!)).toEqual({ width: Math.round(1.5 * width), height: Math.round(1.5 * height) });
    }
  });

  test('BAD CALL - a name that is not file-safe or is repeated throws RangeError before rendering', () => {
    expect(() => renderFigureSet([{ ...specs[0], name: '../x' }])).toThrow(/figure name must match/);
    expect(() => renderFigureSet([specs[1], specs[1]])).toThrow(/"confusion_matrix" is used twice/);
  });

  test('EXPECTED FAILURE - a renderer error names the figure', () => {
    const bad: FigureSpec = { name: 'broken', kind: 'training-curves', data: { ...trainingData(10), loss: { steps: [1], values: [] } } };
    expect(() => renderFigureSet([bad])).toThrow(/^figure broken \(training-curves\): training-curves: loss\.values has 0 values/);
  });
});

import { describe, expect, it } from 'vitest';

import { ThinSvd, type SvdResult } from '../../../src/evaluation/svd/jacobi-svd';
import { loadCases, toMatrix } from './fixtures';

const CASES = loadCases();

function dot(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  return s;
}

function norm(x: ArrayLike<number>): number {
  return Math.sqrt(dot(x, x));
}

/** Largest distance of b1, b2 from span(a1, a2): the sine of the largest principal angle. */
function spanDistance(a1: ArrayLike<number>, a2: ArrayLike<number>, b1: ArrayLike<number>, b2: ArrayLike<number>): number {
  // Residuals, not 2 − ‖AᵀB‖_F², which cannot resolve angles below sqrt(eps).
  const residual = (b: ArrayLike<number>): number => {
    const c1 = dot(a1, b);
    const c2 = dot(a2, b);
    return norm(Array.from(b, (x, i) => x - c1 * a1[i] - c2 * a2[i]));
  };
  return Math.max(residual(b1), residual(b2));
}

function decompose(a: Float64Array, rows: number, cols: number): SvdResult {
  return new ThinSvd(rows, cols).compute(a);
}

describe('ThinSvd against numpy', () => {
  for (const c of CASES) {
    const { rows, cols } = c.matrix;
    const a = toMatrix(c.matrix);
    const svd = decompose(a, rows, cols);
    const s1 = c.singularValues[0];

    it(`${c.name}: singular values match to 1e-12 of s1`, () => {
      expect(svd.converged).toBe(true);
      expect(svd.values.length).toBe(c.singularValues.length);
      const worst = Math.max(...c.singularValues.map((s, i) => Math.abs(svd.values[i] - s)));
      expect(worst).toBeLessThanOrEqual(1e-12 * s1);
    });

    if (c.u2 !== null && c.singularValues[1] - (c.singularValues[2] ?? 0) > 1e-6 * s1) {
      it(`${c.name}: the top-2 left span matches`, () => {
        expect(spanDistance(svd.u1, svd.u2, c.u1, c.u2 ?? [])).toBeLessThan(1e-9);
      });
    }

    if (c.checkVectors) {
      it(`${c.name}: u1 and v1 match up to sign`, () => {
        expect(Math.abs(Math.abs(dot(svd.u1, c.u1)) - 1)).toBeLessThan(1e-12);
        expect(Math.abs(Math.abs(dot(svd.v1, c.v1)) - 1)).toBeLessThan(1e-12);
      });
    }
  }
});

describe('ThinSvd properties', () => {
  for (const c of CASES) {
    const { rows, cols } = c.matrix;
    const a = toMatrix(c.matrix);
    const svd = decompose(a, rows, cols);

    it(`${c.name}: returned vectors are orthonormal`, () => {
      expect(Math.abs(norm(svd.u1) - 1)).toBeLessThan(1e-14);
      expect(Math.abs(norm(svd.v1) - 1)).toBeLessThan(1e-14);
      if (svd.leftCount === 2) {
        expect(Math.abs(norm(svd.u2) - 1)).toBeLessThan(1e-14);
        expect(Math.abs(dot(svd.u1, svd.u2))).toBeLessThan(1e-13);
      }
    });

    it(`${c.name}: A v1 = s1 u1 and Aᵀ u1 = s1 v1`, () => {
      const s1 = svd.values[0];
      let residual = 0;
      for (let i = 0; i < rows; i++) {
        let av = 0;
        for (let j = 0; j < cols; j++) av += a[i * cols + j] * svd.v1[j];
        residual = Math.max(residual, Math.abs(av - s1 * svd.u1[i]));
      }
      expect(residual).toBeLessThanOrEqual(1e-13 * s1 * Math.sqrt(cols));
    });
  }

  it('values are descending and non-negative', () => {
    for (const c of CASES) {
      const svd = decompose(toMatrix(c.matrix), c.matrix.rows, c.matrix.cols);
      for (let i = 1; i < svd.values.length; i++) expect(svd.values[i]).toBeLessThanOrEqual(svd.values[i - 1]);
      expect(svd.values[svd.values.length - 1]).toBeGreaterThanOrEqual(0);
    }
  });

  it('a reused workspace gives the same answer as a fresh one', () => {
    const c = CASES.find((x) => x.matrix.rows === 64 && x.matrix.cols === 128);
    if (c === undefined) throw new Error('fixture without a 64x128 case');
    const reused = new ThinSvd(64, 128);
    const a = toMatrix(c.matrix);
    reused.compute(new Float64Array(64 * 128).fill(1));
    const again = Float64Array.from(reused.compute(a).values);
    expect(again).toEqual(Float64Array.from(decompose(a, 64, 128).values));
  });

  it('reads a matrix at an offset inside a batch', () => {
    const c = CASES.find((x) => x.matrix.rows === 16 && x.matrix.cols === 16);
    if (c === undefined) throw new Error('fixture without a 16x16 case');
    const a = toMatrix(c.matrix);
    const batch = new Float64Array(3 * 256);
    batch.set(a, 256);
    const svd = new ThinSvd(16, 16).compute(batch, 256);
    expect(Array.from(svd.values)).toEqual(Array.from(decompose(a, 16, 16).values));
  });

  it('the zero matrix has zero values and unit vectors', () => {
    const svd = new ThinSvd(4, 6).compute(new Float64Array(24));
    expect(Array.from(svd.values)).toEqual([0, 0, 0, 0]);
    expect(norm(svd.u1)).toBeCloseTo(1, 15);
    expect(norm(svd.u2)).toBeCloseTo(1, 15);
    expect(Math.abs(dot(svd.u1, svd.u2))).toBeLessThan(1e-15);
    expect(norm(svd.v1)).toBeCloseTo(1, 15);
  });

  it('the unpreconditioned path agrees with the default', () => {
    const c = CASES.find((x) => x.name.startsWith('masked scores'));
    if (c === undefined) throw new Error('fixture without the masked-scores case');
    const a = toMatrix(c.matrix);
    const plain = new ThinSvd(64, 64, { precondition: false }).compute(a);
    const plainValues = Float64Array.from(plain.values);
    const fast = decompose(a, 64, 64);
    for (let i = 0; i < 64; i++) expect(Math.abs(plainValues[i] - fast.values[i])).toBeLessThanOrEqual(1e-12 * fast.values[0]);
  });

  it('BAD CALL - a matrix past the end of the input is rejected', () => {
    expect(() => new ThinSvd(4, 4).compute(new Float64Array(16), 1)).toThrow(RangeError);
    expect(() => new ThinSvd(4, 4).compute(new Float64Array(16), 1)).toThrow(/4x4 matrix at offset 1 exceeds input length 16/);
  });

  it('BAD CALL - non-positive shapes are rejected', () => {
    expect(() => new ThinSvd(0, 4)).toThrow(/rows must be a positive integer, got 0/);
    expect(() => new ThinSvd(3, 2.5)).toThrow(/cols must be a positive integer, got 2.5/);
  });
});

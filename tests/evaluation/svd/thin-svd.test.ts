import { describe, expect, it } from 'vitest';

import { ThinSvd, type SvdResult } from '../../../src/evaluation/svd/thin-svd';
import { loadCases, toMatrix } from './fixtures';
import { column, jacobiSvd, random, randomOrthogonal, withSpectrum } from './reference';

const CASES = loadCases();
const KERNELS = ['wasm', 'js'] as const;

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

/** | |⟨x, y⟩| − 1 |: 0 when the unit vectors agree up to sign. */
function signMismatch(x: ArrayLike<number>, y: ArrayLike<number>): number {
  return Math.abs(Math.abs(dot(x, y)) - 1);
}

function worstValueError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  return worst / expected[0];
}

function decompose(a: Float64Array, rows: number, cols: number, kernels: 'wasm' | 'js' = 'wasm'): SvdResult {
  return new ThinSvd(rows, cols, { kernels }).compute(a);
}

describe.each(KERNELS)('ThinSvd against numpy (%s kernels)', (kernels) => {
  for (const c of CASES) {
    const { rows, cols } = c.matrix;
    const a = toMatrix(c.matrix);
    const svd = decompose(a, rows, cols, kernels);
    const s1 = c.singularValues[0];

    it(`${c.name}: singular values match to 1e-12 of s1`, () => {
      expect(svd.converged).toBe(true);
      expect(svd.values.length).toBe(c.singularValues.length);
      expect(worstValueError(svd.values, c.singularValues)).toBeLessThanOrEqual(1e-12);
    });

    if (c.u2 !== null && c.singularValues[1] - (c.singularValues[2] ?? 0) > 1e-6 * s1) {
      it(`${c.name}: the top-2 left span matches`, () => {
        expect(spanDistance(svd.u1, svd.u2, c.u1, c.u2 ?? [])).toBeLessThan(1e-9);
      });
    }

    if (c.checkVectors) {
      it(`${c.name}: u1 and v1 match up to sign`, () => {
        expect(signMismatch(svd.u1, c.u1)).toBeLessThan(1e-12);
        expect(signMismatch(svd.v1, c.v1)).toBeLessThan(1e-12);
      });
    }
  }
});

/** A matrix with known singular values and vectors (A = U·diag(s)·Vᵀ), or one only the reference decomposes. */
interface KnownCase {
  name: string;
  rows: number;
  cols: number;
  a: Float64Array;
  /** Known singular values (descending) and the matching left/right vectors, when constructed so. */
  values?: number[];
  left?: number[][];
  v1?: number[];
}

function spectrumCase(name: string, rows: number, cols: number, values: number[], seed: number): KnownCase {
  const u = randomOrthogonal(rows, seed);
  const v = randomOrthogonal(cols, seed + 1);
  return { name, rows, cols, a: withSpectrum(values, u, v, rows, cols), values, left: [column(u, rows, 0), column(u, rows, 1)], v1: column(v, cols, 0) };
}

function linspace(from: number, to: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + ((to - from) * i) / Math.max(1, count - 1));
}

function logspace(from: number, to: number, count: number): number[] {
  return linspace(from, to, count).map((x) => 10 ** x);
}

/** Causal attention probabilities: row i is a softmax over columns 0..i of random scores. */
function causalSoftmax(t: number, seed: number, temperature = 3): Float64Array {
  const next = random(seed);
  const a = new Float64Array(t * t);
  for (let i = 0; i < t; i++) {
    const scores = Array.from({ length: i + 1 }, () => temperature * next());
    const max = Math.max(...scores);
    const weights = scores.map((s) => Math.exp(s - max));
    const total = weights.reduce((x, y) => x + y, 0);
    weights.forEach((w, j) => (a[i * t + j] = w / total));
  }
  return a;
}

/** Masked scaled scores like qkt: (Q·Kᵀ)/sqrt(dh) with the future set to 0. */
function maskedScores(t: number, dh: number, seed: number): Float64Array {
  const next = random(seed);
  const q = Array.from({ length: t * dh }, next);
  const k = Array.from({ length: t * dh }, next);
  const a = new Float64Array(t * t);
  for (let i = 0; i < t; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let c = 0; c < dh; c++) s += q[i * dh + c] * k[j * dh + c];
      a[i * t + j] = s / Math.sqrt(dh);
    }
  }
  return a;
}

/** Product of an m x k and a k x n row-major matrix. */
function multiply(x: Float64Array, y: Float64Array, m: number, k: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let t = 0; t < k; t++) for (let j = 0; j < n; j++) out[i * n + j] += x[i * k + t] * y[t * n + j];
  return out;
}

function diagonalCase(): KnownCase {
  // A permuted, signed diagonal with zeros: singular values are the sorted |entries|.
  const entries = [3, -7, 0, 1.5, -0.25, 0, 11, 2, -2, 1e-9, 5, -4, 0.5, 6, -1, 9];
  const a = new Float64Array(16 * 16);
  const perm = [5, 12, 0, 9, 3, 14, 7, 1, 10, 15, 2, 8, 13, 6, 4, 11];
  entries.forEach((x, i) => (a[i * 16 + perm[i]] = x));
  return { name: 'signed permuted diagonal 16x16 with zeros', rows: 16, cols: 16, a, values: entries.map(Math.abs).sort((x, y) => y - x) };
}

function wideDiagonalCase(): KnownCase {
  const a = new Float64Array(64 * 128);
  const values: number[] = [];
  for (let i = 0; i < 64; i++) {
    const x = ((i * 37) % 64) / 8 - 3;
    a[i * 128 + ((i * 5 + 3) % 128)] = x;
    values.push(Math.abs(x));
  }
  return { name: 'scattered diagonal 64x128', rows: 64, cols: 128, a, values: values.sort((x, y) => y - x) };
}

const KNOWN: KnownCase[] = [
  diagonalCase(),
  wideDiagonalCase(),
  spectrumCase('rank 4 of 64x64 (60 exact zeros)', 64, 64, [5, 3, 2, 1, ...Array<number>(60).fill(0)], 11),
  spectrumCase('rank 1 of 64x128', 64, 128, [2, ...Array<number>(63).fill(0)], 12),
  spectrumCase('repeated top pair s1 = s2 64x64', 64, 64, [4, 4, 2, 2, 2, ...linspace(1, 0.1, 59)], 13),
  spectrumCase('clustered top pair (gap 1e-13·s1) 64x64', 64, 64, [1, 1 - 1e-13, 0.5, ...linspace(0.4, 0.01, 61)], 14),
  spectrumCase('interior cluster within 1e-12 64x64', 64, 64, [3, 2, ...linspace(1 + 20e-13, 1, 21), ...linspace(0.5, 0.001, 41)], 15),
  spectrumCase('graded to 1e-7 (condition number at the cap) 64x64', 64, 64, logspace(0, -7, 64), 16),
  spectrumCase('graded to 2e-6 (condition number below the cap) 64x64', 64, 64, logspace(0, Math.log10(2e-6), 64), 17),
  spectrumCase('known spectrum 64x128 (avwo shape)', 64, 128, linspace(9, 0.5, 64).map((x, i) => x * (1 + 0.1 * Math.sin(i))).sort((x, y) => y - x), 18),
  spectrumCase('known spectrum 24x9 (tall)', 24, 9, [6, 5, 4, 3, 2, 1, 0.5, 0.25, 0], 19),
  { name: 'causal softmax 64x64', rows: 64, cols: 64, a: causalSoftmax(64, 21) },
  { name: 'masked scores 64x64 (qkt-like)', rows: 64, cols: 64, a: maskedScores(64, 16, 22) },
  { name: 'causal softmax times values 64x128 (avwo-like)', rows: 64, cols: 128, a: multiply(causalSoftmax(64, 23), Float64Array.from({ length: 64 * 128 }, random(24)), 64, 64, 128) },
];

describe('ThinSvd on matrices with known spectra', () => {
  for (const c of KNOWN) {
    const reference = jacobiSvd(c.a, c.rows, c.cols);
    const values = c.values ?? reference.values;
    const s1 = values[0];
    const results = KERNELS.map((kernels) => ({ kernels, svd: decompose(c.a, c.rows, c.cols, kernels) }));

    it(`${c.name}: singular values within 1e-12·s1 of the known ones and of one-sided Jacobi, both kernels`, () => {
      for (const { svd } of results) {
        expect(svd.converged).toBe(true);
        expect(worstValueError(svd.values, values)).toBeLessThanOrEqual(1e-12);
        expect(worstValueError(svd.values, reference.values)).toBeLessThanOrEqual(1e-12);
      }
      if (c.values !== undefined) expect(worstValueError(reference.values, c.values)).toBeLessThanOrEqual(1e-12);
    });

    it(`${c.name}: the wasm and js kernels agree to 1e-13·s1`, () => {
      expect(worstValueError(results[0].svd.values, results[1].svd.values)).toBeLessThanOrEqual(1e-13);
    });

    const left = c.left ?? reference.left;
    const gap12 = values[0] - values[1];
    const gap23 = values[1] - (values[2] ?? 0);
    if (gap23 > 1e-6 * s1) {
      it(`${c.name}: the top-2 left span is right (sine of the largest angle < 1e-9)`, () => {
        for (const { svd } of results) expect(spanDistance(left[0], left[1], svd.u1, svd.u2)).toBeLessThan(1e-9);
      });
    }
    if (gap12 > 1e-6 * s1) {
      it(`${c.name}: u1 and v1 are right up to sign`, () => {
        const v1 = c.v1 ?? reference.v1;
        for (const { svd } of results) {
          expect(signMismatch(svd.u1, left[0])).toBeLessThan(1e-12);
          expect(signMismatch(svd.v1, v1)).toBeLessThan(1e-12);
        }
      });
    }
    if (gap12 > 1e-6 * s1 && gap23 > 1e-6 * s1) {
      it(`${c.name}: u2 is right up to sign`, () => {
        for (const { svd } of results) expect(signMismatch(svd.u2, left[1])).toBeLessThan(1e-12);
      });
    }

    it(`${c.name}: u1, u2 orthonormal, v1 unit, A·v1 = s1·u1`, () => {
      for (const { svd } of results) {
        expect(Math.abs(norm(svd.u1) - 1)).toBeLessThan(1e-14);
        expect(Math.abs(norm(svd.u2) - 1)).toBeLessThan(1e-14);
        expect(Math.abs(dot(svd.u1, svd.u2))).toBeLessThan(1e-14);
        expect(Math.abs(norm(svd.v1) - 1)).toBeLessThan(1e-14);
        let residual = 0;
        for (let i = 0; i < c.rows; i++) {
          let av = 0;
          for (let j = 0; j < c.cols; j++) av += c.a[i * c.cols + j] * svd.v1[j];
          residual = Math.max(residual, Math.abs(av - svd.values[0] * svd.u1[i]));
        }
        // Only the span is defined when s1 = s2; A·v1 = s1·u1 holds for any vector of it.
        expect(residual).toBeLessThanOrEqual(1e-13 * s1 * Math.sqrt(c.cols));
      }
    });
  }
});

describe.each(KERNELS)('ThinSvd properties on the numpy fixtures (%s kernels)', (kernels) => {
  for (const c of CASES) {
    const { rows, cols } = c.matrix;
    const a = toMatrix(c.matrix);
    const svd = decompose(a, rows, cols, kernels);

    it(`${c.name}: returned vectors are orthonormal`, () => {
      expect(Math.abs(norm(svd.u1) - 1)).toBeLessThan(1e-14);
      expect(Math.abs(norm(svd.v1) - 1)).toBeLessThan(1e-14);
      if (svd.leftCount === 2) {
        expect(Math.abs(norm(svd.u2) - 1)).toBeLessThan(1e-14);
        expect(Math.abs(dot(svd.u1, svd.u2))).toBeLessThan(1e-13);
      }
    });

    it(`${c.name}: A v1 = s1 u1`, () => {
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
});

describe('ThinSvd properties', () => {
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
    reused.compute(Float64Array.from({ length: 64 * 128 }, random(5)));
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

  it('the zero matrix has zero values and the identity vectors', () => {
    const svd = new ThinSvd(4, 6).compute(new Float64Array(24));
    expect(Array.from(svd.values)).toEqual([0, 0, 0, 0]);
    expect(Array.from(svd.u1)).toEqual([1, 0, 0, 0]);
    expect(Array.from(svd.u2)).toEqual([0, 1, 0, 0]);
    expect(Array.from(svd.v1)).toEqual([1, 0, 0, 0, 0, 0]);
  });

  it('a single row or column has one value and NaN for u2', () => {
    const row = new ThinSvd(1, 4).compute(Float64Array.of(3, 0, -4, 0));
    expect(row.values[0]).toBeCloseTo(5, 14);
    expect(Math.abs(row.u1[0])).toBeCloseTo(1, 15);
    expect(row.u2[0]).toBeNaN();
    expect(row.leftCount).toBe(1);
    const col = new ThinSvd(3, 1).compute(Float64Array.of(2, -1, 2));
    expect(col.values[0]).toBeCloseTo(3, 14);
    expect(signMismatch(col.u1, [2 / 3, -1 / 3, 2 / 3])).toBeLessThan(1e-15);
    expect(Math.abs(col.v1[0])).toBeCloseTo(1, 15);
  });

  it('EXPECTED FAILURE - a non-finite entry gives NaN outputs, and the workspace recovers', () => {
    const svd = new ThinSvd(8, 12);
    const a = Float64Array.from({ length: 96 }, random(9));
    const expected = Array.from(svd.compute(a).values);
    const bad = a.slice();
    bad[17] = Number.NaN;
    const result = svd.compute(bad);
    expect(result.converged).toBe(false);
    expect(Array.from(result.values).every(Number.isNaN)).toBe(true);
    expect(result.u1[0]).toBeNaN();
    expect(Array.from(svd.compute(a).values)).toEqual(expected);
    expect(svd.converged).toBe(true);
  });

  it('uses the WebAssembly kernels by default', () => {
    expect(new ThinSvd(4, 4).kernels).toBe('wasm');
    expect(new ThinSvd(4, 4, { kernels: 'js' }).kernels).toBe('js');
  });

  it('BAD CALL - a matrix past the end of the input is rejected', () => {
    expect(() => new ThinSvd(4, 4).compute(new Float64Array(16), 1)).toThrow(RangeError);
    expect(() => new ThinSvd(4, 4).compute(new Float64Array(16), 1)).toThrow(/4x4 matrix at offset 1 exceeds input length 16/);
  });

  it('BAD CALL - non-positive shapes and unknown kernels are rejected', () => {
    expect(() => new ThinSvd(0, 4)).toThrow(/rows must be a positive integer, got 0/);
    expect(() => new ThinSvd(3, 2.5)).toThrow(/cols must be a positive integer, got 2.5/);
    expect(() => new ThinSvd(3, 3, { kernels: 'gpu' as 'js' })).toThrow(/kernels must be 'wasm' or 'js', got 'gpu'/);
  });
});

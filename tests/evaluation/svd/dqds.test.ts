import { describe, expect, it } from 'vitest';

import { BidiagonalValues } from '../../../src/evaluation/svd/dqds';
import { jsKernels, wasmKernels } from '../../../src/evaluation/svd/wasm-kernels';
import { jacobiSvd, random } from './reference';

interface Bidiagonal {
  name: string;
  d: number[];
  f: number[];
}

function values(b: Bidiagonal, kernels: 'wasm' | 'js'): { values: Float64Array; solver: BidiagonalValues } {
  const n = b.d.length;
  const size = BidiagonalValues.heapSize(n);
  const solver = new BidiagonalValues(kernels === 'wasm' ? wasmKernels(size) : jsKernels(new Float64Array(size)), 0, n);
  const out = new Float64Array(n);
  solver.compute(Float64Array.from(b.d), Float64Array.from([...b.f, 0]), n, out);
  return { values: out, solver };
}

function dense(b: Bidiagonal): Float64Array {
  const n = b.d.length;
  const a = new Float64Array(n * n);
  b.d.forEach((x, i) => (a[i * n + i] = x));
  b.f.forEach((x, i) => (a[i * n + i + 1] = x));
  return a;
}

function randomBidiagonal(name: string, n: number, seed: number, shape: (d: number[], f: number[], next: () => number) => void = () => undefined): Bidiagonal {
  const next = random(seed);
  const d = Array.from({ length: n }, () => 2 * next());
  const f = Array.from({ length: n - 1 }, () => 2 * next());
  shape(d, f, next);
  return { name, d, f };
}

const CASES: Bidiagonal[] = [
  { name: '1x1', d: [-3], f: [] },
  { name: '2x2', d: [1, 2], f: [3] },
  randomBidiagonal('random 3x3', 3, 1),
  randomBidiagonal('random 17x17', 17, 2),
  randomBidiagonal('random 64x64', 64, 3),
  randomBidiagonal('random 128x128', 128, 4),
  randomBidiagonal('zeros on the diagonal (exact zero singular values) 64x64', 64, 5, (d) => [0, 3, 10, 40, 63].forEach((i) => (d[i] = 0))),
  randomBidiagonal('zeros on the superdiagonal (splits) 64x64', 64, 6, (_, f) => [0, 5, 20, 21, 62].forEach((i) => (f[i] = 0))),
  randomBidiagonal('zeros on both 64x64', 64, 7, (d, f) => {
    [1, 2, 30, 31, 50].forEach((i) => (d[i] = 0));
    [2, 29, 30, 51].forEach((i) => (f[i] = 0));
  }),
  randomBidiagonal('graded down to 1e-14 64x64', 64, 8, (d, f) => {
    d.forEach((_, i) => (d[i] *= 10 ** (-14 * (i / 63))));
    f.forEach((_, i) => (f[i] *= 10 ** (-14 * (i / 63))));
  }),
  randomBidiagonal('graded up from 1e-14 64x64', 64, 9, (d, f) => {
    d.forEach((_, i) => (d[i] *= 10 ** (-14 * (1 - i / 63))));
    f.forEach((_, i) => (f[i] *= 10 ** (-14 * (1 - i / 63))));
  }),
  { name: 'identity plus 1e-9 coupling (one tight cluster) 64x64', d: Array<number>(64).fill(1), f: Array<number>(63).fill(1e-9) },
  { name: 'Toeplitz [1, 1] 64x64', d: Array<number>(64).fill(1), f: Array<number>(63).fill(1) },
  { name: 'Toeplitz [2, 1] 64x64', d: Array<number>(64).fill(2), f: Array<number>(63).fill(1) },
  { name: 'one nonzero 64x64', d: Array.from({ length: 64 }, (_, i) => (i === 7 ? 3 : 0)), f: Array<number>(63).fill(0) },
  { name: 'tiny scale 1e-150 16x16', d: Array.from({ length: 16 }, (_, i) => 1e-150 * (i + 1)), f: Array.from({ length: 15 }, () => 1e-150) },
];

describe.each(['wasm', 'js'] as const)('BidiagonalValues (dqds, %s kernel)', (kernels) => {
  for (const b of CASES) {
    it(`${b.name}: converges to the one-sided Jacobi values within 1e-13·s1`, () => {
      const n = b.d.length;
      const { values: s, solver } = values(b, kernels);
      const reference = jacobiSvd(dense(b), n, n).values;
      expect(solver.converged).toBe(true);
      expect(solver.iterations).toBeLessThanOrEqual(30 * n);
      for (let i = 1; i < n; i++) expect(s[i]).toBeLessThanOrEqual(s[i - 1]);
      const s1 = reference[0];
      for (let i = 0; i < n; i++) expect(Math.abs(s[i] - reference[i]), `value ${i}`).toBeLessThanOrEqual(1e-13 * s1);
      // Σ s² is the squared Frobenius norm.
      const frobenius = b.d.reduce((t, x) => t + x * x, 0) + b.f.reduce((t, x) => t + x * x, 0);
      expect(Math.abs(Array.from(s).reduce((t, x) => t + x * x, 0) - frobenius)).toBeLessThanOrEqual(1e-13 * frobenius);
    });
  }

  it('small singular values keep high relative accuracy: Π s = |det B| on a graded bidiagonal', () => {
    const b = CASES.find((c) => c.name.startsWith('graded down'));
    if (b === undefined) throw new Error('missing case');
    const { values: s } = values(b, kernels);
    const logDet = b.d.reduce((t, x) => t + Math.log(Math.abs(x)), 0);
    const logProduct = Array.from(s).reduce((t, x) => t + Math.log(x), 0);
    // 64 values spanning 14 decades: a relative error of 1e-13 in each sums to < 1e-11.
    expect(Math.abs(logProduct - logDet)).toBeLessThan(1e-11);
    expect(s[63] / s[0]).toBeLessThan(1e-13);
  });

  it('the zero bidiagonal has zero values', () => {
    const { values: s, solver } = values({ name: 'zero', d: [0, 0, 0], f: [0, 0] }, kernels);
    expect(Array.from(s)).toEqual([0, 0, 0]);
    expect(solver.converged).toBe(true);
  });

  it('EXPECTED FAILURE - a NaN entry gives NaN values and converged = false', () => {
    const { values: s, solver } = values({ name: 'nan', d: [1, Number.NaN, 2], f: [1, 1] }, kernels);
    expect(Array.from(s).every(Number.isNaN)).toBe(true);
    expect(solver.converged).toBe(false);
  });
});

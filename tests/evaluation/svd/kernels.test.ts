import { describe, expect, it } from 'vitest';

import { DqdsOutcome, jsKernels, wasmKernels, wasmKernelsAvailable, type SvdKernels } from '../../../src/evaluation/svd/wasm-kernels';
import { random } from './reference';

const SIZE = 20_000;

/** The same random heap in both implementations. */
function pair(seed: number): { wasm: SvdKernels; js: SvdKernels } {
  const wasm = wasmKernels(SIZE);
  const js = jsKernels(new Float64Array(SIZE));
  const next = random(seed);
  for (let i = 0; i < SIZE; i++) {
    const v = next();
    wasm.heap[i] = v;
    js.heap[i] = v;
  }
  return { wasm, js };
}

/** The first SIZE entries (the WebAssembly memory is rounded up to whole pages). */
function used(heap: Float64Array): number[] {
  return Array.from(heap.subarray(0, SIZE));
}

function maxDifference(a: Float64Array, b: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < SIZE; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

describe('SVD kernels: WebAssembly against the TypeScript specification', () => {
  it('WebAssembly SIMD is available on the supported Node versions', () => {
    expect(wasmKernelsAvailable()).toBe(true);
  });

  it.each([
    [4, 1],
    [8, 5],
    [16, 33],
    [64, 32],
  ])('updateDot on %i rows x %i column pairs matches (dots to rounding, updates exactly)', (rows, pairs) => {
    const { wasm, js } = pair(rows * 100 + pairs);
    const results = [wasm, js].map((k) => k.updateDot(100, 2 * pairs + 3, rows, pairs, 9000, 9500, 12000, 3, 15000, 0.7, -1.3));
    expect(Math.abs(results[0] - results[1])).toBeLessThanOrEqual(1e-13 * Math.abs(results[1]));
    // Sums of products split into two SIMD lanes round differently; everything else is equal.
    expect(maxDifference(wasm.heap, js.heap)).toBeLessThan(1e-14);
  });

  it('updateDot with g aliasing out (stride 1) reads every g before writing', () => {
    const { wasm, js } = pair(3);
    for (const k of [wasm, js]) k.updateDot(100, 20, 8, 8, 9000, 9500, 15000, 1, 15000, 1.1, 0);
    expect(maxDifference(wasm.heap, js.heap)).toBeLessThan(1e-14);
  });

  it.each([
    [4, 1],
    [12, 7],
    [64, 31],
  ])('updateAccumulate on %i rows x %i column pairs matches exactly', (rows, pairs) => {
    const { wasm, js } = pair(rows * 7 + pairs);
    for (const k of [wasm, js]) k.updateAccumulate(101, 2 * pairs + 5, rows, pairs, 9000, 9500, 12000, -0.4, 1.7, 16000);
    expect(used(wasm.heap)).toEqual(used(js.heap));
  });

  it.each([
    [1, 3],
    [3, 3],
    [3, 5],
    [16, 16],
    [64, 64],
    [64, 70],
  ])('applyReflectors for %i reflectors of length %i matches exactly, including reflectors with no entries below', (n, m) => {
    const { wasm, js } = pair(n * 1000 + m);
    for (const k of [wasm, js]) k.applyReflectors(0, m + 3, 10000, n, m, 12000);
    expect(used(wasm.heap)).toEqual(used(js.heap));
  });

  it('applyReflectors leaves x alone for τ = 0 and applies I − τ·e_k·e_kᵀ at the last index', () => {
    const k = jsKernels(new Float64Array(64));
    const w = wasmKernels(64);
    for (const kernels of [k, w]) {
      kernels.heap.fill(0);
      kernels.heap[40] = 0; // τ_0
      kernels.heap[41] = 2; // τ_1: no entries below index 1 when m = 2
      kernels.heap.set([3, 5, 7, 11], 50); // x1 = (3, 7), x2 = (5, 11)
      kernels.applyReflectors(0, 4, 40, 2, 2, 50);
      expect(Array.from(kernels.heap.subarray(50, 54))).toEqual([3, 5, -7, -11]);
    }
  });

  it.each([0, 1e-3, 0.3])('dqds with shift %s gives bit-identical arrays, statistics and outcome', (tau) => {
    const { wasm, js } = pair(17);
    for (const k of [wasm, js]) {
      // Positive qd arrays: q at 0, e at 100.
      for (let i = 0; i < 64; i++) {
        k.heap[i] = 0.5 + Math.abs(k.heap[i]);
        k.heap[100 + i] = 0.1 * Math.abs(k.heap[100 + i]);
      }
    }
    const outcomes = [wasm, js].map((k) => k.dqds(0, 100, 200, 300, 3, 60, tau, 400));
    expect(outcomes[0]).toBe(outcomes[1]);
    expect(Array.from(wasm.heap.subarray(0, 406))).toEqual(Array.from(js.heap.subarray(0, 406)));
  });

  it('dqds reports an early failure for a shift above the smallest eigenvalue and success for 0', () => {
    for (const k of [jsKernels(new Float64Array(1000)), wasmKernels(1000)]) {
      k.heap.set([4, 3, 2, 1, 0.5], 0);
      k.heap.set([0.1, 0.1, 0.1, 0.1], 100);
      expect(k.dqds(0, 100, 200, 300, 0, 4, 0, 400)).toBe(DqdsOutcome.success);
      expect(k.dqds(0, 100, 200, 300, 0, 4, 10, 400)).toBe(DqdsOutcome.earlyFailure);
    }
  });

  it('dqds treats d = e = 0 as a split: ee = 0 and d restarts from q', () => {
    for (const k of [jsKernels(new Float64Array(1000)), wasmKernels(1000)]) {
      k.heap.set([0, 2, 3, 4], 0);
      k.heap.set([0, 0.5, 0.5], 100);
      expect(k.dqds(0, 100, 200, 300, 0, 3, 0, 400)).toBe(DqdsOutcome.success);
      expect(k.heap[200]).toBe(0);
      expect(k.heap[300]).toBe(0);
      expect(k.heap[201]).toBe(2.5); // d = q₁ = 2, plus e₁
    }
  });
});

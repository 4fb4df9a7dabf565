/**
 * Readers for the numpy golden fixtures in tests/fixtures/svd (see make_fixtures.py there).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import type { MetricName, SvdTarget } from '../../../src/evaluation/svd/metrics';

/** A matrix as stored: exact integers times a scale, or repr() floats. */
export interface StoredMatrix {
  rows: number;
  cols: number;
  scale?: number;
  ints?: number[];
  values?: number[];
}

/** One decomposition with numpy's answers. */
export interface SvdCase {
  name: string;
  note: string;
  target: SvdTarget;
  matrix: StoredMatrix;
  singularValues: number[];
  u1: number[];
  u2: number[] | null;
  v1: number[];
  checkVectors: boolean;
  metrics: Record<MetricName, number | null>;
}

/** Two consecutive steps with numpy's Grassmannian distance. */
export interface PairCase {
  name: string;
  target: SvdTarget;
  previous: StoredMatrix;
  current: StoredMatrix;
  grassmannianDistance: number;
}

const DIR = fileURLToPath(new URL('../../fixtures/svd/', import.meta.url));

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(DIR + file, 'utf8')) as T;
}

/** The single-matrix cases. */
export function loadCases(): SvdCase[] {
  return readJson<{ cases: SvdCase[] }>('cases.json').cases;
}

/** The consecutive-step pairs. */
export function loadPairs(): PairCase[] {
  return readJson<{ pairs: PairCase[] }>('grassmannian.json').pairs;
}

/** The row-major float64 matrix, bit-identical to the one numpy decomposed. */
export function toMatrix(stored: StoredMatrix): Float64Array {
  if (stored.values !== undefined) return Float64Array.from(stored.values);
  const scale = stored.scale ?? 1;
  return Float64Array.from(stored.ints ?? [], (x) => x * scale);
}

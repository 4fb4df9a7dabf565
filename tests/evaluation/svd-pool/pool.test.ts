import { describe, expect, it } from 'vitest';

import { Cancelled, StageError } from '../../../src/errors';
import { createSvdMetricPool, METRICS_PER_MATRIX, type SvdJob } from '../../../src/evaluation/svd-pool';
import { metricIndex } from '../../../src/evaluation/svd/metrics';
import { collector, HEADS, LIVES, play, scenario, type Delivered } from './scenario';

const GRASSMANNIAN = metricIndex('grassmannian_distance');

async function runSerial(): Promise<{ delivered: Delivered; guards: Map<string, number> }> {
  const { delivered, onResult } = collector();
  const pool = createSvdMetricPool({ threads: 0, onResult });
  await play(pool, scenario());
  return { delivered, guards: pool.guardCounts() };
}

/** Every metric equal with Object.is (bit-level for numbers: NaN = NaN, 0 ≠ −0). */
function expectSameResults(actual: Delivered, expected: Delivered): void {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [key, results] of expected) {
    const got = actual.get(key) ?? [];
    expect(got.map((r) => r.step)).toEqual(results.map((r) => r.step));
    results.forEach((result, i) => {
      expect(Array.from(got[i].sequences)).toEqual(Array.from(result.sequences));
      expect(Array.from(got[i].guardCounts)).toEqual(Array.from(result.guardCounts));
      const same = Array.from(result.metrics).every((value, j) => Object.is(value, got[i].metrics[j]));
      expect(same, `${key} step ${result.step}`).toBe(true);
    });
  }
}

function job(overrides: Partial<SvdJob> = {}): SvdJob {
  const m = overrides.m ?? 4;
  const n = overrides.n ?? 4;
  const rows = overrides.rows ?? 1;
  const heads = overrides.heads ?? 1;
  const matrices = overrides.matrices ?? Float32Array.from({ length: rows * heads * m * n }, (_, i) => Math.sin(i + 1));
  return { step: 0, layer: 0, target: 'qkt', heads, rows, m, n, sequences: Int32Array.from({ length: rows }, (_, i) => i), ...overrides, matrices };
}

describe('SVD metric pool', () => {
  it('matches the serial computation bit for bit, in submission order per (target, layer)', async () => {
    const serial = await runSerial();
    const { delivered, onResult } = collector();
    const pool = createSvdMetricPool({ threads: 2, onResult });
    const ops = scenario();
    await play(pool, ops);
    expectSameResults(delivered, serial.delivered);
    expect(pool.guardCounts()).toEqual(serial.guards);
    // The matrices went to the workers by transfer, not by copy.
    const first = ops[0];
    expect(first.kind === 'job' && first.job.matrices.length).toBe(0);
  });

  it('gives NaN Grassmannian distance exactly at the first step of each sequence life', async () => {
    const { delivered } = await runSerial();
    for (const results of delivered.values()) {
      for (const result of results) {
        result.sequences.forEach((id, row) => {
          const life = LIVES.find((l) => l.id === id && l.first <= result.step && result.step <= l.last);
          for (let head = 0; head < HEADS; head++) {
            const value = result.metrics[(row * HEADS + head) * METRICS_PER_MATRIX + GRASSMANNIAN];
            if (result.step === life?.first) expect(value).toBeNaN();
            else expect(Number.isFinite(value), `seq ${id} step ${result.step}`).toBe(true);
          }
        });
      }
    }
  });

  it('counts the guard once per guarded matrix (sequence, step) of each (target, layer, head)', async () => {
    const { delivered, guards } = await runSerial();
    const fired = [...guards].filter(([, count]) => count > 0);
    // avwo layer 0 head 0 at step 3 has two guarded matrices (rows 0 and 1); the count does not
    // depend on how many sequences share a batch.
    expect(Object.fromEntries(fired)).toEqual({ 'qkt.layer_1.head_1': 1, 'avwo.layer_0.head_0': 2 });
    expect(guards.size).toBe(2 * 2 * HEADS);
    const avwo0 = delivered.get('avwo.layer_0') ?? [];
    expect(avwo0.map((r) => Array.from(r.guardCounts))).toEqual(avwo0.map((r) => (r.step === 3 ? [2, 0] : [0, 0])));
  });

  it('completes in order with a queue limit of 1 while submits are not awaited', async () => {
    const serial = await runSerial();
    const { delivered, onResult } = collector();
    let deliveredCount = 0;
    const pool = createSvdMetricPool({ threads: 2, queueLimit: 1, onResult: (r) => (deliveredCount++, onResult(r)) });
    const accepted: Promise<void>[] = [];
    let maxAhead = 0;
    for (const op of scenario()) {
      if (op.kind === 'finish') {
        pool.finish(op.ids);
        continue;
      }
      const index = accepted.length;
      // With room for one job, job k is accepted only after job k−1 was delivered.
      accepted.push(pool.submit(op.job).then(() => void (maxAhead = Math.max(maxAhead, index - deliveredCount))));
    }
    await Promise.all(accepted);
    await pool.close();
    expect(maxAhead).toBe(0);
    expectSameResults(delivered, serial.delivered);
  });

  it('rejects with Cancelled when aborted, and stops accepting work', async () => {
    const controller = new AbortController();
    const pool = createSvdMetricPool({ threads: 2, queueLimit: 1, onResult: () => undefined, signal: controller.signal });
    await pool.submit(job({ m: 32, n: 32, rows: 8 }));
    const waiting = pool.submit(job({ m: 32, n: 32, rows: 8, layer: 1 }));
    controller.abort(new Error('user interrupt'));
    await expect(waiting).rejects.toBeInstanceOf(Cancelled);
    await expect(pool.submit(job())).rejects.toBeInstanceOf(Cancelled);
    await expect(pool.close()).rejects.toBeInstanceOf(Cancelled);
  });

  it.each([0, 2])('maps a failing job to a StageError naming it, reported once through onFailure (threads = %i)', async (threads) => {
    const failures: Error[] = [];
    const pool = createSvdMetricPool({ threads, onResult: () => undefined, onFailure: (error) => failures.push(error) });
    await pool.submit(job());
    // The worker validates the block it decomposes: 15 entries for a 4x4 matrix is an error there.
    const bad = job({ target: 'avwo', layer: 3, step: 7, matrices: new Float32Array(15) });
    const outcome = pool.submit(bad).then(() => pool.close());
    await expect(outcome).rejects.toBeInstanceOf(StageError);
    await expect(outcome).rejects.toThrow(/avwo\.layer_3 step 7.*RangeError: matrices has length 15/);
    await expect(pool.submit(job())).rejects.toBeInstanceOf(StageError);
    expect(failures).toHaveLength(1);
    expect(failures[0].message).toMatch(/avwo\.layer_3 step 7/);
  });

  it('keeps every worker computing while the main thread is blocked (jobs are sent on admission)', async () => {
    let delivered = 0;
    let warm: () => void = () => undefined;
    const warmed = new Promise<void>((resolve) => (warm = resolve));
    const pool = createSvdMetricPool({ threads: 2, queueLimit: 8, onResult: () => void (++delivered === 2 && warm()) });
    // Start both workers first (module loading is not what this test measures).
    await pool.submit(job({ layer: 1 }));
    await pool.submit(job({ layer: 2 }));
    await warmed;
    // Eight jobs of ~256 64x64 SVDs each (tens of ms), then the main thread blocks, as a
    // synchronous forward pass does: no job can be handed out until it returns.
    for (let step = 1; step <= 8; step++) await pool.submit(job({ step, m: 64, n: 64, rows: 256, sequences: Int32Array.from({ length: 256 }, (_, i) => i) }));
    const until = performance.now() + 800;
    while (performance.now() < until);
    const blockEnded = performance.now();
    await pool.close();
    // The workers had all eight before the block; handing them out one per reply would leave
    // six jobs (about three job-times per worker) for after it.
    expect(delivered).toBe(10);
    expect(performance.now() - blockEnded).toBeLessThan(100);
  });

  it.each([0, 2])('fails on a step gap of a sequence, and accepts a reused id after finish (threads = %i)', async (threads) => {
    const { delivered, onResult } = collector();
    const pool = createSvdMetricPool({ threads, onResult });
    await pool.submit(job({ step: 0 }));
    pool.finish([0]);
    await pool.submit(job({ step: 5 }));
    await pool.submit(job({ step: 6 }));
    await pool.close();
    const steps = delivered.get('qkt.layer_0') ?? [];
    expect(steps.map((r) => Number.isNaN(r.metrics[GRASSMANNIAN]))).toEqual([true, true, false]);

    const gap = createSvdMetricPool({ threads, onResult: () => undefined });
    await gap.submit(job({ step: 0 }));
    const outcome = gap.submit(job({ step: 2 })).then(() => gap.close());
    await expect(outcome).rejects.toThrow(/qkt\.layer_0 step 2.*sequence 0 was last seen at step 0/);
  });

  it('rejects malformed jobs with RangeError and stays usable', async () => {
    const pool = createSvdMetricPool({ threads: 0, onResult: () => undefined });
    await expect(pool.submit(job({ rows: 2, sequences: Int32Array.of(4, 4) }))).rejects.toThrow(RangeError);
    await expect(pool.submit(job({ rows: 2, sequences: Int32Array.of(4) }))).rejects.toThrow(RangeError);
    await pool.submit(job());
    await pool.close();
    expect(() => createSvdMetricPool({ threads: -1, onResult: () => undefined })).toThrow(RangeError);
  });
});

/**
 * Cost of the analysis statistics at the scale of one large (r, metric) cell: 60,000 events
 * (30,000 violations, 30,000 controls) of a continuous metric with a moderate effect, plus a
 * tied variant (values rounded to 200 levels, as a float16-stored metric would be). Measures the
 * AUROC and the BCa interval with 10,000 resamples, on one thread. Run alone:
 *
 *     npx tsx bench/bootstrap.ts
 */
import { pathToFileURL } from 'node:url';

import { Rng } from '../src/random/rng';
import { auroc } from '../src/analysis/stats/auroc';
import { bcaBootstrapAuroc } from '../src/analysis/stats/bootstrap-bca';
import { formatTable, type BenchRow } from './bench-row';

const EVENTS_PER_CLASS = 30_000;
const RESAMPLES = 10_000;

/** Normal values with the violations shifted by `shift` SDs, optionally rounded to a grid. */
function syntheticEvents(seed: number, shift: number, grid: number | null): { violations: Float64Array; controls: Float64Array } {
  const rng = Rng.derive(seed, 'bench-bootstrap');
  const draw = (offset: number) =>
    Float64Array.from({ length: EVENTS_PER_CLASS }, () => {
      const x = rng.normal() + offset;
      return grid === null ? x : Math.round(x * grid) / grid;
    });
  return { violations: draw(shift), controls: draw(0) };
}

function seconds(run: () => unknown): number {
  const start = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Seconds for AUROC and for the BCa interval (10,000 resamples) on 60,000 events. */
export async function benchBootstrap(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const [label, grid] of [
    ['continuous', null],
    ['tied (grid 1/40)', 40],
  ] as const) {
    const { violations, controls } = syntheticEvents(7, 0.3, grid);
    auroc(violations, controls); // warm-up for the JIT
    bcaBootstrapAuroc(violations, controls, { nResamples: 50 });
    rows.push({ name: `auroc 60k events ${label}`, value: seconds(() => auroc(violations, controls)), unit: 's' });
    rows.push({
      name: `BCa 10k resamples 60k events ${label}`,
      value: seconds(() => bcaBootstrapAuroc(violations, controls, { nResamples: RESAMPLES, rng: Rng.derive(42, 'bench') })),
      unit: 's',
      target: '<= 5',
    });
    await new Promise((resolve) => setImmediate(resolve));
  }
  return rows;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(`AUROC and BCa bootstrap (one thread), node ${process.version}`);
  console.log(formatTable(await benchBootstrap()));
}

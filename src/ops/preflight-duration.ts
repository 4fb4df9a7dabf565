/**
 * The duration check: the estimated compute time of the stage runs to compute, in all and per
 * stage. Each stage's figure comes from this host's earlier artifacts of the stage when the
 * store has some (`history`), otherwise from the benchmark model (`benchmark`: docs/benchmarks.md's
 * figures for an idle 2-core machine, scaled by the config's FLOPs and tokens; estimates-time.ts).
 * An estimate never stops a run: the check only informs.
 */
import { formatDuration } from '../pipeline/progress';
import type { StageEstimate } from './estimates';
import type { PreflightCheck } from './preflight';
import { stageParts } from './preflight-parts';

const SECONDS = { amount: (e: StageEstimate) => e.seconds, format: formatDuration, source: (e: StageEstimate) => e.secondsSource };

/** The check over `estimates`; `parallel` > 1 (a sweep's points at once) adds the best-case wall time. */
export function durationCheck(estimates: readonly StageEstimate[], options: { parallel: number; perRun: boolean }): PreflightCheck {
  if (estimates.length === 0) return { name: 'duration', outcome: 'ok', message: 'nothing to compute' };
  const seconds = estimates.reduce((sum, e) => sum + e.seconds, 0);
  const wall = options.parallel > 1 ? `, at best about ${formatDuration(seconds / options.parallel)} with ${options.parallel} points at once` : '';
  const parts = stageParts(estimates, SECONDS, options.perRun).join(', ');
  const sources = [...new Set(estimates.map((e) => e.secondsSource))].map((source) => SOURCE_NOTES[source]).join('; ');
  return { name: 'duration', outcome: 'ok', message: `about ${formatDuration(seconds)} of compute${wall} [${parts}]; ${sources}` };
}

const SOURCE_NOTES: Record<StageEstimate['secondsSource'], string> = {
  history: "history: this host's earlier artifacts of the stage",
  benchmark: 'benchmark: the benchmark figures of an idle 2-core machine, scaled to this config (no earlier artifact of the stage on this host)',
};

/**
 * Size and duration estimates of a stage's artifact, for pre-flight checks.
 *
 * Each stage with an estimate declares its workload (a count that its bytes and seconds grow
 * with: expected edges for the graph, tokens for the walks). Bytes per unit and seconds per
 * unit are calibrated from earlier artifacts of the same stage in the store (the manifests
 * keep their config slice, file sizes and compute time); with no earlier artifact, bytes
 * come from a conservative formula and the duration is unknown.
 */
import { hostname } from 'node:os';
import type { Manifest } from '../artifacts/artifact-store';
import type { StageName } from '../pipeline/dag';

/** An estimate for one stage and where its numbers come from. */
export interface StageEstimate {
  stage: StageName;
  /** Estimated artifact size in bytes; 0 with `bytesSource: 'none'` when the stage has no model. */
  bytes: number;
  bytesSource: 'calibrated' | 'formula' | 'none';
  /** Estimated compute seconds on this host, or null without a calibration from this host. */
  seconds: number | null;
}

interface StageModel {
  /** The workload of a config or of a manifest's config slice (which mirrors config paths). */
  workload: (config: unknown) => number | null;
  /** Uncalibrated upper bound of artifact bytes per workload unit. */
  formulaBytesPerUnit: number;
  /** Fixed bytes per artifact (Parquet footers, manifest). */
  fixedBytes: number;
}

const MODELS: Partial<Record<StageName, StageModel>> = {
  graph: {
    // Expected edges: each vertex links to its own block with p_in and to the others with p_out.
    workload: (config) => {
      const [n, K, pIn, pOut] = ['graph.n', 'graph.K', 'graph.p_in', 'graph.p_out'].map((path) => numberAt(config, path));
      if (n === null || K === null || pIn === null || pOut === null) return null;
      const block = n / K;
      return n * (block * pIn + (n - block) * pOut) + n;
    },
    formulaBytesPerUnit: 24,
    fixedBytes: 64 * 1024,
  },
  walks: {
    // Train plus eval tokens (the eval corpus is corpus_size / 9 walks).
    workload: (config) => {
      const size = numberAt(config, 'training.corpus_size');
      const length = numberAt(config, 'training.walk_length');
      if (size === null || length === null) return null;
      return (size + Math.max(1, Math.floor(size / 9))) * length;
    },
    // int32 tokens plus jumper events, before compression.
    formulaBytesPerUnit: 6,
    fixedBytes: 256 * 1024,
  },
};

/** Calibrated byte estimates get this margin: compression ratios vary between configs. */
const BYTES_MARGIN = 1.25;
/** How many of the largest earlier artifacts a calibration uses. */
const CALIBRATION_SAMPLES = 5;

/** Estimates `stage` for `config`, calibrated from `earlier` manifests of the same stage. */
export function estimateStage(stage: StageName, config: unknown, earlier: readonly Manifest[]): StageEstimate {
  const model = MODELS[stage];
  const units = model?.workload(config) ?? null;
  if (model === undefined || units === null) return { stage, bytes: 0, bytesSource: 'none', seconds: null };
  const samples = calibrationSamples(model, earlier);
  const largest = samples.slice(0, CALIBRATION_SAMPLES);
  const bytesPerUnit = largest.length === 0 ? null : Math.max(...largest.map((s) => s.bytes / s.units));
  const bytes =
    bytesPerUnit === null ? model.fixedBytes + units * model.formulaBytesPerUnit : Math.ceil(units * bytesPerUnit * BYTES_MARGIN);
  const local = samples.filter((s) => s.host === hostname()).slice(0, CALIBRATION_SAMPLES);
  const seconds = local.length === 0 ? null : units * median(local.map((s) => s.seconds / s.units));
  return { stage, bytes, bytesSource: bytesPerUnit === null ? 'formula' : 'calibrated', seconds };
}

interface Sample {
  units: number;
  bytes: number;
  seconds: number;
  host: string;
}

/** Earlier artifacts, largest first: fixed costs distort the per-unit rates of tiny ones most. */
function calibrationSamples(model: StageModel, earlier: readonly Manifest[]): Sample[] {
  const samples: Sample[] = [];
  for (const manifest of earlier) {
    const units = model.workload(manifest.keyInputs.config);
    if (units === null || units <= 0) continue;
    const bytes = manifest.files.reduce((sum, file) => sum + file.size, 0);
    samples.push({ units, bytes, seconds: manifest.timings.seconds, host: manifest.producer.host });
  }
  return samples.sort((a, b) => b.units - a.units);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function numberAt(value: unknown, path: string): number | null {
  let node = value;
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null) return null;
    node = (node as Record<string, unknown>)[key];
  }
  return typeof node === 'number' && Number.isFinite(node) ? node : null;
}

/**
 * Size and duration estimates of a stage's artifact, for pre-flight checks.
 *
 * Every stage has a model: a workload derived from the config (estimates-workload.ts), a size
 * model (estimates-size.ts, fitted to real artifacts) and a time model (estimates-time.ts, from
 * the benchmark figures of an idle 2-core machine). Earlier artifacts of the stage in the store
 * correct both: their manifests keep the config slice, summary, file sizes, compute time and
 * host, so the same models price them, and the ratio of what they really took to what the
 * model says scales this config's figure.
 *
 * - Bytes: the largest such ratio over the largest earlier artifacts (any host: sizes do not
 *   depend on the machine), plus a 25% margin; without one, the size model as it is.
 * - Seconds: the median such ratio over the largest earlier artifacts computed on this host
 *   (other machines' times say nothing of this one); without one, the benchmark model.
 */
import { hostname } from 'node:os';
import { percentile } from '../analysis/stats/percentile';
import type { Manifest } from '../artifacts/artifact-store';
import type { ExperimentConfig } from '../config/schema';
import type { StageName } from '../pipeline/dag';
import * as size from './estimates-size';
import * as time from './estimates-time';
import * as work from './estimates-workload';
import type { EarlierArtifact } from './estimates-workload';

/** An estimate for one stage and where its numbers come from. */
export interface StageEstimate {
  stage: StageName;
  /** Estimated artifact size in bytes. */
  bytes: number;
  /** `calibrated`: scaled by earlier artifacts in the store; `formula`: the size model alone. */
  bytesSource: 'calibrated' | 'formula';
  /** Estimated compute seconds on this host. */
  seconds: number;
  /** `history`: scaled by earlier artifacts computed on this host; `benchmark`: the benchmark model alone. */
  secondsSource: 'history' | 'benchmark';
}

/** Earlier artifacts in the store, per stage (a stage not in the map has none). */
export type EarlierArtifacts = ReadonlyMap<StageName, readonly Manifest[]>;

/** What a model says a stage's artifact costs. */
interface Price {
  bytes: number;
  seconds: number;
}

interface StageModel {
  /** The upstream stage whose manifests {@link StageModel.priceEarlier} reads, if any. */
  upstream?: StageName;
  /** The price of the stage run `config` asks for. */
  price: (config: ExperimentConfig) => Price;
  /** The model's price of an earlier artifact, or null when its manifest lacks a count the model needs. */
  priceEarlier: (earlier: EarlierArtifact) => Price | null;
}

/** A stage's model: its workload (from a config and from a manifest) priced by its size and time models. */
function model<W>(
  ofConfig: (config: ExperimentConfig) => W,
  ofManifest: (earlier: EarlierArtifact) => W | null,
  bytes: (work: W) => number,
  seconds: (work: W) => number,
  upstream?: StageName,
): StageModel {
  const price = (w: W): Price => ({ bytes: bytes(w), seconds: seconds(w) });
  return {
    upstream,
    price: (config) => price(ofConfig(config)),
    priceEarlier: (earlier) => {
      const w = ofManifest(earlier);
      return w === null ? null : price(w);
    },
  };
}

const MODELS: Record<StageName, StageModel> = {
  graph: model(work.graphWork, work.graphWorkOf, size.graphBytes, time.graphSeconds),
  walks: model(work.walksWork, work.walksWorkOf, size.walksBytes, time.walksSeconds),
  train: model(work.trainWork, work.trainWorkOf, size.trainBytes, time.trainSeconds),
  evaluate: model(work.evaluateWork, work.evaluateWorkOf, size.evaluateBytes, time.evaluateSeconds),
  analyse: model(work.analyseWork, work.analyseWorkOf, size.analyseBytes, time.analyseSeconds),
  // The figures' summary does not say how many records they drew; the analyse artifact does.
  figures: model(work.figuresWork, work.figuresWorkOf, size.figuresBytes, time.figuresSeconds, 'analyse'),
};

/** Calibrated byte estimates get this margin: compression ratios vary between configs. */
const BYTES_MARGIN = 1.25;
/**
 * Bytes of an artifact folder that its manifest does not list: manifest.json itself (4-10 KB).
 * The size models count it, so a calibration adds it to the listed files.
 */
const MANIFEST_BYTES = 8 * 1024;
/** How many of the largest earlier artifacts a calibration uses: fixed costs distort small ones most. */
const CALIBRATION_SAMPLES = 5;

/** The stages whose earlier artifacts {@link estimateStage} reads to estimate `stages`. */
export function calibrationStages(stages: Iterable<StageName>): StageName[] {
  const needed = new Set<StageName>();
  for (const stage of stages) {
    needed.add(stage);
    const upstream = MODELS[stage].upstream;
    if (upstream !== undefined) needed.add(upstream);
  }
  return [...needed];
}

/** Estimates `stage` for `config`, calibrated by `earlier` artifacts (see the module comment). */
export function estimateStage(stage: StageName, config: ExperimentConfig, earlier: EarlierArtifacts = new Map()): StageEstimate {
  const stageModel = MODELS[stage];
  const planned = stageModel.price(config);
  const samples = calibrationSamples(stageModel, stage, earlier);
  const sizeRatios = largest(samples, (s) => s.modelBytes).map((s) => s.bytes / s.modelBytes);
  const local = samples.filter((s) => s.host === hostname() && s.modelSeconds > 0);
  const timeRatios = largest(local, (s) => s.modelSeconds).map((s) => s.seconds / s.modelSeconds);
  return {
    stage,
    bytes: Math.ceil(planned.bytes * (sizeRatios.length === 0 ? 1 : Math.max(...sizeRatios) * BYTES_MARGIN)),
    bytesSource: sizeRatios.length === 0 ? 'formula' : 'calibrated',
    seconds: planned.seconds * (timeRatios.length === 0 ? 1 : percentile(Float64Array.from(timeRatios), 50)),
    secondsSource: timeRatios.length === 0 ? 'benchmark' : 'history',
  };
}

/** An earlier artifact: what it took and what the models say it should have. */
interface Sample {
  bytes: number;
  seconds: number;
  host: string;
  modelBytes: number;
  modelSeconds: number;
}

function calibrationSamples(stageModel: StageModel, stage: StageName, earlier: EarlierArtifacts): Sample[] {
  const samples: Sample[] = [];
  for (const manifest of earlier.get(stage) ?? []) {
    const upstream = (name: string) => earlier.get(name as StageName)?.find((m) => m.digest === manifest.keyInputs.upstream[name]);
    const past = stageModel.priceEarlier({ manifest, upstream });
    if (past === null || !(past.bytes > 0)) continue;
    const bytes = MANIFEST_BYTES + manifest.files.reduce((sum, file) => sum + file.size, 0);
    samples.push({ bytes, seconds: manifest.timings.seconds, host: manifest.producer.host, modelBytes: past.bytes, modelSeconds: past.seconds });
  }
  return samples;
}

/** The {@link CALIBRATION_SAMPLES} samples with the largest `size`. */
function largest(samples: readonly Sample[], size: (sample: Sample) => number): Sample[] {
  return [...samples].sort((a, b) => size(b) - size(a)).slice(0, CALIBRATION_SAMPLES);
}

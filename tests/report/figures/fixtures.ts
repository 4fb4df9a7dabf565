/**
 * Small synthetic inputs for the figure tests (deterministic: a tiny LCG, no Math.random).
 * Sizes mimic a real run where it matters for legibility (e.g. ~50 grey AUROC curves).
 */
import type {
  AurocLookbackData,
  ConfusionMatrixData,
  DistributionData,
  EventAlignedData,
  HorizonHeatmapData,
  PermutationNullData,
  SpectrumTrajectoryData,
  TrainingCurvesData,
  Value,
} from '../../../src/report/figures/types';
import { meanBand } from '../../../src/report/figures/band';

/** Deterministic uniform numbers in [0, 1). */
export function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Approximately normal numbers (sum of 6 uniforms). */
export function normal(rand: () => number): () => number {
  return () => {
    let s = 0;
    for (let i = 0; i < 6; i++) s += rand();
    return (s - 3) / Math.sqrt(0.5);
  };
}

export const PRIMARY_METRICS = [
  'qkt.layer_0.grassmannian_distance',
  'qkt.layer_0.spectral_gap_1_2',
  'qkt.layer_0.spectral_entropy',
  'avwo.layer_0.stable_rank',
  'avwo.layer_0.grassmannian_distance',
];

export function trainingData(n = 3000): TrainingCurvesData {
  const rand = normal(lcg(1));
  const steps = Array.from({ length: n }, (_, i) => i);
  const values: Value[] = steps.map((s) => 1.3 + 5 * Math.exp(-s / 500) + 0.12 * rand());
  const gap = Math.floor(n / 4);
  values[gap] = NaN;
  values[gap + 1] = null;
  const evalSteps = [0, 300, 600, 900, 1200, 1500, 1800, 2100, 2400, 2700];
  return {
    loss: { steps, values },
    compliance: {
      steps: evalSteps,
      edge: evalSteps.map((s) => Math.min(1, 0.35 + s / 2000)),
      rule: evalSteps.map((s, i) => (i === 4 ? null : Math.min(0.93, 0.05 + s / 2600))),
    },
    gates: { edge: 0.95, rule: 0.8 },
  };
}

export function confusionData(): ConfusionMatrixData {
  return {
    edgeValid: { followed: 18_342, violated: 1_204, notApplicable: 360_112 },
    edgeInvalid: { followed: 12, violated: 310, notApplicable: 4_020 },
  };
}

export function eventAlignedData(r = 8): EventAlignedData {
  const rand = normal(lcg(2));
  const x = Array.from({ length: r + 1 }, (_, i) => i - r);
  const sample = (events: number, shift: number) =>
    Array.from({ length: events }, () => x.map((o) => 0.4 + 0.02 * o + shift * Math.exp(o / 3) + 0.08 * rand()));
  const violation = meanBand(sample(40, 0.15));
  const control = meanBand(sample(300, 0));
  (violation.mean as Value[])[2] = NaN;
  return { metric: 'qkt.layer_0.grassmannian_distance', unit: 'radians', x, xLabel: 'Step relative to rule resolution (steps)', r, violation, control };
}

export function distributionData(): DistributionData {
  const rand = normal(lcg(3));
  const violation: Value[] = Array.from({ length: 60 }, () => 5.2 + 0.7 * rand());
  const control: Value[] = Array.from({ length: 900 }, () => 4.6 + 0.6 * rand());
  violation.push(NaN, null);
  return { metric: 'avwo.layer_0.stable_rank', unit: 'dimensionless', lookback: 3, r: 8, violation, control };
}

/** Panels for the given r values: the 5 primary metrics plus `others` grey curves each. */
export function aurocData(rValues = [4, 8, 16, 32, 64], others = 50): AurocLookbackData {
  const rand = lcg(4);
  const curve = (r: number, peak: number) =>
    Array.from({ length: r }, (_, j) => {
      const v = 0.5 + (peak - 0.5) * Math.exp(-j / Math.max(2, r / 4)) + 0.05 * (rand() - 0.5);
      return Math.min(1, Math.max(0, v));
    });
  return {
    threshold: 0.75,
    panels: rValues.map((r) => ({
      r,
      nViolations: 40 * r,
      nControls: 900 * r,
      curves: [
        ...Array.from({ length: others }, (_, k) => ({ metric: `wvwo.layer_${k % 4}.metric_${k}`, primary: false, auroc: curve(r, 0.45 + 0.3 * rand()) })),
        ...PRIMARY_METRICS.map((metric, k) => {
          const auroc: Value[] = curve(r, 0.7 + 0.05 * k);
          if (k === 0 && r > 2) auroc[1] = NaN;
          return { metric, primary: true, auroc };
        }),
      ],
    })),
  };
}

export function horizonData(): HorizonHeatmapData {
  const rValues = [4, 8, 16, 32, 64];
  const metrics = [...PRIMARY_METRICS, 'wvwo.layer_0.stable_rank', 'wvwo.layer_0.condition_number', 'qkt.layer_1.spectral_entropy'];
  const rand = lcg(5);
  const horizon = metrics.map((_, i) => rValues.map((r, c) => (i === 6 && c === 4 ? null : i === 5 ? 0 : Math.floor(rand() * (r / 2)))));
  return { metrics, rValues, horizon, primary: PRIMARY_METRICS, threshold: 0.75 };
}

export function spectrumData(): SpectrumTrajectoryData {
  const rand = normal(lcg(6));
  const steps = Array.from({ length: 120 }, (_, i) => i);
  const series = [1, 2, 3, 4].map((k) => ({
    label: `σ${k}`,
    values: steps.map((s) => (s < 7 ? null : 6 / k + 0.3 * Math.sin(s / (5 + k)) + (s > 80 && s < 92 ? 0.8 / k : 0) + 0.05 * rand())),
  }));
  return { target: 'QKᵀ, layer 0, head 0', sequence: 17, steps, series, violationStep: 91, encounterStep: 83 };
}

export function permutationData(): PermutationNullData {
  const rand = normal(lcg(7));
  const nullMaxAuroc: Value[] = Array.from({ length: 2000 }, () => 0.56 + 0.025 * rand());
  nullMaxAuroc.push(NaN);
  return { metric: 'qkt.layer_0.grassmannian_distance', r: 8, nullMaxAuroc, observed: 0.81, pValue: 0 };
}

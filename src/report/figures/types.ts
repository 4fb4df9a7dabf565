/**
 * Input types of the figure functions: plain data, independent of the rest of the engine, so
 * the analysis stage maps its outputs onto them. Columnar series are parallel arrays that must
 * have the same length (a figure throws RangeError naming the field otherwise).
 *
 * Missing values: `null` and `NaN` both mean "no value" and are drawn as gaps, never as zero.
 */

/** One value of a series; `null` or `NaN` is a missing value. */
export type Value = number | null;

/** Every input may replace the generated title. */
export interface TitleOverride {
  /** Replaces the title the figure builds from its data. */
  title?: string;
}

// ---------------------------------------------------------------------------------------------
// 1. Training curves

/** Loss per training step and gate compliance per evaluation. */
export interface TrainingCurvesData extends TitleOverride {
  loss: {
    /** Training step of each value (x axis). */
    steps: readonly number[];
    /** Cross-entropy loss in nats, one per step. */
    values: readonly Value[];
    /**
     * Trailing moving-average window in steps.
     * @default max(1, round(steps.length / 50)) (the reference's window)
     */
    movingAverageWindow?: number;
  };
  compliance: {
    /** Training step of each evaluation (x axis). */
    steps: readonly number[];
    /** Edge compliance in [0, 1], one per evaluation. */
    edge: readonly Value[];
    /** Rule compliance in [0, 1], one per evaluation. */
    rule: readonly Value[];
  };
  /** Gate thresholds drawn as horizontal lines (the engine's gate: edge 0.95, rule 0.80). */
  gates: { edge: number; rule: number };
}

// ---------------------------------------------------------------------------------------------
// 2. Confusion matrix

/** Counts of one edge-validity row, by rule outcome. */
export interface RuleOutcomeCounts {
  followed: number;
  violated: number;
  /** Steps where no rule was resolved. */
  notApplicable: number;
}

/** Edge validity x rule outcome counts over generated steps. */
export interface ConfusionMatrixData extends TitleOverride {
  /** Steps whose token pair is an edge of the graph. */
  edgeValid: RuleOutcomeCounts;
  /** Steps whose token pair is not an edge. */
  edgeInvalid: RuleOutcomeCounts;
}

// ---------------------------------------------------------------------------------------------
// 3. Event-aligned trajectory

/** Mean and 95 % band of one class at each x position. */
export interface BandSeries {
  mean: readonly Value[];
  lower: readonly Value[];
  upper: readonly Value[];
  /** Number of events in the class (shown in the legend). */
  n: number;
}

/** One metric around the rule resolution, violations versus controls. */
export interface EventAlignedData extends TitleOverride {
  /** Metric key, e.g. `qkt.layer_0.grassmannian_distance`. */
  metric: string;
  /** Unit of the metric, shown on the y axis ("dimensionless" when omitted). */
  unit?: string;
  /** x positions: steps relative to resolution (−r..0) or lookbacks j. */
  x: readonly number[];
  /** x-axis label with its unit, e.g. "Step relative to rule resolution (steps)". */
  xLabel: string;
  /** Rule length r of the events, when the figure is for one r. */
  r?: number;
  violation: BandSeries;
  control: BandSeries;
}

// ---------------------------------------------------------------------------------------------
// 4. Distributions

/** Violation and control values of one metric at one lookback. */
export interface DistributionData extends TitleOverride {
  metric: string;
  unit?: string;
  /** Lookback j (steps before resolution) the values were taken at. */
  lookback: number;
  r?: number;
  violation: readonly Value[];
  control: readonly Value[];
  /**
   * Approximate number of histogram bins (bin edges are rounded to nice values, so the count
   * may differ slightly). @default Sturges' rule on the pooled finite values, 5 to 40
   */
  bins?: number;
}

// ---------------------------------------------------------------------------------------------
// 5. AUROC versus lookback

/** AUROC curve of one metric for one r. */
export interface AurocCurve {
  metric: string;
  /** Pre-registered primary metric: drawn thick, coloured and in the legend. */
  primary: boolean;
  /** AUROC at lookback j = 1..auroc.length (index j − 1). */
  auroc: readonly Value[];
}

/** One small multiple: every metric's curve for one rule length r. */
export interface AurocPanel {
  r: number;
  curves: readonly AurocCurve[];
  /** Event counts shown in the panel title, when known. */
  nViolations?: number;
  nControls?: number;
}

/** AUROC versus lookback, one panel per r. */
export interface AurocLookbackData extends TitleOverride {
  panels: readonly AurocPanel[];
  /** Horizon threshold line (the engine's `analysis.horizon_threshold`, 0.75 by default). */
  threshold: number;
}

// ---------------------------------------------------------------------------------------------
// 6. Horizon heat map

/** Predictive horizon of each metric (rows) at each r (columns). */
export interface HorizonHeatmapData extends TitleOverride {
  metrics: readonly string[];
  rValues: readonly number[];
  /** horizon[row][col] in lookback steps; 0 = no lookback above threshold, null/NaN = not analysed. */
  horizon: readonly (readonly Value[])[];
  /** Metrics to emphasise (bold row label). */
  primary?: readonly string[];
  /** The AUROC threshold the horizons were computed with, quoted in the title. */
  threshold?: number;
}

// ---------------------------------------------------------------------------------------------
// 7. Spectrum trajectory

/** One line of a spectrum trajectory, e.g. σ1. */
export interface SpectrumSeries {
  label: string;
  values: readonly Value[];
}

/** Singular values (or a metric) of one target over the generation steps of one sequence. */
export interface SpectrumTrajectoryData extends TitleOverride {
  /** Target being shown, e.g. "QKᵀ, layer 0, head 0". */
  target: string;
  /** Sequence identifier shown in the title. */
  sequence: number | string;
  /** Generation step of each value (x axis). */
  steps: readonly number[];
  series: readonly SpectrumSeries[];
  /** y-axis label with its unit. @default "Singular value (dimensionless)" */
  yLabel?: string;
  /** Step at which the rule was violated; marked with a vertical line. */
  violationStep?: number | null;
  /** Step at which the jumper was encountered; marked when given. */
  encounterStep?: number | null;
}

// ---------------------------------------------------------------------------------------------
// 8. Permutation null

/** Null distribution of the maximum AUROC under label permutation versus the observed value. */
export interface PermutationNullData extends TitleOverride {
  metric: string;
  r?: number;
  /** Maximum AUROC over lookbacks of each permutation. */
  nullMaxAuroc: readonly Value[];
  /** Observed maximum AUROC. */
  observed: Value;
  /** Permutation p-value (fraction of permutations with max ≥ observed). */
  pValue: Value;
}

/**
 * The inputs of the HTML reports: the result document, the figures already rendered to SVG,
 * and what a reader needs to reproduce the run.
 */
import type { ResultDocument } from '../pipeline/result-schema';

/** A figure rendered to SVG, inlined into the report (the SVG is trusted: it is never escaped). */
export interface ReportFigure {
  /** File-safe name (`training_curves`); also the figure's anchor and the key that pairs figures in a comparison. */
  name: string;
  /** One line saying what is shown. */
  title: string;
  /** What to read from it (units, lines, thresholds). */
  caption: string;
  /** The complete `<svg>` document. */
  svg: string;
}

/** The reproduction block's facts. */
export interface ReproductionFacts {
  /** The command that runs the experiment, e.g. `npm run experiment -- config.json`. */
  command: string;
  /** The commit the run used (a `-dirty` suffix marks uncommitted changes). */
  gitCommit: string;
  /** The config hash the experiment id is derived from. */
  configHash: string;
}

/** Everything `renderReport` needs. */
export interface ReportInput {
  result: ResultDocument;
  figures: ReportFigure[];
  reproduction: ReproductionFacts;
}

/** One experiment of a comparison. */
export interface ComparisonInput {
  result: ResultDocument;
  figures: ReportFigure[];
}

/**
 * Rendering several figures at once: a spec names a figure and gives its kind and data; the
 * result has the SVG and, when asked for, the PNG of each, in the order given.
 */
import { aurocLookbackFigure } from './auroc-lookback';
import { confusionMatrixFigure } from './confusion-matrix';
import { distributionFigure } from './distributions';
import { eventAlignedFigure } from './event-aligned';
import { horizonHeatmapFigure } from './horizon-heatmap';
import { permutationNullFigure } from './permutation-null';
import { svgToPng } from './png';
import { spectrumTrajectoryFigure } from './spectrum-trajectory';
import { trainingCurvesFigure } from './training-curves';
import type {
  AurocLookbackData,
  ConfusionMatrixData,
  DistributionData,
  EventAlignedData,
  HorizonHeatmapData,
  PermutationNullData,
  SpectrumTrajectoryData,
  TrainingCurvesData,
} from './types';

/** Input type of each figure kind. */
export interface FigureInputs {
  'training-curves': TrainingCurvesData;
  'confusion-matrix': ConfusionMatrixData;
  'event-aligned': EventAlignedData;
  distribution: DistributionData;
  'auroc-lookback': AurocLookbackData;
  'horizon-heatmap': HorizonHeatmapData;
  'spectrum-trajectory': SpectrumTrajectoryData;
  'permutation-null': PermutationNullData;
}

/** One of the figure kinds. */
export type FigureKind = keyof FigureInputs;

/** The renderer of each kind (data → SVG string). */
export const FIGURE_RENDERERS: { readonly [K in FigureKind]: (data: FigureInputs[K]) => string } = {
  'training-curves': trainingCurvesFigure,
  'confusion-matrix': confusionMatrixFigure,
  'event-aligned': eventAlignedFigure,
  distribution: distributionFigure,
  'auroc-lookback': aurocLookbackFigure,
  'horizon-heatmap': horizonHeatmapFigure,
  'spectrum-trajectory': spectrumTrajectoryFigure,
  'permutation-null': permutationNullFigure,
};

/** A figure to render: a file-safe `name` (used for `figures/<name>.svg`), its kind and data. */
export type FigureSpec = { [K in FigureKind]: { name: string; kind: K; data: FigureInputs[K] } }[FigureKind];

/** A rendered figure. */
export interface RenderedFigure {
  name: string;
  kind: FigureKind;
  svg: string;
  /** PNG bytes, when `png` was requested. */
  png?: Buffer;
}

/** Options of `renderFigureSet`. */
export interface RenderOptions {
  /** Also rasterise each figure. @default false */
  png?: boolean;
  /** PNG pixels per SVG unit. @default 2 */
  scale?: number;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Renders one spec to SVG. */
export function renderFigure(spec: FigureSpec): string {
  const render = FIGURE_RENDERERS[spec.kind] as (data: FigureSpec['data']) => string;
  return render(spec.data);
}

/**
 * Renders every spec in order. Throws RangeError for a name that is not file-safe or used
 * twice (before rendering anything), and an Error naming the figure when a renderer throws.
 */
export function renderFigureSet(specs: readonly FigureSpec[], options: RenderOptions = {}): RenderedFigure[] {
  const seen = new Set<string>();
  for (const spec of specs) {
    if (!NAME.test(spec.name)) throw new RangeError(`renderFigureSet: figure name must match ${NAME}, got ${JSON.stringify(spec.name)}`);
    if (seen.has(spec.name)) throw new RangeError(`renderFigureSet: figure name ${JSON.stringify(spec.name)} is used twice`);
    seen.add(spec.name);
  }
  return specs.map((spec) => {
    try {
      const svg = renderFigure(spec);
      return options.png ? { name: spec.name, kind: spec.kind, svg, png: svgToPng(svg, { scale: options.scale }) } : { name: spec.name, kind: spec.kind, svg };
    } catch (error) {
      throw new Error(`figure ${spec.name} (${spec.kind}): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  });
}

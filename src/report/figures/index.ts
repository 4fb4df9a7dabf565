/**
 * The figure library: pure functions from plain data (`types.ts`) to fixed-size SVG strings
 * drawn with d3-node, one colour-blind-safe palette (`palette.ts`), and PNG through resvg.
 */
export type * from './types';
export { OKABE_ITO, ROLE, CATEGORICAL, SEQUENTIAL_STOPS } from './palette';
export { trainingCurvesFigure, movingAverage } from './training-curves';
export { confusionMatrixFigure } from './confusion-matrix';
export { eventAlignedFigure } from './event-aligned';
export { meanBand } from './band';
export { distributionFigure } from './distributions';
export { aurocLookbackFigure } from './auroc-lookback';
export { horizonHeatmapFigure } from './horizon-heatmap';
export { spectrumTrajectoryFigure } from './spectrum-trajectory';
export { permutationNullFigure } from './permutation-null';
export { svgToPng, type PngOptions } from './png';
export { noDataFigure } from './frame';
export {
  FIGURE_RENDERERS,
  renderFigure,
  renderFigureSet,
  type FigureInputs,
  type FigureKind,
  type FigureSpec,
  type RenderedFigure,
  type RenderOptions,
} from './figure-set';

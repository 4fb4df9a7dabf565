/**
 * Parallel SVD metrics for the evaluation stage: {@link createSvdMetricPool} and its types.
 */
export { createSvdMetricPool } from './pool';
export { SerialSvdMetricPool } from './serial';
export { METRICS_PER_MATRIX, type StepTarget, type SvdJob, type SvdJobResult, type SvdMetricPool, type SvdMetricPoolOptions } from './types';

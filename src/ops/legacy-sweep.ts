/**
 * The original config's `sweep` block as a sweep (the reference declared it but never ran
 * it). Each `*_values` field present in the file becomes an axis on the field it names;
 * absent fields keep the base config's value rather than the reference's defaults, so
 * `"sweep": { "seeds": [1, 2] }` sweeps seeds only.
 *
 * `r_scale_values` sets `training.r = max(1, trunc(scale * w))`: in the reference it scaled
 * w to give the run's r (the anchor's r = 57 = trunc(0.9 * 64)). Here `training.r` is a label
 * and a validation bound (method.md section 1), so points that differ only in r share every
 * artifact; the rule lengths of the jumpers stay `graph.jumper_r_scales`.
 */
import { setConfigPath } from './config-paths';
import type { SweepAxis } from './sweep-spec';

/** Original field -> config path, in application order (w before r_scale, which reads w). */
const PLAIN_FIELDS: readonly (readonly [string, string])[] = [
  ['n_values', 'graph.n'],
  ['K_values', 'graph.K'],
  ['p_in_values', 'graph.p_in'],
  ['p_out_values', 'graph.p_out'],
  ['w_values', 'training.w'],
  ['d_model_values', 'model.d_model'],
  ['n_layers_values', 'model.n_layers'],
];

/** The reference's default w, used when neither the base nor a point sets training.w. */
const DEFAULT_W = 64;

/** The axes of a raw (already schema-valid) sweep block, in application order. */
export function legacySweepAxes(block: Record<string, unknown>): SweepAxis[] {
  const axes: SweepAxis[] = [];
  for (const [field, path] of PLAIN_FIELDS) {
    const values = block[field];
    if (Array.isArray(values)) axes.push({ name: path, values, apply: (raw, value) => setConfigPath(raw, path, value) });
  }
  if (Array.isArray(block.r_scale_values)) {
    axes.push({ name: 'sweep.r_scale_values', values: block.r_scale_values, apply: applyRScale });
  }
  if (Array.isArray(block.seeds)) axes.push({ name: 'seed', values: block.seeds, apply: (raw, value) => setConfigPath(raw, 'seed', value) });
  return axes;
}

function applyRScale(raw: Record<string, unknown>, scale: unknown): void {
  const training = raw.training as Record<string, unknown> | undefined;
  const w = typeof training?.w === 'number' ? training.w : DEFAULT_W;
  // The epsilon keeps products such as 0.29 * 100 = 28.999999999999996 from truncating down.
  setConfigPath(raw, 'training.r', Math.max(1, Math.trunc((scale as number) * w + 1e-9)));
}

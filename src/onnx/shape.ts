/**
 * Static-shape arithmetic for graph building: numpy broadcasting, sizes and axis handling.
 * Every value in our graphs has a fully known shape, which lets the builder check each op
 * and lets autodiff undo broadcasting with exact ReduceSum axes.
 */
import { StageError } from '../errors';

/** A fully static tensor shape. */
export type Shape = readonly number[];

/** Number of elements of a shape (1 for a scalar). */
export function sizeOf(shape: Shape): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** True when two shapes are identical. */
export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** The numpy-broadcast result of several shapes; throws when they are incompatible. */
export function broadcastShapes(...shapes: Shape[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let dim = 1;
    for (const s of shapes) {
      const d = s[s.length - rank + i] ?? 1;
      if (d === 1) continue;
      if (dim !== 1 && dim !== d) throw new StageError(`onnx: shapes [${shapes.map((x) => `[${x}]`).join(', ')}] do not broadcast`);
      dim = d;
    }
    out.push(dim);
  }
  return out;
}

/** Normalises a possibly negative axis for a tensor of `rank`. */
export function normAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new StageError(`onnx: axis ${axis} out of range for rank ${rank}`);
  return a;
}

/**
 * The axes along which a tensor of `from` shape was broadcast to `to` shape: leading extra
 * axes plus axes where `from` had size 1 and `to` does not.
 */
export function broadcastAxes(from: Shape, to: Shape): number[] {
  const lead = to.length - from.length;
  const axes: number[] = [];
  for (let i = 0; i < to.length; i++) {
    if (i < lead || (from[i - lead] === 1 && to[i] !== 1)) axes.push(i);
  }
  return axes;
}

/** Resolves a Reshape target with at most one -1 (and no 0 copies) for an input of `size`. */
export function resolveReshape(target: Shape, size: number): number[] {
  const known = target.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const out = target.map((d) => (d === -1 ? size / known : d));
  if (sizeOf(out) !== size || !out.every(Number.isInteger)) {
    throw new StageError(`onnx: cannot reshape ${size} elements to [${target}]`);
  }
  return out;
}

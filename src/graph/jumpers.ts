/**
 * Block-jumper designation (reference-pipeline.md sections 4.2 and 4.3) on the stream
 * `Rng.derive(seed, 'jumpers')`, with non-triviality read from exact reachability tables.
 */
import type { GraphConfig } from '../config/schema';
import { jumperRValues } from '../config/jumper-r';
import { InputError } from '../errors';
import { Rng } from '../random/rng';
import type { DcsbmGraph, Jumper } from './graph';
import { canReach, type Reachability } from './reachability';

/** Designated jumpers, sorted by (sourceBlock, vertex), and every non-fatal remark. */
export interface JumperDesignation {
  jumpers: Jumper[];
  warnings: string[];
}

/** The number of steps the reachability tables must cover for this config: the largest rule length. */
export function jumperReachSteps(graphConfig: GraphConfig, w: number): number {
  return Math.max(...jumperRValues(graphConfig.jumper_r_scales, w));
}

/**
 * A jumper rule (v, target, r) is non-trivial iff the target block is reachable from v in
 * exactly r steps AND at least one other block is too, so the rule is satisfiable but not automatic.
 */
export function isNonTrivial(reach: Reachability, vertex: number, targetBlock: number, r: number): boolean {
  if (!canReach(reach, r, vertex, targetBlock)) return false;
  for (let b = 0; b < reach.K; b++) if (b !== targetBlock && canReach(reach, r, vertex, b)) return true;
  return false;
}

/**
 * Designates `graphConfig.n_jumpers_per_block` jumpers per block. For each block in order:
 * picks distinct vertices uniformly; each pick gets the next rule length of
 * `jumperRValues(graph.jumper_r_scales, w)` in round-robin over the global designation order
 * and a uniform target among the other blocks. A trivial pick is replaced by the first
 * non-trivial one of floor(blockSize / 2) shuffled candidates with the same r and target; when
 * none works the jumper is skipped with a warning. Unlike the reference, a vertex is never
 * designated twice (candidates exclude every pick of the block and every accepted jumper).
 * `reach` must cover the largest rule length ({@link jumperReachSteps}).
 * Throws InputError when a block has fewer vertices than jumpers requested.
 */
export function designateJumpers(
  graph: DcsbmGraph,
  graphConfig: GraphConfig,
  w: number,
  seed: number,
  reach: Reachability,
): JumperDesignation {
  const perBlock = graphConfig.n_jumpers_per_block;
  const rValues = jumperRValues(graphConfig.jumper_r_scales, w);
  const warnings: string[] = [];
  if (perBlock === 0) return { jumpers: [], warnings };
  if (perBlock > graph.blockSize) {
    throw new InputError(
      `jumpers: graph.n_jumpers_per_block=${perBlock} exceeds the block size ${graph.blockSize}`,
    );
  }
  if (graph.K < 2) {
    return { jumpers: [], warnings: [`jumpers: graph.K=${graph.K} leaves no other block to jump to; none designated`] };
  }
  if (Math.max(...rValues) > reach.maxSteps) {
    throw new RangeError(`designateJumpers: reachability covers ${reach.maxSteps} steps, rules need ${Math.max(...rValues)}`);
  }
  const rng = Rng.derive(seed, 'jumpers');
  const used = new Set<number>();
  const jumpers: Jumper[] = [];
  let globalIdx = 0;
  for (let b = 0; b < graph.K; b++) {
    const first = b * graph.blockSize;
    const picks = rng.sampleWithoutReplacement(graph.blockSize, perBlock).map((i) => first + i);
    const others = Array.from({ length: graph.K - 1 }, (_, i) => (i < b ? i : i + 1));
    for (const v of picks) {
      const r = rValues[globalIdx++ % rValues.length];
      const targetBlock = others[rng.int(others.length)];
      const vertex = isNonTrivial(reach, v, targetBlock, r)
        ? v
        : fallbackVertex(graph, reach, rng, { block: b, picks, used, targetBlock, r });
      if (vertex === undefined) {
        warnings.push(`jumpers: no non-trivial vertex in block ${b} for target ${targetBlock}, r=${r}; jumper skipped`);
        continue;
      }
      used.add(vertex);
      jumpers.push({ vertex, sourceBlock: b, targetBlock, r });
    }
  }
  const unused = rValues.filter((r) => !jumpers.some((j) => j.r === r));
  if (unused.length > 0) warnings.push(`jumpers: rule lengths ${unused.join(', ')} are used by no jumper`);
  jumpers.sort((x, y) => x.sourceBlock - y.sourceBlock || x.vertex - y.vertex);
  return { jumpers, warnings };
}

interface FallbackRequest {
  block: number;
  picks: readonly number[];
  used: ReadonlySet<number>;
  targetBlock: number;
  r: number;
}

/** The first non-trivial vertex among floor(blockSize / 2) shuffled candidates of the block, if any. */
function fallbackVertex(graph: DcsbmGraph, reach: Reachability, rng: Rng, request: FallbackRequest): number | undefined {
  const { block, picks, used, targetBlock, r } = request;
  const candidates: number[] = [];
  for (let u = block * graph.blockSize; u < (block + 1) * graph.blockSize; u++) {
    if (!picks.includes(u) && !used.has(u)) candidates.push(u);
  }
  rng.shuffle(candidates);
  const tries = Math.min(candidates.length, Math.floor(graph.blockSize / 2));
  for (let i = 0; i < tries; i++) if (isNonTrivial(reach, candidates[i], targetBlock, r)) return candidates[i];
  return undefined;
}

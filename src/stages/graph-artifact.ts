/**
 * The graph artifact's files: `graph_vertices.parquet` (id, block, theta, is_jumper, r,
 * target_block; r and target_block are null for ordinary vertices) and `graph_edges.parquet`
 * (src, dst in CSR order). Written by the graph stage, read back by every later stage.
 */
import { columnData, getColumn, readParquet, writeParquet } from '../artifacts/parquet';
import { InputError } from '../errors';
import { csrFromEdges } from '../graph/csr';
import type { DcsbmGraph, Jumper } from '../graph/graph';
import type { UpstreamArtifact } from '../pipeline/stage';

export const VERTICES_FILE = 'graph_vertices.parquet';
export const EDGES_FILE = 'graph_edges.parquet';

/** What the graph stage records in its manifest summary besides counts. */
export interface GraphSummary {
  n: number;
  K: number;
  block_size: number;
  attempt: number;
  [key: string]: unknown;
}

/** Writes the two Parquet files of a graph and its jumpers. */
export async function writeGraphFiles(graph: DcsbmGraph, jumpers: readonly Jumper[], output: (name: string) => string): Promise<void> {
  const isJumper = new Uint8Array(graph.n);
  const r = new Int32Array(graph.n);
  const target = new Int32Array(graph.n);
  for (const jumper of jumpers) {
    isJumper[jumper.vertex] = 1;
    r[jumper.vertex] = jumper.r;
    target[jumper.vertex] = jumper.targetBlock;
  }
  await writeParquet(output(VERTICES_FILE), [
    { name: 'id', type: 'int32', data: Int32Array.from({ length: graph.n }, (_, v) => v) },
    { name: 'block', type: 'int32', data: graph.block },
    { name: 'theta', type: 'float64', data: graph.theta },
    { name: 'is_jumper', type: 'bool', data: isJumper },
    { name: 'r', type: 'int32', data: r, valid: isJumper },
    { name: 'target_block', type: 'int32', data: target, valid: isJumper },
  ]);
  const sources = new Int32Array(graph.colIdx.length);
  for (let v = 0; v < graph.n; v++) sources.fill(v, graph.rowPtr[v], graph.rowPtr[v + 1]);
  await writeParquet(output(EDGES_FILE), [
    { name: 'src', type: 'int32', data: sources },
    { name: 'dst', type: 'int32', data: graph.colIdx },
  ]);
}

/** Rebuilds the graph and its jumpers from a graph artifact. */
export async function readGraphArtifact(artifact: UpstreamArtifact): Promise<{ graph: DcsbmGraph; jumpers: Jumper[] }> {
  const summary = artifact.manifest.summary as GraphSummary;
  const vertices = await readParquet(artifact.file(VERTICES_FILE));
  const edges = await readParquet(artifact.file(EDGES_FILE));
  const block = columnData(vertices, 'block', 'int32');
  if (block.length !== summary.n) {
    throw new InputError(`graph artifact ${artifact.manifest.key.slice(0, 12)}: ${VERTICES_FILE} has ${block.length} rows, expected n = ${summary.n}`);
  }
  const csr = csrFromEdges(summary.n, columnData(edges, 'src', 'int32'), columnData(edges, 'dst', 'int32'));
  const graph: DcsbmGraph = {
    n: summary.n,
    K: summary.K,
    blockSize: summary.block_size,
    block,
    theta: columnData(vertices, 'theta', 'float64'),
    rowPtr: csr.rowPtr,
    colIdx: csr.colIdx,
    attempt: summary.attempt,
  };
  return { graph, jumpers: jumpersFrom(vertices) };
}

function jumpersFrom(vertices: Awaited<ReturnType<typeof readParquet>>): Jumper[] {
  const ids = columnData(vertices, 'id', 'int32');
  const isJumper = columnData(vertices, 'is_jumper', 'bool');
  const block = columnData(vertices, 'block', 'int32');
  const r = getColumn(vertices, 'r', 'int32').data;
  const target = getColumn(vertices, 'target_block', 'int32').data;
  const jumpers: Jumper[] = [];
  for (let i = 0; i < ids.length; i++) {
    if (isJumper[i]) jumpers.push({ vertex: ids[i], sourceBlock: block[i], targetBlock: target[i], r: r[i] });
  }
  return jumpers;
}

/**
 * The trained parameters as a plain file of the train artifact, `model_weights.bin`, so the
 * evaluate stage builds its own graphs (extraction, inference) without parsing ONNX.
 *
 * Layout, all little-endian:
 *   bytes 0..7    magic `GTWTS001`
 *   bytes 8..11   uint32 byte length H of the JSON header
 *   bytes 12..    the UTF-8 JSON header {@link WeightsHeader}, padded with spaces so the data
 *                 starts at a multiple of 4
 *   then          the float32 data of every tensor, in header order, back to back
 * Offsets in the header are in float32 elements from the start of the data section.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { InputError } from '../errors';
import type { ModelWeights } from '../model/model-weights';
import type { UpstreamArtifact } from '../pipeline/stage';

/** The train artifact's weights file. */
export const MODEL_WEIGHTS_FILE = 'model_weights.bin';

const MAGIC = 'GTWTS001';
const PREFIX_BYTES = MAGIC.length + 4;

/** One tensor of the header. */
export interface WeightsEntry {
  name: string;
  /** Logical shape ([out, in] for Linears); its product is `length`. */
  shape: number[];
  /** First element in the data section. */
  offset: number;
  /** Number of float32 elements. */
  length: number;
}

/** The JSON header of the weights file. */
export interface WeightsHeader {
  format: 'float32-le';
  tensors: WeightsEntry[];
}

/**
 * Encodes `weights` (in their iteration order). `shapeOf` gives a tensor's logical shape;
 * a tensor it does not know is recorded flat. Throws RangeError for a shape that does not
 * match the tensor's length.
 */
export function encodeModelWeights(weights: ModelWeights, shapeOf: (name: string) => readonly number[] | undefined = () => undefined): Uint8Array {
  const tensors: WeightsEntry[] = [];
  let offset = 0;
  for (const [name, data] of weights) {
    const shape = [...(shapeOf(name) ?? [data.length])];
    if (shape.reduce((a, n) => a * n, 1) !== data.length) throw new RangeError(`model weights: ${name} has ${data.length} values, not [${shape}]`);
    tensors.push({ name, shape, offset, length: data.length });
    offset += data.length;
  }
  const header = paddedHeader({ format: 'float32-le', tensors });
  const bytes = new Uint8Array(PREFIX_BYTES + header.length + 4 * offset);
  const view = new DataView(bytes.buffer);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  view.setUint32(MAGIC.length, header.length, true);
  bytes.set(header, PREFIX_BYTES);
  const dataStart = PREFIX_BYTES + header.length;
  for (const entry of tensors) {
    const data = weights.get(entry.name) as Float32Array;
    // DataView rather than a Float32Array view: the file is little-endian whatever the host is.
    for (let i = 0; i < data.length; i++) view.setFloat32(dataStart + 4 * (entry.offset + i), data[i], true);
  }
  return bytes;
}

/** The header as UTF-8, padded with spaces so that the data section is 4-byte aligned. */
function paddedHeader(header: WeightsHeader): Uint8Array {
  const json = JSON.stringify(header);
  const raw = new TextEncoder().encode(json);
  const padding = (4 - ((PREFIX_BYTES + raw.length) % 4)) % 4;
  return new TextEncoder().encode(json + ' '.repeat(padding));
}

/**
 * Decodes a weights file into parameter tensors by name (each its own array). Throws
 * InputError for a file that is not a weights file or whose header does not fit its data.
 */
export function decodeModelWeights(bytes: Uint8Array, source = MODEL_WEIGHTS_FILE): Map<string, Float32Array> {
  const fail = (why: string): never => {
    throw new InputError(`${source}: ${why}`);
  };
  if (bytes.length < PREFIX_BYTES || new TextDecoder().decode(bytes.subarray(0, MAGIC.length)) !== MAGIC) fail('not a model weights file (bad magic)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(MAGIC.length, true);
  const dataStart = PREFIX_BYTES + headerLength;
  if (dataStart > bytes.length) fail(`header of ${headerLength} bytes runs past the end of the file`);
  const header = parseHeader(new TextDecoder().decode(bytes.subarray(PREFIX_BYTES, dataStart)), fail);
  const available = (bytes.length - dataStart) / 4;
  const weights = new Map<string, Float32Array>();
  for (const entry of header.tensors) {
    if (entry.offset + entry.length > available) fail(`tensor ${entry.name} runs past the end of the data`);
    const data = new Float32Array(entry.length);
    for (let i = 0; i < entry.length; i++) data[i] = view.getFloat32(dataStart + 4 * (entry.offset + i), true);
    weights.set(entry.name, data);
  }
  return weights;
}

function parseHeader(json: string, fail: (why: string) => never): WeightsHeader {
  let header: unknown;
  try {
    header = JSON.parse(json);
  } catch {
    fail('the header is not JSON');
  }
  const candidate = header as Partial<WeightsHeader> | null;
  if (candidate?.format !== 'float32-le' || !Array.isArray(candidate.tensors)) fail('the header has no float32-le tensor list');
  for (const entry of (candidate as WeightsHeader).tensors) {
    const valid = typeof entry?.name === 'string' && [entry.offset, entry.length].every((n) => Number.isSafeInteger(n) && n >= 0);
    if (!valid) fail(`malformed header entry ${JSON.stringify(entry)}`);
  }
  return candidate as WeightsHeader;
}

/** Writes `weights` to `path`; see {@link encodeModelWeights}. */
export async function writeModelWeights(path: string, weights: ModelWeights, shapeOf?: (name: string) => readonly number[] | undefined): Promise<void> {
  await writeFile(path, encodeModelWeights(weights, shapeOf));
}

/**
 * The trained parameters of a train artifact. Not checked against model dimensions here:
 * the caller does that with `checkWeights`, which names every mismatch.
 */
export async function readModelWeights(artifact: UpstreamArtifact): Promise<Map<string, Float32Array>> {
  const path = artifact.file(MODEL_WEIGHTS_FILE);
  return decodeModelWeights(new Uint8Array(await readFile(path)), path);
}

/**
 * Encodes the ONNX ModelProto subset our graphs need (onnx.proto3 field numbers): nodes with
 * int/float/ints/floats/string/tensor attributes, raw-data initializers, and inputs/outputs
 * with static tensor shapes. IR version 8, default-domain opset 18.
 */
import { ONNX_DTYPE_CODE, rawBytes, type DType, type TensorData } from './dtype';
import { ProtoWriter } from './protobuf-writer';

/** ONNX IR version written into every model. */
export const IR_VERSION = 8;
/** Default-domain opset written into every model. */
export const OPSET_VERSION = 18;

/** A node attribute value, tagged with its ONNX attribute kind. */
export type Attribute =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'ints'; value: readonly number[] }
  | { kind: 'floats'; value: readonly number[] }
  | { kind: 'string'; value: string }
  | { kind: 'tensor'; value: TensorDef };

/** A named tensor with data (initializer or tensor attribute). */
export interface TensorDef {
  name: string;
  dtype: DType;
  shape: readonly number[];
  data: TensorData;
}

/** A graph input or output declaration. */
export interface ValueInfoDef {
  name: string;
  dtype: DType;
  shape: readonly number[];
}

/** One operator application. */
export interface NodeDef {
  opType: string;
  name: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes: Readonly<Record<string, Attribute>>;
  /** Operator domain; '' is the default ONNX domain. */
  domain?: string;
}

/** Everything needed to write a model. */
export interface ModelDef {
  name: string;
  nodes: readonly NodeDef[];
  initializers: readonly TensorDef[];
  inputs: readonly ValueInfoDef[];
  outputs: readonly ValueInfoDef[];
  /** Extra operator-set imports, e.g. `{ 'com.microsoft': 1 }`. */
  extraOpsets?: Readonly<Record<string, number>>;
}

// AttributeProto.AttributeType codes.
const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7 } as const;

/** Serialises a model to ONNX protobuf bytes. */
export function encodeModel(model: ModelDef): Uint8Array {
  const graph = new ProtoWriter();
  for (const node of model.nodes) graph.message(1, encodeNode(node));
  graph.string(2, model.name);
  for (const init of model.initializers) graph.message(5, encodeTensor(init));
  for (const input of model.inputs) graph.message(11, encodeValueInfo(input));
  for (const output of model.outputs) graph.message(12, encodeValueInfo(output));

  const out = new ProtoWriter().varint(1, IR_VERSION).string(2, 'dcsbm-transformer');
  out.message(7, graph);
  out.message(8, new ProtoWriter().string(1, '').varint(2, OPSET_VERSION));
  for (const [domain, version] of Object.entries(model.extraOpsets ?? {})) {
    out.message(8, new ProtoWriter().string(1, domain).varint(2, version));
  }
  return out.finish();
}

function encodeNode(node: NodeDef): ProtoWriter {
  const w = new ProtoWriter();
  for (const input of node.inputs) w.string(1, input);
  for (const output of node.outputs) w.string(2, output);
  w.string(3, node.name).string(4, node.opType);
  for (const [name, attr] of Object.entries(node.attributes)) w.message(5, encodeAttribute(name, attr));
  if (node.domain) w.string(7, node.domain);
  return w;
}

function encodeAttribute(name: string, attr: Attribute): ProtoWriter {
  const w = new ProtoWriter().string(1, name);
  switch (attr.kind) {
    case 'float':
      w.float(2, attr.value);
      break;
    case 'int':
      w.varint(3, attr.value);
      break;
    case 'string':
      w.string(4, attr.value);
      break;
    case 'tensor':
      w.message(5, encodeTensor(attr.value));
      break;
    case 'floats':
      w.packedFloat(7, attr.value);
      break;
    case 'ints':
      w.packedInt64(8, attr.value);
      break;
  }
  return w.varint(20, ATTRIBUTE_TYPE[attr.kind]);
}

function encodeTensor(tensor: TensorDef): ProtoWriter {
  const w = new ProtoWriter();
  if (tensor.shape.length > 0) w.packedInt64(1, tensor.shape);
  w.varint(2, ONNX_DTYPE_CODE[tensor.dtype]).string(8, tensor.name);
  return w.bytes(9, rawBytes(tensor.data));
}

function encodeValueInfo(info: ValueInfoDef): ProtoWriter {
  const shape = new ProtoWriter();
  for (const dim of info.shape) shape.message(1, new ProtoWriter().varint(1, dim));
  const tensorType = new ProtoWriter().varint(1, ONNX_DTYPE_CODE[info.dtype]).message(2, shape);
  return new ProtoWriter().string(1, info.name).message(2, new ProtoWriter().message(1, tensorType));
}

/**
 * Element types our graphs use, their ONNX TensorProto codes and their typed arrays.
 */

/** Element types a graph value can have. */
export const DTYPES = ['float32', 'float64', 'int32', 'int64', 'bool'] as const;
export type DType = (typeof DTYPES)[number];

/** The floating-point type a whole graph is built in (float64 only for gradient checks). */
export type FloatType = 'float32' | 'float64';

/** ONNX `TensorProto.DataType` codes. */
export const ONNX_DTYPE_CODE: Readonly<Record<DType, number>> = {
  float32: 1,
  int32: 6,
  int64: 7,
  bool: 9,
  float64: 11,
};

/** Host-side storage of a tensor of each element type. */
export interface TypedArrayFor {
  float32: Float32Array;
  float64: Float64Array;
  int32: Int32Array;
  int64: BigInt64Array;
  bool: Uint8Array;
}

/** Any typed array that can hold tensor data. */
export type TensorData = TypedArrayFor[DType];

/** True for the element types autodiff differentiates. */
export function isFloat(dtype: DType): dtype is FloatType {
  return dtype === 'float32' || dtype === 'float64';
}

/** A typed array of `dtype` holding `values` (numbers, converted; bigint for int64). */
export function typedArrayOf(dtype: DType, values: ArrayLike<number>): TensorData {
  switch (dtype) {
    case 'float32':
      return Float32Array.from(values);
    case 'float64':
      return Float64Array.from(values);
    case 'int32':
      return Int32Array.from(values);
    case 'int64':
      return BigInt64Array.from(Array.from(values, (v) => BigInt(v)));
    case 'bool':
      return Uint8Array.from(values, (v) => (v ? 1 : 0));
  }
}

/** Little-endian raw bytes of a typed array (ONNX `raw_data`). */
export function rawBytes(data: TensorData): Uint8Array {
  // Typed arrays are host-endian; every platform onnxruntime-node ships for is little-endian.
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
}

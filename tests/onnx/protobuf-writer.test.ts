import { describe, expect, it } from 'vitest';
import { ProtoWriter } from '../../src/onnx/protobuf-writer';

describe('ProtoWriter', () => {
  it('encodes varints as in the protobuf documentation (field 1 = 150 -> 08 96 01)', () => {
    expect(Array.from(new ProtoWriter().varint(1, 150).finish())).toEqual([0x08, 0x96, 0x01]);
  });

  it('encodes strings and nested messages length-delimited', () => {
    const inner = new ProtoWriter().varint(1, 1);
    expect(Array.from(new ProtoWriter().string(2, 'ab').message(3, inner).finish())).toEqual([0x12, 2, 97, 98, 0x1a, 2, 0x08, 1]);
  });

  it('encodes negative int64 values in ten bytes (two complement)', () => {
    const bytes = new ProtoWriter().packedInt64(1, [-1]).finish();
    expect(Array.from(bytes)).toEqual([0x0a, 10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  });

  it('BAD CALL - rejects non-integer varints', () => {
    expect(() => new ProtoWriter().varint(1, 1.5)).toThrow(RangeError);
  });
});

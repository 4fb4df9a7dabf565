/**
 * A minimal protobuf wire-format writer: just the field kinds the ONNX ModelProto subset
 * needs (varint, length-delimited bytes/strings/sub-messages). Hand-written because the
 * protobufjs version ONNX tooling expects clashes with the one Temporal needs.
 */

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;

const textEncoder = new TextEncoder();

/** Accumulates one protobuf message; nested messages are encoded separately and embedded. */
export class ProtoWriter {
  #chunks: Uint8Array[] = [];
  #length = 0;

  /** Writes an unsigned or non-negative varint field (int64 values up to 2^53). */
  varint(field: number, value: number): this {
    this.#tag(field, WIRE_VARINT);
    this.#rawVarint(value);
    return this;
  }

  /** Writes a length-delimited bytes field. */
  bytes(field: number, value: Uint8Array): this {
    this.#tag(field, WIRE_LENGTH_DELIMITED);
    this.#rawVarint(value.length);
    this.#push(value);
    return this;
  }

  /** Writes a UTF-8 string field. */
  string(field: number, value: string): this {
    return this.bytes(field, textEncoder.encode(value));
  }

  /** Embeds a sub-message. */
  message(field: number, value: ProtoWriter): this {
    return this.bytes(field, value.finish());
  }

  /** Writes a float field (wire type 5, little-endian float32). */
  float(field: number, value: number): this {
    this.#tag(field, 5);
    const buf = new Uint8Array(4);
    new DataView(buf.buffer).setFloat32(0, value, true);
    this.#push(buf);
    return this;
  }

  /** Writes a packed repeated int64 field (values must be safe integers; negatives allowed). */
  packedInt64(field: number, values: readonly number[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.#rawVarint(v);
    return this.bytes(field, inner.finish());
  }

  /** Writes a packed repeated float field. */
  packedFloat(field: number, values: readonly number[]): this {
    const buf = new Uint8Array(values.length * 4);
    const view = new DataView(buf.buffer);
    values.forEach((v, i) => view.setFloat32(i * 4, v, true));
    return this.bytes(field, buf);
  }

  /** The encoded message. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.#length);
    let offset = 0;
    for (const chunk of this.#chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }

  #tag(field: number, wireType: number): void {
    this.#rawVarint(field * 8 + wireType);
  }

  #rawVarint(value: number): void {
    if (!Number.isSafeInteger(value)) throw new RangeError(`ProtoWriter: varint must be a safe integer, got ${value}`);
    // Negative int64 values are encoded as their 64-bit two's complement (10 bytes).
    let big = value < 0 ? BigInt.asUintN(64, BigInt(value)) : null;
    const bytes: number[] = [];
    if (big === null) {
      let v = value;
      while (v >= 0x80) {
        bytes.push((v % 0x80) | 0x80);
        v = Math.floor(v / 0x80);
      }
      bytes.push(v);
    } else {
      while (big >= 0x80n) {
        bytes.push(Number(big & 0x7fn) | 0x80);
        big >>= 7n;
      }
      bytes.push(Number(big));
    }
    this.#push(Uint8Array.from(bytes));
  }

  #push(chunk: Uint8Array): void {
    this.#chunks.push(chunk);
    this.#length += chunk.length;
  }
}

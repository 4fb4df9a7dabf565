/**
 * A minimal WebAssembly assembler: just the module sections and instructions that the SVD
 * kernels (wasm-kernels.ts) use, so the kernels need no toolchain, no binary blob and no
 * dependency. Encoding follows the WebAssembly core specification 2.0 (binary format),
 * with the fixed-width SIMD proposal merged into it.
 * @internal
 */

/** Value types. */
export const I32 = 0x7f;
export const F64 = 0x7c;
export const V128 = 0x7b;

/** Opcodes (single byte). */
export const OP = {
  return: 0x0f,
  select: 0x1b,
  f64Eq: 0x61,
  i32Eqz: 0x45,
  i32LtS: 0x48,
  i32GtS: 0x4a,
  i32GeS: 0x4e,
  i32And: 0x71,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32Shl: 0x74,
  f64Load: 0x2b,
  f64Store: 0x39,
  f64Ne: 0x62,
  f64Lt: 0x63,
  f64Ge: 0x66,
  f64Add: 0xa0,
  f64Sub: 0xa1,
  f64Mul: 0xa2,
  f64Div: 0xa3,
  f64Min: 0xa4,
} as const;

/** SIMD opcodes (after the 0xfd prefix). */
export const SIMD = {
  load: 0x00,
  store: 0x0b,
  f64x2Splat: 0x14,
  f64x2ExtractLane: 0x21,
  f64x2Add: 0xf0,
  f64x2Sub: 0xf1,
  f64x2Mul: 0xf2,
} as const;

function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

function sleb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function name(text: string): number[] {
  const bytes = Array.from(new TextEncoder().encode(text));
  return [...uleb(bytes.length), ...bytes];
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

/** Instruction emitter for one function body; locals are numbered after the parameters. */
export class Code {
  readonly bytes: number[] = [];
  readonly params: number[];
  readonly results: number[];
  readonly #locals: number[] = [];

  constructor(params: number[], results: number[] = []) {
    this.params = params;
    this.results = results;
  }

  /** Declares a local of type `type` and returns its index. */
  local(type: number): number {
    this.#locals.push(type);
    return this.params.length + this.#locals.length - 1;
  }

  op(...bytes: number[]): this {
    this.bytes.push(...bytes);
    return this;
  }
  get(index: number): this {
    return this.op(0x20, ...uleb(index));
  }
  set(index: number): this {
    return this.op(0x21, ...uleb(index));
  }
  tee(index: number): this {
    return this.op(0x22, ...uleb(index));
  }
  i32(value: number): this {
    return this.op(0x41, ...sleb(value));
  }
  f64(value: number): this {
    return this.op(0x44, ...new Uint8Array(Float64Array.of(value).buffer));
  }
  /** f64.load / f64.store with a constant byte offset added to the address on the stack. */
  load(offset = 0): this {
    return this.op(OP.f64Load, 3, ...uleb(offset));
  }
  store(offset = 0): this {
    return this.op(OP.f64Store, 3, ...uleb(offset));
  }
  /** SIMD instruction `code` (0xfd prefix) with its immediates. */
  simd(code: number, ...immediates: number[]): this {
    return this.op(0xfd, ...uleb(code), ...immediates);
  }
  /** v128.load / v128.store of 8-byte-aligned data at the address on the stack. */
  loadV(): this {
    return this.simd(SIMD.load, 3, 0);
  }
  storeV(): this {
    return this.simd(SIMD.store, 3, 0);
  }
  /** `loop … br_if 0 end`: runs `body` at least once, again while it leaves a nonzero i32. */
  doWhile(body: () => void): this {
    this.op(0x03, 0x40);
    body();
    return this.op(0x0d, 0x00, 0x0b);
  }
  /** `if … end` on the i32 the stack holds. */
  when(body: () => void): this {
    this.op(0x04, 0x40);
    body();
    return this.op(0x0b);
  }
  /** `block … end` that `body` can leave with `br_if 0` (see {@link exitIf}). */
  block(body: () => void): this {
    this.op(0x02, 0x40);
    body();
    return this.op(0x0b);
  }
  /** br_if to the end of the innermost {@link block} (valid directly inside it). */
  exitIf(): this {
    return this.op(0x0d, 0x00);
  }

  /** The function body as encoded in the code section. */
  encode(): number[] {
    const body = [...vec(this.#locals.map((type) => [1, type])), ...this.bytes, 0x0b];
    return [...uleb(body.length), ...body];
  }
}

/**
 * A module importing one memory as `env.memory` and exporting `functions` by name.
 */
export function assemble(functions: Record<string, Code>): Uint8Array {
  const entries = Object.entries(functions);
  const types = vec(entries.map(([, c]) => [0x60, ...vec(c.params.map((t) => [t])), ...vec(c.results.map((t) => [t]))]));
  const imports = vec([[...name('env'), ...name('memory'), 0x02, 0x00, 0x01]]);
  const declared = vec(entries.map((_, i) => uleb(i)));
  const exports = vec(entries.map(([n], i) => [...name(n), 0x00, ...uleb(i)]));
  const code = vec(entries.map(([, c]) => c.encode()));
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, types),
    ...section(2, imports),
    ...section(3, declared),
    ...section(7, exports),
    ...section(10, code),
  ]);
}

/**
 * The project's one seeded PRNG (method.md section 2): xoshiro128** with 128 bits of state.
 * Every consumer gets its own stream derived from (master seed, stream path) by SHA-256,
 * never from call order, so adding a consumer never shifts another's numbers.
 */
import { createHash } from 'node:crypto';

/** A path segment of a stream name: `derive(42, 'walks', 'train', 17)`. */
export type StreamSegment = string | number;

export class Rng {
  #s0: number;
  #s1: number;
  #s2: number;
  #s3: number;

  private constructor(state: Uint32Array) {
    [this.#s0, this.#s1, this.#s2, this.#s3] = state;
    // xoshiro must not start from the all-zero state.
    if ((this.#s0 | this.#s1 | this.#s2 | this.#s3) === 0) this.#s0 = 0x9e3779b9;
  }

  /** The stream named by `path` under master seed `seed`. */
  static derive(seed: number, ...path: StreamSegment[]): Rng {
    const digest = createHash('sha256').update(JSON.stringify([seed, ...path])).digest();
    return new Rng(new Uint32Array(digest.buffer, digest.byteOffset, 4).slice());
  }

  /** Restores a stream from `state()` (checkpoints). */
  static fromState(state: readonly number[]): Rng {
    if (state.length !== 4) throw new RangeError(`Rng.fromState: expected 4 words, got ${state.length}`);
    return new Rng(Uint32Array.from(state));
  }

  /** The 4-word state, for checkpoints. */
  state(): number[] {
    return [this.#s0 >>> 0, this.#s1 >>> 0, this.#s2 >>> 0, this.#s3 >>> 0];
  }

  /** Uniform 32-bit unsigned integer. */
  uint32(): number {
    const s0 = this.#s0;
    const s1 = this.#s1;
    const s2 = this.#s2;
    const s3 = this.#s3;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    let n2 = s2 ^ s0;
    let n3 = s3 ^ s1;
    const n1 = s1 ^ n2;
    const n0 = s0 ^ n3;
    n2 ^= t;
    n3 = rotl(n3, 11);
    this.#s0 = n0;
    this.#s1 = n1;
    this.#s2 = n2;
    this.#s3 = n3;
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  float(): number {
    const hi = this.uint32() >>> 5; // 27 bits
    const lo = this.uint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, bound), unbiased (modulo with rejection), bound <= 2^32. */
  int(bound: number): number {
    if (!(bound >= 1 && bound <= 4294967296 && Number.isInteger(bound))) {
      throw new RangeError(`Rng.int: bound must be an integer in [1, 2^32], got ${bound}`);
    }
    // Reject the top partial copy of [0, bound) so every residue is equally likely.
    const limit = 4294967296 - (4294967296 % bound);
    for (;;) {
      const x = this.uint32();
      if (x < limit) return x % bound;
    }
  }

  /** Standard normal deviate (Box-Muller; one value per call). */
  normal(): number {
    let u = this.float();
    while (u === 0) u = this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.float());
  }

  /** In-place Fisher-Yates shuffle. */
  shuffle<T>(items: T[] | Int32Array | Uint32Array | Float64Array): void {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
  }

  /** `count` distinct indices of [0, size), in random order. */
  sampleWithoutReplacement(size: number, count: number): number[] {
    if (count > size) throw new RangeError(`Rng.sampleWithoutReplacement: count ${count} exceeds size ${size}`);
    const pool = Array.from({ length: size }, (_, i) => i);
    for (let i = 0; i < count; i++) {
      const j = i + this.int(size - i);
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    return pool.slice(0, count);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

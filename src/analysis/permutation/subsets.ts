/**
 * The permutation generator of the shuffle control: which events permutation p labels
 * "violation". The reference takes the first n_viol positions of `rng.permutation(n_total)`,
 * i.e. a uniformly random n_viol-subset of all events; so does this, from its own stream
 * `Rng.derive(seed, ...stream, p)` per permutation, which makes permutation p the same however
 * the permutations are batched or split between threads.
 *
 * Speed. 10,000 permutations of 60,000 events drawn one index at a time are 3·10^8 draws: 5.4 s
 * through `Rng.int`. Two things make it cheap:
 * - xoshiro128** runs inline in the drawing loops: the same stream as `Rng.uint32()` (tested),
 *   at ~1 ns per word instead of ~6 through the method call (0.9 s for those 3·10^8 draws);
 * - a subset of half the events is drawn from fair coins: one 32-bit word marks 32 events, and
 *   only the hundred or so events by which the coin count misses the size are drawn one by one
 *   (0.2 to 0.35 s for the 10,000 subsets).
 */
import { Rng, type StreamSegment } from '../../random/rng';

/**
 * A subset of at least this fraction of the events is drawn by {@link SubsetSampler} from fair
 * coins, a smaller one by Floyd's algorithm: the fix-up of the coins costs about
 * n·ln(n / 2k) draws, Floyd k, and they cross near 3/8.
 */
export const COIN_FLIP_MIN_FRACTION = 3 / 8;

const TWO_32 = 4294967296;

/** The stream of permutation `p`: `Rng.derive(seed, ...stream, p)`. */
export function permutationStream(seed: number, stream: readonly StreamSegment[], p: number): Rng {
  return Rng.derive(seed, ...stream, p);
}

/**
 * Fills `out` with the next `out.length` outputs of the xoshiro128** stream in `state` (four
 * 32-bit words, as `Rng.state()` gives them) and advances `state`; identical to calling
 * `Rng.uint32()` that many times.
 */
export function fillWords(state: Int32Array, out: Uint32Array): void {
  let s0 = state[0];
  let s1 = state[1];
  let s2 = state[2];
  let s3 = state[3];
  for (let i = 0; i < out.length; i++) {
    const m = Math.imul(s1, 5);
    out[i] = Math.imul((m << 7) | (m >>> 25), 9);
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
  }
  state[0] = s0;
  state[1] = s1;
  state[2] = s2;
  state[3] = s3;
}

/** Byte k of entry v is bit k of v: four events' 0/1 marks from one nibble of coins. */
const NIBBLE_BYTES = Uint32Array.from({ length: 16 }, (_, v) => (v & 1) | (((v >> 1) & 1) << 8) | (((v >> 2) & 1) << 16) | (((v >> 3) & 1) << 24));

/**
 * Draws uniformly random k-subsets of the events 0..n-1 into 0/1 rows; holds the scratch
 * buffers for one n, so one sampler serves every permutation of a metric.
 */
export class SubsetSampler {
  readonly nEvents: number;
  readonly #state = new Int32Array(4);
  /** The coin words, one per 32 events. */
  readonly #words: Uint32Array;
  /** 32 events per coin word, as bytes; the tail past nEvents is discarded. */
  readonly #coins: Uint8Array;
  /** #coins four bytes at a time (little-endian, as every platform onnxruntime ships for). */
  readonly #coinQuads: Uint32Array;

  constructor(nEvents: number) {
    if (!(Number.isInteger(nEvents) && nEvents >= 0 && nEvents <= TWO_32)) {
      throw new RangeError(`SubsetSampler: nEvents must be an integer in [0, 2^32], got ${nEvents}`);
    }
    this.nEvents = nEvents;
    const coinWords = Math.ceil(nEvents / 32);
    this.#words = new Uint32Array(coinWords);
    this.#coins = new Uint8Array(coinWords * 32);
    this.#coinQuads = new Uint32Array(this.#coins.buffer);
  }

  /**
   * Writes into `row` (length nEvents) 1 for the events of a uniformly random k-subset and 0
   * for the others, consuming the xoshiro128** stream whose state is `state` (`Rng.state()`
   * of the permutation's own stream). Bit b of word w is bit b of the w-th `uint32()`, and
   * "draw i" below is `int(i)` of that stream (modulo with rejection, as `Rng.int`):
   *
   * - k ≥ {@link COIN_FLIP_MIN_FRACTION}·n: event 32w + b is in the subset when bit b of word w
   *   is 1 (words 0..⌈n/32⌉-1); then, while the subset is larger than k, an event t = draw n is
   *   removed when it is in it, and while smaller, such an event is added when it is not
   *   (draws that change nothing are skipped). Every step is symmetric in the events and the
   *   size ends at k, so the subset is uniform among k-subsets.
   * - otherwise Floyd's algorithm: for i = n-k .. n-1, t = draw (i + 1); add t, or i when t is
   *   already in.
   */
  draw(state: readonly number[], k: number, row: Uint8Array): void {
    const n = this.nEvents;
    if (!(Number.isInteger(k) && k >= 0 && k <= n)) throw new RangeError(`SubsetSampler.draw: k must be an integer in [0, ${n}], got ${k}`);
    if (row.length !== n) throw new RangeError(`SubsetSampler.draw: row has length ${row.length}, expected ${n}`);
    if (state.length !== 4) throw new RangeError(`SubsetSampler.draw: state must have 4 words, got ${state.length}`);
    for (let i = 0; i < 4; i++) this.#state[i] = state[i];
    if (k >= COIN_FLIP_MIN_FRACTION * n) this.#coinFlips(k, row);
    else floyd(this.#state, k, row);
  }

  #coinFlips(k: number, row: Uint8Array): void {
    const n = this.nEvents;
    const words = this.#words;
    const coinWords = words.length;
    fillWords(this.#state, words);
    const quads = this.#coinQuads;
    let size = 0;
    // Unrolled: the nibble loop costs three times as much.
    for (let w = 0, q = 0; w < coinWords; w++, q += 8) {
      const x = words[w];
      quads[q] = NIBBLE_BYTES[x & 15];
      quads[q + 1] = NIBBLE_BYTES[(x >>> 4) & 15];
      quads[q + 2] = NIBBLE_BYTES[(x >>> 8) & 15];
      quads[q + 3] = NIBBLE_BYTES[(x >>> 12) & 15];
      quads[q + 4] = NIBBLE_BYTES[(x >>> 16) & 15];
      quads[q + 5] = NIBBLE_BYTES[(x >>> 20) & 15];
      quads[q + 6] = NIBBLE_BYTES[(x >>> 24) & 15];
      quads[q + 7] = NIBBLE_BYTES[x >>> 28];
      size += popcount(x);
    }
    // Coins past the last event belong to no event.
    const tail = coinWords * 32 - n;
    if (tail > 0) size -= popcount(words[coinWords - 1] >>> (32 - tail));
    row.set(this.#coins.subarray(0, n));
    fixSize(this.#state, row, size, k);
  }
}

/**
 * Removes events t = `int(n)` from the subset marked in `row` while it has more than k, and
 * adds such events while it has fewer; draws continue the stream in `state`.
 */
function fixSize(state: Int32Array, row: Uint8Array, size: number, k: number): void {
  const n = row.length >>> 0;
  // xoshiro128** inlined as in fillWords: a call per draw doubles the loop's time. The `>>> 0`s
  // keep the operands of `%` typed uint32, so that V8 emits an integer modulo.
  let s0 = state[0] | 0;
  let s1 = state[1] | 0;
  let s2 = state[2] | 0;
  let s3 = state[3] | 0;
  while (size !== k) {
    const m = Math.imul(s1, 5);
    const x = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const u = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= u;
    s3 = (s3 << 11) | (s3 >>> 21);
    // Rng.int's rejection: x < 2^32 - (2^32 mod n); every x <= 2^32 - n passes.
    if (x > TWO_32 - n && x >= TWO_32 - (TWO_32 % n)) continue;
    const t = (x % n) >>> 0;
    if (size > k) {
      size -= row[t];
      row[t] = 0;
    } else {
      size += 1 - row[t];
      row[t] = 1;
    }
  }
  state[0] = s0;
  state[1] = s1;
  state[2] = s2;
  state[3] = s3;
}

/** Floyd's algorithm: a k-subset of all events into `row`, drawing from the stream in `state`. */
function floyd(state: Int32Array, k: number, row: Uint8Array): void {
  const n = row.length;
  row.fill(0);
  // xoshiro128** inlined as in fillWords: a call per draw doubles the loop's time. The `>>> 0`s
  // keep the operands of `%` typed uint32, so that V8 emits an integer modulo.
  let s0 = state[0] | 0;
  let s1 = state[1] | 0;
  let s2 = state[2] | 0;
  let s3 = state[3] | 0;
  for (let i = n - k; i < n; i++) {
    const bound = (i + 1) >>> 0;
    let x = 0;
    for (;;) {
      const m = Math.imul(s1, 5);
      x = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
      const u = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= u;
      s3 = (s3 << 11) | (s3 >>> 21);
      // Rng.int's rejection: x < 2^32 - (2^32 mod bound); every x <= 2^32 - bound passes.
      if (x <= TWO_32 - bound || x < TWO_32 - (TWO_32 % bound)) break;
    }
    const t = (x % bound) >>> 0;
    // Branch-free "add t, or i when t is in": i is never in yet.
    row[i] = row[t];
    row[t] = 1;
  }
  state[0] = s0;
  state[1] = s1;
  state[2] = s2;
  state[3] = s3;
}

/** Number of set bits of a 32-bit word. */
function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

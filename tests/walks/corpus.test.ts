import { describe, expect, test } from 'vitest';
import { hasEdge } from '../../src/graph/csr';
import { corpusSizes, generateCorpus, mergeCorpora, validateCorpus, type Corpus } from '../../src/walks/corpus';
import { DENSE_JUMPERS, setup, TINY, type Setup } from '../graph/fixtures';

const W = 8;
const L = 16;
const N = 5000;

function corpusOf(s: Setup, options: { seed?: number; nWalks?: number; range?: [number, number]; split?: 'train' | 'eval' } = {}): Corpus {
  return generateCorpus(s.graph, s.jumpers, s.tables, {
    seed: options.seed ?? 42,
    split: options.split ?? 'train',
    nWalks: options.nWalks ?? N,
    walkLength: L,
    range: options.range,
  });
}

function bytes(a: ArrayBufferView): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** Events of one walk whose deadline lies inside the walk and which were met while another rule was pending. */
function nestedChecks(corpus: Corpus): number[] {
  const ev = corpus.events;
  const nested: number[] = [];
  for (let e = 0; e < ev.walk.length; e++) {
    if (ev.arrivalStep[e] >= L) continue;
    for (let f = e - 1; f >= 0 && ev.walk[f] === ev.walk[e]; f--) {
      if (ev.arrivalStep[f] < L && ev.arrivalStep[f] > ev.step[e]) {
        nested.push(e);
        break;
      }
    }
  }
  return nested;
}

describe.each([
  ['the tiny config', TINY],
  ['dense jumpers (4 per block on n=40)', DENSE_JUMPERS],
])('a corpus on %s', (_, fields) => {
  const s = setup(fields, W);
  const corpus = corpusOf(s);

  test('every jumper event with its deadline inside the walk is compliant', () => {
    const check = validateCorpus(s.graph, s.jumpers, corpus);
    expect(check.checks).toBeGreaterThan(1000);
    expect(check.compliantChecks).toBe(check.checks);
    expect(corpus.stats.checks).toBe(check.checks);
    expect(corpus.stats.compliantChecks).toBe(check.checks);
    expect(check.jumperOccurrences).toBe(corpus.stats.events);
    expect(check.eventMismatches).toBe(0);
  });

  test('every consecutive pair of every walk is an edge', () => {
    const check = validateCorpus(s.graph, s.jumpers, corpus);
    expect(check.pairs).toBe(N * (L - 1));
    expect(check.invalidPairs).toBe(0);
  });

  test('nested jumper events exist and are compliant', () => {
    const nested = nestedChecks(corpus);
    expect(nested.length).toBeGreaterThan(fields === DENSE_JUMPERS ? 1000 : 10);
    for (const e of nested) {
      const walk = corpus.events.walk[e];
      const arrival = corpus.walks[walk * L + corpus.events.arrivalStep[e]];
      expect(s.graph.block[arrival]).toBe(corpus.events.targetBlock[e]);
    }
  });

  test('stats count walks, tokens, events and per-jumper events consistently', () => {
    const { stats } = corpus;
    expect(stats.walks).toBe(N);
    expect(stats.tokens).toBe(N * L);
    expect(stats.eventsPerJumper.reduce((a, b) => a + b, 0)).toBe(stats.events);
    expect(stats.walksWithEvents).toBe(new Set(corpus.events.walk).size);
    expect(stats.walksWithEvents).toBeGreaterThanOrEqual(Math.ceil(N / 2));
  });
});

describe('generateCorpus', () => {
  const s = setup(TINY, W);
  const whole = corpusOf(s);

  test('the first ceil(N/2) walks start at the sorted jumpers in rotation, the rest anywhere', () => {
    const half = Math.ceil(N / 2);
    for (let i = 0; i < half; i++) expect(whole.walks[i * L]).toBe(s.jumpers[i % s.jumpers.length].vertex);
    const randomStarts = new Set<number>();
    for (let i = half; i < N; i++) randomStarts.add(whole.walks[i * L]);
    expect(randomStarts.size).toBeGreaterThan(40);
  });

  test('without jumpers every walk is a random-start walk with no events', () => {
    const plain = generateCorpus(s.graph, [], s.tables, { seed: 42, split: 'train', nWalks: 500, walkLength: L });
    expect(plain.stats.events).toBe(0);
    const starts = new Set<number>();
    for (let i = 0; i < 250; i++) starts.add(plain.walks[i * L]);
    expect(starts.size).toBeGreaterThan(30);
    expect(validateCorpus(s.graph, [], plain).invalidPairs).toBe(0);
  });

  test('generating index ranges separately and concatenating them is byte-identical', () => {
    // The cut points straddle the jumper-start / random-start boundary at 2500.
    const parts = [[0, 1234], [1234, 2600], [2600, N]].map((range) => corpusOf(s, { range: range as [number, number] }));
    const merged = mergeCorpora(parts);
    expect(bytes(merged.walks).equals(bytes(whole.walks))).toBe(true);
    for (const key of ['walk', 'vertex', 'step', 'targetBlock', 'arrivalStep'] as const) {
      expect(bytes(merged.events[key]).equals(bytes(whole.events[key]))).toBe(true);
    }
    expect(merged.stats).toEqual(whole.stats);
    expect(merged.range).toEqual([0, N]);
  });

  test('the same seed and split give the same corpus; another split or seed a different one', () => {
    const again = corpusOf(s, { nWalks: 300 });
    const first = corpusOf(s, { nWalks: 300 });
    expect(bytes(again.walks).equals(bytes(first.walks))).toBe(true);
    expect(bytes(corpusOf(s, { nWalks: 300, split: 'eval' }).walks).equals(bytes(first.walks))).toBe(false);
    expect(bytes(corpusOf(s, { nWalks: 300, seed: 43 }).walks).equals(bytes(first.walks))).toBe(false);
  });

  test('progress is reported in walks done and ends at the range length', () => {
    const seen: number[] = [];
    generateCorpus(s.graph, s.jumpers, s.tables, { seed: 1, split: 'eval', nWalks: 4500, walkLength: L, onProgress: (d) => seen.push(d) });
    expect(seen).toEqual([2000, 4000, 4500]);
  });

  test('BAD CALL - a range outside the corpus throws RangeError', () => {
    expect(() => corpusOf(s, { nWalks: 10, range: [5, 11] })).toThrow(/range \[5, 11\) is not inside \[0, 10\)/);
  });
});

describe('validateCorpus', () => {
  const s = setup(TINY, W);
  const corpus = corpusOf(s, { nWalks: 400 });

  test('a token that breaks an edge is counted as an invalid pair and an event mismatch when it was a jumper', () => {
    const broken: Corpus = { ...corpus, walks: corpus.walks.slice() };
    // Replace walk 0's step 1 (walk 0 starts at a jumper) by a vertex that is not a successor.
    const from = broken.walks[0];
    let bad = 0;
    while (hasEdge(s.graph, from, bad) || bad === from) bad++;
    broken.walks[1] = bad;
    expect(validateCorpus(s.graph, s.jumpers, broken).invalidPairs).toBeGreaterThan(0);
    const jumperVertices = new Set(s.jumpers.map((j) => j.vertex));
    broken.walks[0] = [...s.graph.block.keys()].find((v) => !jumperVertices.has(v)) ?? -1;
    expect(validateCorpus(s.graph, s.jumpers, broken).eventMismatches).toBeGreaterThan(0);
  });

  test('a token at a deadline moved to another block is a non-compliant check', () => {
    const broken: Corpus = { ...corpus, walks: corpus.walks.slice() };
    const e = corpus.events.arrivalStep.findIndex((a) => a < L);
    const position = corpus.events.walk[e] * L + corpus.events.arrivalStep[e];
    const wrongBlock = (corpus.events.targetBlock[e] + 1) % s.graph.K;
    broken.walks[position] = wrongBlock * s.graph.blockSize + 1;
    const check = validateCorpus(s.graph, s.jumpers, broken);
    expect(check.compliantChecks).toBeLessThan(check.checks);
  });
});

describe('corpusSizes', () => {
  test('eval is max(1, floor(corpus_size / 9)) walks', () => {
    expect(corpusSizes({ corpus_size: 200000 })).toEqual({ train: 200000, eval: 22222 });
    expect(corpusSizes({ corpus_size: 5 })).toEqual({ train: 5, eval: 1 });
  });
});

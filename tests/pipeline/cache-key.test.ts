import { describe, expect, it } from 'vitest';
import type { KeyInputs, Manifest } from '../../src/artifacts/artifact-store';
import { cacheKey, describeDifferences, explainMiss } from '../../src/pipeline/cache-key';

const base: KeyInputs = {
  stage: 'graph',
  version: 1,
  code: { files: { 'src/graph/dcsbm.ts': 'aaa' }, packages: { zod: '4.0.0' } },
  config: { graph: { n: 500, p_in: 0.25 }, training: { w: 64 }, seed: 42 },
  upstream: {},
  runtime: {},
};

function manifestOf(keyInputs: KeyInputs, finishedAt: string, experimentId = 'exp'): Manifest {
  return {
    schema: 1,
    stage: keyInputs.stage,
    key: cacheKey(keyInputs),
    digest: 'd',
    keyInputs,
    files: [],
    summary: {},
    experimentId,
    timings: { startedAt: finishedAt, finishedAt, seconds: 1 },
    producer: { host: 'h', pid: 1, packageVersion: '0', gitCommit: 'c' },
  };
}

const modified = (patch: (k: KeyInputs) => void): KeyInputs => {
  const copy = structuredClone(base);
  patch(copy);
  return copy;
};

describe('cacheKey', () => {
  it('is a sha256 hex that ignores key order and changes with any input', () => {
    expect(cacheKey(base)).toMatch(/^[0-9a-f]{64}$/);
    const reordered = { runtime: {}, upstream: {}, config: base.config, code: base.code, version: 1, stage: 'graph' } as KeyInputs;
    expect(cacheKey(reordered)).toBe(cacheKey(base));
    expect(cacheKey(modified((k) => (k.version = 2)))).not.toBe(cacheKey(base));
    expect(cacheKey(modified((k) => (k.code.packages.zod = '4.0.1')))).not.toBe(cacheKey(base));
  });

  it('does not confuse field boundaries (JSON-encoded, never joined)', () => {
    const a = modified((k) => (k.code.files = { ab: 'c' }));
    const b = modified((k) => (k.code.files = { a: 'bc' }));
    expect(cacheKey(a)).not.toBe(cacheKey(b));
  });
});

describe('describeDifferences', () => {
  it('names a changed config field by its config path with old and new values', () => {
    const current = modified((k) => ((k.config as { graph: { p_in: number } }).graph.p_in = 0.3));
    expect(describeDifferences(current, base)).toEqual(['config graph.p_in changed (0.25 -> 0.3)']);
  });

  it('names a changed source file, package, version, upstream and runtime', () => {
    const current = modified((k) => {
      k.version = 2;
      k.code.files['src/graph/dcsbm.ts'] = 'bbb';
      k.code.files['src/graph/new.ts'] = 'ccc';
      k.code.packages.zod = '4.1.0';
      k.upstream = { graph: 'abcdef0123456789' };
      k.runtime = { provider: 'cuda' };
    });
    expect(describeDifferences(current, base)).toEqual([
      'stage version changed (1 -> 2)',
      'upstream graph artifact changed ((none) -> abcdef012345)',
      'code src/graph/dcsbm.ts changed',
      'code src/graph/new.ts added',
      'package zod changed (4.0.0 -> 4.1.0)',
      'runtime provider changed ((absent) -> "cuda")',
    ]);
  });
});

describe('explainMiss', () => {
  it('says so when the store has no artifact of the stage', () => {
    expect(explainMiss(base, [])).toEqual(['no earlier graph artifact in the store']);
  });

  it('explains against the closest earlier artifact', () => {
    const far = manifestOf(modified((k) => ((k.config as { seed: number }).seed = 1) && (k.version = 9)), '2026-01-02T00:00:00Z', 'far');
    const near = manifestOf(base, '2026-01-01T00:00:00Z', 'near');
    const current = modified((k) => ((k.config as { training: { w: number } }).training.w = 32));
    const reasons = explainMiss(current, [far, near]);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/^config training\.w changed \(64 -> 32\) vs\. key [0-9a-f]{12} of near$/);
  });
});

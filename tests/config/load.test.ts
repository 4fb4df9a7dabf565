import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile, parseConfig } from '../../src/config/load';
import { ConfigError } from '../../src/errors';

function problemsOf(raw: unknown): string[] {
  try {
    parseConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('loads the original anchor file unchanged and fills the new sections with defaults', () => {
    const { config, warnings } = loadConfigFile('configs/anchor.json');
    expect(config.graph).toMatchObject({ n: 500, K: 4, p_in: 0.25, p_out: 0.03, n_jumpers_per_block: 2 });
    expect(config.training).toMatchObject({ w: 64, walk_length: 256, corpus_size: 200000, r: 57, max_steps: 50000 });
    expect(config.sweep).toBeNull();
    expect(config.evaluation.protocol).toBe('sampled');
    expect(config.runtime.device).toBe('auto');
    expect(warnings).toEqual([]);
  });

  it('accepts every shipped config', () => {
    for (const name of ['tiny', 'quick', 'small', 'anchor']) {
      expect(() => loadConfigFile(`configs/${name}.json`)).not.toThrow();
    }
  });

  it('fills every default from an empty object', () => {
    const { config } = parseConfig({});
    expect(config.model).toEqual({ d_model: 128, n_layers: 4, n_heads: 1, dropout: 0 });
    expect(config.seed).toBe(42);
  });

  it('rejects unknown keys by their full path', () => {
    expect(problemsOf({ graph: { n: 500, colour: 'red' }, extra: 1 })).toEqual([
      'graph.colour: unknown key — allowed here: n, K, p_in, p_out, n_jumpers_per_block, jumper_r_scales (docs/configuration.md)',
      'extra: unknown key — allowed here: graph, model, training, sweep, seed, description, tags, evaluation, analysis, runtime (docs/configuration.md)',
    ]);
  });

  it('suggests the closest allowed key for a misspelt one, at any depth', () => {
    expect(problemsOf({ training: { walk_lenght: 256 }, modle: {}, sweep: { seed: [1] } })).toEqual([
      "training.walk_lenght: unknown key — did you mean 'walk_length'? (docs/configuration.md)",
      "sweep.seed: unknown key — did you mean 'seeds'? (docs/configuration.md)",
      "modle: unknown key — did you mean 'model'? (docs/configuration.md)",
    ]);
  });

  it('names the path, the value received and the rule for a type error', () => {
    const [problem] = problemsOf({ training: { w: 'sixty-four' } });
    expect(problem).toMatch(/^training\.w: "sixty-four" — Invalid input: expected number, received string$/);
  });

  it('lists every problem at once', () => {
    const problems = problemsOf({ graph: { p_in: 1.5, n: -3 }, model: { n_heads: 3 } });
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/graph\.p_in: 1\.5/);
    expect(problems.join('\n')).toMatch(/graph\.n: -3/);
    expect(problems.join('\n')).toMatch(/model\.n_heads: 3/);
  });

  it.each([
    [{ training: { w: 64, walk_length: 100 } }, /training\.walk_length: 100 — must be at least 2 \* training\.w = 128/],
    [{ training: { corpus_size: 1000 } }, /training\.corpus_size: 1000 — must be at least 100 \* graph\.n = 50000/],
    [{ graph: { n: 501 }, training: { corpus_size: 60000 } }, /graph\.n: 501 — must be divisible by graph\.K = 4/],
    [{ model: { d_model: 130, n_heads: 4 } }, /model\.d_model: 130 — must be divisible by model\.n_heads = 4/],
    [{ training: { r: 300 } }, /training\.r: 300 — must not exceed training\.walk_length = 256/],
    [{ graph: { n: 8, K: 4, n_jumpers_per_block: 3 }, training: { corpus_size: 800 } }, /graph\.n_jumpers_per_block: 3 — must not exceed the block size/],
  ])('enforces the cross-field rule %#', (raw, pattern) => {
    expect(problemsOf(raw).join('\n')).toMatch(pattern);
  });

  it('warns, without failing, when p_out is not below p_in', () => {
    const { warnings } = parseConfig({ graph: { p_in: 0.1, p_out: 0.2 } });
    expect(warnings.join('\n')).toMatch(/graph\.p_out: 0\.2 is not below graph\.p_in = 0\.1/);
  });

  it('rejects a config that is not an object', () => {
    expect(problemsOf([1, 2])).toEqual(['<root>: [1,2] — a config must be a JSON object']);
  });
});

describe('loadConfigFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dcsbm-config-'));

  it.each([
    ['missing file', () => join(dir, 'nope.json'), /nope\.json: no such file$/],
    ['directory', () => (mkdirSync(join(dir, 'adir'), { recursive: true }), join(dir, 'adir')), /adir: is a directory/],
    ['empty file', () => (writeFileSync(join(dir, 'empty.json'), '  \n'), join(dir, 'empty.json')), /empty\.json: is empty/],
    ['unparsable JSON', () => (writeFileSync(join(dir, 'bad.json'), '{"graph": '), join(dir, 'bad.json')), /bad\.json: not valid JSON/],
  ])('reports a %s in one line naming the file', (_label, makePath, pattern) => {
    const path = makePath();
    try {
      loadConfigFile(path);
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toHaveLength(1);
      expect((error as Error).message).toMatch(pattern);
    }
  });

  it('prefixes field problems with the file name', () => {
    writeFileSync(join(dir, 'field.json'), JSON.stringify({ seed: -1 }));
    expect(() => loadConfigFile(join(dir, 'field.json'))).toThrow(/field\.json: seed: -1 — /);
  });
});

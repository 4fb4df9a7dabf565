import { describe, expect, it } from 'vitest';
import { configHash, experimentId, graphConfigHash, hashedForm } from '../../src/config/hash';
import { loadConfigFile, parseConfig } from '../../src/config/load';

const anchor = loadConfigFile('configs/anchor.json').config;

describe('config hashes', () => {
  it('reproduces the reference full config hash of the anchor config', () => {
    expect(configHash(anchor)).toBe('9c16112a1e86901c');
  });

  it('reproduces the reference graph config hash of the anchor config', () => {
    expect(graphConfigHash(anchor)).toBe('b565be901e7d36c3');
  });

  it('gives the same hash whether a default is written out or omitted', () => {
    const explicit = parseConfig({ ...JSON.parse(JSON.stringify(anchor)), evaluation: { protocol: 'sampled' } }).config;
    expect(configHash(explicit)).toBe(configHash(anchor));
  });

  it('changes when an extension field leaves its default', () => {
    const greedy = parseConfig({ ...JSON.parse(JSON.stringify(anchor)), evaluation: { protocol: 'reference' } }).config;
    expect(configHash(greedy)).not.toBe(configHash(anchor));
    expect(hashedForm(greedy).evaluation).toEqual({ protocol: 'reference', temperature: 1 });
  });

  it('ignores the runtime section, which says where to compute, not what', () => {
    const onGpu = parseConfig({ ...JSON.parse(JSON.stringify(anchor)), runtime: { device: 'cuda', threads: 8 } }).config;
    expect(configHash(onGpu)).toBe(configHash(anchor));
  });

  it('changes when any original field changes', () => {
    const other = parseConfig({ ...JSON.parse(JSON.stringify(anchor)), seed: 43 }).config;
    expect(configHash(other)).not.toBe(configHash(anchor));
  });
});

describe('experimentId', () => {
  it('follows n{n}_w{w}_r{r}_d{d}_L{L}_s{seed}_{hash8}', () => {
    expect(experimentId(anchor)).toBe('n500_w64_r57_d128_L4_s42_9c16112a');
  });

  it('is stable for a config and takes a suffix for a deliberate repeat', () => {
    expect(experimentId(anchor)).toBe(experimentId(structuredClone(anchor)));
    expect(experimentId(anchor, 'rep2')).toBe('n500_w64_r57_d128_L4_s42_9c16112a_rep2');
  });
});

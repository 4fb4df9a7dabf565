/**
 * Pre-flight through the CLIs as a user runs them: a failed check stops `experiment` before
 * any stage (exit 1, the check named, no artifact, no result folder, no ledger row), and
 * `preflight` prints an estimate of every stage. The checks themselves are tested in
 * tests/ops/preflight.test.ts.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { probeExecutionProvider } from '../../src/onnx/provider-probe';
import { cli, ROOT, sandbox, type Sandbox } from '../ops/fixtures/results';

const TINY = join(ROOT, 'configs/tiny.json');
// The provider test needs a host where CUDA cannot load (every CPU-only host).
const cudaLoadsHere = (await probeExecutionProvider('cuda')).provider === 'cuda';

/** configs/tiny.json with `patch` merged into its sections, written into the sandbox. */
function tinyWith(box: Sandbox, patch: Record<string, Record<string, unknown>>): string {
  const raw = JSON.parse(readFileSync(TINY, 'utf8')) as Record<string, Record<string, unknown>>;
  for (const [section, fields] of Object.entries(patch)) raw[section] = { ...raw[section], ...fields };
  const path = join(box.dir, 'config.json');
  writeFileSync(path, JSON.stringify(raw));
  return path;
}

/** Nothing of a run was written: no stage artifact in the store, no result folder, no ledger. */
function expectNothingWritten(box: Sandbox): void {
  const stages = existsSync(box.store) ? readdirSync(box.store).filter((name) => !name.startsWith('.')) : [];
  expect(stages).toEqual([]);
  const results = existsSync(box.results) ? readdirSync(box.results) : [];
  expect(results).toEqual([]);
}

describe('pre-flight in the CLIs', () => {
  it('EXPECTED FAILURE - experiment stops before any stage when a check fails, naming it (exit 1), and writes no artifact, result or ledger row', () => {
    const box = sandbox();
    // ~1.1e14 tokens of walks: more disk and memory than any machine has.
    const config = tinyWith(box, { training: { corpus_size: 1_000_000_000, walk_length: 100_000 } });
    const out = cli('experiment', [config], box);
    expect(out.code, out.stderr).toBe(1);
    expect(out.stdout).toMatch(/^Pre-flight disk: FAILED — the stages to compute need about [\d.]+ TiB in .*\[graph .*, walks [\d.]+ TiB \(formula\), .*\], but only .* is free on that filesystem$/m);
    expect(out.stdout).toMatch(/^Pre-flight memory: FAILED — stage walks needs about /m);
    expect(out.stderr).toMatch(/pre-flight checks failed, nothing was run \(skip with --skip-preflight\):\n {2}disk: the stages to compute need about .*\n {2}memory: stage walks needs/);
    expect(out.stdout).not.toMatch(/===/);
    expectNothingWritten(box);
  });

  it.skipIf(cudaLoadsHere)("EXPECTED FAILURE - experiment with runtime.device 'cuda' stops before any stage on a host where CUDA cannot load", () => {
    const box = sandbox();
    const out = cli('experiment', [tinyWith(box, { runtime: { device: 'cuda' } })], box);
    expect(out.code, out.stderr).toBe(1);
    expect(out.stdout).toMatch(/^Pre-flight execution provider: FAILED — runtime\.device: 'cuda' — the CUDA execution provider cannot be loaded on this host \(onnxruntime-node offers: cpu\): .*; install it, or set runtime\.device to 'cpu'/m);
    expect(out.stderr).toMatch(/pre-flight check failed, nothing was run \(skip with --skip-preflight\):\n {2}execution provider: runtime\.device: 'cuda' — /);
    expectNothingWritten(box);
  });

  it('preflight prints a size and a duration for every stage, and the provider auto resolves to, exit 0', () => {
    const out = cli('preflight', [TINY], sandbox());
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/^Pre-flight disk: ok — the stages to compute need about [\d.]+ MiB in .* \[graph [\d.]+ KiB \(formula\), walks [\d.]+ KiB \(formula\), train [\d.]+ KiB \(formula\), evaluate [\d.]+ MiB \(formula\), analyse [\d.]+ KiB \(formula\), figures [\d.]+ MiB \(formula\)\]; .* free$/m);
    expect(out.stdout).toMatch(/^Pre-flight execution provider: ok — runtime\.device: 'auto' runs on (cpu|cuda) here/m);
    expect(out.stdout).toMatch(/^Pre-flight duration: ok — about [\d.]+s of compute \[graph [\d.]+s \(benchmark\), walks [\d.]+s \(benchmark\), train [\d.]+s \(benchmark\), evaluate [\d.]+s \(benchmark\), analyse [\d.]+s \(benchmark\), figures [\d.]+s \(benchmark\)\]; benchmark: /m);
  });
});

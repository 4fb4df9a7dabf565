/**
 * The real workflow code bundles for the deterministic sandbox: it imports nothing that
 * touches the node runtime. A module that does is rejected, which is what makes this test a
 * guard and not a formality.
 */
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';

const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };
const path = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));

describe('workflow bundle', () => {
  it('bundles src/workflows (experiment and sweep workflows) without node built-ins', async () => {
    const bundle = await bundleWorkflowCode({ workflowsPath: path('../../src/workflows/index.ts'), logger: silent });
    expect(bundle.code).toContain('experimentWorkflow');
    expect(bundle.code).toContain('sweepWorkflow');
    // Domain and node-side modules must not leak into the sandbox.
    expect(bundle.code).not.toContain('artifact-store-impl');
    expect(bundle.code).not.toContain('stage-executor');
  });

  it('EXPECTED FAILURE - a workflow module importing node:fs is rejected, naming the module', async () => {
    const errors: string[] = [];
    const logger = { ...silent, error: (message: string, meta?: unknown) => errors.push(`${message} ${JSON.stringify(meta ?? '')}`) };
    await expect(bundleWorkflowCode({ workflowsPath: path('./fixtures/uses-fs-workflow.ts'), logger })).rejects.toThrow(/Webpack finished with errors/);
    expect(errors.join('\n')).toMatch(/fs/);
  });
});

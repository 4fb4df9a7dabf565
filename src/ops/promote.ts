/**
 * Promoting a run: its config becomes `configs/promoted/<name>.json`, a config others can
 * run as is, and the promotion is recorded in the ledger (unless the file already holds
 * exactly this config). Only a succeeded run qualifies; a failed gate refuses; a requested
 * threshold refuses when the metric is below it or when the run does not report that metric
 * (it is never assumed).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../artifacts/atomic-write';
import { ConfigError, InputError } from '../errors';
import { appendLedgerRow } from './ledger';
import { ledgerRowForPromotion } from './ledger-row';
import { gateRefusal } from './promote-gate';
import type { ResultFolder } from './result-folders';
import { runMetrics, type RunMetrics } from './run-metrics';
import type { RunRecord } from './run-record';

/** What to promote and the bars it must clear. */
export interface PromoteRequest {
  folder: ResultFolder;
  /** File name stem under `targetDir`; defaults to the experiment id. */
  name: string;
  minRuleCompliance: number | null;
  minEdgeCompliance: number | null;
  targetDir: string;
  /** Replace an existing promoted config with different content. */
  force: boolean;
}

/** What a promotion did (or would do, in a dry run). */
export interface PromoteResult {
  target: string;
  /** Facts shown to the user (e.g. that the run reports no gate yet). */
  notes: string[];
  /** The target already held exactly this config: nothing was written or recorded. */
  unchanged: boolean;
}

const NAME_RULE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Checks `request` and, unless `dryRun` or the target is unchanged, writes the config and the
 * ledger row.
 * @throws ConfigError for a bad name; InputError naming every reason the run does not qualify.
 */
export async function promoteRun(request: PromoteRequest, ledger: string, dryRun: boolean): Promise<PromoteResult> {
  if (!NAME_RULE.test(request.name)) {
    throw new ConfigError(`--name: ${JSON.stringify(request.name)} — letters, digits, '.', '_' and '-' only, not starting with '.' or '-'`);
  }
  const { record } = request.folder;
  const metrics = runMetrics(record);
  const refusals = qualification(record, metrics, request);
  const target = join(request.targetDir, `${request.name}.json`);
  const text = promotedText(request.folder);
  const unchanged = existsSync(target) && readFileSync(target, 'utf8') === text;
  if (existsSync(target) && !unchanged && !request.force) {
    refusals.push(`${target} already exists with a different config (pass --force to replace it, or choose another --name)`);
  }
  if (refusals.length > 0) throw new InputError(`cannot promote ${record.experiment_id}:\n${refusals.map((r) => `  ${r}`).join('\n')}`);
  const notes = metrics.gatePassed === null ? ['the run reports no sufficiency gate (no train stage result); promoted on its status alone'] : [];
  // Promoting the same config to the same file again changes nothing, so it records nothing:
  // the ledger keeps one promote row per actual promotion.
  if (!dryRun && !unchanged) {
    writeFileAtomic(target, text);
    await appendLedgerRow(ledger, ledgerRowForPromotion(record, target));
  }
  return { target, notes, unchanged };
}

function qualification(record: RunRecord, metrics: RunMetrics, request: PromoteRequest): string[] {
  const refusals: string[] = [];
  if (record.status !== 'succeeded') refusals.push(`status is ${record.status}: only a succeeded run can be promoted`);
  const gate = gateRefusal(record, metrics);
  if (gate !== null) refusals.push(gate);
  refusals.push(...threshold('--min-rule-compliance', 'rule compliance', request.minRuleCompliance, metrics.ruleCompliance));
  refusals.push(...threshold('--min-edge-compliance', 'edge compliance', request.minEdgeCompliance, metrics.edgeCompliance));
  return refusals;
}

function threshold(flag: string, what: string, minimum: number | null, value: number | null): string[] {
  if (minimum === null) return [];
  if (value === null) return [`${flag} ${minimum}: the run reports no ${what} (no train stage result), so the threshold cannot be checked`];
  return value < minimum ? [`${flag} ${minimum}: the run's ${what} is ${value}`] : [];
}

/**
 * The promoted file: the run's normalised config without `runtime` (where and how to
 * compute is the next user's choice; it is not part of the config hash, so the promoted
 * config keeps the run's experiment id).
 */
function promotedText({ dir, record }: ResultFolder): string {
  const path = join(dir, 'config.json');
  const config = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>) : structuredClone(record.config);
  delete config.runtime;
  return `${JSON.stringify(config, null, 2)}\n`;
}

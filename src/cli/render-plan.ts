/**
 * The text form of a plan: per stage hit/miss/pending, the key, where the outputs go, and
 * every reason for a miss.
 */
import type { ArtifactStore } from '../artifacts/artifact-store';
import { UNAVAILABLE_STAGES } from '../pipeline/dag';
import type { StagePlan } from '../pipeline/plan';
import { displayPath } from './setup';

export function renderPlan(plans: readonly StagePlan[], store: ArtifactStore, resultDir: string): string[] {
  const lines = ['Plan:'];
  for (const plan of plans) {
    const key = plan.key === null ? '(after upstream)' : plan.key.slice(0, 12);
    const where = plan.key === null ? '' : `  -> ${displayPath(store.artifactDir(plan.stage.name, plan.key))}`;
    lines.push(`  ${plan.stage.name.padEnd(9)} ${plan.decision.padEnd(7)} key ${key}${where}`);
    for (const reason of plan.reasons) lines.push(`  ${''.padEnd(9)} because ${reason}`);
  }
  const misses = plans.filter((p) => p.decision !== 'hit').length;
  lines.push(`  ${plans.length - misses} of ${plans.length} stages cached; results folder ${displayPath(resultDir)}`);
  if (UNAVAILABLE_STAGES.length > 0) lines.push(`  not available yet in this version: ${UNAVAILABLE_STAGES.join(', ')}`);
  return lines;
}

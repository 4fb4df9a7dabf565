/**
 * Running a DAG of stages with maximal parallelism: each stage starts as soon as all its
 * inputs have finished, so independent stages run at the same time (a stage never waits
 * for an unrelated stage of the same topological wave). Pure promise plumbing: the order in
 * which stages start depends only on completion order, which Temporal replays exactly.
 */
import type { StageDeclaration, StageName } from '../pipeline/dag';

/**
 * Runs `run` once per stage, passing the results of its inputs. Resolves with every result;
 * rejects with the first failure (the other stages' promises are marked handled so a later
 * rejection does not surface as unhandled in the workflow sandbox).
 *
 * @param stages in topological order (as `stagesUpTo` returns them)
 */
export async function runDataflow<T>(
  stages: readonly StageDeclaration[],
  run: (stage: StageDeclaration, inputs: ReadonlyMap<StageName, T>) => Promise<T>,
): Promise<Map<StageName, T>> {
  const started = new Map<StageName, Promise<T>>();
  for (const stage of stages) {
    const inputs = stage.inputs.map((name) => {
      const promise = started.get(name);
      if (promise === undefined) throw new RangeError(`stage ${stage.name} needs ${name}, which is not scheduled before it`);
      return promise;
    });
    const promise = Promise.all(inputs).then((values) => run(stage, new Map(stage.inputs.map((name, i) => [name, values[i]]))));
    promise.catch(() => undefined);
    started.set(stage.name, promise);
  }
  const values = await Promise.all(stages.map((stage) => started.get(stage.name)!));
  return new Map(stages.map((stage, i) => [stage.name, values[i]]));
}

import { mkdtemp, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { InputError } from '../../src/errors';
import { checkpointMeta, readCheckpoint, writeCheckpointFiles } from '../../src/training/checkpoint-files';
import { runTrainingLoop, type LoopCheckpoint } from '../../src/training/loop';
import { bigram, loopData, SHAPE, settings } from './fixtures';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function checkpointAt40(): Promise<LoopCheckpoint> {
  const saved: LoopCheckpoint[] = [];
  await runTrainingLoop(await bigram(), SHAPE, settings({ maxSteps: 60, evalInterval: 20 }), loopData(), { onCheckpoint: (c) => void saved.push(c) });
  return saved[0];
}

async function saveToDisk(checkpoint: LoopCheckpoint): Promise<{ dir: string; meta: ReturnType<typeof checkpointMeta> }> {
  const dir = await mkdtemp(join(tmpdir(), 'train-checkpoint-'));
  dirs.push(dir);
  await writeCheckpointFiles(dir, checkpoint);
  // The checkpoint store keeps the meta as JSON: round-trip it the same way.
  return { dir, meta: JSON.parse(JSON.stringify(checkpointMeta(checkpoint))) };
}

describe('checkpoint files', () => {
  test('a checkpoint survives the disk and JSON round trip exactly', async () => {
    const checkpoint = await checkpointAt40();
    expect(checkpoint.step).toBe(40);
    const { dir, meta } = await saveToDisk(checkpoint);
    expect(meta).not.toHaveProperty('losses');
    expect(await readCheckpoint(meta, dir)).toEqual(checkpoint);
  });

  test('EXPECTED FAILURE - a truncated state file is refused with an InputError', async () => {
    const { dir, meta } = await saveToDisk(await checkpointAt40());
    await truncate(join(dir, 'state.bin'), 10);
    await expect(readCheckpoint(meta, dir)).rejects.toThrow(InputError);
    await expect(readCheckpoint(meta, dir)).rejects.toThrow(/is truncated: state\.bin 10 bytes \(expected 1728\)/);
  });

  test('EXPECTED FAILURE - a checkpoint of another format is refused', async () => {
    const { dir, meta } = await saveToDisk(await checkpointAt40());
    await expect(readCheckpoint({ ...meta, format: 0 }, dir)).rejects.toThrow(/has format 0, expected 1/);
  });
});

/**
 * What `replay` and `reset` read from an exported history (the committed fixtures, in the
 * format `npm run temporal -- history <id>` writes): the start input, and the workflow task
 * to reset to so that a stage is scheduled again.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { describe, expect, it } from 'vitest';
import { resetEventFor, startInput } from '../../src/cli/temporal-history';
import { InputError } from '../../src/errors';
import { HISTORIES_DIR, experimentInput } from './history-scenarios';

const history = (name: string) => historyFromJSON(JSON.parse(readFileSync(join(HISTORIES_DIR, name), 'utf8')));

describe('reading an exported history', () => {
  it('startInput is the input the experiment was submitted with, its operator wait included', () => {
    expect(startInput(history('linear-success.json'), 'x')).toEqual(experimentInput());
    expect(startInput(history('operator-timeout.json'), 'x')).toEqual({ ...experimentInput(), timeouts: { operatorWait: '30m' } });
  });

  it('resetEventFor is the workflow task that first scheduled the stage (events 1-4 start the run; graph.1 is event 7, walks.1 event 15)', () => {
    const linear = history('linear-success.json');
    expect(resetEventFor(linear, 'graph', 'x')).toBe(4);
    expect(resetEventFor(linear, 'walks', 'x')).toBe(12);
    // graph ran in two operator rounds (graph.1, graph.2): the reset goes before the first.
    expect(resetEventFor(history('operator-resume.json'), 'graph', 'x')).toBe(4);
  });

  it('EXPECTED FAILURE - a stage the run never scheduled, or a history without a start, is an InputError naming the experiment', () => {
    expect(() => resetEventFor(history('linear-success.json'), 'train', 'exp-1')).toThrow(InputError);
    expect(() => resetEventFor(history('linear-success.json'), 'train', 'exp-1')).toThrow(/exp-1: stage train was never scheduled in this run/);
    expect(() => startInput({ events: [] }, 'exp-1')).toThrow(/exp-1: the history has no workflow start input/);
  });
});

import { describe, expect, it } from 'vitest';
import type { Step } from '../../src/domain/request.js';
import { createReadBacks, splitReadBacks } from '../../src/service/read-backs.js';
import { makeRequest } from '../support/store-fixtures.js';

// The read-backs of a phase (issue 20): each waits for its batch, at most `limit` calls at once.

const batch = (index: number, state: Step['state'] = 'planned'): Step => ({
  index,
  phase: 0,
  action: 'AttachKeyPair',
  instanceIds: [`i-${index}`],
  state,
  sendCount: state === 'planned' ? 0 : 1,
});
const read = (index: number, verifies: number): Step => ({
  index,
  phase: 0,
  action: 'Verify',
  instanceIds: [`i-${verifies}`],
  verifies,
  state: 'planned',
  sendCount: 0,
});

/** A run whose calls the test answers by hand. */
function manualRuns() {
  const started: number[] = [];
  const calls = new Map<number, () => void>();
  const ends = new Map<number, () => void>();
  const run = (step: Step, answered: () => void) =>
    new Promise<void>((resolve) => {
      started.push(step.index);
      calls.set(step.index, answered);
      ends.set(step.index, resolve);
    });
  const answer = async (index: number, finish = true) => {
    calls.get(index)?.();
    if (finish) ends.get(index)?.();
    await new Promise((r) => setImmediate(r));
  };
  return { started, run, answer };
}

describe('read-backs', () => {
  it('splits a phase into its batches and the read-backs that name one', () => {
    const old: Step = { ...read(9, 0), verifies: undefined };
    const { writes, reads } = splitReadBacks([batch(0), batch(1), read(2, 0), old]);
    expect(writes.map((s) => s.index)).toEqual([0, 1, 9]);
    expect(reads.map((s) => s.index)).toEqual([2]);
  });

  it('starts a read when its batch is answered, never more than the limit in flight', async () => {
    const steps = [batch(0), batch(1), batch(2), read(3, 0), read(4, 1), read(5, 2)];
    const request = makeRequest('r1', { steps });
    const m = manualRuns();
    const pool = createReadBacks(request, steps.slice(3), 2, m.run);
    expect(m.started).toEqual([]);
    pool.answered(1);
    pool.answered(0);
    expect(m.started).toEqual([4, 3]);
    pool.answered(2);
    // Two calls out: the third waits for a slot, which a call's answer frees (its journal may
    // still be going on).
    expect(m.started).toEqual([4, 3]);
    await m.answer(4, false);
    expect(m.started).toEqual([4, 3, 5]);
    const finished = pool.finish();
    let done = false;
    void finished.then(() => {
      done = true;
    });
    await m.answer(3);
    await m.answer(5);
    expect(done).toBe(false);
    await m.answer(4);
    await finished;
    expect(done).toBe(true);
  });

  it('on a resume, reads at once a batch answered before the stop', () => {
    const steps = [batch(0, 'done'), batch(1), read(2, 0), read(3, 1)];
    const m = manualRuns();
    createReadBacks(makeRequest('r1', { steps }), steps.slice(2), 4, m.run);
    expect(m.started).toEqual([2]);
  });
});

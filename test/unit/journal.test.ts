import { describe, expect, it } from 'vitest';
import type { MutationRequest, Step } from '../../src/domain/request.js';
import { createStepJournal, type JournalWrite } from '../../src/service/journal.js';
import { largeRequest } from '../support/store-fixtures.js';

// The step journal of a running request: changes that arrive while a commit is being written
// share the next one, in the order they were asked for.

function fakeStore(request: MutationRequest) {
  let current = request;
  const commits: number[][] = [];
  let release: (() => void) | undefined;
  let hold = false;
  const write: JournalWrite = async (apply) => {
    if (hold) await new Promise<void>((resolve) => (release = resolve));
    const before = current;
    current = apply(current).request;
    commits.push(current.steps.filter((s, i) => s !== before.steps[i]).map((s) => s.index));
    return { ok: true, request: current };
  };
  return {
    write,
    commits,
    current: () => current,
    holdNext: () => (hold = true),
    release: () => {
      hold = false;
      release?.();
    },
  };
}

const sent = (s: Step): Step => ({ ...s, state: 'sent', sendCount: s.sendCount + 1 });
const done = (s: Step): Step => ({ ...s, state: 'done' });

describe('step journal', () => {
  it('writes changes asked for together in one commit', async () => {
    const store = fakeStore(largeRequest('r1', 400));
    const journal = createStepJournal('r1', store.write);
    const steps = await Promise.all([0, 1, 2, 3].map((i) => journal.change(i, sent)));
    expect(store.commits).toEqual([[0, 1, 2, 3]]);
    expect(steps.map((s) => [s.index, s.state])).toEqual([
      [0, 'sent'],
      [1, 'sent'],
      [2, 'sent'],
      [3, 'sent'],
    ]);
  });

  it('queues what arrives during a commit for the next one, applying changes in order', async () => {
    const store = fakeStore(largeRequest('r2', 300));
    const journal = createStepJournal('r2', store.write);
    store.holdNext();
    const first = journal.change(0, sent);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [journal.change(0, done), journal.change(1, sent), journal.change(2, sent)];
    store.release();
    await first;
    const [zero] = await Promise.all(later);
    expect(store.commits).toEqual([[0], [0, 1, 2]]);
    expect(zero).toMatchObject({ index: 0, state: 'done', sendCount: 1 });
    expect(store.current().steps.map((s) => s.state)).toEqual(['done', 'sent', 'sent']);
  });

  it('rejects every change of a commit that failed, and goes on with the next', async () => {
    const store = fakeStore(largeRequest('r3', 200));
    let fail = true;
    const journal = createStepJournal('r3', async (apply) => {
      if (fail) {
        fail = false;
        throw new Error('disk full');
      }
      return store.write(apply);
    });
    const failed = [journal.change(0, sent), journal.change(1, sent)];
    await expect(Promise.all(failed)).rejects.toThrow('disk full');
    await expect(failed[1]).rejects.toThrow('disk full');
    await expect(journal.change(1, sent)).resolves.toMatchObject({ state: 'sent' });
  });
});

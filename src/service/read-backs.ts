import { isOpenStep } from '../domain/lifecycle.js';
import type { MutationRequest, Step } from '../domain/request.js';

// The read-backs of a phase (issue 20): each key pair batch is read back (a Verify step naming it
// in `verifies`) as soon as its call is answered, while the other batches are still being sent.
// Reads have a budget of their own (as many at once as the writes' VOLC_MAX_CONCURRENCY, but
// apart from it): a read never holds back a batch, nor a batch a read. On a resume, a read whose
// batch was answered before the stop starts at once; one whose batch is still open waits for it.

/** Runs a read-back; calls `answered` once its call is answered (its slot is then free). */
export type RunStep = (step: Step, answered: () => void) => Promise<void>;

export interface ReadBacks {
  /** The read-backs waiting for the step `index` (a lane calls this when it is answered). */
  answered(index: number): void;
  /** No more batches will answer: resolves once every read started has settled (or throws). */
  finish(): Promise<void>;
  /** The lanes stopped (interrupted): waits for the reads in flight, starts no more. */
  abandon(): Promise<void>;
}

/** Splits a phase's open steps into the batches (for the lanes) and the read-backs. */
export function splitReadBacks(open: readonly Step[]): { writes: Step[]; reads: Step[] } {
  const writes: Step[] = [];
  const reads: Step[] = [];
  for (const s of open)
    (s.action === 'Verify' && s.verifies !== undefined ? reads : writes).push(s);
  return { writes, reads };
}

export function createReadBacks(
  request: MutationRequest,
  reads: readonly Step[],
  limit: number,
  run: RunStep,
): ReadBacks {
  const waiting = new Map<number, Step[]>();
  const ready: Step[] = [];
  /** Reads whose call is in flight (the budget), and reads not finished (journal included). */
  let active = 0;
  let running = 0;
  let stopped = false;
  let failure: { error: unknown } | undefined;
  const idleWaiters: Array<() => void> = [];
  const byIndex = new Map(request.steps.map((s) => [s.index, s]));

  function pump(): void {
    while (!stopped && !failure && active < limit && ready.length) {
      const step = ready.shift() as Step;
      active++;
      running++;
      // The budget bounds calls in flight: the slot frees when the call is answered, while its
      // answer is still being journaled.
      let freed = false;
      const free = () => {
        if (freed) return;
        freed = true;
        active--;
        pump();
      };
      run(step, free)
        .catch((error: unknown) => {
          failure ??= { error };
        })
        .finally(() => {
          free();
          running--;
          if (running === 0) for (const wake of idleWaiters.splice(0)) wake();
        });
    }
  }

  function idle(): Promise<void> {
    if (running === 0 && (stopped || failure || ready.length === 0)) return Promise.resolve();
    return new Promise<void>((resolve) => idleWaiters.push(resolve)).then(idle);
  }

  for (const read of reads) {
    const target = read.verifies === undefined ? undefined : byIndex.get(read.verifies);
    if (!target || !isOpenStep(target)) ready.push(read);
    else waiting.set(target.index, [...(waiting.get(target.index) ?? []), read]);
  }
  pump();

  return {
    answered(index) {
      const due = waiting.get(index);
      if (!due) return;
      waiting.delete(index);
      ready.push(...due);
      pump();
    },
    async finish() {
      // A batch that never answered (it cannot happen once every lane finished) is read anyway.
      for (const due of waiting.values()) ready.push(...due);
      waiting.clear();
      pump();
      await idle();
      if (failure) throw failure.error;
    },
    async abandon() {
      stopped = true;
      await idle();
    },
  };
}

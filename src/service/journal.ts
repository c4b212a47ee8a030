import type { MutationRequest, Step } from '../domain/request.js';
import type { UpdateResult } from './ports.js';

// The step journal of one running request. A step change waits for the write before it to
// commit, and every change that arrived meanwhile shares the next commit: lanes whose answers
// come back together (and a lane's answer with its next step's `sent`) cost one store update,
// not one each in a queue behind each other. A change resolves once the commit holding it has.

export type JournalWrite = (
  apply: (current: MutationRequest) => { ok: true; request: MutationRequest },
) => Promise<UpdateResult<never>>;

export interface StepJournal {
  /** Changes step `index`; resolves with the step as committed. */
  change(index: number, change: (step: Step) => Step): Promise<Step>;
}

interface Queued {
  index: number;
  change: (step: Step) => Step;
  resolve(step: Step): void;
  reject(error: unknown): void;
}

export function createStepJournal(requestId: string, write: JournalWrite): StepJournal {
  let queued: Queued[] = [];
  let draining = false;

  async function drain(): Promise<void> {
    // Changes asked for in this turn of the event loop join the first commit too: answers that
    // arrived together are handled in one turn, one after the other.
    await new Promise((resolve) => setImmediate(resolve));
    while (queued.length > 0) {
      const batch = queued;
      queued = [];
      try {
        const result = await write((current) => ({
          ok: true,
          request: { ...current, steps: current.steps.map((s) => applyAll(batch, s)) },
        }));
        if (!result.ok) throw new Error(`request ${requestId} vanished during execution`);
        for (const item of batch) {
          const step = result.request.steps.find((s) => s.index === item.index);
          if (step) item.resolve(step);
          else item.reject(new Error(`request ${requestId} has no step ${item.index}`));
        }
      } catch (error) {
        for (const item of batch) item.reject(error);
      }
    }
    draining = false;
  }

  return {
    change: (index, change) =>
      new Promise<Step>((resolve, reject) => {
        queued.push({ index, change, resolve, reject });
        if (draining) return;
        draining = true;
        void drain();
      }),
  };
}

/** The batch's changes to this step, in the order they were asked for. */
function applyAll(batch: readonly Queued[], step: Step): Step {
  let next = step;
  for (const item of batch) if (item.index === step.index) next = item.change(next);
  return next;
}

import { kindOf } from '../domain/operations/phases.js';
import type { MutationRequest, Step, StepError } from '../domain/request.js';
import { accountOf, ecsOf, type ServiceContext } from './context.js';
import type { StepJournal } from './journal.js';
import type { Lease } from './lease.js';
import { toStepError } from './ports.js';
import { createReadBacks, splitReadBacks } from './read-backs.js';
import { performStep, type StepAnswer, StepInterrupted } from './step-runner.js';

// The steps of one phase, run in lanes (VOLC_MAX_CONCURRENCY at once): each step journaled
// `sent` before its call and `done`/`failed` with its answer after, audited and shown on the card.
// A lane says when a step is answered, so that its read-back (read-backs.ts) starts at once.

/** How a step's call ended. */
type Settled = { answer: StepAnswer } | { error: StepError };

export interface LaneHooks {
  /** Stops (throws StepInterrupted) if the lease was lost, or when `startsWork` while stopping. */
  checkpoint(lease: Lease, startsWork?: boolean): Promise<void>;
  /** A store call that waits out an unreachable store. */
  withStore<T>(lease: Lease, work: () => Promise<T>): Promise<T>;
}

export function createLanes(ctx: ServiceContext, hooks: LaneHooks) {
  const { deps } = ctx;
  const { store, logger } = deps;
  const { checkpoint, withStore } = hooks;

  /**
   * A phase's steps in lanes, VOLC_MAX_CONCURRENCY at once; each batch's read-back starts when the
   * batch is answered, on a budget of its own (read-backs.ts).
   */
  async function runPhase(
    lease: Lease,
    journal: StepJournal,
    request: MutationRequest,
    open: Step[],
  ): Promise<void> {
    const { writes, reads } = splitReadBacks(open);
    const readBacks = createReadBacks(request, reads, deps.settings.maxConcurrency, (step, done) =>
      runOne(lease, journal, request, step, done),
    );
    const lanes = Math.max(1, Math.min(deps.settings.maxConcurrency, writes.length));
    try {
      await Promise.all(
        Array.from({ length: lanes }, () =>
          runLane(lease, journal, request, writes, readBacks.answered),
        ),
      );
    } catch (error) {
      await readBacks.abandon();
      throw error;
    }
    await readBacks.finish();
  }

  /**
   * One lane of a phase: it takes the phase's steps one at a time. A step's answer goes to the
   * journal together with the lane's next `sent`, so they share a commit (with whatever the other
   * lanes wrote meanwhile): between two calls a lane waits for one write, not two in a queue.
   */
  async function runLane(
    lease: Lease,
    journal: StepJournal,
    request: MutationRequest,
    queue: Step[],
    answered?: (index: number) => void,
  ): Promise<void> {
    const firstStep = queue.shift();
    if (!firstStep) return;
    // While stopping, no new mutation or restart wait starts; a quick read-back still may.
    await checkpoint(lease, firstStep.action !== 'Verify');
    let sent = await journal.change(firstStep.index, markSent);
    // A step's `sent` is journaled before its call (that is what a resume needs); its audit event
    // is appended while the call is out, and before the answer's.
    let audited: Promise<unknown> = recordSent(request, sent);
    for (;;) {
      const settled = await perform(lease, request, sent);
      await audited;
      // The call happened: record its answer even while stopping, unless another replica took
      // the request over (it resends with the same ClientToken and records the same answer).
      await checkpoint(lease, false);
      const next = queue.shift();
      const starts = next !== undefined && (next.action === 'Verify' || ctx.isAccepting());
      const finished = journal.change(sent.index, (s) => settle(s, settled));
      const nextSent = next && starts ? journal.change(next.index, markSent) : undefined;
      nextSent?.catch(() => {}); // awaited below, unless the answer's write failed first
      report(request, sent, settled, await finished);
      ctx.refreshCard(request.id);
      // The answer's audit event, then the next step's: one append of both, in that order.
      const recorded = ctx.record(settledEvent(request, sent, settled));
      // Its read-back may start now, its events after the answer's.
      answered?.(sent.index);
      if (!next) return await recorded;
      if (!nextSent) {
        await recorded;
        throw new StepInterrupted('the bot is stopping');
      }
      sent = await nextSent;
      audited = Promise.all([recorded, recordSent(request, sent)]);
    }
  }

  /**
   * One step on its own (a batch's read-back): called, then journaled once, sent and answered in
   * one change. A read is safe to repeat, so it needs no `sent` in the journal before its call (a
   * resume reads again what has no answer): it starts as soon as its batch is answered, without
   * waiting for a commit. A read starts while stopping too; only a lost lease stops it.
   */
  async function runOne(
    lease: Lease,
    journal: StepJournal,
    request: MutationRequest,
    step: Step,
    answered: () => void,
  ): Promise<void> {
    await checkpoint(lease, false);
    const sent = markSent(step);
    const audited = recordSent(request, sent);
    const settled = await perform(lease, request, sent);
    answered();
    await checkpoint(lease, false);
    await audited;
    const answer = (s: Step) =>
      settle({ ...markSent(s), sentAt: s.sentAt ?? sent.sentAt }, settled);
    report(request, sent, settled, await journal.change(sent.index, answer));
    ctx.refreshCard(request.id);
    await ctx.record(settledEvent(request, sent, settled));
  }

  const markSent = (s: Step): Step => ({
    ...s,
    state: 'sent',
    sendCount: s.sendCount + 1,
    // The first send starts a restart wave's clock; a resume keeps it.
    sentAt: s.sentAt ?? ctx.now().toISOString(),
  });

  async function recordSent(request: MutationRequest, sent: Step): Promise<Step> {
    await ctx.record({
      type: 'step_sent',
      requestId: request.id,
      // A later phase's steps are audited as their own kind (restart_step_sent, apply_…).
      kind: kindOf(sent, request),
      ...accountOf(request),
      step: sent.index,
      action: sent.action,
      ...(sent.clientToken ? { clientToken: sent.clientToken } : {}),
      ...(sent.invocationName ? { invocationName: sent.invocationName } : {}),
      instances: sent.instanceIds.length,
      sendCount: sent.sendCount,
    });
    return sent;
  }

  /** The step's call: its answer, or the error it failed with (StepInterrupted passes through). */
  async function perform(lease: Lease, request: MutationRequest, sent: Step): Promise<Settled> {
    // A wait reads its wave's reboot answers, written after this phase's snapshot was taken.
    const fresh =
      sent.action === 'WaitRunning'
        ? ((await withStore(lease, () => store.get(request.id))) ?? request)
        : request;
    try {
      const answer = await performStep(ecsOf(deps, request.account), fresh, sent, {
        now: ctx.now,
        sleep: ctx.sleep,
        checkpoint: () => checkpoint(lease),
      });
      return { answer };
    } catch (error) {
      if (error instanceof StepInterrupted) throw error;
      return { error: toStepError(error) };
    }
  }

  function settle(s: Step, settled: Settled): Step {
    const finishedAt = ctx.now().toISOString();
    if ('error' in settled) {
      const { error } = settled;
      return {
        ...s,
        state: 'failed',
        finishedAt,
        error,
        ...(error.requestId ? { apiRequestId: error.requestId } : {}),
      };
    }
    const { answer } = settled;
    return {
      ...s,
      state: 'done',
      finishedAt,
      ...(answer.apiRequestId ? { apiRequestId: answer.apiRequestId } : {}),
      ...(answer.invocationId ? { invocationId: answer.invocationId } : {}),
      outcomes: answer.outcomes,
    };
  }

  function report(request: MutationRequest, sent: Step, settled: Settled, step: Step): void {
    const base = { requestId: request.id, step: step.index, action: sent.action };
    if ('error' in settled) {
      logger.error('step failed', { ...base, ...settled.error });
      return;
    }
    const { outcomes, apiRequestId } = settled.answer;
    const failed = outcomes.filter((o) => !o.ok).length;
    logger.info('step done', { ...base, apiRequestId, ok: outcomes.length - failed, failed });
  }

  function settledEvent(request: MutationRequest, sent: Step, settled: Settled) {
    const base = {
      requestId: request.id,
      // A later phase's steps are audited as their own kind (restart_step_sent, apply_…).
      kind: kindOf(sent, request),
      ...accountOf(request),
      step: sent.index,
      action: sent.action,
      ...(sent.clientToken ? { clientToken: sent.clientToken } : {}),
    };
    return 'error' in settled
      ? { type: 'step_failed' as const, ...base, error: settled.error }
      : {
          type: 'step_done' as const,
          ...base,
          apiRequestId: settled.answer.apiRequestId,
          ...(settled.answer.invocationId ? { invocationId: settled.answer.invocationId } : {}),
          outcomes: settled.answer.outcomes,
        };
  }

  return { runPhase };
}

import type { MutationRequest, Step } from '../domain/request.js';
import type { ServiceContext } from './context.js';
import type { Lease } from './lease.js';
import { isStoreUnavailable, toStepError } from './ports.js';
import { performStep, StepInterrupted } from './step-runner.js';

// One step of a plan, journaled around its call: marked `sent` (first send time kept) before it
// goes out, `done` with its outcomes or `failed` with the error after, each audited. Store calls
// wait out an unreachable store while the lease holds; every call and write checks the lease.

export function createStepJournal(ctx: ServiceContext) {
  const { deps } = ctx;
  const { store, logger } = deps;

  async function runStep(lease: Lease, request: MutationRequest, index: number): Promise<void> {
    const planned = request.steps.find((s) => s.index === index);
    // While stopping, no new mutation or restart wait starts; a quick read-back still may.
    await checkpoint(lease, planned?.action !== 'Verify');
    const sent = await changeStep(lease, request.id, index, (s) => ({
      ...s,
      state: 'sent',
      sendCount: s.sendCount + 1,
      // The first send starts a restart wave's clock; a resume keeps it.
      sentAt: s.sentAt ?? ctx.now().toISOString(),
    }));
    await ctx.record({
      type: 'step_sent',
      requestId: request.id,
      kind: request.kind,
      step: index,
      action: sent.action,
      ...(sent.clientToken ? { clientToken: sent.clientToken } : {}),
      instances: sent.instanceIds.length,
      sendCount: sent.sendCount,
    });
    // A wait reads its wave's reboot answers, written after this phase's snapshot was taken.
    const fresh =
      sent.action === 'WaitRunning'
        ? ((await withStore(lease, () => store.get(request.id))) ?? request)
        : request;
    try {
      const answer = await performStep(deps.ecs, fresh, sent, {
        now: ctx.now,
        sleep: ctx.sleep,
        checkpoint: () => checkpoint(lease),
      });
      // The call happened: record its answer even while stopping, unless another replica took
      // the request over (it resends with the same ClientToken and records the same answer).
      await checkpoint(lease, false);
      await changeStep(lease, request.id, index, (s) => ({
        ...s,
        state: 'done',
        finishedAt: ctx.now().toISOString(),
        ...(answer.apiRequestId ? { apiRequestId: answer.apiRequestId } : {}),
        outcomes: answer.outcomes,
      }));
      const failed = answer.outcomes.filter((o) => !o.ok).length;
      logger.info('step done', {
        requestId: request.id,
        step: index,
        action: sent.action,
        apiRequestId: answer.apiRequestId,
        ok: answer.outcomes.length - failed,
        failed,
      });
      await ctx.record({
        type: 'step_done',
        requestId: request.id,
        kind: request.kind,
        step: index,
        action: sent.action,
        ...(sent.clientToken ? { clientToken: sent.clientToken } : {}),
        apiRequestId: answer.apiRequestId,
        outcomes: answer.outcomes,
      });
    } catch (error) {
      if (error instanceof StepInterrupted) throw error;
      await checkpoint(lease, false);
      const stepError = toStepError(error);
      await changeStep(lease, request.id, index, (s) => ({
        ...s,
        state: 'failed',
        finishedAt: ctx.now().toISOString(),
        error: stepError,
        ...(stepError.requestId ? { apiRequestId: stepError.requestId } : {}),
      }));
      logger.error('step failed', {
        requestId: request.id,
        step: index,
        action: sent.action,
        ...stepError,
      });
      await ctx.record({
        type: 'step_failed',
        requestId: request.id,
        kind: request.kind,
        step: index,
        action: sent.action,
        ...(sent.clientToken ? { clientToken: sent.clientToken } : {}),
        error: stepError,
      });
    }
    ctx.refreshCard(request.id);
  }
  /**
   * Before every call and write: stop if another replica took over, and (when `startsWork`)
   * if the bot is stopping.
   */
  async function checkpoint(lease: Lease, startsWork = true): Promise<void> {
    if (startsWork && !ctx.isAccepting()) throw new StepInterrupted('the bot is stopping');
    if (!(await lease.renewIfDue())) throw new StepInterrupted('the execution lease was lost');
  }
  async function changeStep(
    lease: Lease,
    requestId: string,
    index: number,
    change: (step: Step) => Step,
  ): Promise<Step> {
    const result = await withStore(lease, () =>
      store.update(requestId, (current) => ({
        ok: true,
        request: {
          ...current,
          steps: current.steps.map((s) => (s.index === index ? change(s) : s)),
        },
      })),
    );
    if (!result.ok) throw new Error(`request ${requestId} vanished during execution`);
    return result.request.steps.find((s) => s.index === index) as Step;
  }
  /**
   * Store calls of a running execution wait out an unreachable store (the database is down):
   * the work pauses and goes on when it is back, unless the bot stops or the lease lapses.
   */
  async function withStore<T>(lease: Lease, work: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (!isStoreUnavailable(error)) throw error;
        if (!ctx.isAccepting()) throw new StepInterrupted('the bot is stopping');
        if (!lease.stillValid()) throw new StepInterrupted('the execution lease lapsed');
        if (attempt === 0) logger.warn('store unavailable: execution paused', { error });
        await ctx.sleep(Math.min(5_000, 250 * 2 ** Math.min(attempt, 5)));
      }
    }
  }

  return { runStep, checkpoint, changeStep, withStore };
}

export type StepJournal = ReturnType<typeof createStepJournal>;

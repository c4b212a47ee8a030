import {
  awaitsResults,
  hasWorkLeft,
  isOpenStep,
  needsExecution,
  settledStatus,
} from '../domain/lifecycle.js';
import { kindOf } from '../domain/operations/phases.js';
import { haltsOnFailure } from '../domain/operations/restart.js';
import { summarizeRequest } from '../domain/operations/summary.js';
import type { MutationRequest, Step } from '../domain/request.js';
import { accountOf, type ServiceContext } from './context.js';
import { createStepJournal } from './journal.js';
import { createLanes } from './lanes.js';
import { claimLease, type Lease } from './lease.js';
import { createNextPhase } from './next-phase.js';
import { isStoreUnavailable } from './ports.js';
import { createPreflight } from './preflight.js';
import { StepInterrupted } from './step-runner.js';

// The one engine for every approved mutation (design.md §3): a replica claims the request with a
// lease, runs its plan phase by phase (steps of a phase at once, bounded), journals each step
// `sent` before its call and `done`/`failed` after, halts a restart at a failed wave, settles the
// status and posts the results once. A restart or a takeover of a lapsed lease resumes from the
// journal, resending unfinished steps with their ClientTokens.

export function createExecutor(ctx: ServiceContext) {
  const { deps } = ctx;
  const { store, logger, notifier } = deps;
  const running = new Map<string, Promise<void>>();
  const laneRunner = createLanes(ctx, { checkpoint, withStore });
  const preflight = createPreflight(ctx);
  const nextPhase = createNextPhase(ctx, { checkpoint, withStore });

  /** Runs (or finishes) a request. Safe to call again and on every replica: one run at a time. */
  function execute(requestId: string): Promise<void> {
    const existing = running.get(requestId);
    if (existing) return existing;
    const run = ctx
      .track(runWithLease(requestId))
      .catch((error: unknown) => {
        if (error instanceof StepInterrupted) return;
        logger.error('execution stopped', { requestId, error });
      })
      .finally(() => {
        running.delete(requestId);
        deps.observer?.executionsInFlight?.(running.size);
      });
    running.set(requestId, run);
    deps.observer?.executionsInFlight?.(running.size);
    return run;
  }

  async function runWithLease(requestId: string): Promise<void> {
    const lease = await claimLease(ctx, requestId);
    if (!lease) return; // another replica holds it; the takeover scan looks again later
    try {
      const request = await withStore(lease, () => store.get(requestId));
      if (!request) return;
      if (needsExecution(request)) {
        // Once, before the first mutation (and on a resume while none was sent).
        const cleared = await preflight.clear(request, (change) =>
          writeIf(lease, requestId, change),
        );
        if (cleared.ok) {
          await start(lease, cleared.request);
          await runPlan(lease, requestId);
          await finish(lease, requestId);
        }
      }
      await postResultsOnce(lease, requestId);
    } finally {
      await lease.release();
    }
  }

  async function start(lease: Lease, request: MutationRequest): Promise<void> {
    const started = await withStore(lease, () =>
      store.update(request.id, (current) =>
        needsExecution(current)
          ? { ok: true, request: { ...current, status: 'executing' } }
          : { ok: false, refusal: current.status },
      ),
    );
    if (!started.ok) return;
    const resumed = started.request.steps.some((s) => s.sendCount > 0);
    logger.info(resumed ? 'execution resumed' : 'execution started', {
      requestId: request.id,
      kind: request.kind,
      steps: request.steps.length,
      replica: deps.replicaId,
    });
    await ctx.record({
      type: 'execution_started',
      requestId: request.id,
      kind: request.kind,
      ...accountOf(request),
      resumed,
      replica: deps.replicaId,
      steps: request.steps.map((s) => ({
        index: s.index,
        action: s.action,
        ...(s.clientToken ? { clientToken: s.clientToken } : {}),
      })),
    });
    ctx.refreshCard(request.id);
  }

  /**
   * The request's own plan, then (then=restart) the phase approved after it: planned from the
   * first plan's journal once that is answered, its results posted, then run the same way.
   */
  async function runPlan(lease: Lease, requestId: string): Promise<void> {
    await runPhases(lease, requestId, (s) => s.kind === undefined);
    if (await nextPhase.start(lease, requestId)) {
      await runPhases(lease, requestId, (s) => s.kind !== undefined);
    }
  }

  async function runPhases(
    lease: Lease,
    requestId: string,
    part: (step: Step) => boolean,
  ): Promise<void> {
    const journal = createStepJournal(requestId, (apply) =>
      withStore(lease, () => store.update(requestId, apply)),
    );
    const first = await withStore(lease, () => store.get(requestId));
    const phases = [...new Set((first?.steps ?? []).filter(part).map((s) => s.phase))].sort(
      (a, b) => a - b,
    );
    for (const phase of phases) {
      const request = await withStore(lease, () => store.get(requestId));
      if (!request) return;
      const open = request.steps.filter((s) => s.phase === phase && isOpenStep(s));
      if (!open.length) continue;
      const halted = haltedWave(request);
      if (halted !== undefined && (open[0]?.wave ?? 0) > halted) {
        await skipAfter(lease, request, halted);
        continue;
      }
      await laneRunner.runPhase(lease, journal, request, open);
    }
  }

  /**
   * A halting kind (a restart, or a rotation's restart phase) stops after the first wave with a
   * failed step or instance.
   */
  function haltedWave(request: MutationRequest): number | undefined {
    const failed = request.steps
      .filter((s) => haltsOnFailure(kindOf(s, request)))
      .filter((s) => s.state === 'failed' || (s.state === 'done' && s.outcomes?.some((o) => !o.ok)))
      .map((s) => s.wave ?? 0);
    return failed.length ? Math.min(...failed) : undefined;
  }

  async function skipAfter(lease: Lease, request: MutationRequest, wave: number): Promise<void> {
    const skipped: number[] = [];
    await withStore(lease, () =>
      store.update(request.id, (current) => ({
        ok: true,
        request: {
          ...current,
          steps: current.steps.map((s) => {
            if (!isOpenStep(s) || !haltsOnFailure(kindOf(s, current))) return s;
            if ((s.wave ?? 0) <= wave) return s;
            skipped.push(s.index);
            return { ...s, state: 'skipped' as const };
          }),
        },
      })),
    );
    logger.warn('roll halted', {
      requestId: request.id,
      afterWave: wave,
      skippedSteps: skipped.length,
    });
    await ctx.record({
      type: 'steps_skipped',
      requestId: request.id,
      kind: request.kind,
      ...accountOf(request),
      afterWave: wave,
      steps: skipped,
    });
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

  async function finish(lease: Lease, requestId: string): Promise<void> {
    const result = await withStore(lease, () =>
      store.update(requestId, (current) => {
        // A next phase still to plan is work left, whatever the steps say.
        const status =
          current.next && !current.next.planned ? undefined : settledStatus(current.steps);
        if (current.status !== 'executing' || !status) return { ok: false, refusal: 'unsettled' };
        return { ok: true, request: { ...current, status, finishedAt: ctx.now().toISOString() } };
      }),
    );
    if (!result.ok) return;
    const request = result.request;
    const { counts, mismatched, total } = summarizeRequest(request);
    const totals = { instances: total, ...counts, mismatched };
    logger.info(`request ${request.status}`, { requestId, kind: request.kind, ...totals });
    await ctx.record({
      type: 'finished',
      requestId,
      kind: request.kind,
      ...accountOf(request),
      status: request.status,
      ...totals,
    });
    deps.observer?.requestFinished?.(request.kind, request.status, request.account);
  }

  /** Posts the results unless they were posted before; the journal makes this once only. */
  async function postResultsOnce(lease: Lease, requestId: string): Promise<void> {
    const request = await withStore(lease, () => store.get(requestId));
    if (!request || !awaitsResults(request)) return;
    await checkpoint(lease, false);
    const posted = await notifier.postResults(request);
    if (!posted) return; // logged by the notifier; the next start (or takeover) tries again
    const stored = await withStore(lease, () =>
      store.update(requestId, (c) => ({
        ok: true,
        request: { ...c, resultsPostedAt: ctx.now().toISOString(), results: posted },
      })),
    );
    await ctx.record({
      type: 'results_posted',
      requestId,
      kind: request.kind,
      ...accountOf(request),
    });
    ctx.refreshCard(requestId);
    if (stored.ok) void ctx.track(notifier.tellRequester(stored.request, 'results'));
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

  /** An atomic change that may decline (undefined): the stored result, or undefined. */
  async function writeIf(
    lease: Lease,
    requestId: string,
    change: (current: MutationRequest) => MutationRequest | undefined,
  ): Promise<MutationRequest | undefined> {
    const result = await withStore(lease, () =>
      store.update(requestId, (current) => {
        const next = change(current);
        return next ? { ok: true, request: next } : { ok: false, refusal: 'unchanged' };
      }),
    );
    return result.ok ? result.request : undefined;
  }

  /** Every request a previous process (or a dead replica) left unfinished. */
  async function resumeOpen(): Promise<number> {
    const open = (await store.listOpen()).filter(hasWorkLeft);
    const todo = open.filter((r) => !running.has(r.id));
    if (todo.length) logger.debug('looking for unfinished requests', { count: todo.length });
    await Promise.all(todo.map((r) => execute(r.id)));
    return todo.length;
  }

  return {
    execute,
    resumeOpen,
    running: () => [...running.values()],
    runningIds: () => [...running.keys()],
  };
}

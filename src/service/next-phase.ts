import { nextPhaseView, planNextPhase } from '../domain/operations/phases.js';
import type { MutationRequest } from '../domain/request.js';
import { accountOf, type ServiceContext } from './context.js';
import type { Lease } from './lease.js';

// The boundary between a request's own plan and the phase approved after it (`then=restart`,
// issue 21): once the first plan is answered and verified, its next phase's steps are derived
// (domain/operations/phases.ts) and journaled in one atomic write before the phase's first call,
// then the first plan's results go to the thread, once. A resume (or another replica) finds the
// steps stored and derives nothing again; a crash before the write derives the same steps from
// the same journal.

export interface NextPhaseHooks {
  checkpoint(lease: Lease, startsWork?: boolean): Promise<void>;
  withStore<T>(lease: Lease, work: () => Promise<T>): Promise<T>;
}

export function createNextPhase(ctx: ServiceContext, hooks: NextPhaseHooks) {
  const { deps } = ctx;
  const { store, logger, notifier } = deps;
  const { checkpoint, withStore } = hooks;

  /**
   * Plans the next phase (once) and posts the first plan's results (once). Resolves true when the
   * request has a planned next phase to run, false when it has none (or it cannot be planned yet).
   */
  async function start(lease: Lease, requestId: string): Promise<boolean> {
    let request = await withStore(lease, () => store.get(requestId));
    if (!request?.next) return false;
    if (!request.next.planned) {
      await checkpoint(lease, false);
      const planned = await withStore(lease, () =>
        store.update(requestId, (current) => {
          const next = planNextPhase(current, ctx.now());
          return next === current ? { ok: false, refusal: 'not due' } : { ok: true, request: next };
        }),
      );
      if (!planned.ok) return false;
      request = planned.request;
      await recordPlanned(request);
      ctx.refreshCard(requestId);
    }
    if (!request.next?.earlierResults) await postEarlierResults(lease, request);
    return true;
  }

  async function recordPlanned(request: MutationRequest): Promise<void> {
    const view = nextPhaseView(request);
    if (!view || !request.next?.planned) return;
    const { excluded } = request.next.planned;
    logger.info('next phase planned', {
      requestId: request.id,
      phase: view.kind,
      instances: view.instanceIds.length,
      excluded: excluded.length,
      steps: view.steps.length,
    });
    await ctx.record({
      type: 'phase_planned',
      requestId: request.id,
      kind: request.kind,
      ...accountOf(request),
      phase: view.kind,
      instanceIds: view.instanceIds,
      excluded,
      steps: view.steps.map((s) => ({
        index: s.index,
        action: s.action,
        ...(s.clientToken ? { clientToken: s.clientToken } : {}),
      })),
    });
  }

  /**
   * The first plan's results, in the thread before the next phase starts. Tried once: a failed
   * post does not hold the phase up, and the final results then carry them (results renderer).
   */
  async function postEarlierResults(lease: Lease, request: MutationRequest): Promise<void> {
    await checkpoint(lease, false);
    const message = await notifier.postResults(request, 'earlier');
    const at = ctx.now().toISOString();
    await withStore(lease, () =>
      store.update(request.id, (current) =>
        current.next && !current.next.earlierResults
          ? {
              ok: true,
              request: {
                ...current,
                next: { ...current.next, earlierResults: { at, ...(message ? { message } : {}) } },
              },
            }
          : { ok: false, refusal: 'posted' },
      ),
    );
    await ctx.record({
      type: 'phase_results_posted',
      requestId: request.id,
      kind: request.kind,
      ...accountOf(request),
      posted: message !== undefined,
    });
  }

  return { start };
}

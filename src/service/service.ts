import { createCancellations } from './cancel.js';
import { createContext, type ServiceDeps } from './context.js';
import { createDecisions } from './decisions.js';
import { createExecutor } from './executor.js';
import { createKeyImports } from './import-key.js';
import { createModeSweep } from './modes.js';
import { isStoreUnavailable } from './ports.js';
import { createReading } from './reading.js';
import { createSubmissions } from './submit.js';

// The request lifecycle (design.md §3), composed: submissions, decisions, the executor, the
// sweeps, and the queries behind status, history and App Home. Expected refusals are returned as
// values; the listeners turn them into words.

export type Service = ReturnType<typeof createService>;

export function createService(deps: ServiceDeps) {
  const ctx = createContext(deps);
  const executor = createExecutor(ctx);
  const submissions = createSubmissions(ctx);
  const decisions = createDecisions(ctx, (id) => void executor.execute(id));
  const imports = createKeyImports(ctx, submissions.checkRequester);
  const reading = createReading(ctx, submissions.checkRequester);
  const modes = createModeSweep(ctx);
  const cancellations = createCancellations(ctx);
  const { store, audit, logger } = deps;

  /**
   * A store that cannot be reached answers a command or click with "storage unavailable": nothing
   * was changed, and nothing crashes.
   */
  const guarded =
    <A extends unknown[], R>(work: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R | { ok: false; refusal: { reason: 'storage_unavailable' } }> => {
      try {
        return await ctx.track(work(...args));
      } catch (error) {
        if (!isStoreUnavailable(error)) throw error;
        logger.warn('store unavailable: refused', { error });
        return { ok: false, refusal: { reason: 'storage_unavailable' } };
      }
    };

  /**
   * Retention: closed requests older than RETENTION_DAYS move to the audit trail (written there
   * first, so a crash in between keeps both copies rather than none) and leave the store.
   */
  async function archiveFinished(): Promise<number> {
    const at = ctx.now();
    const cutoff = new Date(at.getTime() - deps.settings.retentionDays * 86_400_000);
    const archived = await store.archiveFinished(cutoff, async (requests) => {
      // Not through record(): if the audit trail can't take them, they must stay.
      for (const request of requests) {
        await audit.append({
          type: 'archived',
          requestId: request.id,
          kind: request.kind,
          at: at.toISOString(),
          request,
        });
      }
    });
    if (archived.length) logger.info('archived finished requests', { count: archived.length });
    return archived.length;
  }

  /** Stop taking requests, let in-flight steps finish (bounded), drain Slack updates. */
  async function stop(graceMs: number): Promise<void> {
    ctx.stopAccepting();
    const settle = Promise.allSettled([...executor.running(), ...ctx.background()]);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), graceMs);
    });
    const outcome = await Promise.race([settle.then(() => 'settled' as const), timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      logger.warn('stopping with work in flight; the journal resumes it on the next start', {
        requests: executor.runningIds(),
      });
    }
    await store.flush();
  }

  /** Waits until every background task has settled (tests and benchmarks). */
  async function idle(): Promise<void> {
    for (;;) {
      const pending = [...ctx.background(), ...executor.running()];
      if (!pending.length) break;
      await Promise.allSettled(pending);
    }
    await ctx.cardsIdle();
  }

  return {
    checkRequester: submissions.checkRequester,
    submit: guarded(submissions.submit),
    requestFollowUp: guarded(submissions.requestFollowUp),
    /** `/attach-key import`: a public key the bot keeps (ImportKeyPair when the name is new). */
    importPublicKey: guarded(imports.importPublicKey),
    /** Whether the bot knows a key pair's public key (the results offer "apply now" then). */
    knowsPublicKey: async (keyPairId: string) => !!(await deps.keys.get(keyPairId)),
    decide: guarded(decisions.decide),
    /** The requester takes a pending request back. */
    cancel: guarded(cancellations.cancel),
    execute: executor.execute,
    /** After a start, and periodically: take up every request with work left and a free lease. */
    resume: executor.resumeOpen,
    expireDue: decisions.expireDue,
    /** At start: close what the other mode (sandbox or live) left open. */
    voidOtherMode: modes.voidOtherMode,
    remindDue: decisions.remindDue,
    archiveFinished,
    /** `/attach-key status ID` for one reader: undefined for an id they may not see. */
    status: guarded(reading.status),
    /** `/attach-key history [N]` for one reader. */
    history: guarded(reading.history),
    waitingFor: decisions.waitingFor,
    /** Every request, newest first (App Home's "Your requests" with `requesterId`; tests). */
    recent: (query: { limit: number; requesterId?: string }) => store.recent(query),
    get: (id: string) => store.get(id),
    /** A request's audit trail, oldest first. */
    auditTrail: (id: string) => audit.eventsFor(id),
    stop,
    idle,
  };
}

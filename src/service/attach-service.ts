import { toBatches } from '../domain/batches.js';
import { countOutcomes, summarize } from '../domain/outcome.js';
import {
  type AttachRequest,
  type Batch,
  type DecisionKind,
  type DecisionRefusal,
  decide,
  expire,
  needsExecution,
  type RequestDraft,
  settledStatus,
} from '../domain/request.js';
import {
  type AuditEvent,
  type AuditLog,
  type CardPostFailure,
  type Clock,
  type EcsApi,
  type Logger,
  type Notifier,
  type RequestStore,
  toBatchError,
} from './ports.js';
import { createCoalescer, runLimited } from './run-limited.js';

// The request lifecycle (design.md §3): submit, decide, execute with a journal, resume after a
// restart, expire. Expected refusals are returned as values; the listeners turn them into words.

export interface ServicePolicy {
  approverIds: readonly string[];
  allowSelfApproval: boolean;
  requesterIds: readonly string[];
  allowedChannelIds: readonly string[];
  maxInstancesPerRequest: number;
  requestTtlMinutes: number;
}

export interface AttachServiceDeps {
  store: RequestStore;
  ecs: EcsApi;
  notifier: Notifier;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
  newRequestId: () => string;
  policy: ServicePolicy;
  sandbox: boolean;
  maxConcurrency: number;
  /** Finished requests older than this leave the live store for the audit log. */
  retentionDays: number;
}

export type SubmitRefusal =
  | { reason: 'channel_not_allowed' }
  | { reason: 'requester_not_allowed' }
  | { reason: 'too_many_instances'; count: number; limit: number }
  | { reason: 'shutting_down' }
  | CardPostFailure;

export type ClickRefusal =
  | DecisionRefusal
  | { reason: 'unknown_request'; requestId: string }
  | { reason: 'shutting_down' };

export type AttachService = ReturnType<typeof createAttachService>;

export function createAttachService(deps: AttachServiceDeps) {
  const { store, ecs, notifier, audit, clock, logger, policy } = deps;
  const approverIds = new Set(policy.approverIds);
  const running = new Map<string, Promise<void>>();
  const background = new Set<Promise<unknown>>();
  let accepting = true;

  const cards = createCoalescer(async (id) => {
    const request = store.get(id);
    if (request?.card) await notifier.updateCard(request);
  });

  const now = () => clock.now();
  const record = async (event: Omit<AuditEvent, 'at'>) => {
    try {
      await audit.append({ ...event, at: now().toISOString() } as AuditEvent);
    } catch (error) {
      logger.error('audit append failed', { requestId: event.requestId, event: event.type, error });
    }
  };
  const track = <T>(promise: Promise<T>): Promise<T> => {
    background.add(promise);
    promise.finally(() => background.delete(promise)).catch(() => {});
    return promise;
  };

  /** Who may ask, and where; also used before the modal opens. */
  function checkRequester(userId: string, channelId: string): SubmitRefusal | undefined {
    if (!accepting) return { reason: 'shutting_down' };
    if (policy.allowedChannelIds.length && !policy.allowedChannelIds.includes(channelId)) {
      return { reason: 'channel_not_allowed' };
    }
    if (policy.requesterIds.length && !policy.requesterIds.includes(userId)) {
      return { reason: 'requester_not_allowed' };
    }
    return undefined;
  }

  async function submit(input: {
    draft: RequestDraft;
    requesterId: string;
    channelId: string;
  }): Promise<{ ok: true; request: AttachRequest } | { ok: false; refusal: SubmitRefusal }> {
    const refusal = checkRequester(input.requesterId, input.channelId);
    if (refusal) return { ok: false, refusal };
    const count = input.draft.instanceIds.length;
    if (count > policy.maxInstancesPerRequest) {
      return {
        ok: false,
        refusal: { reason: 'too_many_instances', count, limit: policy.maxInstancesPerRequest },
      };
    }

    const createdAt = now();
    const request: AttachRequest = {
      id: freshId(),
      status: 'pending',
      requesterId: input.requesterId,
      channelId: input.channelId,
      instanceIds: [...input.draft.instanceIds],
      ...(input.draft.keyPairName ? { keyPairName: input.draft.keyPairName } : {}),
      ...(input.draft.keyPairId ? { keyPairId: input.draft.keyPairId } : {}),
      region: input.draft.region,
      createdAt: createdAt.toISOString(),
      expiresAt: new Date(createdAt.getTime() + policy.requestTtlMinutes * 60_000).toISOString(),
      batches: [],
      ...(deps.sandbox ? { sandbox: true } : {}),
    };
    // Stored (and audited) before the card exists so a fast click finds it and its decision is
    // never the first event of the trail; removed again if the post fails.
    await store.insert(request);
    await record({
      type: 'requested',
      requestId: request.id,
      actor: request.requesterId,
      channel: request.channelId,
      instanceIds: request.instanceIds,
      keyPairName: request.keyPairName,
      keyPairId: request.keyPairId,
      region: request.region,
      expiresAt: request.expiresAt,
    });
    const posted = await notifier.postCard(request);
    if (!posted.ok) {
      await store.remove(request.id);
      logger.warn('approval card not posted', {
        requestId: request.id,
        channel: request.channelId,
        reason: posted.failure.reason,
        detail: posted.failure.detail,
      });
      await record({
        type: 'request_not_posted',
        requestId: request.id,
        actor: request.requesterId,
        reason: posted.failure.reason,
      });
      return { ok: false, refusal: posted.failure };
    }
    const stored = await store.update(request.id, (current) => ({
      ok: true,
      request: { ...current, card: posted.card },
    }));
    if (!stored.ok) throw new Error(`request ${request.id} vanished while its card was posted`);
    logger.info('request submitted', {
      requestId: request.id,
      requester: request.requesterId,
      instances: request.instanceIds.length,
      region: request.region,
    });
    return { ok: true, request: stored.request };
  }

  function freshId(): string {
    for (let i = 0; i < 10; i++) {
      const id = deps.newRequestId();
      if (!store.get(id)) return id;
    }
    throw new Error('could not generate an unused request id');
  }

  /** An approve/reject click. Exactly one decision wins, however many clicks arrive at once. */
  async function decideRequest(input: {
    requestId: string;
    userId: string;
    kind: DecisionKind;
  }): Promise<{ ok: true; request: AttachRequest } | { ok: false; refusal: ClickRefusal }> {
    if (!accepting) return { ok: false, refusal: { reason: 'shutting_down' } };
    const at = now();
    const result = await store.update(input.requestId, (current) => {
      const decided = decide(current, {
        kind: input.kind,
        userId: input.userId,
        now: at,
        policy: { approverIds, allowSelfApproval: policy.allowSelfApproval },
      });
      if (!decided.ok) return decided;
      // Freeze the work in the same write as the decision: batches and ClientTokens exist on
      // disk before anything is sent.
      if (decided.request.status === 'approved') {
        return { ok: true, request: { ...decided.request, batches: planBatches(current) } };
      }
      return decided;
    });
    if (!result.ok) {
      const { refusal } = result;
      return {
        ok: false,
        refusal:
          refusal.reason === 'unknown_request'
            ? { ...refusal, requestId: input.requestId }
            : refusal,
      };
    }

    const request = result.request;
    logger.info(`request ${request.status}`, { requestId: request.id, by: input.userId });
    await record({
      type: request.status === 'approved' ? 'approved' : 'rejected',
      requestId: request.id,
      actor: input.userId,
    });
    void track(cards.schedule(request.id));
    if (request.status === 'approved') void track(execute(request.id));
    return { ok: true, request };
  }

  function planBatches(request: AttachRequest): Batch[] {
    return toBatches(request.id, request.instanceIds).map((b) => ({
      ...b,
      state: 'planned',
      sendCount: 0,
    }));
  }

  /** Runs (or finishes) an approved request. Safe to call again: one run per request at a time. */
  function execute(requestId: string): Promise<void> {
    const existing = running.get(requestId);
    if (existing) return existing;
    const run = executeOnce(requestId).finally(() => running.delete(requestId));
    running.set(requestId, run);
    return run;
  }

  async function executeOnce(requestId: string): Promise<void> {
    const start = await store.update(requestId, (current) =>
      needsExecution(current)
        ? { ok: true, request: { ...current, status: 'executing' } }
        : { ok: false, refusal: current.status },
    );
    if (start.ok) {
      const request = start.request;
      const resumed = request.batches.some((b) => b.sendCount > 0);
      logger.info(resumed ? 'execution resumed' : 'execution started', {
        requestId,
        batches: request.batches.length,
      });
      await record({
        type: 'execution_started',
        requestId,
        resumed,
        batches: request.batches.map((b) => ({ index: b.index, clientToken: b.clientToken })),
      });
      void track(cards.schedule(requestId));
      const open = request.batches.filter((b) => b.state === 'planned' || b.state === 'sent');
      await runLimited(open, deps.maxConcurrency, (batch) => runBatch(request, batch.index));
      await finish(requestId);
    }
    await postResultsOnce(requestId);
  }

  async function runBatch(request: AttachRequest, index: number): Promise<void> {
    if (!accepting) return; // stopping: the journal keeps it planned/sent for the next start
    const sent = await changeBatch(request.id, index, (b) => ({
      ...b,
      state: 'sent',
      sendCount: b.sendCount + 1,
      sentAt: now().toISOString(),
    }));
    await record({
      type: 'batch_sent',
      requestId: request.id,
      batch: index,
      clientToken: sent.clientToken,
      instances: sent.instanceIds.length,
      sendCount: sent.sendCount,
    });
    try {
      const answer = await ecs.attachKeyPair({
        region: request.region,
        instanceIds: sent.instanceIds,
        ...(request.keyPairName ? { keyPairName: request.keyPairName } : {}),
        ...(request.keyPairId ? { keyPairId: request.keyPairId } : {}),
        clientToken: sent.clientToken,
      });
      await changeBatch(request.id, index, (b) => ({
        ...b,
        state: 'done',
        finishedAt: now().toISOString(),
        apiRequestId: answer.requestId,
        outcomes: answer.outcomes,
      }));
      const failed = answer.outcomes.filter((o) => !o.ok).length;
      logger.info('batch done', {
        requestId: request.id,
        batch: index,
        apiRequestId: answer.requestId,
        ok: answer.outcomes.length - failed,
        failed,
      });
      await record({
        type: 'batch_done',
        requestId: request.id,
        batch: index,
        clientToken: sent.clientToken,
        apiRequestId: answer.requestId,
        outcomes: answer.outcomes,
      });
    } catch (error) {
      const batchError = toBatchError(error);
      await changeBatch(request.id, index, (b) => ({
        ...b,
        state: 'failed',
        finishedAt: now().toISOString(),
        error: batchError,
        ...(batchError.requestId ? { apiRequestId: batchError.requestId } : {}),
      }));
      logger.error('batch failed', { requestId: request.id, batch: index, ...batchError });
      await record({
        type: 'batch_failed',
        requestId: request.id,
        batch: index,
        clientToken: sent.clientToken,
        error: batchError,
      });
    }
    void track(cards.schedule(request.id));
  }

  async function changeBatch(
    requestId: string,
    index: number,
    change: (batch: Batch) => Batch,
  ): Promise<Batch> {
    const result = await store.update(requestId, (current) => ({
      ok: true,
      request: {
        ...current,
        batches: current.batches.map((b) => (b.index === index ? change(b) : b)),
      },
    }));
    if (!result.ok) throw new Error(`request ${requestId} vanished during execution`);
    return result.request.batches.find((b) => b.index === index) as Batch;
  }

  async function finish(requestId: string): Promise<void> {
    const result = await store.update(requestId, (current) => {
      const status = settledStatus(current.batches);
      if (current.status !== 'executing' || !status) return { ok: false, refusal: 'unsettled' };
      return { ok: true, request: { ...current, status, finishedAt: now().toISOString() } };
    });
    if (!result.ok) return;
    const totals = {
      instances: result.request.instanceIds.length,
      ...countOutcomes(summarize(result.request)),
    };
    logger.info(`request ${result.request.status}`, { requestId, ...totals });
    await record({ type: 'finished', requestId, status: result.request.status, ...totals });
  }

  /** Posts the results thread unless it was posted before; the journal makes this once only. */
  async function postResultsOnce(requestId: string): Promise<void> {
    const request = store.get(requestId);
    if (!request || request.resultsPostedAt) return;
    if (request.status !== 'done' && request.status !== 'failed') return;
    const posted = await notifier.postResults(request);
    if (!posted) return; // logged by the notifier; the next start tries again
    await store.update(requestId, (c) => ({
      ok: true,
      request: { ...c, resultsPostedAt: now().toISOString() },
    }));
    await record({ type: 'results_posted', requestId });
    await cards.schedule(requestId);
  }

  /** After a start: finish every request a previous process left approved or executing. */
  async function resume(): Promise<void> {
    const unfinished = store.listByStatus(['approved', 'executing', 'done', 'failed']);
    const todo = unfinished.filter((r) => needsExecution(r) || !r.resultsPostedAt);
    if (todo.length) logger.info('resuming unfinished requests', { count: todo.length });
    await Promise.all(todo.map((r) => track(execute(r.id))));
  }

  /** Expires pending requests past their TTL: card updated, requester told. */
  async function expireDue(): Promise<number> {
    const at = now();
    let count = 0;
    for (const candidate of store.listByStatus(['pending'])) {
      const result = await store.update(candidate.id, (current) => {
        const expired = expire(current, at);
        return expired ? { ok: true, request: expired } : { ok: false, refusal: 'not_due' };
      });
      if (!result.ok) continue;
      count++;
      const request = result.request;
      logger.info('request expired', { requestId: request.id });
      await record({ type: 'expired', requestId: request.id });
      void track(cards.schedule(request.id));
      void track(notifier.tellExpired(request));
    }
    return count;
  }

  /** Stop taking requests, let in-flight batches finish (bounded), and drain Slack updates. */
  async function stop(graceMs: number): Promise<void> {
    accepting = false;
    const settle = Promise.allSettled([...running.values(), ...background]);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), graceMs);
    });
    const outcome = await Promise.race([settle.then(() => 'settled' as const), timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      logger.warn('stopping with work in flight; the journal resumes it on the next start', {
        requests: [...running.keys()],
      });
    }
    await store.flush();
  }

  /**
   * Retention: finished requests older than RETENTION_DAYS move to the audit log (written there
   * first, so a crash in between keeps both copies rather than none) and leave the live store.
   */
  async function archiveFinished(): Promise<number> {
    const at = now();
    const cutoff = new Date(at.getTime() - deps.retentionDays * 86_400_000);
    const archived = await store.archiveFinished(cutoff, async (requests) => {
      // Not through record(): if the audit log can't take them, they must stay live.
      for (const request of requests) {
        await audit.append({
          type: 'archived',
          requestId: request.id,
          at: at.toISOString(),
          request,
        });
      }
    });
    if (archived.length) logger.info('archived finished requests', { count: archived.length });
    return archived.length;
  }

  /** A request by id: live, or its snapshot from the audit log once archived. */
  async function status(
    requestId: string,
  ): Promise<{ request: AttachRequest; archived: boolean } | undefined> {
    const live = store.get(requestId);
    if (live) return { request: live, archived: false };
    const snapshot = await audit.lastSnapshot(requestId).catch(() => undefined);
    return snapshot ? { request: snapshot, archived: true } : undefined;
  }

  /** Waits until every background task has settled (tests and benchmarks). */
  async function idle(): Promise<void> {
    while (background.size || running.size) {
      await Promise.allSettled([...background, ...running.values()]);
    }
    await cards.idle();
  }

  return {
    checkRequester,
    // Tracked, so stop() and idle() wait for submissions and decisions still in progress.
    submit: (input: Parameters<typeof submit>[0]) => track(submit(input)),
    decide: (input: Parameters<typeof decideRequest>[0]) => track(decideRequest(input)),
    execute,
    resume,
    expireDue,
    archiveFinished,
    status,
    stop,
    idle,
    get: (id: string) => store.get(id),
    recent: (limit: number) => store.recent(limit),
  };
}

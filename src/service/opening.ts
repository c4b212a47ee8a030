import { requestFingerprint } from '../domain/fingerprint.js';
import { matchRules } from '../domain/policy.js';
import type { MutationRequest } from '../domain/request.js';
import { formatSelector } from '../domain/selectors.js';
import { accountOf, type ServiceContext } from './context.js';

// How every new request is opened, whatever its kind: built (rules matched on its preview,
// fingerprinted, stamped with the mode), stored and audited before its card is posted, and
// removed again if the card cannot be posted.

export interface TooManyOpen {
  reason: 'too_many_open';
  limit: number;
  open: MutationRequest[];
}

export type Opened<R> = { ok: true; request: MutationRequest } | { ok: false; refusal: R };

/** What a new request is made of; the rest (status, fingerprint, approval, …) is derived. */
export type RequestFields = Pick<
  MutationRequest,
  | 'id'
  | 'kind'
  | 'parentId'
  | 'requesterId'
  | 'channelId'
  | 'threadTs'
  | 'account'
  | 'accountId'
  | 'region'
  | 'instanceIds'
  | 'keyPairName'
  | 'keyPairId'
  | 'preview'
  | 'selection'
  | 'next'
  | 'excluded'
  | 'applyNow'
  | 'steps'
>;

export function createOpening(ctx: ServiceContext) {
  const { deps } = ctx;
  const { store, notifier, logger, settings } = deps;

  /** Stored and audited before the card exists, so a fast click finds it; removed if the post fails. */
  async function open<R>(request: MutationRequest): Promise<Opened<R>> {
    // MAX_OPEN_REQUESTS_PER_USER once more, atomically with the insert: two submits at once, both
    // past the early check, cannot both get in.
    const inserted = await store.insert(request, {
      maxPendingOfRequester: settings.maxOpenRequestsPerUser,
    });
    if (!inserted.ok) {
      if (inserted.reason === 'child_exists') {
        return {
          ok: false,
          refusal: { reason: 'already_requested', existing: inserted.existing } as R,
        };
      }
      if (inserted.reason === 'too_many_open') {
        const open = (await tooManyOpen(request.requesterId))?.open ?? [];
        const limit = settings.maxOpenRequestsPerUser;
        return { ok: false, refusal: { reason: 'too_many_open', limit, open } as R };
      }
      throw new Error(`request id ${request.id} is already taken`);
    }
    await ctx.record({
      type: 'requested',
      requestId: request.id,
      kind: request.kind,
      actor: request.requesterId,
      channel: request.channelId,
      ...accountOf(request),
      ...(request.parentId ? { parentId: request.parentId } : {}),
      instanceIds: request.instanceIds,
      ...(request.selection ? { selectedBy: request.selection.selectors.map(formatSelector) } : {}),
      ...(request.next ? { nextPhase: request.next.kind } : {}),
      keyPairName: request.keyPairName,
      keyPairId: request.keyPairId,
      region: request.region,
      fingerprint: request.fingerprint,
      approvalsRequired: request.approval.required,
      rules: request.approval.rules.map((r) => r.name),
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
      await ctx.record({
        type: 'request_not_posted',
        requestId: request.id,
        kind: request.kind,
        ...accountOf(request),
        actor: request.requesterId,
        reason: posted.failure.reason,
      });
      return { ok: false, refusal: posted.failure as R };
    }
    const stored = await store.update(request.id, (current) => ({
      ok: true,
      request: { ...current, card: posted.card },
    }));
    if (!stored.ok) throw new Error(`request ${request.id} vanished while its card was posted`);
    logger.info('request submitted', {
      requestId: request.id,
      kind: request.kind,
      requester: request.requesterId,
      instances: request.instanceIds.length,
      ...accountOf(request),
      region: request.region,
      approvalsRequired: request.approval.required,
    });
    return { ok: true, request: stored.request };
  }

  function build(fields: RequestFields): MutationRequest {
    const createdAt = ctx.now();
    const restarts = fields.kind === 'restart' || fields.next?.kind === 'restart';
    const { required, rules } = matchRules(settings.policy, { ...fields, restarts });
    const keyFingerprint = fields.preview?.keyPair?.fingerprint;
    const otherKeys = fields.preview?.restoredKeyPairs;
    return {
      ...fields,
      status: 'pending',
      fingerprint: requestFingerprint({
        ...fields,
        ...(keyFingerprint ? { keyFingerprint } : {}),
        ...(otherKeys?.length ? { otherKeys } : {}),
      }),
      createdAt: createdAt.toISOString(),
      expiresAt: new Date(createdAt.getTime() + settings.requestTtlMinutes * 60_000).toISOString(),
      approval: { required, rules, approvals: [] },
      ...(settings.sandbox ? { sandbox: true } : {}),
    };
  }

  async function freshId(): Promise<string> {
    for (let i = 0; i < 10; i++) {
      const id = deps.newRequestId();
      if (!(await store.get(id))) return id;
    }
    throw new Error('could not generate an unused request id');
  }

  /** MAX_OPEN_REQUESTS_PER_USER reached: the refusal, listing the requester's pending ones. */
  async function tooManyOpen(requesterId: string): Promise<TooManyOpen | undefined> {
    const limit = settings.maxOpenRequestsPerUser;
    const open = (await store.listOpen()).filter(
      (r) => r.status === 'pending' && r.requesterId === requesterId,
    );
    return open.length >= limit ? { reason: 'too_many_open', limit, open } : undefined;
  }

  return { open, build, freshId, tooManyOpen };
}

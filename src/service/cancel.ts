import { type CancelRefusal, cancel, otherMode } from '../domain/guards.js';
import type { MutationRequest } from '../domain/request.js';
import { accountOf, type ServiceContext } from './context.js';

// The requester takes a pending request back (the card's Cancel). One atomic store update, so a
// cancel racing an approval either wins (nothing runs) or finds it approved (and is refused).
// The card then says who cancelled it and loses its buttons; reminders stop, as they only go to
// pending requests.

export type CancelClickRefusal =
  | CancelRefusal
  | { reason: 'unknown_request'; requestId: string }
  | { reason: 'shutting_down' }
  | { reason: 'other_mode'; mode: 'sandbox' | 'live' };

type CancelResult =
  | { ok: true; request: MutationRequest }
  | { ok: false; refusal: CancelClickRefusal };

export function createCancellations(ctx: ServiceContext) {
  const { store, logger, settings } = ctx.deps;

  async function cancelRequest(input: {
    requestId: string;
    userId: string;
  }): Promise<CancelResult> {
    const { requestId, userId } = input;
    if (!ctx.isAccepting()) return { ok: false, refusal: { reason: 'shutting_down' } };
    const seen = await store.get(requestId);
    if (!seen) return { ok: false, refusal: { reason: 'unknown_request', requestId } };
    const mode = otherMode(seen, settings.sandbox);
    if (mode) return { ok: false, refusal: { reason: 'other_mode', mode } };
    const now = ctx.now();
    const result = await store.update(requestId, (current) => cancel(current, { userId, now }));
    if (!result.ok) {
      const { refusal } = result;
      return {
        ok: false,
        refusal: refusal.reason === 'unknown_request' ? { ...refusal, requestId } : refusal,
      };
    }
    const request = result.request;
    logger.info('request cancelled', { requestId, kind: request.kind, by: userId });
    await ctx.record({
      type: 'cancelled',
      requestId,
      kind: request.kind,
      ...accountOf(request),
      actor: userId,
      fingerprint: request.fingerprint,
    });
    ctx.deps.observer?.requestFinished?.(request.kind, 'cancelled', request.account);
    ctx.refreshCard(requestId);
    return { ok: true, request };
  }

  return { cancel: cancelRequest };
}

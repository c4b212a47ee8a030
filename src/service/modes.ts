import { otherMode, stopUnsent } from '../domain/guards.js';
import type { MutationRequest } from '../domain/request.js';
import { accountOf, type ServiceContext } from './context.js';

// Sandbox and live never mix: a request records the mode it was made in, and a bot of the other
// mode never approves, runs, resumes or follows it up. At start, the other mode's requests that
// are still pending, approved or running are closed as `voided`, each with an audit event naming
// both modes; the card says so and the thread gets a note (posted by the executor's resume).

const OPEN: ReadonlySet<MutationRequest['status']> = new Set(['pending', 'approved', 'executing']);

export function createModeSweep(ctx: ServiceContext) {
  const { store, logger, settings } = ctx.deps;
  const botMode = settings.sandbox ? 'sandbox' : 'live';

  async function voidOtherMode(): Promise<number> {
    let count = 0;
    for (const candidate of await store.listOpen()) {
      if (!OPEN.has(candidate.status) || !otherMode(candidate, settings.sandbox)) continue;
      const at = ctx.now().toISOString();
      const result = await store.update(candidate.id, (current) => {
        const mode = otherMode(current, settings.sandbox);
        if (!OPEN.has(current.status) || !mode) return { ok: false, refusal: 'not_open' };
        return {
          ok: true,
          request: stopUnsent(current, 'voided', { reason: 'other_mode', mode, at }),
        };
      });
      if (!result.ok) continue;
      count++;
      const request = result.request;
      logger.warn('request of the other mode closed', {
        requestId: request.id,
        kind: request.kind,
        was: candidate.status,
        mode: otherMode(request, settings.sandbox),
        botMode,
      });
      await ctx.record({
        type: 'voided',
        requestId: request.id,
        kind: request.kind,
        ...accountOf(request),
        reason: 'other_mode',
        mode: otherMode(request, settings.sandbox),
        botMode,
        was: candidate.status,
      });
      ctx.deps.observer?.requestFinished?.(request.kind, 'voided', request.account);
      ctx.refreshCard(request.id);
    }
    return count;
  }

  return { voidOtherMode };
}

import { lastApprovalAt, modeOf, mutationSent, stopUnsent } from '../domain/guards.js';
import type { KeyPairInfo, MutationRequest, Step, StopReason } from '../domain/request.js';
import { accountOf, ecsOf, type ServiceContext } from './context.js';
import { toStepError } from './ports.js';

// The checks an approved request passes once, just before its first mutation (and again on a
// resume while none was sent): the approval is what runs, now, and nothing else. A request of
// the other mode (sandbox or live) never runs at all, started or not. Each refusal ends the
// request with its reason and no call sent; nothing here is retried.

/** What the executor runs: the request (with key pair ids resolved), or nothing (stopped). */
export type Cleared = { ok: true; request: MutationRequest } | { ok: false };

const KEY_STEP: ReadonlySet<Step['action']> = new Set(['AttachKeyPair', 'DetachKeyPair']);

export function createPreflight(ctx: ServiceContext) {
  const { deps } = ctx;
  const { settings } = deps;

  /**
   * Clears `request` (approved or executing) to run, or stops it. `write` applies an atomic
   * change (the executor's store call, which waits out an unreachable store).
   */
  async function clear(
    request: MutationRequest,
    write: (
      change: (current: MutationRequest) => MutationRequest | undefined,
    ) => Promise<MutationRequest | undefined>,
  ): Promise<Cleared> {
    const mode = settings.sandbox ? 'sandbox' : 'live';
    if (modeOf(request) !== mode) {
      return stop(request, write, 'voided', {
        reason: 'other_mode',
        mode: modeOf(request),
        at: ctx.now().toISOString(),
      });
    }
    // Resuming work that has started is not this gate's business: its calls keep their tokens.
    if (mutationSent(request)) return { ok: true, request };
    const lapsed = approvalLapsed(request);
    if (lapsed) return stop(request, write, 'expired', lapsed);
    const keys = await checkKeyPairs(request);
    if ('stopped' in keys) return stop(request, write, 'failed', keys.stopped);
    if (!keys.ids.size) return { ok: true, request };
    // Steps planned by name (the key pair was not read at submit) get the id read now.
    const resolved = await write((current) =>
      mutationSent(current) ? undefined : { ...current, steps: withIds(current.steps, keys.ids) },
    );
    return resolved ? { ok: true, request: resolved } : { ok: true, request };
  }

  function approvalLapsed(request: MutationRequest): StopReason | undefined {
    const approvedAt = lastApprovalAt(request);
    if (!approvedAt) return undefined;
    const ttlMinutes = settings.requestTtlMinutes;
    const now = ctx.now();
    if (now.getTime() < Date.parse(approvedAt) + ttlMinutes * 60_000) return undefined;
    return { reason: 'approval_lapsed', approvedAt, ttlMinutes, at: now.toISOString() };
  }

  /**
   * Every key pair a mutation names, read again: by id, it must exist with the name and key the
   * card showed; by name (never read before), it must exist, and its id is what gets sent.
   */
  async function checkKeyPairs(
    request: MutationRequest,
  ): Promise<{ ids: Map<string, string> } | { stopped: StopReason }> {
    const approved = new Map<string, KeyPairInfo>();
    for (const k of [request.preview?.keyPair, ...(request.preview?.restoredKeyPairs ?? [])]) {
      if (k) approved.set(k.keyPairId, k);
    }
    const refs = new Map<string, { keyPairId?: string; keyPairName?: string; binds: boolean }>();
    for (const step of request.steps) {
      if (!KEY_STEP.has(step.action) || (!step.keyPairId && !step.keyPairName)) continue;
      const ref = refOf(step);
      const binds = step.action === 'AttachKeyPair' || (refs.get(ref)?.binds ?? false);
      refs.set(ref, {
        ...(step.keyPairId ? { keyPairId: step.keyPairId } : { keyPairName: step.keyPairName }),
        binds,
      });
    }
    const ids = new Map<string, string>();
    const at = ctx.now().toISOString();
    for (const [ref, key] of refs) {
      // A detach names the key pair the attach bound by id: it needs no read.
      if (key.keyPairId && !key.binds) continue;
      let found: KeyPairInfo | undefined;
      try {
        found = await ecsOf(deps, request.account).findKeyPair({ region: request.region, ...key });
      } catch (error) {
        const { code, message, call } = toStepError(error);
        const keyPair = key.keyPairId ?? key.keyPairName ?? '?';
        return {
          stopped: {
            reason: 'key_pair_unreadable',
            keyPair,
            error: { code, message, call: call ?? 'ecs:DescribeKeyPairs' },
            at,
          },
        };
      }
      const shown = key.keyPairId ? approved.get(key.keyPairId) : undefined;
      if (!found || (shown && changed(shown, found))) {
        const { binds: _binds, ...asked } = key;
        return {
          stopped: {
            reason: 'key_pair_changed',
            approved: shown ? { ...shown } : asked,
            ...(found ? { found } : {}),
            at,
          },
        };
      }
      if (!key.keyPairId) ids.set(ref, found.keyPairId);
    }
    return { ids };
  }

  async function stop(
    request: MutationRequest,
    write: (
      change: (current: MutationRequest) => MutationRequest | undefined,
    ) => Promise<MutationRequest | undefined>,
    status: 'expired' | 'voided' | 'failed',
    stopped: StopReason,
  ): Promise<Cleared> {
    const other = stopped.reason === 'other_mode';
    const written = await write((current) => {
      const open = current.status === 'approved' || current.status === 'executing';
      // Another replica may have sent a call meanwhile: then only the mode rule still applies.
      return open && (other || !mutationSent(current))
        ? stopUnsent(current, status, stopped)
        : undefined;
    });
    if (!written) return { ok: false };
    deps.logger.warn('request stopped before running', {
      requestId: request.id,
      kind: request.kind,
      status,
      reason: stopped.reason,
    });
    await ctx.record({
      type: status === 'voided' ? 'voided' : status === 'expired' ? 'expired' : 'stopped',
      requestId: request.id,
      kind: request.kind,
      ...accountOf(request),
      ...stopped,
      ...(other ? { botMode: settings.sandbox ? 'sandbox' : 'live' } : {}),
    });
    deps.observer?.requestFinished?.(request.kind, status, request.account);
    ctx.refreshCard(request.id);
    return { ok: false };
  }

  return { clear };
}

const refOf = (step: Step) => step.keyPairId ?? `name:${step.keyPairName}`;

/** The card showed this key pair: it must still have that name and key. */
function changed(shown: KeyPairInfo, found: KeyPairInfo): boolean {
  if (shown.fingerprint && found.fingerprint !== shown.fingerprint) return true;
  return found.keyPairName !== shown.keyPairName;
}

function withIds(steps: readonly Step[], ids: ReadonlyMap<string, string>): Step[] {
  return steps.map((s) => {
    const keyPairId = KEY_STEP.has(s.action) && !s.keyPairId ? ids.get(refOf(s)) : undefined;
    return keyPairId ? { ...s, keyPairId } : s;
  });
}

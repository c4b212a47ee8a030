import { requestFingerprint } from '../domain/fingerprint.js';
import { applyRestartCandidates, summarizeApply } from '../domain/operations/apply-summary.js';
import { planAttach } from '../domain/operations/attach.js';
import { planRestart } from '../domain/operations/restart.js';
import { restartCandidates } from '../domain/operations/summary.js';
import { planUndo } from '../domain/operations/undo.js';
import { matchRules } from '../domain/policy.js';
import type {
  ApplyNowSpec,
  ExcludedInstance,
  MutationRequest,
  OperationKind,
  Preview,
  RequestDraft,
  Step,
} from '../domain/request.js';
import { type ApplyRefusal, planApplyFollowUp } from './apply-submit.js';
import type { ServiceContext } from './context.js';
import type { CardPostFailure } from './ports.js';
import { readPreview } from './preview.js';

// New requests: an attach from a command or the modal, and the follow-ups (restart, undo, apply
// now) from a results message. Every kind is opened the same way: preview read, policy rules matched, plan
// frozen, stored, audited, card posted.

export type SubmitRefusal =
  | { reason: 'channel_not_allowed' }
  | { reason: 'requester_not_allowed' }
  /** Someone of another workspace (Slack Connect) not listed by id in REQUESTER_USER_IDS. */
  | { reason: 'external_user'; as: 'requester' }
  | { reason: 'too_many_instances'; count: number; limit: number }
  | { reason: 'shutting_down' }
  | { reason: 'storage_unavailable' }
  | { reason: 'unknown_key_pair'; region: string; keyPair: string; suggestions: string[] }
  | CardPostFailure;

export type FollowUpRefusal =
  | SubmitRefusal
  | { reason: 'unknown_request'; requestId: string }
  | { reason: 'already_requested'; existing: MutationRequest }
  | { reason: 'not_finished' }
  | { reason: 'nothing_to_do'; kind: 'restart' | 'undo' }
  | { reason: 'undo_window_closed'; closedAt: string }
  | { reason: 'undo_not_offered' }
  | ApplyRefusal;

type FollowUpKind = 'restart' | 'undo' | 'apply';

/** A follow-up's plan; an apply now's carries its script inputs and the preview it read. */
interface Planned {
  instanceIds: string[];
  steps: Step[];
  excluded: ExcludedInstance[];
  applyNow?: ApplyNowSpec;
  preview?: Preview;
}

type Opened<R> = { ok: true; request: MutationRequest } | { ok: false; refusal: R };

export function createSubmissions(ctx: ServiceContext) {
  const { deps } = ctx;
  const { store, notifier, logger, settings } = deps;

  /**
   * Who may ask, and where; also before the form, its pickers and its region switch answer
   * (without a channel: the form has not chosen one yet). Someone of another workspace (Slack
   * Connect, `external`) may ask only when REQUESTER_USER_IDS lists them by id.
   */
  function checkRequester(
    userId: string,
    channelId: string | undefined,
    who: { external?: boolean } = {},
  ): SubmitRefusal | undefined {
    if (!ctx.isAccepting()) return { reason: 'shutting_down' };
    const listed = settings.requesterIds.includes(userId);
    if (who.external && !listed) return { reason: 'external_user', as: 'requester' };
    if (
      channelId !== undefined &&
      settings.allowedChannelIds.length &&
      !settings.allowedChannelIds.includes(channelId)
    ) {
      return { reason: 'channel_not_allowed' };
    }
    if (settings.requesterIds.length && !listed) return { reason: 'requester_not_allowed' };
    return undefined;
  }

  async function submit(input: {
    draft: RequestDraft;
    requesterId: string;
    channelId: string;
    /** The requester belongs to another workspace (Slack Connect). */
    external?: boolean;
  }): Promise<Opened<SubmitRefusal>> {
    const refusal = checkRequester(input.requesterId, input.channelId, input);
    if (refusal) return { ok: false, refusal };
    const { draft } = input;
    const count = new Set(draft.instanceIds).size;
    if (count > settings.maxInstancesPerRequest) {
      return {
        ok: false,
        refusal: { reason: 'too_many_instances', count, limit: settings.maxInstancesPerRequest },
      };
    }
    const read = await readPreview(deps.ecs, draft, ctx.now);
    if (!read.ok)
      return { ok: false, refusal: { reason: 'unknown_key_pair', ...read.unknownKeyPair } };
    const id = await freshId();
    const keyPair = {
      ...(draft.keyPairName ? { keyPairName: draft.keyPairName } : {}),
      ...(draft.keyPairId ? { keyPairId: draft.keyPairId } : {}),
    };
    const instanceIds = [...new Set(draft.instanceIds)];
    return open(
      build({
        id,
        kind: 'attach',
        requesterId: input.requesterId,
        channelId: input.channelId,
        region: draft.region,
        instanceIds,
        ...keyPair,
        preview: read.preview,
        steps: planAttach({ id, instanceIds, ...keyPair }),
      }),
    );
  }

  /** Restart, undo or apply now of a finished request, asked for from its results message. */
  async function requestFollowUp(input: {
    kind: FollowUpKind;
    parentId: string;
    userId: string;
    external?: boolean;
  }): Promise<Opened<FollowUpRefusal>> {
    if (!ctx.isAccepting()) return { ok: false, refusal: { reason: 'shutting_down' } };
    const parent = await store.get(input.parentId);
    if (!parent) {
      return { ok: false, refusal: { reason: 'unknown_request', requestId: input.parentId } };
    }
    const refusal = checkRequester(input.userId, parent.channelId, input);
    if (refusal) return { ok: false, refusal };
    if (parent.status !== 'done' && parent.status !== 'failed') {
      return { ok: false, refusal: { reason: 'not_finished' } };
    }
    const existing = (await store.children(parent.id)).find(
      (c) => c.kind === input.kind && c.status !== 'rejected' && c.status !== 'expired',
    );
    if (existing) return { ok: false, refusal: { reason: 'already_requested', existing } };

    const id = await freshId();
    const planned: Planned | { refusal: FollowUpRefusal } =
      input.kind === 'apply'
        ? await planApplyFollowUp(ctx, id, parent)
        : planFollowUp(input.kind, id, parent);
    if ('refusal' in planned) return { ok: false, refusal: planned.refusal };
    const { applyNow } = planned;
    // An apply now read the instances to plan; the others read them for the card.
    const preview = applyNow
      ? planned.preview
      : await readPreview(
          deps.ecs,
          { region: parent.region, instanceIds: planned.instanceIds },
          ctx.now,
        ).then((read) => (read.ok ? read.preview : undefined));
    return open(
      build({
        id,
        kind: input.kind,
        parentId: parent.id,
        requesterId: input.userId,
        channelId: parent.card?.channel ?? parent.channelId,
        // A follow-up of a follow-up (a restart after an undo or an apply now) joins the same thread:
        // Slack threads hang off the first message, never off a reply.
        ...(parent.card ? { threadTs: parent.threadTs ?? parent.card.ts } : {}),
        region: parent.region,
        instanceIds: planned.instanceIds,
        ...(input.kind === 'undo' ? keyPairOf(parent) : {}),
        ...(applyNow
          ? { keyPairName: applyNow.key.keyPairName, keyPairId: applyNow.key.keyPairId, applyNow }
          : {}),
        ...(preview ? { preview } : {}),
        ...(planned.excluded.length ? { excluded: planned.excluded } : {}),
        steps: planned.steps,
      }),
    );
  }

  function planFollowUp(
    kind: 'restart' | 'undo',
    id: string,
    parent: MutationRequest,
  ):
    | { instanceIds: string[]; steps: Step[]; excluded: ExcludedInstance[] }
    | { refusal: FollowUpRefusal } {
    if (kind === 'restart') {
      if (parent.kind === 'restart') return { refusal: { reason: 'nothing_to_do', kind } };
      // After an apply now: where the key did not reach (the others need no restart).
      const { running, stopped, unknown } =
        parent.kind === 'apply'
          ? { running: applyRestartCandidates(summarizeApply(parent)), stopped: [], unknown: [] }
          : restartCandidates(parent);
      if (!running.length) return { refusal: { reason: 'nothing_to_do', kind } };
      const excluded: ExcludedInstance[] = [
        ...stopped.map((instanceId) => ({ instanceId, reason: 'stopped' as const })),
        ...unknown.map((instanceId) => ({ instanceId, reason: 'status_unknown' as const })),
      ];
      const steps = planRestart({ id, instanceIds: running }, settings.restart);
      return { instanceIds: running, steps, excluded };
    }
    if (parent.kind !== 'attach') return { refusal: { reason: 'undo_not_offered' } };
    const closesAt = undoClosesAt(parent, settings.undoWindowHours);
    if (closesAt && ctx.now().getTime() >= Date.parse(closesAt)) {
      return { refusal: { reason: 'undo_window_closed', closedAt: closesAt } };
    }
    const plan = planUndo(id, parent);
    if (!plan.instanceIds.length) return { refusal: { reason: 'nothing_to_do', kind } };
    return { instanceIds: plan.instanceIds, steps: plan.steps, excluded: plan.leftAlone };
  }

  /** Stored and audited before the card exists, so a fast click finds it; removed if the post fails. */
  async function open<R extends SubmitRefusal | FollowUpRefusal>(
    request: MutationRequest,
  ): Promise<Opened<R>> {
    const inserted = await store.insert(request);
    if (!inserted.ok) {
      if (inserted.reason === 'child_exists') {
        return {
          ok: false,
          refusal: { reason: 'already_requested', existing: inserted.existing } as R,
        };
      }
      throw new Error(`request id ${request.id} is already taken`);
    }
    await ctx.record({
      type: 'requested',
      requestId: request.id,
      kind: request.kind,
      actor: request.requesterId,
      channel: request.channelId,
      ...(request.parentId ? { parentId: request.parentId } : {}),
      instanceIds: request.instanceIds,
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
      region: request.region,
      approvalsRequired: request.approval.required,
    });
    return { ok: true, request: stored.request };
  }

  function build(fields: {
    id: string;
    kind: OperationKind;
    parentId?: string;
    requesterId: string;
    channelId: string;
    threadTs?: string;
    region: string;
    instanceIds: string[];
    keyPairName?: string;
    keyPairId?: string;
    preview?: Preview;
    excluded?: ExcludedInstance[];
    applyNow?: ApplyNowSpec;
    steps: Step[];
  }): MutationRequest {
    const createdAt = ctx.now();
    const { required, rules } = matchRules(settings.policy, fields);
    return {
      ...fields,
      status: 'pending',
      fingerprint: requestFingerprint(fields),
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

  return { checkRequester, submit, requestFollowUp };
}

function keyPairOf(request: MutationRequest): { keyPairName?: string; keyPairId?: string } {
  return {
    ...(request.keyPairName ? { keyPairName: request.keyPairName } : {}),
    ...(request.keyPairId ? { keyPairId: request.keyPairId } : {}),
  };
}

/** When an attach's undo stops being offered: UNDO_WINDOW_HOURS after it finished. */
export function undoClosesAt(request: MutationRequest, windowHours: number): string | undefined {
  if (!request.finishedAt) return undefined;
  return new Date(Date.parse(request.finishedAt) + windowHours * 3_600_000).toISOString();
}

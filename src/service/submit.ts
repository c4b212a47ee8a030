import { type AccountProblem, chooseAccount, DEFAULT_ACCOUNT } from '../domain/accounts.js';
import { otherMode } from '../domain/guards.js';
import { planAttach } from '../domain/operations/attach.js';
import { attachedKeyPair } from '../domain/operations/undo.js';
import type { MutationRequest, Preview, RequestDraft } from '../domain/request.js';
import {
  type ApplyRefusal,
  applyNowSpec,
  type KeyRefusal,
  knownBoundKey,
  planApplyFollowUp,
} from './apply-submit.js';
import { type DraftRefusal, readDraft } from './attach-draft.js';
import type { ServiceContext } from './context.js';
import { type FollowUpPlan, planFollowUp } from './follow-up-plans.js';
import { createOpening, type Opened } from './opening.js';
import { type CardPostFailure, CHILD_BLOCKING_STATUSES } from './ports.js';

// New requests: an attach from a command or the modal, and the follow-ups (restart, undo, apply
// now) from a results message. Every kind is opened the same way: preview read, policy rules matched, plan
// frozen, stored, audited, card posted.

export type SubmitRefusal =
  | { reason: 'channel_not_allowed' }
  | { reason: 'requester_not_allowed' }
  /** Someone of another workspace (Slack Connect) not listed by id in REQUESTER_USER_IDS. */
  | { reason: 'external_user'; as: 'requester' }
  | { reason: 'shutting_down' }
  | { reason: 'storage_unavailable' }
  /** Too many instances, an unknown key pair, a selection refused (attach-draft.ts). */
  | DraftRefusal
  /** MAX_OPEN_REQUESTS_PER_USER: the requester's pending requests, oldest first. */
  | { reason: 'too_many_open'; limit: number; open: MutationRequest[] }
  /** A complete preview found none of the instances. */
  | { reason: 'no_instances_found'; region: string; count: number }
  /** then=apply-now: the bot must know the key pair's public key (`/attach-key import`). */
  | KeyRefusal
  /** ACCOUNTS_FILE: the account rules refuse it (accounts.ts), as the parser would have. */
  | { reason: 'account_refused'; problem: AccountProblem }
  | CardPostFailure;

export type FollowUpRefusal =
  | SubmitRefusal
  | { reason: 'unknown_request'; requestId: string }
  | { reason: 'already_requested'; existing: MutationRequest }
  | { reason: 'not_finished' }
  | { reason: 'nothing_to_do'; kind: 'restart' | 'undo' }
  | { reason: 'undo_window_closed'; closedAt: string }
  | { reason: 'undo_not_offered' }
  | { reason: 'other_mode'; mode: 'sandbox' | 'live' }
  | ApplyRefusal;

/** Who may ask, and where (the requester rules): a refusal, or undefined when they may. */
export type CheckRequester = (
  userId: string,
  channelId: string | undefined,
  who?: { external?: boolean },
) => SubmitRefusal | undefined;

export function createSubmissions(ctx: ServiceContext) {
  const { deps } = ctx;
  const { store, settings } = deps;
  const { open, build, freshId, tooManyOpen } = createOpening(ctx);

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
    const chosen = chooseDraftAccount(input.draft, input.channelId);
    if (!chosen.ok) return { ok: false, refusal: chosen.refusal };
    const draft = chosen.draft;
    const count = new Set(draft.instanceIds).size;
    if (count > settings.maxInstancesPerRequest) {
      return {
        ok: false,
        refusal: { reason: 'too_many_instances', count, limit: settings.maxInstancesPerRequest },
      };
    }
    const crowded = await tooManyOpen(input.requesterId);
    if (crowded) return { ok: false, refusal: crowded };
    // The instances named, or resolved from the selectors (which refuse a selection of none).
    const read = await readDraft(ctx, draft);
    if (!read.ok) return { ok: false, refusal: read.refusal };
    if (foundNone(read.preview)) {
      return { ok: false, refusal: { reason: 'no_instances_found', region: draft.region, count } };
    }
    const id = await freshId();
    // The key pair the preview found is frozen by its id: every call sends that id, so a key
    // imported or renamed into the same name later is never the one bound.
    const found = read.preview.keyPair;
    const keyPair = found
      ? { keyPairName: found.keyPairName, keyPairId: found.keyPairId }
      : {
          ...(draft.keyPairName ? { keyPairName: draft.keyPairName } : {}),
          ...(draft.keyPairId ? { keyPairId: draft.keyPairId } : {}),
        };
    const { instanceIds } = read;
    // then=apply-now: the script is frozen now, from the key the bot keeps and the keys the
    // preview shows the attach replacing, so the card shows exactly what will run.
    let applyNow: MutationRequest['applyNow'];
    if (draft.next === 'apply') {
      const key = await knownBoundKey(ctx, {
        region: draft.region,
        preview: read.preview,
        ...keyPair,
      });
      if ('refusal' in key) return { ok: false, refusal: { ...key.refusal, asked: 'then' } };
      applyNow = (await applyNowSpec(ctx, key.known, read.preview, instanceIds)).applyNow;
    }
    return open(
      build({
        id,
        kind: 'attach',
        requesterId: input.requesterId,
        channelId: input.channelId,
        ...(draft.account ? { account: draft.account, ...accountIdOf(draft.account) } : {}),
        region: draft.region,
        instanceIds,
        ...keyPair,
        preview: read.preview,
        ...(read.selection ? { selection: read.selection } : {}),
        ...(draft.next === 'restart'
          ? { next: { kind: 'restart', restart: settings.restart } }
          : {}),
        ...(draft.next === 'apply' && applyNow ? { next: { kind: 'apply' }, applyNow } : {}),
        steps: planAttach({ id, instanceIds, ...keyPair }),
      }),
    );
  }

  /** Restart, undo or apply now of a finished request, asked for from its results message. */
  async function requestFollowUp(input: {
    kind: 'restart' | 'undo' | 'apply';
    parentId: string;
    userId: string;
    external?: boolean;
  }): Promise<Opened<FollowUpRefusal>> {
    if (!ctx.isAccepting()) return { ok: false, refusal: { reason: 'shutting_down' } };
    const parent = await store.get(input.parentId);
    if (!parent) {
      return { ok: false, refusal: { reason: 'unknown_request', requestId: input.parentId } };
    }
    const mode = otherMode(parent, settings.sandbox);
    if (mode) return { ok: false, refusal: { reason: 'other_mode', mode } };
    const refusal = checkRequester(input.userId, parent.channelId, input);
    if (refusal) return { ok: false, refusal };
    const gone = accountGone(parent);
    if (gone) return { ok: false, refusal: gone };
    if (parent.status !== 'done' && parent.status !== 'failed') {
      return { ok: false, refusal: { reason: 'not_finished' } };
    }
    const existing = (await store.children(parent.id)).find(
      (c) => c.kind === input.kind && CHILD_BLOCKING_STATUSES.includes(c.status),
    );
    if (existing) return { ok: false, refusal: { reason: 'already_requested', existing } };
    const crowded = await tooManyOpen(input.userId);
    if (crowded) return { ok: false, refusal: crowded };

    const id = await freshId();
    const planned: FollowUpPlan | { refusal: FollowUpRefusal } =
      input.kind === 'apply'
        ? await planApplyFollowUp(ctx, id, parent)
        : await planFollowUp(ctx, input.kind, id, parent);
    if ('refusal' in planned) return { ok: false, refusal: planned.refusal };
    const { preview, applyNow } = planned;
    return open(
      build({
        id,
        kind: input.kind,
        parentId: parent.id,
        requesterId: input.userId,
        channelId: parent.card?.channel ?? parent.channelId,
        // A follow-up of a follow-up (a restart after an undo or an apply now) joins the same
        // thread: Slack threads hang off the first message, never off a reply.
        ...(parent.card ? { threadTs: parent.threadTs ?? parent.card.ts } : {}),
        // Its parent's account: the follow-up acts with the same credentials, whatever the channel.
        ...(parent.account ? { account: parent.account } : {}),
        ...(parent.accountId ? { accountId: parent.accountId } : {}),
        region: parent.region,
        instanceIds: planned.instanceIds,
        ...(input.kind === 'undo' ? attachedKeyPair(parent) : {}),
        ...(applyNow
          ? { keyPairName: applyNow.key.keyPairName, keyPairId: applyNow.key.keyPairId, applyNow }
          : {}),
        ...(preview ? { preview } : {}),
        ...(planned.excluded.length ? { excluded: planned.excluded } : {}),
        steps: planned.steps,
      }),
    );
  }

  /** A request of an account this bot no longer serves: its follow-ups are refused, naming it. */
  const accountGone = (parent: MutationRequest): SubmitRefusal | undefined => {
    const name = parent.account ?? DEFAULT_ACCOUNT;
    const names = settings.accounts?.map((a) => a.name) ?? [DEFAULT_ACCOUNT];
    if (names.includes(name)) return undefined;
    return {
      reason: 'account_refused',
      problem: { kind: 'unknown_account', token: `account=${name}`, names },
    };
  };

  const accountIdOf = (name: string): { accountId?: string } => {
    const id = settings.accounts?.find((a) => a.name === name)?.accountId;
    return id ? { accountId: id } : {};
  };

  /**
   * The draft's account under the account rules (the parser applied them already; this holds for
   * every entry point). Without ACCOUNTS_FILE a draft names no account.
   */
  function chooseDraftAccount(
    draft: RequestDraft,
    channelId: string,
  ): { ok: true; draft: RequestDraft } | { ok: false; refusal: SubmitRefusal } {
    if (!settings.accounts) {
      if (draft.account === undefined || draft.account === DEFAULT_ACCOUNT) {
        const { account: _none, ...rest } = draft;
        return { ok: true, draft: rest };
      }
      const problem = {
        kind: 'unknown_account' as const,
        token: `account=${draft.account}`,
        names: [DEFAULT_ACCOUNT],
      };
      return { ok: false, refusal: { reason: 'account_refused', problem } };
    }
    const choice = chooseAccount(settings.accounts, channelId, draft.account);
    if (!choice.ok)
      return { ok: false, refusal: { reason: 'account_refused', problem: choice.problem } };
    const { regions } = choice.account;
    if (regions?.length && !regions.includes(draft.region)) {
      return {
        ok: false,
        refusal: {
          reason: 'account_refused',
          problem: {
            kind: 'region_not_in_account',
            token: `region=${draft.region}`,
            account: choice.account.name,
            regions,
          },
        },
      };
    }
    return { ok: true, draft: { ...draft, account: choice.account.name } };
  }

  return { checkRequester, submit, requestFollowUp, chooseDraftAccount };
}

/**
 * The preview read every instance it was asked for and found none: nothing to approve. A read
 * that failed or stopped early proves nothing, and the request goes ahead ("preview unavailable").
 */
function foundNone(preview: Preview): boolean {
  const incomplete = preview.problems.some(
    (p) => p.kind === 'paging_stopped' || p.kind === 'malformed',
  );
  return preview.instances.length === 0 && preview.unread.length === 0 && !incomplete;
}

// The approval card, rendered from the stored request for every kind and status (design §4,
// issue 9's preview, issue 12's approvals; apply now's plan and script in apply-card.ts). Pure:
// request in, Block Kit out.

import type { types } from '@slack/bolt';
import { isExpired } from '../../domain/lifecycle.js';
import { approverLists } from '../../domain/policy.js';
import type { MutationRequest } from '../../domain/request.js';
import type { Catalogue } from '../i18n/en.js';
import { BLOCKS, COMMAND } from '../ids.js';
import { accountText } from './account.js';
import { describeApplyPlan, renderApplyScriptBlocks } from './apply-card.js';
import { context, mrkdwn, plain, section, withSandboxNote } from './blocks.js';
import { renderButtons } from './card-buttons.js';
import { describeKeyPair, describePlan, describePreviewLines } from './card-parts.js';
import {
  codeSpan,
  escapeMrkdwn,
  formatSlackDate,
  mentionApprover,
  mentionUser,
  truncateText,
} from './escape.js';
import { listInstanceLines } from './instance-lines.js';
import { SLACK_LIMITS, type SlackMessage } from './limits.js';
import { applyScriptSource, describeRotation, progressPart } from './rotation.js';
import { describeSelection } from './selection.js';
import { describeStopped } from './stopped.js';
import { describeTotals } from './totals.js';

export interface CardOptions {
  t: Catalogue;
  sandbox: boolean;
  /** APPROVER_USER_IDS: who may approve when no matched rule names approvers. */
  approvers: readonly string[];
  /** Lets a pending card whose TTL has passed drop its buttons before the sweeper gets to it. */
  now?: Date;
}

export function renderApprovalCard(request: MutationRequest, options: CardOptions): SlackMessage {
  const { t } = options;
  const sandbox = options.sandbox || request.sandbox === true;
  const lapsed =
    request.status === 'pending' && options.now !== undefined && isExpired(request, options.now);
  const pending = request.status === 'pending' && !lapsed;
  const label = lapsed ? t.status.expired : t.status[request.status];
  const count = request.instanceIds.length;
  const title = request.next
    ? t.fleet[request.next.kind === 'apply' ? 'applyNext' : 'rotation'].title
    : request.kind === 'restart' || request.kind === 'apply'
      ? t.card.title[request.kind](count)
      : t.card.title[request.kind];
  const blocks: types.KnownBlock[] = [];

  const header = t.card.header(title, label);
  blocks.push({
    type: 'header',
    block_id: 'card_header',
    text: plain(
      truncateText(sandbox ? t.card.sandboxHeader(header) : header, SLACK_LIMITS.headerText),
    ),
  });
  if (sandbox) blocks.push(context('card_sandbox', t.card.sandboxContext));
  if (request.parentId && request.kind !== 'attach') {
    blocks.push(
      context('card_parent', t.card.followUpOf(request.kind, codeSpan(request.parentId, 80))),
    );
  }
  blocks.push({
    type: 'section',
    block_id: 'card_facts',
    fields: facts(request, t),
  });

  const selected = describeSelection(request, t);
  if (selected) blocks.push(section('card_selection', selected));
  const plan =
    request.kind === 'apply'
      ? describeApplyPlan(request, t)
      : [
          ...describeRotation(request, t),
          ...describePlan(request, t),
          ...describePreviewLines(request, t),
        ];
  if (plan.length)
    blocks.push(section('card_preview', [t.card.preview.heading, ...plan].join('\n')));
  const script = applyScriptSource(request);
  if (script) blocks.push(...renderApplyScriptBlocks(script, t));

  const heading = t.card.instancesHeading(count);
  const budget = SLACK_LIMITS.sectionText - heading.length - 1;
  const lines = listInstanceLines(request, t, budget, `\`${COMMAND} status ${request.id}\``);
  blocks.push(section('card_instances', `${heading}\n${lines}`));

  if (pending) {
    blocks.push(
      section(
        'card_consequences',
        [
          t.card.consequencesHeading[request.kind](count),
          ...t.card.consequences[request.kind].map((c) => `• ${c}`),
          // then=: what the next phase does too, under this approval.
          ...(request.next
            ? [
                t.fleet.rotation.consequencesHeading,
                ...t.card.consequences[request.next.kind].map((c) => `• ${c}`),
              ]
            : []),
        ].join('\n'),
      ),
    );
  }
  const approval = describeApproval(request, t, options.approvers, pending);
  if (approval) blocks.push(section('card_approval', approval));

  blocks.push(
    context(
      'card_meta',
      t.card.meta(
        codeSpan(request.id, 80),
        codeSpan(request.fingerprint, 40),
        formatSlackDate(request.createdAt, t),
        pending ? 'expires' : 'expiry',
        formatSlackDate(request.expiresAt, t),
      ),
    ),
  );
  const status = describeStatus(request, t, lapsed);
  if (status) blocks.push(section('card_status', status));
  if (pending) blocks.push(renderButtons(request, t, BLOCKS.decision, { cancel: true }));

  return { text: renderFallback(request, t, label, sandbox), blocks };
}

function facts(request: MutationRequest, t: Catalogue): types.MrkdwnElement[] {
  const fields = [mrkdwn(`*${t.card.fields.requestedBy}*\n${mentionUser(request.requesterId)}`)];
  if (request.kind !== 'restart') {
    const heading = request.kind === 'undo' ? t.card.fields.keyPairUndone : t.card.fields.keyPair;
    fields.push(mrkdwn(`*${heading}*\n${describeKeyPair(request, t)}`));
  }
  if (request.applyNow) {
    fields.push(mrkdwn(`*${t.apply.runsAs}*\n${codeSpan(request.applyNow.user, 40)}`));
  }
  // ACCOUNTS_FILE: whose cloud, next to the region (single-account requests name none).
  if (request.account) fields.push(mrkdwn(`*${t.card.fields.account}*\n${accountText(request)}`));
  fields.push(
    mrkdwn(`*${t.card.fields.region}*\n${codeSpan(request.region, 60)}`),
    mrkdwn(`*${t.card.fields.instances}*\n${t.num(request.instanceIds.length)}`),
    mrkdwn(
      `*${t.card.fields.approvals}*\n${t.card.approvalsOf(request.approval.approvals.length, request.approval.required)}`,
    ),
  );
  return fields.map((f) => ({ ...f, text: truncateText(f.text, SLACK_LIMITS.sectionFieldText) }));
}

/** Rules that applied, who may approve (mentioned, so Slack notifies them), and who did. */
function describeApproval(
  request: MutationRequest,
  t: Catalogue,
  approvers: readonly string[],
  pending: boolean,
): string | undefined {
  const { approval } = request;
  const lines: string[] = [];
  if (pending) {
    if (approval.required > 1) lines.push(t.card.approval.needs(approval.required));
    if (approval.rules.length) {
      const list = approval.rules
        .map((r) => {
          const why = r.unknownTags
            ? t.guard.tagsUnknown(r.unknownTags.unread, r.unknownTags.missing)
            : undefined;
          return t.card.approval.rule(codeSpan(r.name, 60), r.reason, r.approvals, why);
        })
        .join(t.join.clauses);
      lines.push(t.card.approval.rules(list));
    }
    const lists = approverLists(approval.rules, approvers);
    const shown = lists.map((list) => list.slice(0, 20).map(mentionApprover).join(t.join.list));
    lines.push(
      lists.length === 1
        ? t.card.approval.whoMay(shown[0] ?? '')
        : t.card.approval.everyList(shown.map((s) => `[${s}]`).join(t.join.list)),
    );
  }
  // Once approved, the status line names who completed the quorum; earlier ones are listed here.
  for (const a of approval.approvals) {
    lines.push(t.card.approval.approvedBy(mentionUser(a.by), formatSlackDate(a.at, t)));
  }
  return lines.length ? lines.join('\n') : undefined;
}

/** The line under the facts that says what happened after the request was made. */
function describeStatus(
  request: MutationRequest,
  t: Catalogue,
  lapsed: boolean,
): string | undefined {
  const decision = request.decision;
  const by = decision?.by ? mentionUser(decision.by) : t.card.status.someone;
  const when = decision ? formatSlackDate(decision.at, t) : '';
  if (lapsed) return t.card.status.expiredLapsed(formatSlackDate(request.expiresAt, t));
  if (request.cancelled) {
    return t.guard.cancelled(
      mentionUser(request.cancelled.by),
      formatSlackDate(request.cancelled.at, t),
    );
  }
  if (request.stopped) {
    const approved = decision?.kind === 'approved' ? `${t.card.status.approved(by, when)}\n` : '';
    return `${approved}${describeStopped(request.stopped, t)}`;
  }
  switch (request.status) {
    case 'pending':
      return undefined;
    case 'rejected':
      return t.card.status.rejected(by, when);
    case 'expired':
      return t.card.status.expiredLapsed(decision ? when : formatSlackDate(request.expiresAt, t));
    case 'approved':
      return `${t.card.status.approved(by, when)} ${t.card.status.starting}`;
    case 'executing':
      return `${t.card.status.approved(by, when)}\n${describeProgress(request, t)}`;
    case 'done':
    case 'failed': {
      const totals = describeTotals(request, t);
      const icon = request.status === 'done' && totals.clean ? ':tada:' : ':warning:';
      const finished = request.finishedAt ? formatSlackDate(request.finishedAt, t) : '';
      return [
        t.card.status.approved(by, when),
        t.card.status.finished(icon, finished, totals.line),
      ].join('\n');
    }
  }
}

function describeProgress(whole: MutationRequest, t: Catalogue): string {
  // A rotation: the attach's steps, then the restart phase's waves.
  const request = progressPart(whole);
  const { steps } = request;
  if (request.kind === 'restart') {
    const waves = new Set(steps.map((s) => s.wave ?? 0)).size;
    const skipped = steps.find((s) => s.state === 'skipped');
    if (skipped) return t.card.status.halted(skipped.wave ?? 0);
    const current = steps.find((s) => s.state === 'planned' || s.state === 'sent');
    return t.card.status.wave((current?.wave ?? waves - 1) + 1, waves);
  }
  const answered = steps.filter((s) => s.state === 'done' || s.state === 'failed').length;
  return t.card.status.running(answered, steps.length);
}

function renderFallback(
  request: MutationRequest,
  t: Catalogue,
  label: string,
  sandbox: boolean,
): string {
  const count = request.instanceIds.length;
  const region = escapeMrkdwn(truncateText(request.region, 60));
  const key = escapeMrkdwn(truncateText(request.keyPairId ?? request.keyPairName ?? '?', 120));
  const attach = t.card.fallbackWhat.attach(key, count, region);
  const what =
    request.kind === 'attach'
      ? request.next
        ? t.fleet[request.next.kind === 'apply' ? 'applyNext' : 'rotation'].fallback(attach)
        : attach
      : t.card.fallbackWhat[request.kind](count, region);
  const text = t.card.fallback(
    what,
    escapeMrkdwn(request.id),
    mentionUser(request.requesterId),
    label,
  );
  return withSandboxNote(text, t, sandbox);
}

// The results thread under the approval card (design §4), for every kind: totals first, one line
// per instance (problems first), the Volcengine RequestIds, and for an attach or an undo the
// restart reminder with the follow-up buttons. Packed into as many messages as Block
// Kit's limits need, rather than one that Slack would refuse.

import type { types } from '@slack/bolt';
import {
  type InstanceResult,
  restartCandidates,
  summarizeRequest,
  type UnverifiedCause,
} from '../../domain/operations/summary.js';
import type { MutationRequest } from '../../domain/request.js';
import type { Catalogue } from '../i18n/en.js';
import { ACTIONS } from '../ids.js';
import { accountLine } from './account.js';
import { renderApplyResults } from './apply-results.js';
import { plain, withSandboxNote } from './blocks.js';
import { codeSpan, escapeMrkdwn, truncateText } from './escape.js';
import { SLACK_LIMITS, type SlackMessage } from './limits.js';
import { type Group, MessagePacker, PART_RESERVE, packedMessages } from './packer.js';
import { renderStoppedNote } from './stopped.js';

export interface ResultsOptions {
  t: Catalogue;
  sandbox: boolean;
  now: Date;
  /** Undo is offered this long after an attach finished. */
  undoWindowHours: number;
  /** The bot knows the bound key pair's public key: an attach's results offer "apply now". */
  publicKeyKnown?: boolean;
}

/**
 * How a part of a request with phases (rotation.ts) changes the results: its own title, lines in
 * place of the restart reminder, and other follow-ups (or none).
 */
export interface ResultsShape {
  title?: string;
  tail?: readonly string[];
  followUps?: FollowUpCounts | null;
}

export interface FollowUpCounts {
  /** The request the buttons act on (their value and kind). */
  request: MutationRequest;
  running: number;
  bound: number;
  retry: number;
  /** False: no "apply now" (a rotation restarted what it bound already). */
  applyNow?: boolean;
}

export function renderResults(
  request: MutationRequest,
  options: ResultsOptions,
  shape: ResultsShape = {},
): SlackMessage[] {
  const { t } = options;
  const r = t.results;
  const sandbox = options.sandbox || request.sandbox === true;
  // It never ran: the thread says why, in place of results (and offers no follow-up).
  if (request.stopped) return [renderStoppedNote(request, request.stopped, t, sandbox)];
  if (request.kind === 'apply') return renderApplyResults(request, options);
  const summary = summarizeRequest(request);
  const id = codeSpan(request.id, 80);
  const binds = request.kind !== 'restart';
  const verified = summary.results.filter(
    (x) => x.state === 'ok' && x.verification?.state === 'verified',
  );
  const unverified = summary.results.filter(
    (x) => x.state === 'ok' && x.verification?.state === 'unverified',
  ).length;

  const totals = [
    sandbox ? `*${t.sandboxNote}*` : '',
    shape.title ?? r.title(request.kind, id, summary.total),
    accountLine(request, t),
    r.counts(request.kind, summary),
    binds && summary.counts.ok
      ? r.verifiedCounts(verified.length, summary.mismatched, unverified)
      : '',
    summary.counts.unconfirmed ? r.unconfirmedNote : '',
  ]
    .filter(Boolean)
    .join('\n');

  const packer = new MessagePacker(
    // Room for the part line and the follow-up buttons.
    SLACK_LIMITS.blocksPerMessage - 2,
    SLACK_LIMITS.blockTextBudget - PART_RESERVE,
  );
  packer.add({ separator: '\n' }, totals);

  // Problems first: with thousands of ✅ lines a failure at the bottom would go unseen. Unicode
  // emoji rather than :shortcodes: keep 5,000 lines a few messages shorter.
  const lines: Group = { separator: '\n' };
  const order: InstanceResult['state'][] = [
    'failed',
    'unconfirmed',
    'not_started',
    'pending',
    'ok',
  ];
  const keyOf = keyStepByInstance(request);
  const sorted = [...summary.results].sort(
    (a, b) =>
      order.indexOf(a.state) - order.indexOf(b.state) || mismatchFirst(a) - mismatchFirst(b),
  );
  for (const result of sorted) packer.add(lines, describeResult(request, result, keyOf, t));

  const requestIds: Group = {
    title: r.requestIds(summary.apiRequestIds.length),
    continued: r.requestIdsContinued,
    separator: ', ',
  };
  for (const apiRequestId of summary.apiRequestIds)
    packer.add(requestIds, codeSpan(apiRequestId, 80));

  const candidates = binds && !shape.tail ? restartCandidates(request, summary) : undefined;
  const toRestart = candidates ? [...candidates.running, ...candidates.unknown] : [];
  if (shape.tail) {
    const tail: Group = { separator: '\n' };
    for (const line of shape.tail) packer.add(tail, line);
  } else if (candidates && toRestart.length + candidates.stopped.length) {
    if (toRestart.length) {
      const reminder: Group = {
        title: r.restartReminder(toRestart.length, sandbox),
        continued: r.restartContinued,
        separator: ', ',
      };
      for (const instanceId of toRestart) packer.add(reminder, codeSpan(instanceId, 80));
    }
    if (candidates.stopped.length) {
      const stopped: Group = { title: r.nextStart(candidates.stopped.length), separator: ', ' };
      for (const instanceId of candidates.stopped) packer.add(stopped, codeSpan(instanceId, 80));
    }
  } else if (binds) {
    packer.add({ separator: '\n' }, r.nothingToRestart);
  }

  const parts = packer.finish();
  const tally = r.totalsLine(request.kind, summary);
  const buttons =
    shape.followUps === null
      ? undefined
      : followUpButtons(
          options,
          shape.followUps ?? {
            request,
            running: candidates?.running.length ?? 0,
            bound: summary.counts.ok,
            // Failed and unconfirmed instances of an attach can be asked for again, with a new approval.
            retry:
              request.kind === 'attach' ? summary.counts.failed + summary.counts.unconfirmed : 0,
          },
        );
  return packedMessages(parts, {
    partLine: (k, n) => r.part(id, k, n),
    ...(buttons ? { buttons } : {}),
    fallback: (k, n) =>
      withSandboxNote(
        r.fallback(
          escapeMrkdwn(request.id),
          n > 1 ? r.partSuffix(k, n) : '',
          tally,
          k === n ? toRestart.length : 0,
        ),
        t,
        sandbox,
      ),
  });
}

const mismatchFirst = (x: InstanceResult) =>
  x.state === 'ok' && x.verification?.state === 'mismatch' ? 0 : 1;

/** For an undo's ok lines: which key pair each instance got back, or that its key was removed. */
function keyStepByInstance(request: MutationRequest): Map<string, { action: string; key: string }> {
  const map = new Map<string, { action: string; key: string }>();
  for (const step of request.steps) {
    if (step.action !== 'AttachKeyPair' && step.action !== 'DetachKeyPair') continue;
    for (const id of step.instanceIds) {
      const name =
        step.action === 'DetachKeyPair'
          ? (request.keyPairName ?? request.keyPairId)
          : (step.keyPairName ?? step.keyPairId);
      map.set(id, { action: step.action, key: name ?? '?' });
    }
  }
  return map;
}

function describeResult(
  request: MutationRequest,
  result: InstanceResult,
  keyOf: Map<string, { action: string; key: string }>,
  t: Catalogue,
): string {
  const l = t.results.line;
  const id = codeSpan(result.instanceId, 80);
  const code = (c: string) => escapeMrkdwn(truncateText(c, 100));
  // The summary carries codes; the thread's language words them.
  switch (result.state) {
    case 'failed':
    case 'unconfirmed': {
      const why = escapeMrkdwn(t.explain(result.code, result.message, result.call));
      return l[result.state](id, code(result.code), why);
    }
    case 'not_started':
      return l.notStarted(id);
    case 'pending':
      return l.pending(id);
    case 'ok':
      break;
  }
  if (request.kind === 'restart') {
    const key = result.observed?.keyPairName ?? result.observed?.keyPairId;
    return key ? l.restarted(id, codeSpan(key, 64)) : l.restartedNoKey(id);
  }
  const v = result.verification;
  if (v?.state === 'mismatch') {
    const seen = v.seen?.keyPairName ?? v.seen?.keyPairId;
    return seen ? l.mismatch(id, codeSpan(seen, 64)) : l.mismatchNone(id);
  }
  if (request.kind === 'undo') {
    const step = keyOf.get(result.instanceId);
    const key = codeSpan(step?.key ?? '?', 64);
    return step?.action === 'DetachKeyPair' ? l.detached(id, key) : l.restored(id, key);
  }
  if (v?.state === 'verified') return l.verified(id);
  if (v?.state === 'unverified') return l.unverified(id, describeUnverified(v.cause, t));
  return l.ok(id);
}

/** Why an ok instance has no read-back, escaped; `?` while the read has not run. */
function describeUnverified(cause: UnverifiedCause | undefined, t: Catalogue): string {
  if (!cause) return '?';
  return cause.kind === 'not_listed'
    ? t.results.notListed
    : escapeMrkdwn(t.explain(cause.code, cause.message, cause.call));
}

/**
 * Restart (when something bound is RUNNING), Undo (an attach, within its window) and Ask again
 * (an attach where instances failed: it opens the modal prefilled with them).
 */
export function followUpButtons(
  options: ResultsOptions,
  counts: FollowUpCounts,
): types.ActionsBlock | undefined {
  const { t } = options;
  const { request, running, bound, retry } = counts;
  const elements: types.Button[] = [];
  if (running > 0) {
    elements.push({
      type: 'button',
      action_id: ACTIONS.restart,
      text: plain(truncateText(t.results.buttons.restart(running), SLACK_LIMITS.buttonText)),
      value: request.id,
    });
  }
  // Apply now: the key in effect without a restart, where the bot can push it.
  if (
    request.kind === 'attach' &&
    running > 0 &&
    options.publicKeyKnown &&
    counts.applyNow !== false
  ) {
    elements.push({
      type: 'button',
      action_id: ACTIONS.applyNow,
      text: plain(truncateText(t.results.buttons.applyNow(running), SLACK_LIMITS.buttonText)),
      value: request.id,
    });
  }
  const finished = request.finishedAt ? Date.parse(request.finishedAt) : options.now.getTime();
  const undoOpen = options.now.getTime() < finished + options.undoWindowHours * 3_600_000;
  if (request.kind === 'attach' && undoOpen && bound > 0) {
    elements.push({
      type: 'button',
      action_id: ACTIONS.undo,
      text: plain(t.results.buttons.undo),
      value: request.id,
    });
  }
  if (retry > 0) {
    elements.push({
      type: 'button',
      action_id: ACTIONS.retryFailed,
      text: plain(truncateText(t.results.buttons.retryFailed(retry), SLACK_LIMITS.buttonText)),
      value: request.id,
    });
  }
  return elements.length ? { type: 'actions', block_id: 'results_actions', elements } : undefined;
}

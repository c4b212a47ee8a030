// A "Waiting for you" item on App Home (issue 18): what the card shows an approver, so a decision
// taken on Home is taken on the same facts: the channel, the key pair with its id and fingerprint,
// the request fingerprint, the rules that matched, the first instances with what approving
// changes on each, and a link to the card.

import { summarizePreview } from '../../domain/operations/preview-summary.js';
import type { MutationRequest } from '../../domain/request.js';
import type { Catalogue } from '../i18n/en.js';
import { describeKeyPair } from './card-parts.js';
import { codeSpan, escapeMrkdwn, mentionChannel, truncateText } from './escape.js';
import { instanceLine, previewLookup } from './instance-lines.js';

/** Instances listed per item; the card (one click away) lists them all. */
const FIRST_INSTANCES = 5;
const SAFE_LINK = /^https:\/\/[^\s<>|]+$/;

export function describeWaiting(
  r: MutationRequest,
  t: Catalogue,
  permalink: string | undefined,
): string {
  const i = t.home.item;
  const lines = [i.where(mentionChannel(r.card?.channel ?? r.channelId))];
  if (r.kind !== 'restart') lines.push(i.keyPair(describeKeyPair(r, t).replace('\n', ' · ')));
  lines.push(i.fingerprint(codeSpan(r.fingerprint, 40)));
  if (r.approval.rules.length) {
    const list = r.approval.rules
      .map((rule) => t.card.approval.rule(codeSpan(rule.name, 60), rule.reason, rule.approvals))
      .join(t.join.clauses);
    lines.push(i.rules(list));
  }
  const ids = [...new Set(r.instanceIds)];
  const first = ids.slice(0, FIRST_INSTANCES);
  const lookup = previewLookup(r);
  const changes = changesOf(r, t);
  lines.push(i.instancesHeading(first.length, ids.length));
  for (const id of first) {
    const change = changes.get(id);
    lines.push(`${instanceLine(lookup, id, t)}${change ? ` — ${change}` : ''}`);
  }
  if (permalink && SAFE_LINK.test(permalink)) lines.push(i.openCard(permalink));
  return lines.join('\n');
}

/** What approving changes on each instance, in words; none where it cannot be told. */
function changesOf(r: MutationRequest, t: Catalogue): Map<string, string> {
  const c = t.home.item.change;
  const words = new Map<string, string>();
  const key = (k: { keyPairName?: string; keyPairId?: string }) =>
    codeSpan(k.keyPairName ?? k.keyPairId ?? '?', 64);
  // An undo's plan says what each instance gets; the preview may add that it changed since.
  for (const step of r.kind === 'undo' ? r.steps : []) {
    for (const id of step.instanceIds) {
      if (step.action === 'AttachKeyPair') words.set(id, c.restores(key(step)));
      if (step.action === 'DetachKeyPair') words.set(id, c.detaches(key(r)));
    }
  }
  const summary = summarizePreview(r);
  if (!summary) return words;
  const set = (ids: readonly string[], text: string) => {
    for (const id of ids) words.set(id, text);
  };
  for (const group of summary.replaces) set(group.instanceIds, c.replaces(key(group)));
  set(summary.noKeyPair, c.firstKey);
  set(summary.alreadyBound, c.alreadyBound);
  if (r.kind === 'restart') set(summary.ready, c.restarts);
  for (const id of summary.changedSince) {
    const planned = words.get(id);
    words.set(id, planned ? `${planned} (${c.changedSince})` : c.changedSince);
  }
  set(summary.windows, c.windows);
  set(summary.notFound, c.notFound);
  for (const { instanceId, status } of summary.wrongStatus) {
    words.set(instanceId, c.wrongStatus(escapeMrkdwn(truncateText(status, 40))));
  }
  set(summary.unread, c.unread);
  return words;
}

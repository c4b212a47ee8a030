// The card's words about the key pair, the plan and the preview (issue 9: "replaces `old-key` on
// 3 instances", "will fail: `i-…` is Windows"), each will-fail line naming its instances.

import { summarizePreview } from '../../domain/operations/preview-summary.js';
import type { ExcludedInstance, MutationRequest, PreviewProblem } from '../../domain/request.js';
import type { Catalogue } from '../i18n/en.js';
import { codeSpan, escapeMrkdwn } from './escape.js';

/** Instance ids as inline code, cut with "… and N more" so the text stays within `budget`. */
export function codeList(ids: readonly string[], t: Catalogue, budget = 600): string {
  const parts: string[] = [];
  const separator = t.join.list;
  let length = 0;
  for (const [i, id] of ids.entries()) {
    const part = codeSpan(id, 80);
    const rest = ids.length - i - 1;
    const tail = rest > 0 ? t.card.andMore(rest).length : 0;
    const next = length + (parts.length > 0 ? separator.length : 0) + part.length;
    if (next + tail > budget)
      return `${parts.join(separator)}${t.card.andMore(ids.length - parts.length)}`;
    parts.push(part);
    length = next;
  }
  return parts.join(separator);
}

/** Name · id · fingerprint when the preview found the key pair; else what was asked for. */
export function describeKeyPair(
  request: Pick<MutationRequest, 'keyPairName' | 'keyPairId' | 'preview'> &
    Partial<Pick<MutationRequest, 'kind'>>,
  t: Catalogue,
  /** `read`: the name and id were frozen together from a read, not typed. */
  options: { read?: boolean } = {},
): string {
  const { keyPairName, keyPairId, preview } = request;
  const found = preview?.keyPair;
  if (found) {
    const main = t.card.keyPair.found(
      codeSpan(found.keyPairName, 64),
      codeSpan(found.keyPairId, 64),
    );
    return found.fingerprint
      ? `${main}\n${t.card.keyPair.fingerprint(codeSpan(found.fingerprint, 100))}`
      : main;
  }
  let given = t.card.keyPair.none;
  // Both as typed (the attach's key pair was not read): the id wins. An undo's were frozen
  // together from its parent's read, and name the same pair.
  const typed = request.kind !== 'undo' && !options.read;
  if (keyPairId && keyPairName)
    given = typed
      ? t.card.keyPair.idWins(codeSpan(keyPairId), codeSpan(keyPairName))
      : t.card.keyPair.found(codeSpan(keyPairName, 64), codeSpan(keyPairId, 64));
  else if (keyPairId) given = codeSpan(keyPairId);
  else if (keyPairName) given = codeSpan(keyPairName);
  const failed = preview?.keyPairError;
  if (failed) {
    const why = t.explain(failed.code, failed.message, failed.call ?? 'ecs:DescribeKeyPairs');
    given += `\n${t.card.keyPair.notChecked(escapeMrkdwn(why))}`;
  }
  return given;
}

const keyLabel = (k: { keyPairName?: string; keyPairId?: string }) =>
  codeSpan(k.keyPairName ?? k.keyPairId ?? '?', 64);

/** Restart and undo: what the plan does, and what it leaves out. */
export function describePlan(request: MutationRequest, t: Catalogue): string[] {
  const lines: string[] = [];
  if (request.kind === 'restart') {
    const waves = new Set(request.steps.map((s) => s.wave ?? 0)).size;
    const firstWave = request.steps.filter((s) => s.action === 'WaitRunning')[0];
    const waveSize = firstWave?.instanceIds.length ?? request.instanceIds.length;
    const minutes = Math.round(((firstWave?.timeoutMs ?? 0) / 60_000) * 10) / 10;
    lines.push(t.card.restartPlan(request.instanceIds.length, waves, waveSize, minutes));
  }
  if (request.kind === 'undo') {
    const restores = new Map<string, { label: string; count: number }>();
    let detaches = 0;
    // The earlier key pairs as read at the ask: name, id and fingerprint, as the attach's card.
    const read = new Map((request.preview?.restoredKeyPairs ?? []).map((k) => [k.keyPairId, k]));
    for (const step of request.steps) {
      if (step.action === 'DetachKeyPair') detaches += step.instanceIds.length;
      if (step.action !== 'AttachKeyPair') continue;
      const key = step.keyPairId ?? step.keyPairName ?? '';
      const known = step.keyPairId ? read.get(step.keyPairId) : undefined;
      const label = known
        ? t.guard.key(
            codeSpan(known.keyPairName, 64),
            codeSpan(known.keyPairId, 64),
            known.fingerprint ? codeSpan(known.fingerprint, 100) : '',
          )
        : keyLabel(step);
      const entry = restores.get(key) ?? { label, count: 0 };
      entry.count += step.instanceIds.length;
      restores.set(key, entry);
    }
    for (const { label, count } of restores.values())
      lines.push(t.card.undoPlan.restores(label, count));
    if (detaches) lines.push(t.card.undoPlan.detaches(keyLabel(request), detaches));
  }
  lines.push(...describeExcluded(request.excluded ?? [], t));
  return lines;
}

export function describeExcluded(excluded: readonly ExcludedInstance[], t: Catalogue): string[] {
  const byReason = new Map<ExcludedInstance['reason'], string[]>();
  for (const e of excluded)
    byReason.set(e.reason, [...(byReason.get(e.reason) ?? []), e.instanceId]);
  return [...byReason].map(([reason, ids]) =>
    t.card.excluded[reason](codeList(ids, t), ids.length),
  );
}

/** The preview in plain words; every will-fail line names its instances. */
export function describePreviewLines(request: MutationRequest, t: Catalogue): string[] {
  const preview = request.preview;
  const summary = summarizePreview(request);
  if (!preview || !summary) return [];
  const p = t.card.preview;
  // Volcengine's words are echoed into the channel: escaped, as the results thread does.
  const reason = (e?: { code: string; message: string; call?: string }) =>
    e ? escapeMrkdwn(t.explain(e.code, e.message, e.call ?? 'ecs:DescribeInstances')) : '?';
  if (!summary.available) return [p.unavailable(reason(preview.error))];

  const lines: string[] = [];
  if (request.kind === 'attach') {
    for (const group of summary.replaces)
      lines.push(p.replaces(keyLabel(group), group.instanceIds.length));
    if (summary.noKeyPair.length) lines.push(p.noKeyPair(summary.noKeyPair.length));
    if (summary.alreadyBound.length) lines.push(p.alreadyBound(summary.alreadyBound.length));
  }
  if (request.kind === 'undo' && summary.changedSince.length) {
    lines.push(
      t.card.undoPlan.changedSince(codeList(summary.changedSince, t), summary.changedSince.length),
    );
  }
  const must = request.kind === 'restart' ? p.mustRestart : p.mustBind;
  const fails = [
    summary.windows.length ? p.windows(codeList(summary.windows, t), summary.windows.length) : '',
    summary.notFound.length
      ? p.notFound(codeList(summary.notFound, t), summary.notFound.length)
      : '',
    ...groupByStatus(summary.wrongStatus).map(([status, ids]) =>
      p.wrongStatus(codeList(ids, t), codeSpan(status, 40), must, ids.length),
    ),
  ].filter(Boolean);
  if (fails.length) lines.push(p.willFail(fails.join(t.join.clauses)));
  if (summary.unread.length)
    lines.push(p.partlyUnread(summary.unread.length, reason(preview.error)));
  lines.push(...preview.problems.map((problem) => describeProblem(problem, t)));
  return lines;
}

function groupByStatus(
  list: ReadonlyArray<{ instanceId: string; status: string }>,
): Array<[string, string[]]> {
  const groups = new Map<string, string[]>();
  for (const { instanceId, status } of list)
    groups.set(status, [...(groups.get(status) ?? []), instanceId]);
  return [...groups];
}

function describeProblem(problem: PreviewProblem, t: Catalogue): string {
  switch (problem.kind) {
    case 'unrequested':
      return t.card.preview.unrequested(problem.count);
    case 'malformed':
      return t.card.preview.malformed(problem.count);
    case 'paging_stopped':
      return t.card.preview.pagingStopped(problem.pages);
  }
}

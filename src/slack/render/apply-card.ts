// An apply-now card's own parts: what it writes where and as whom, which replaced key lines it
// removes (or cannot), who is left out and why, and the script itself, exactly as it will run.

import type { types } from '@slack/bolt';
import { renderApplyScript } from '../../domain/apply-script.js';
import { COMMAND_TIMEOUT_SECONDS } from '../../domain/operations/apply-now.js';
import type { ExcludedInstance, MutationRequest } from '../../domain/request.js';
import type { Catalogue } from '../i18n/en.js';
import { section } from './blocks.js';
import { codeList } from './card-parts.js';
import { codeSpan, escapeMrkdwn } from './escape.js';
import { SLACK_LIMITS } from './limits.js';

const keyLabel = (k: { keyPairName?: string; keyPairId?: string }) =>
  codeSpan(k.keyPairName || k.keyPairId || '?', 64);

/** The plan's lines: the write, the removals, the lines that stay, and who is left out. */
export function describeApplyPlan(request: MutationRequest, t: Catalogue): string[] {
  const spec = request.applyNow;
  if (!spec) return [];
  const a = t.apply;
  const runs = request.steps.filter((s) => s.action === 'RunCommand');
  const lines = [
    a.plan.writes(
      keyLabel(spec.key),
      codeSpan(spec.key.fingerprint, 60),
      codeSpan(spec.user, 40),
      request.instanceIds.length,
      runs.length,
    ),
  ];
  for (const replaced of spec.replaces) {
    const n = runs
      .filter((s) => s.replaces === replaced.keyPairId)
      .reduce((sum, s) => sum + s.instanceIds.length, 0);
    if (n) lines.push(a.plan.removes(keyLabel(replaced), codeSpan(replaced.fingerprint, 60), n));
  }
  for (const unknown of spec.unknownReplaced) {
    lines.push(a.plan.keeps(keyLabel(unknown), unknown.count));
  }
  lines.push(...describeLeftOut(request.excluded ?? [], t));
  return lines;
}

/** Left out, grouped by reason and status: "Left out: `i-…`, `i-…` (Cloud Assistant …)". */
export function describeLeftOut(excluded: readonly ExcludedInstance[], t: Catalogue): string[] {
  const groups = new Map<
    string,
    { reason: ExcludedInstance['reason']; status?: string; ids: string[] }
  >();
  for (const e of excluded) {
    const key = `${e.reason}\n${e.status ?? ''}`;
    const group = groups.get(key) ?? {
      reason: e.reason,
      ...(e.status ? { status: e.status } : {}),
      ids: [],
    };
    group.ids.push(e.instanceId);
    groups.set(key, group);
  }
  return [...groups.values()].map(({ reason, status, ids }) => {
    const list = codeList(ids, t);
    if (reason === 'no_assistant') {
      const shown = !status || status === 'absent' ? t.apply.agentAbsent : codeSpan(status, 40);
      return t.apply.excluded.no_assistant(list, shown);
    }
    if (reason === 'not_running') {
      return t.apply.excluded.not_running(list, codeSpan(status ?? '?', 40));
    }
    if (
      reason === 'status_unknown' ||
      reason === 'stopped' ||
      reason === 'not_bound' ||
      reason === 'not_verified'
    ) {
      return t.apply.excluded[reason](list, ids.length);
    }
    return t.card.excluded[reason](list, ids.length);
  });
}

/**
 * The script as its first RunCommand sends it, in a code block (split over sections when a long
 * RSA key makes it pass 3000 characters), with a note when groups remove different keys.
 */
export function renderApplyScriptBlocks(
  request: MutationRequest,
  t: Catalogue,
): types.SectionBlock[] {
  const spec = request.applyNow;
  if (!spec) return [];
  const runs = request.steps.filter((s) => s.action === 'RunCommand');
  const first = runs[0];
  const replaces = spec.replaces.find((k) => k.keyPairId === first?.replaces);
  const script = renderApplyScript({
    requestId: request.id,
    key: spec.key,
    ...(replaces ? { replaces } : {}),
  });
  const variants = new Set(runs.map((s) => s.replaces ?? '')).size;
  const heading = [
    t.apply.script.heading(codeSpan(spec.user, 40), COMMAND_TIMEOUT_SECONDS),
    variants > 1 ? t.apply.script.variants(variants) : '',
  ]
    .filter(Boolean)
    .join('\n');
  const fence = '```';
  const room = SLACK_LIMITS.sectionText - heading.length - 2 * fence.length - 4;
  const chunks = splitLines(escapeMrkdwn(script), Math.max(500, room));
  return chunks.map((chunk, i) =>
    section(
      i === 0 ? 'card_script' : `card_script_${i}`,
      `${i === 0 ? heading : t.apply.script.continued}\n${fence}\n${chunk}\n${fence}`,
    ),
  );
}

/** Whole lines, at most `max` characters a chunk (a longer single line is cut as it must be). */
function splitLines(text: string, max: number): string[] {
  const chunks: string[] = [];
  let current = '';
  for (const line of text.replace(/\n$/, '').split('\n')) {
    const next = current ? `${current}\n${line}` : line;
    if (next.length <= max) {
      current = next;
      continue;
    }
    if (current) chunks.push(current);
    let rest = line;
    while (rest.length > max) {
      chunks.push(rest.slice(0, max));
      rest = rest.slice(max);
    }
    current = rest;
  }
  if (current) chunks.push(current);
  return chunks;
}

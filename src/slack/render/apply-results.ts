// An apply now's results thread: totals first, one line per instance (problems first): in effect
// now (key added, or already there; the replaced key's line removed), failed (exit code and last
// output line, escaped), timed out, left out (why), then the RequestIds and, for the instances
// the key did not reach, the restart it still needs, with its button.

import type { types } from '@slack/bolt';
import { COMMAND_TIMEOUT_SECONDS } from '../../domain/operations/apply-now.js';
import {
  type ApplyResult,
  applyRestartCandidates,
  summarizeApply,
} from '../../domain/operations/apply-summary.js';
import type { MutationRequest } from '../../domain/request.js';
import type { Catalogue } from '../i18n/en.js';
import { ACTIONS } from '../ids.js';
import { plain, withSandboxNote } from './blocks.js';
import { codeSpan, escapeMrkdwn, truncateText } from './escape.js';
import { SLACK_LIMITS, type SlackMessage } from './limits.js';
import { type Group, MessagePacker, PART_RESERVE, packedMessages } from './packer.js';

const ORDER: ApplyResult['state'][] = [
  'failed',
  'unconfirmed',
  'timed_out',
  'left_out',
  'pending',
  'in_effect',
];

export function renderApplyResults(
  request: MutationRequest,
  options: {
    t: Catalogue;
    sandbox: boolean;
    title?: string;
    /** The buttons in place of the restart alone (a plan's final results); null: none. */
    buttons?: types.ActionsBlock | null;
  },
): SlackMessage[] {
  const { t } = options;
  const r = t.apply.results;
  const sandbox = options.sandbox || request.sandbox === true;
  const summary = summarizeApply(request);
  const id = codeSpan(request.id, 80);
  const packer = new MessagePacker(
    SLACK_LIMITS.blocksPerMessage - 2,
    SLACK_LIMITS.blockTextBudget - PART_RESERVE,
  );
  const totals = [
    sandbox ? `*${t.sandboxNote}*` : '',
    options.title ?? r.title(id, summary.total),
    r.counts(summary.counts),
  ];
  packer.add({ separator: '\n' }, totals.filter(Boolean).join('\n'));
  const lines: Group = { separator: '\n' };
  const sorted = [...summary.results].sort(
    (a, b) => ORDER.indexOf(a.state) - ORDER.indexOf(b.state),
  );
  for (const result of sorted) packer.add(lines, describe(result, t));

  const requestIds: Group = {
    title: t.results.requestIds(summary.apiRequestIds.length),
    continued: t.results.requestIdsContinued,
    separator: ', ',
  };
  for (const apiRequestId of summary.apiRequestIds)
    packer.add(requestIds, codeSpan(apiRequestId, 80));

  const toRestart = applyRestartCandidates(summary);
  if (toRestart.length) {
    const reminder: Group = {
      title: r.restartReminder(toRestart.length),
      continued: r.restartContinued,
      separator: ', ',
    };
    for (const instanceId of toRestart) packer.add(reminder, codeSpan(instanceId, 80));
  }
  const own: types.ActionsBlock | undefined = toRestart.length
    ? {
        type: 'actions',
        block_id: 'results_actions',
        elements: [
          {
            type: 'button',
            action_id: ACTIONS.restart,
            text: plain(
              truncateText(t.results.buttons.restart(toRestart.length), SLACK_LIMITS.buttonText),
            ),
            value: request.id,
          },
        ],
      }
    : undefined;
  const buttons = options.buttons === undefined ? own : (options.buttons ?? undefined);
  const tally = r.totalsLine(summary.counts);
  return packedMessages(packer.finish(), {
    partLine: (k, n) => t.results.part(id, k, n),
    ...(buttons ? { buttons } : {}),
    fallback: (k, n) =>
      withSandboxNote(
        r.fallback(escapeMrkdwn(request.id), n > 1 ? t.results.partSuffix(k, n) : '', tally),
        t,
        sandbox,
      ),
  });
}

function describe(result: ApplyResult, t: Catalogue): string {
  const l = t.apply.results.line;
  const id = codeSpan(result.instanceId, 80);
  const code = (c: string) => escapeMrkdwn(truncateText(c, 100));
  // A refusal names the call that was refused (`ecs:RunCommand`), as every other thread does.
  const why = (c: string, message?: string, call?: string) =>
    escapeMrkdwn(t.explain(c, message, call));
  switch (result.state) {
    case 'in_effect': {
      const applied = result.applied;
      if (!applied) return l.inEffect(id);
      return applied.effect === 'added'
        ? l.added(id, applied.removed)
        : l.present(id, applied.removed);
    }
    case 'failed':
      if (result.exitCode !== undefined && result.code === 'CommandFailed') {
        const output = result.output ? codeSpan(result.output, 300) : '';
        return l.exited(id, t.num(result.exitCode), output);
      }
      return l.failed(id, code(result.code), why(result.code, result.message));
    case 'timed_out':
      return result.code === 'CommandTimeout'
        ? l.timedOut(id, COMMAND_TIMEOUT_SECONDS)
        : l.noResult(id, codeSpan(result.message ?? '?', 40));
    case 'left_out': {
      const detail =
        result.reason === 'check_failed'
          ? why(result.code ?? 'UnexpectedError', result.message, result.call)
          : result.status === 'absent' || !result.status
            ? t.apply.agentAbsent
            : codeSpan(result.status, 40);
      return l.leftOut[result.reason](id, detail);
    }
    case 'unconfirmed':
      return l.unconfirmed(id, code(result.code), why(result.code, result.message, result.call));
    case 'pending':
      return l.pending(id);
  }
}

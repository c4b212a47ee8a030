// The results thread under the approval card (design §4): totals first, one line per instance,
// the Volcengine RequestIds, and last the restart reminder. Packed into as many messages as Block
// Kit's limits need, rather than one that Slack would refuse.

import type { types } from '@slack/bolt';
import { summarize } from '../../domain/outcome.js';
import type { AttachRequest } from '../../domain/request.js';
import { SANDBOX_NOTE } from './approval-card.js';
import { codeSpan, escapeMrkdwn, plural, truncateText } from './escape.js';
import { SLACK_LIMITS, type SlackMessage } from './limits.js';

/** Room kept in every message for the "part k of n" context line. */
const PART_RESERVE = 300;
const MAX_LINE = 1000;

interface Group {
  /** Opens the group's first section. */
  title?: string;
  /** Opens every later section of the group. */
  continued?: string;
  separator: string;
}

/** Fills sections up to 3000 chars and messages up to the block and text budgets, line by line. */
class MessagePacker {
  readonly messages: string[][] = [];
  private current: string[] = [];
  private currentText = 0;
  private open: { group: Group; text: string } | undefined;
  private readonly started = new Set<Group>();

  constructor(
    private readonly maxBlocks: number,
    private readonly textBudget: number,
  ) {}

  add(group: Group, line: string): void {
    const item = truncateText(line, MAX_LINE);
    const open = this.open;
    if (open && open.group === group) {
      const grown = open.text.length + group.separator.length + item.length;
      const extra = group.separator.length + item.length;
      if (grown <= SLACK_LIMITS.sectionText && this.currentText + extra <= this.textBudget) {
        open.text += group.separator + item;
        this.currentText += extra;
        return;
      }
    }
    const title = this.started.has(group) ? group.continued : group.title;
    this.started.add(group);
    this.startSection(group, title ? `${title}\n${item}` : item);
  }

  private startSection(group: Group, text: string): void {
    this.closeSection();
    const full = this.current.length + 1 > this.maxBlocks;
    if (full || this.currentText + text.length > this.textBudget) this.closeMessage();
    this.open = { group, text };
    this.currentText += text.length;
  }

  private closeSection(): void {
    if (this.open) this.current.push(this.open.text);
    this.open = undefined;
  }

  private closeMessage(): void {
    this.closeSection();
    if (this.current.length) this.messages.push(this.current);
    this.current = [];
    this.currentText = 0;
  }

  finish(): string[][] {
    this.closeMessage();
    return this.messages;
  }
}

export function renderResults(
  request: AttachRequest,
  options: { sandbox: boolean },
): SlackMessage[] {
  const sandbox = options.sandbox || request.sandbox === true;
  const summary = summarize(request);
  const { succeeded, failed, unconfirmed, unsettled, apiRequestIds } = summary;
  const id = codeSpan(request.id, 80);

  const counts = [
    `✅ ${succeeded.length.toLocaleString('en-US')} succeeded`,
    `❌ ${failed.length.toLocaleString('en-US')} failed`,
    `⚠️ ${unconfirmed.length.toLocaleString('en-US')} unconfirmed`,
  ];
  if (unsettled.length) counts.push(`⏳ ${unsettled.length} without an answer yet`);
  const totals = [
    sandbox ? `*${SANDBOX_NOTE}*` : '',
    `*Results for request ${id}* (${plural(summary.total, 'instance')})`,
    counts.join(' · '),
    unconfirmed.length
      ? '_Unconfirmed: the call for these instances failed as a whole, so there is no per-instance answer; the reason on each line says whether anything can have changed._'
      : '',
  ]
    .filter(Boolean)
    .join('\n');

  const packer = new MessagePacker(
    SLACK_LIMITS.blocksPerMessage - 1,
    SLACK_LIMITS.blockTextBudget - PART_RESERVE,
  );
  packer.add({ separator: '\n' }, totals);

  // Problems first: with thousands of ✅ lines a failure at the bottom would go unseen. Unicode
  // emoji rather than :shortcodes: keep 5,000 lines a few messages shorter.
  const lines: Group = { separator: '\n' };
  for (const f of failed) {
    packer.add(
      lines,
      `❌ ${codeSpan(f.instanceId, 80)} *${escapeMrkdwn(truncateText(f.code, 100))}* — ${escapeMrkdwn(f.explanation)}`,
    );
  }
  for (const n of unconfirmed) {
    packer.add(
      lines,
      `⚠️ ${codeSpan(n.instanceId, 80)} unconfirmed: *${escapeMrkdwn(truncateText(n.code, 100))}* — ${escapeMrkdwn(n.reason)}`,
    );
  }
  for (const instanceId of unsettled) {
    packer.add(lines, `⏳ ${codeSpan(instanceId, 80)} no answer yet`);
  }
  for (const instanceId of succeeded) {
    packer.add(lines, `✅ ${codeSpan(instanceId, 80)} ok`);
  }

  const requestIds: Group = {
    title: `*Volcengine RequestId${apiRequestIds.length === 1 ? '' : 's'}* (for support tickets)`,
    continued: '*Volcengine RequestIds (continued)*',
    separator: ', ',
  };
  for (const apiRequestId of apiRequestIds) packer.add(requestIds, codeSpan(apiRequestId, 80));

  if (succeeded.length) {
    const reminder: Group = {
      title: `🔁 *Restart ${succeeded.length === 1 ? 'this instance' : `these ${succeeded.length.toLocaleString('en-US')} instances`} for the key pair to take effect*${
        sandbox ? ' (SANDBOX: simulated, nothing was really bound)' : ''
      }:`,
      continued: '🔁 *Restart (continued):*',
      separator: ', ',
    };
    for (const instanceId of succeeded) packer.add(reminder, codeSpan(instanceId, 80));
  } else {
    packer.add(
      { separator: '\n' },
      ':information_source: Nothing needs restarting: no instance got the key pair.',
    );
  }

  const parts = packer.finish();
  const tally = `${succeeded.length} succeeded, ${failed.length} failed, ${unconfirmed.length} unconfirmed`;
  return parts.map((sections, i) => {
    const part = parts.length > 1 ? ` (part ${i + 1} of ${parts.length})` : '';
    const blocks: types.KnownBlock[] = [];
    if (parts.length > 1) {
      blocks.push({
        type: 'context',
        block_id: 'results_part',
        elements: [{ type: 'mrkdwn', text: `Results for request ${id}${part}` }],
      });
    }
    sections.forEach((text, j) => {
      blocks.push({
        type: 'section',
        block_id: `results_${j}`,
        text: { type: 'mrkdwn', text },
      });
    });
    const last = i === parts.length - 1;
    const restart =
      last && succeeded.length
        ? ` Restart the ${plural(succeeded.length, 'instance')} that succeeded for the key to take effect.`
        : '';
    const prefix = sandbox ? `${SANDBOX_NOTE}. ` : '';
    return {
      text: `${prefix}Results for request ${escapeMrkdwn(request.id)}${part}: ${tally}.${restart}`,
      blocks,
    };
  });
}

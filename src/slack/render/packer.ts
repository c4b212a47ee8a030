// Results threads packed line by line into sections of at most 3000 characters and messages
// within Block Kit's block and text budgets, rather than one message Slack would refuse.

import type { types } from '@slack/bolt';
import { truncateText } from './escape.js';
import { SLACK_LIMITS, type SlackMessage } from './limits.js';

/** Room kept in every message for the "part k of n" context line. */
export const PART_RESERVE = 300;
const MAX_LINE = 1000;

export interface Group {
  /** Opens the group's first section. */
  title?: string;
  /** Opens every later section of the group. */
  continued?: string;
  separator: string;
}

/** Fills sections up to 3000 chars and messages up to the block and text budgets, line by line. */
export class MessagePacker {
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

/**
 * The packed parts as messages: a "part k of n" line when there are several, one section per
 * packed section, and the buttons on the first (the message the thread opens with).
 */
export function packedMessages(
  parts: readonly string[][],
  options: {
    partLine: (k: number, n: number) => string;
    fallback: (k: number, n: number) => string;
    buttons?: types.ActionsBlock;
  },
): SlackMessage[] {
  return parts.map((sections, i) => {
    const blocks: types.KnownBlock[] = [];
    if (parts.length > 1) {
      blocks.push({
        type: 'context',
        block_id: 'results_part',
        elements: [{ type: 'mrkdwn', text: options.partLine(i + 1, parts.length) }],
      });
    }
    sections.forEach((text, j) => {
      blocks.push({ type: 'section', block_id: `results_${j}`, text: { type: 'mrkdwn', text } });
    });
    if (i === 0 && options.buttons) blocks.push(options.buttons);
    return { text: options.fallback(i + 1, parts.length), blocks };
  });
}

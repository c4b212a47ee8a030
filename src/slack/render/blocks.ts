// Small Block Kit builders shared by the renderers, typed with Slack's own types.

import type { types } from '@slack/bolt';
import type { Catalogue } from '../i18n/en.js';
import { truncateText } from './escape.js';
import { SLACK_LIMITS, type SlackReply } from './limits.js';

export const mrkdwn = (text: string): types.MrkdwnElement => ({ type: 'mrkdwn', text });

export const plain = (text: string): types.PlainTextElement => ({
  type: 'plain_text',
  text,
  emoji: true,
});

export const section = (blockId: string, text: string): types.SectionBlock => ({
  type: 'section',
  block_id: blockId,
  text: mrkdwn(truncateText(text, SLACK_LIMITS.sectionText)),
});

export const context = (blockId: string, text: string): types.ContextBlock => ({
  type: 'context',
  block_id: blockId,
  elements: [mrkdwn(truncateText(text, SLACK_LIMITS.sectionText))],
});

/** A notification text, led by the sandbox note in sandbox mode (joined as the language joins). */
export const withSandboxNote = (text: string, t: Catalogue, sandbox: boolean): string =>
  sandbox ? `${t.sandboxNote}${t.join.sentences}${text}` : text;

/** A private answer: its text, and one section holding the same words (so long text stays valid). */
export const messageReply = (text: string): SlackReply => ({
  text,
  blocks: [section('message', text)],
});

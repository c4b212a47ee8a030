// The approval card in the channel, rendered from the stored request for every status (design §4).

import type { types } from '@slack/bolt';
import { countOutcomes, summarize } from '../../domain/outcome.js';
import { type AttachRequest, isExpired, type RequestStatus } from '../../domain/request.js';
import { ACTIONS, BLOCKS } from '../ids.js';
import {
  codeSpan,
  escapeMrkdwn,
  formatSlackDate,
  mentionUser,
  plural,
  truncateText,
} from './escape.js';
import { SLACK_LIMITS, type SlackMessage } from './limits.js';

export const SANDBOX_NOTE = ':test_tube: SANDBOX — simulated, nothing changes';

export const STATUS_LABELS: Record<RequestStatus, string> = {
  pending: 'waiting for approval',
  approved: 'approved, starting',
  rejected: 'rejected',
  expired: 'expired',
  executing: 'running',
  done: 'done',
  failed: 'finished with errors',
};

/** The API page's consequences, one line each. */
export const CONSEQUENCES = [
  'It replaces any key pair bound to these instances earlier in the console (keys added by hand inside the instance stay).',
  'Password login stops working on these instances.',
  'It takes effect only after each instance is restarted.',
] as const;

const mrkdwn = (text: string): types.MrkdwnElement => ({ type: 'mrkdwn', text });
const plain = (text: string): types.PlainTextElement => ({ type: 'plain_text', text, emoji: true });

const section = (blockId: string, text: string): types.SectionBlock => ({
  type: 'section',
  block_id: blockId,
  text: mrkdwn(truncateText(text, SLACK_LIMITS.sectionText)),
});

const context = (blockId: string, text: string): types.ContextBlock => ({
  type: 'context',
  block_id: blockId,
  elements: [mrkdwn(truncateText(text, SLACK_LIMITS.sectionText))],
});

/** How the card names the key pair; when both are given the API uses the id. */
export function describeKeyPair(request: { keyPairName?: string; keyPairId?: string }): string {
  const { keyPairName, keyPairId } = request;
  if (keyPairId && keyPairName) {
    return `${codeSpan(keyPairId)} (the id is used; the name ${codeSpan(keyPairName)} is ignored)`;
  }
  if (keyPairId) return codeSpan(keyPairId);
  if (keyPairName) return codeSpan(keyPairName);
  return '_none given_';
}

/** Instance ids as inline code, cut with "and N more" so the text stays within `budget`. */
export function listInstances(instanceIds: readonly string[], budget: number): string {
  const parts: string[] = [];
  let length = 0;
  for (const [i, id] of instanceIds.entries()) {
    const part = codeSpan(id, 80);
    const rest = instanceIds.length - i - 1;
    const tail = rest > 0 ? ` … and ${rest.toLocaleString('en-US')} more`.length : 0;
    const next = length + (parts.length > 0 ? 2 : 0) + part.length;
    if (next + tail > budget) {
      const more = instanceIds.length - parts.length;
      return `${parts.join(', ')} … and ${more.toLocaleString('en-US')} more`;
    }
    parts.push(part);
    length = next;
  }
  return parts.join(', ');
}

export interface CardOptions {
  sandbox: boolean;
  /** Lets a pending card whose TTL has passed drop its buttons before the sweeper gets to it. */
  now?: Date;
}

export function renderApprovalCard(request: AttachRequest, options: CardOptions): SlackMessage {
  const sandbox = options.sandbox || request.sandbox === true;
  const lapsed =
    request.status === 'pending' && options.now !== undefined && isExpired(request, options.now);
  const label = lapsed ? 'expired' : STATUS_LABELS[request.status];
  const count = request.instanceIds.length;
  const blocks: types.KnownBlock[] = [];

  blocks.push({
    type: 'header',
    block_id: 'card_header',
    text: plain(`${sandbox ? ':test_tube: SANDBOX — ' : ''}Attach key pair: ${label}`),
  });
  if (sandbox) {
    blocks.push(
      context('card_sandbox', `${SANDBOX_NOTE} on real instances: the ECS calls are simulated.`),
    );
  }
  blocks.push({
    type: 'section',
    block_id: 'card_facts',
    fields: [
      mrkdwn(`*Requested by*\n${mentionUser(request.requesterId)}`),
      mrkdwn(`*Key pair*\n${describeKeyPair(request)}`),
      mrkdwn(`*Region*\n${codeSpan(request.region, 60)}`),
      mrkdwn(`*Instances*\n${count.toLocaleString('en-US')}`),
    ],
  });
  const heading = `*${plural(count, 'instance')}*\n`;
  blocks.push(
    section(
      'card_instances',
      heading + listInstances(request.instanceIds, SLACK_LIMITS.sectionText - heading.length),
    ),
  );
  if (request.status === 'pending' && !lapsed) {
    blocks.push(
      section(
        'card_consequences',
        `*Approving binds the key pair to ${count === 1 ? 'this instance' : `these ${count.toLocaleString('en-US')} instances`}:*\n${CONSEQUENCES.map((c) => `• ${c}`).join('\n')}`,
      ),
    );
  }
  blocks.push(
    context(
      'card_meta',
      `Request ${codeSpan(request.id, 80)} · asked ${formatSlackDate(request.createdAt)} · ${
        request.status === 'pending' && !lapsed ? 'expires' : 'expiry'
      } ${formatSlackDate(request.expiresAt)}`,
    ),
  );

  const status = describeStatus(request, lapsed);
  if (status) blocks.push(section('card_status', status));
  if (request.status === 'pending' && !lapsed) blocks.push(renderButtons(request));

  return { text: renderFallback(request, label, sandbox), blocks };
}

/** The line under the facts that says what happened after the request was made. */
function describeStatus(request: AttachRequest, lapsed: boolean): string | undefined {
  const decision = request.decision;
  const by = decision?.by ? mentionUser(decision.by) : 'someone';
  const when = decision ? formatSlackDate(decision.at) : '';
  if (lapsed) {
    return `:hourglass: Expired ${formatSlackDate(request.expiresAt)}: nobody decided in time, so nothing was changed. Ask again with a new request.`;
  }
  switch (request.status) {
    case 'pending':
      return undefined;
    case 'rejected':
      return `:x: Rejected by ${by} ${when}. Nothing was changed.`;
    case 'expired':
      return `:hourglass: Expired ${decision ? when : formatSlackDate(request.expiresAt)}: nobody decided in time, so nothing was changed. Ask again with a new request.`;
    case 'approved':
      return `:white_check_mark: Approved by ${by} ${when}. Starting…`;
    case 'executing': {
      const total = request.batches.length;
      const answered = request.batches.filter(
        (b) => b.state === 'done' || b.state === 'failed',
      ).length;
      return `:white_check_mark: Approved by ${by} ${when}.\n:gear: Running: ${answered} of ${plural(total, 'batch', 'batches')} answered.`;
    }
    case 'done':
    case 'failed': {
      const totals = countOutcomes(summarize(request));
      const icon = request.status === 'done' && totals.failed === 0 ? ':tada:' : ':warning:';
      const finished = request.finishedAt ? ` ${formatSlackDate(request.finishedAt)}` : '';
      return [
        `:white_check_mark: Approved by ${by} ${when}.`,
        `${icon} Finished${finished}: ${totals.succeeded} succeeded · ${totals.failed} failed · ${totals.unconfirmed} unconfirmed. Details and the restart list are in the thread.`,
      ].join('\n');
    }
  }
}

function renderButtons(request: AttachRequest): types.ActionsBlock {
  const count = request.instanceIds.length;
  return {
    type: 'actions',
    block_id: BLOCKS.decision,
    elements: [
      {
        type: 'button',
        action_id: ACTIONS.approve,
        text: plain('Approve'),
        style: 'primary',
        value: request.id,
        confirm: {
          title: plain('Bind the key pair?'),
          text: plain(
            truncateText(
              `This binds the key pair to ${plural(count, 'instance')} in ${escapeMrkdwn(request.region)}. It replaces a key pair bound earlier in the console, password login stops working, and it takes effect only after a restart.`,
              SLACK_LIMITS.confirmText,
            ),
          ),
          confirm: plain('Approve'),
          deny: plain('Cancel'),
          style: 'primary',
        },
      },
      {
        type: 'button',
        action_id: ACTIONS.reject,
        text: plain('Reject'),
        style: 'danger',
        value: request.id,
      },
    ],
  };
}

function renderFallback(request: AttachRequest, label: string, sandbox: boolean): string {
  const prefix = sandbox ? `${SANDBOX_NOTE}. ` : '';
  const keyPair = escapeMrkdwn(truncateText(request.keyPairId ?? request.keyPairName ?? '?', 120));
  return `${prefix}Key pair request ${escapeMrkdwn(request.id)} from ${mentionUser(request.requesterId)}: bind ${keyPair} to ${plural(request.instanceIds.length, 'instance')} in ${escapeMrkdwn(truncateText(request.region, 60))} (${label}).`;
}

import type { webApi } from '@slack/bolt';
import type { AttachRequest } from '../domain/request.js';
import type { CardPostFailure, Logger, Notifier } from '../service/ports.js';
import { renderApprovalCard } from './render/approval-card.js';
import { renderExpiredNotice } from './render/messages.js';
import { renderResults } from './render/results.js';
import { slackErrorCode } from './slack-error.js';

// The Notifier port on a WebClient of its own. That client's retryConfig bounds the retries of
// 5xx and network failures and waits out 429s (Retry-After) without holding up the listeners'
// client, which must stay quick for views.open.

const NOT_IN_CHANNEL = new Set(['not_in_channel', 'channel_not_found', 'is_archived']);

export interface SlackNotifierOptions {
  client: webApi.WebClient;
  logger: Logger;
  sandbox: boolean;
  now?: () => Date;
}

export function createSlackNotifier(options: SlackNotifierOptions): Notifier {
  const { client, logger, sandbox } = options;
  const now = options.now ?? (() => new Date());

  return {
    async postCard(request) {
      const card = renderApprovalCard(request, { sandbox, now: now() });
      try {
        const result = await client.chat.postMessage({
          channel: request.channelId,
          text: card.text,
          blocks: card.blocks as never,
          unfurl_links: false,
          unfurl_media: false,
        });
        return { ok: true, card: { channel: String(result.channel), ts: String(result.ts) } };
      } catch (error) {
        const code = slackErrorCode(error);
        const failure: CardPostFailure = {
          reason: NOT_IN_CHANNEL.has(code) ? 'bot_not_in_channel' : 'post_failed',
          detail: code,
        };
        return { ok: false, failure };
      }
    },

    async updateCard(request) {
      if (!request.card) return;
      const card = renderApprovalCard(request, { sandbox, now: now() });
      try {
        await client.chat.update({
          channel: request.card.channel,
          ts: request.card.ts,
          text: card.text,
          blocks: card.blocks as never,
        });
      } catch (error) {
        logFailure(logger, 'approval card update failed', request, error);
      }
    },

    async postResults(request) {
      if (!request.card) return false;
      const messages = renderResults(request, { sandbox });
      let first = true;
      for (const message of messages) {
        try {
          await client.chat.postMessage({
            channel: request.card.channel,
            thread_ts: request.card.ts,
            text: message.text,
            blocks: message.blocks as never,
            unfurl_links: false,
            unfurl_media: false,
          });
        } catch (error) {
          logFailure(logger, 'results thread post failed', request, error);
          // Nothing posted yet: report failure so a later start posts the whole thread. Once the
          // summary is out, a retry would duplicate it; the remaining parts are logged instead.
          if (first) return false;
        }
        first = false;
      }
      return true;
    },

    async tellExpired(request) {
      try {
        await client.chat.postEphemeral({
          channel: request.channelId,
          user: request.requesterId,
          text: renderExpiredNotice(request).text,
        });
      } catch (error) {
        logFailure(logger, 'expiry notice failed', request, error);
      }
    },
  };
}

function logFailure(logger: Logger, message: string, request: AttachRequest, error: unknown) {
  logger.error(message, { requestId: request.id, slackError: slackErrorCode(error), error });
}

import type { webApi } from '@slack/bolt';
import type { MutationRequest } from '../domain/request.js';
import type { CardPostFailure, Logger, Notifier, RequesterNews } from '../service/ports.js';
import type { Catalogue } from './i18n/en.js';
import { renderApprovalCard } from './render/approval-card.js';
import { renderReminder, renderRequesterNote } from './render/messages.js';
import { renderThreadResults } from './render/rotation.js';
import { slackErrorCode } from './slack-error.js';

// The Notifier port on a WebClient of its own. That client's retryConfig bounds the retries of
// 5xx and network failures and waits out 429s (Retry-After) without holding up the listeners'
// client, which must stay quick for views.open. Channel messages speak DEFAULT_LOCALE; private
// notes the requester's own language.

const NOT_IN_CHANNEL = new Set(['not_in_channel', 'channel_not_found', 'is_archived']);

export interface SlackNotifierOptions {
  client: webApi.WebClient;
  logger: Logger;
  sandbox: boolean;
  /** The channel's language (DEFAULT_LOCALE). */
  channelTexts: Catalogue;
  /** A user's language (their Slack locale, else DEFAULT_LOCALE). */
  textsFor: (userId: string) => Promise<Catalogue>;
  /** APPROVER_USER_IDS, for the "who may approve" line and the reminder. */
  approvers: readonly string[];
  undoWindowHours: number;
  now?: () => Date;
  /** Called when an App Home view may be out of date (requests someone takes part in changed). */
  onRequestChanged?: (request: MutationRequest) => void;
  /** Every failed Web API call, by method (metrics). */
  onSlackError?: (method: string) => void;
  /** Whether the bot knows a key pair's public key: an attach's results then offer "apply now". */
  knowsPublicKey?: (keyPairId: string) => Promise<boolean>;
}

export function createSlackNotifier(options: SlackNotifierOptions): Notifier {
  const { client, logger, sandbox, approvers } = options;
  const t = options.channelTexts;
  const now = options.now ?? (() => new Date());
  const card = (request: MutationRequest) =>
    renderApprovalCard(request, { t, sandbox, approvers, now: now() });
  const changed = (request: MutationRequest) => options.onRequestChanged?.(request);
  const failed = (method: string, message: string, request: MutationRequest, error: unknown) => {
    options.onSlackError?.(method);
    logger.error(message, {
      requestId: request.id,
      method,
      slackError: slackErrorCode(error),
      error,
    });
  };

  /** An attach's bound key pair, when its public key is known (a lookup that fails: not known). */
  async function publicKeyKnown(request: MutationRequest): Promise<boolean> {
    const keyPairId = request.preview?.keyPair?.keyPairId ?? request.keyPairId;
    if (request.kind !== 'attach' || !keyPairId || !options.knowsPublicKey) return false;
    return options.knowsPublicKey(keyPairId).catch((error: unknown) => {
      logger.warn('public key lookup failed', { requestId: request.id, error });
      return false;
    });
  }

  return {
    async postCard(request) {
      const message = card(request);
      try {
        const result = await client.chat.postMessage({
          channel: request.channelId,
          ...(request.threadTs ? { thread_ts: request.threadTs } : {}),
          text: message.text,
          blocks: message.blocks,
          unfurl_links: false,
          unfurl_media: false,
        });
        changed(request);
        return { ok: true, card: { channel: String(result.channel), ts: String(result.ts) } };
      } catch (error) {
        options.onSlackError?.('chat.postMessage');
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
      const message = card(request);
      try {
        await client.chat.update({
          channel: request.card.channel,
          ts: request.card.ts,
          text: message.text,
          blocks: message.blocks,
        });
      } catch (error) {
        failed('chat.update', 'approval card update failed', request, error);
      }
      changed(request);
    },

    async postResults(request, part) {
      if (!request.card) return undefined;
      const texts = {
        t,
        sandbox,
        now: now(),
        undoWindowHours: options.undoWindowHours,
        publicKeyKnown: await publicKeyKnown(request),
      };
      // A rotation's attach results go out before its restart (`earlier`), the rest at the end.
      const messages = renderThreadResults(request, texts, part);
      // A follow-up's card is itself a thread reply: its results go in that same thread.
      const threadTs = request.threadTs ?? request.card.ts;
      let first: { channel: string; ts: string } | undefined;
      for (const message of messages) {
        try {
          const posted = await client.chat.postMessage({
            channel: request.card.channel,
            thread_ts: threadTs,
            text: message.text,
            blocks: message.blocks,
            unfurl_links: false,
            unfurl_media: false,
          });
          first ??= { channel: String(posted.channel), ts: String(posted.ts) };
        } catch (error) {
          failed('chat.postMessage', 'results thread post failed', request, error);
          // Nothing posted yet: report failure so a later start posts the whole thread. Once the
          // summary is out, a retry would duplicate it; the remaining parts are logged instead.
          if (!first) return undefined;
        }
      }
      return first;
    },

    async tellRequester(request: MutationRequest, news: RequesterNews) {
      try {
        const texts = await options.textsFor(request.requesterId);
        const url = news === 'results' ? await permalink(client, request) : undefined;
        const note = renderRequesterNote(request, news, texts, url);
        // A DM from the app (chat.postMessage to the user id opens the App Home messages tab).
        await client.chat.postMessage({
          channel: request.requesterId,
          text: note.text,
          ...(note.blocks ? { blocks: note.blocks } : {}),
          unfurl_links: false,
        });
      } catch (error) {
        failed('chat.postMessage', `requester note (${news}) failed`, request, error);
      }
    },

    async remind(request) {
      if (!request.card) return;
      const note = renderReminder(request, approvers, t);
      try {
        await client.chat.postMessage({
          channel: request.card.channel,
          thread_ts: request.threadTs ?? request.card.ts,
          text: note.text,
          ...(note.blocks ? { blocks: note.blocks } : {}),
        });
      } catch (error) {
        failed('chat.postMessage', 'reminder failed', request, error);
      }
    },
  };
}

async function permalink(
  client: webApi.WebClient,
  request: MutationRequest,
): Promise<string | undefined> {
  const at = request.results ?? request.card;
  if (!at) return undefined;
  try {
    const answer = await client.chat.getPermalink({ channel: at.channel, message_ts: at.ts });
    return typeof answer.permalink === 'string' ? answer.permalink : undefined;
  } catch {
    return undefined; // the note then says where to look instead
  }
}

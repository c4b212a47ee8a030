import type { webApi } from '@slack/bolt';
import type { Logger } from '../service/ports.js';
import { slackErrorCode } from './slack-error.js';

// What the form needs to know of a channel before the card goes there (issue 18): its name (the
// shortcut offers only ALLOWED_CHANNEL_IDS, by name) and whether the bot is a member (so a form
// for a channel the bot is not in says "invite me first" and stores nothing). Both come from
// conversations.info (channels:read, groups:read). Without those scopes, or when Slack is slow,
// the answer is "unknown": the form then shows ids, and the card post says what went wrong.

export type Membership = 'member' | 'not_member' | 'unknown';

const NAME_TTL_MS = 60 * 60_000;
const NO_SCOPE_RETRY_MS = 10 * 60_000;
/** Slack's answers that mean the bot cannot post there. */
const NOT_THERE = new Set(['channel_not_found', 'not_in_channel']);

export interface Channels {
  /** The cached name of a channel, if known (a lookup starts for next time). */
  peekName(channelId: string): string | undefined;
  /** Looks names up, waiting at most `withinMs`; resolves either way. */
  loadNames(channelIds: readonly string[], withinMs: number): Promise<void>;
  /** Whether the bot is a member, asked within `withinMs`. */
  membership(channelId: string, withinMs: number): Promise<Membership>;
}

export function createChannels(options: {
  client: webApi.WebClient;
  logger: Logger;
  now?: () => number;
}): Channels {
  const now = options.now ?? Date.now;
  const names = new Map<string, { name: string; until: number }>();
  const inFlight = new Map<string, Promise<Membership>>();
  let noScopeUntil = 0;

  /** conversations.info, once at a time per channel; every answer refreshes the name. */
  function ask(channelId: string): Promise<Membership> {
    if (now() < noScopeUntil) return Promise.resolve('unknown');
    const pending = inFlight.get(channelId);
    if (pending) return pending;
    const asking = options.client.conversations
      .info({ channel: channelId })
      .then((answer): Membership => {
        const channel = answer.channel;
        if (channel?.name) names.set(channelId, { name: channel.name, until: now() + NAME_TTL_MS });
        if (channel?.is_member === true) return 'member';
        return channel?.is_member === false ? 'not_member' : 'unknown';
      })
      .catch((error: unknown): Membership => {
        const code = slackErrorCode(error);
        if (NOT_THERE.has(code)) return 'not_member';
        if (code === 'missing_scope') noScopeUntil = now() + NO_SCOPE_RETRY_MS;
        options.logger.debug('channel unknown', { channel: channelId, code });
        return 'unknown';
      })
      .finally(() => inFlight.delete(channelId));
    inFlight.set(channelId, asking);
    return asking;
  }

  const within = <T>(work: Promise<T>, ms: number, fallback: T): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<T>((resolve) => {
      timer = setTimeout(() => resolve(fallback), ms);
    });
    return Promise.race([work, late]).finally(() => clearTimeout(timer));
  };

  return {
    peekName(channelId) {
      const cached = names.get(channelId);
      if (!cached || cached.until <= now()) void ask(channelId);
      return cached?.name;
    },
    async loadNames(channelIds, withinMs) {
      const missing = channelIds.filter((id) => !((names.get(id)?.until ?? 0) > now()));
      if (missing.length) await within(Promise.all(missing.map(ask)), withinMs, []);
    },
    membership: (channelId, withinMs) => within(ask(channelId), withinMs, 'unknown'),
  };
}

import type { webApi } from '@slack/bolt';
import type { Logger } from '../service/ports.js';
import { type Catalogue, catalogue, type Locale, localeFromSlack } from './i18n/index.js';
import { singleFlight } from './single-flight.js';

// Private messages follow the reader's Slack locale (users.info with include_locale), cached per
// user; channel messages follow DEFAULT_LOCALE. Any other locale, or none known, → DEFAULT_LOCALE.

export interface UserTexts {
  /** The channel's language. */
  channel: Catalogue;
  forUser(userId: string): Promise<Catalogue>;
  /** Without waiting: the cached language, or DEFAULT_LOCALE (a lookup starts for next time). */
  peek(userId: string): Catalogue;
}

const HOUR = 3_600_000;

export function createUserTexts(options: {
  client: webApi.WebClient;
  defaultLocale: Locale;
  logger: Logger;
  now?: () => number;
  ttlMs?: number;
}): UserTexts {
  const now = options.now ?? Date.now;
  const ttlMs = options.ttlMs ?? HOUR;
  const cache = new Map<string, { locale: Locale; until: number }>();

  async function lookUp(userId: string): Promise<Locale> {
    try {
      const answer = await options.client.users.info({ user: userId, include_locale: true });
      const locale = localeFromSlack(answer.user?.locale, options.defaultLocale);
      cache.set(userId, { locale, until: now() + ttlMs });
      return locale;
    } catch (error) {
      options.logger.debug('user locale unknown', { user: userId, error });
      // Ask again soon, not on every message.
      cache.set(userId, { locale: options.defaultLocale, until: now() + 60_000 });
      return options.defaultLocale;
    }
  }

  const resolve = singleFlight(lookUp);

  return {
    channel: catalogue(options.defaultLocale),
    async forUser(userId) {
      const cached = cache.get(userId);
      if (cached && cached.until > now()) return catalogue(cached.locale);
      return catalogue(await resolve(userId));
    },
    peek(userId) {
      const cached = cache.get(userId);
      if (cached && cached.until > now()) return catalogue(cached.locale);
      void resolve(userId);
      return catalogue(cached?.locale ?? options.defaultLocale);
    },
  };
}

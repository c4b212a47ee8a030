// The two languages the bot writes (issue 13). Private messages follow the reader's Slack locale,
// channel messages DEFAULT_LOCALE.

export type Locale = 'en' | 'zh-CN';

export const LOCALES: readonly Locale[] = ['en', 'zh-CN'];

/** `zh-*` → Chinese, `en-*` → English, anything else (or nothing) → the fallback. */
export function localeFromSlack(slackLocale: string | undefined, fallback: Locale): Locale {
  const lower = slackLocale?.toLowerCase() ?? '';
  if (lower === 'zh' || lower.startsWith('zh-')) return 'zh-CN';
  if (lower === 'en' || lower.startsWith('en-')) return 'en';
  return fallback;
}

/** Numbers as the locale writes them (1,234 in both). */
export function numberFormatter(locale: Locale): (n: number) => string {
  const format = new Intl.NumberFormat(locale);
  return (n) => format.format(n);
}

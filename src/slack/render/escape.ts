// Safe text for mrkdwn. Slack treats `<...>` as links, mentions and @channel, and `&` starts an
// entity, so everything a user typed is escaped before it is echoed into a channel.

export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Escapes text that may already be escaped (such as the parser's mrkdwn-ready messages): existing
 * `&amp;` `&lt;` `&gt;` stay as they are, every raw `&` `<` `>` is escaped.
 */
export function escapeMrkdwnOnce(text: string): string {
  return text
    .replace(/&(?!(?:amp|lt|gt);)/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

const USER_ID = /^[UW][A-Z0-9]+$/;

/** `<@U123>` for a real user id; anything else is shown as escaped text and pings nobody. */
export function mentionUser(userId: string): string {
  return USER_ID.test(userId) ? `<@${userId}>` : escapeMrkdwn(userId);
}

const CHANNEL_ID = /^[CGD][A-Z0-9]+$/;

/** `<#C123>` for a real channel id; anything else as escaped text. */
export function mentionChannel(channelId: string): string {
  return CHANNEL_ID.test(channelId) ? `<#${channelId}>` : escapeMrkdwn(channelId);
}

/** Cuts text to `max` characters, marking the cut with an ellipsis. */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** Escaped inline code for a user-supplied value, cut to a readable length. */
export function codeSpan(text: string, max = 120): string {
  // A backtick would end the span early; a prime looks the same and keeps the span whole.
  return `\`${escapeMrkdwn(truncateText(text, max).replace(/`/g, 'ʹ'))}\``;
}

/**
 * A time each reader sees in their own time zone and language, with the ISO time as the fallback.
 * Unparsable input is shown escaped as it is.
 */
export function formatSlackDate(iso: string, texts: { date: { format: string } }): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return escapeMrkdwn(iso);
  const unix = Math.floor(ms / 1000);
  return `<!date^${unix}^${texts.date.format}|${new Date(ms).toISOString()}>`;
}

const GROUP_ID = /^S[A-Z0-9]+$/;

/** An approver: a user mention, or a user-group mention (Slack notifies the group). */
export function mentionApprover(id: string): string {
  return GROUP_ID.test(id) ? `<!subteam^${id}>` : mentionUser(id);
}

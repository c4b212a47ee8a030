// What went wrong in a Slack Web API call, read once for every caller (notifier, listeners,
// start-up and the doctor).

/** Slack's error string (`not_in_channel`) or the client's code for HTTP/transport failures. */
export function slackErrorCode(error: unknown): string {
  const e = error as { data?: { error?: unknown }; code?: unknown; statusCode?: unknown };
  if (typeof e?.data?.error === 'string') return e.data.error;
  if (typeof e?.statusCode === 'number') return `http_${e.statusCode}`;
  if (typeof e?.code === 'string') return e.code;
  return 'unknown_error';
}

/** Slack's answers meaning the token itself was refused (not a network or server problem). */
export const TOKEN_REJECTED = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
]);

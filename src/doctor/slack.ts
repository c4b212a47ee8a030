import { webApi } from '@slack/bolt';
import type { Config } from '../config/config.js';
import { TOKEN_REJECTED } from '../slack/slack-error.js';
import type { DoctorTexts } from './i18n/en.js';
import { displayUrl, errorText, fail, hint, pass, type Result } from './lines.js';

// The doctor's Slack lines: the bot token (auth.test, and the scopes Slack says it has) and, in
// Socket Mode, the app token (apps.connections.open, whose ticket simply expires unused). One
// attempt each, bounded.

/**
 * The bot scopes manifest.yml asks for (a test keeps the two equal). An app installed before a
 * scope was added lacks it until it is reinstalled: its calls then fail one by one at run time.
 */
export const BOT_SCOPES = [
  'commands',
  'chat:write',
  'usergroups:read',
  'users:read',
  'channels:read',
  'groups:read',
] as const;

const SILENT: webApi.Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => webApi.LogLevel.ERROR,
  setName: () => {},
};

function createSlackClient(token: string, apiUrl: string, timeoutMs: number): webApi.WebClient {
  return new webApi.WebClient(token, {
    slackApiUrl: apiUrl,
    retryConfig: { retries: 0 },
    timeout: timeoutMs,
    rejectRateLimitedCalls: true,
    logger: SILENT,
  });
}

export async function checkBotToken(
  config: Config,
  timeoutMs: number,
  t: DoctorTexts,
): Promise<Result> {
  const { botToken, apiUrl } = config.slack;
  try {
    const me = await createSlackClient(botToken, apiUrl, timeoutMs).auth.test();
    const who = t.slack.botOk(me.user ?? '?', me.user_id ?? '?', me.team ?? '?', me.team_id ?? '?');
    // Slack lists the token's scopes with every answer (x-oauth-scopes); absent: not judged.
    const granted = me.response_metadata?.scopes;
    const missing = granted ? BOT_SCOPES.filter((s) => !granted.includes(s)) : [];
    if (missing.length) return fail(t.slack.scopesMissing(who, missing), t.slack.scopesFix);
    return pass(who);
  } catch (error) {
    return describeSlackFailure(error, t, {
      method: 'auth.test',
      apiUrl,
      timeoutMs,
      token: `SLACK_BOT_TOKEN (${hint(botToken)})`,
      authFix: t.slack.botAuthFix,
    });
  }
}

export async function checkAppToken(
  config: Config,
  timeoutMs: number,
  t: DoctorTexts,
): Promise<Result> {
  const { appToken, apiUrl } = config.slack;
  if (!appToken) return pass(t.slack.appUnset);
  try {
    // A connection ticket that is never used simply expires: no websocket is opened.
    await createSlackClient(appToken, apiUrl, timeoutMs).apps.connections.open();
    return pass(t.slack.appOk(hint(appToken)));
  } catch (error) {
    return describeSlackFailure(error, t, {
      method: 'apps.connections.open',
      apiUrl,
      timeoutMs,
      token: `SLACK_APP_TOKEN (${hint(appToken)})`,
      authFix: t.slack.appAuthFix,
    });
  }
}

function describeSlackFailure(
  error: unknown,
  t: DoctorTexts,
  at: { method: string; apiUrl: string; timeoutMs: number; token: string; authFix: string },
): Result {
  const s = t.slack;
  const e = error as {
    code?: unknown;
    data?: { error?: unknown };
    original?: { name?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } };
    statusCode?: unknown;
    retryAfter?: unknown;
  };
  const url = displayUrl(at.apiUrl);
  switch (e?.code) {
    case webApi.ErrorCode.PlatformError: {
      const code = String(e.data?.error ?? 'unknown_error');
      if (TOKEN_REJECTED.has(code)) return fail(s.invalid(code, at.token), at.authFix);
      if (code === 'not_allowed_token_type') {
        return fail(s.wrongKind(code, at.token), at.authFix);
      }
      if (code === 'missing_scope') {
        return fail(s.missingScope(code, at.token, at.method), at.authFix);
      }
      return fail(s.refused(code, at.method), s.refusedFix(at.method, at.authFix));
    }
    case webApi.ErrorCode.RequestError: {
      const original = e.original;
      const reason =
        original?.name === 'TimeoutError' || original?.name === 'AbortError'
          ? t.common.noAnswerWithin(at.timeoutMs)
          : String(
              original?.cause?.code ??
                original?.cause?.message ??
                original?.message ??
                s.networkError,
            );
      return fail(t.common.cannotReach(url, reason), t.common.checkNetwork('SLACK_API_URL'));
    }
    case webApi.ErrorCode.HTTPError:
      return fail(s.httpStatus(String(e.statusCode), `${url}${at.method}`), s.httpStatusFix);
    case webApi.ErrorCode.RateLimitedError:
      return fail(s.rateLimited(at.method), s.rateLimitedFix(String(e.retryAfter)));
    default:
      return fail(s.failed(at.method, errorText(error)), t.common.checkNetwork('SLACK_API_URL'));
  }
}

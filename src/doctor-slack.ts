import { webApi } from '@slack/bolt';
import type { Config } from './config.js';
import { displayUrl, errorText, fail, hint, pass, type Result } from './doctor-lines.js';
import { TOKEN_REJECTED } from './slack/slack-error.js';

// The doctor's Slack lines: the bot token (auth.test) and, in Socket Mode, the app token
// (apps.connections.open, whose ticket simply expires unused). One attempt each, bounded.

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

export async function checkBotToken(config: Config, timeoutMs: number): Promise<Result> {
  const { botToken, apiUrl } = config.slack;
  try {
    const me = await createSlackClient(botToken, apiUrl, timeoutMs).auth.test();
    return pass(
      `@${me.user ?? '?'} (${me.user_id ?? '?'}) in team ${me.team ?? '?'} (${me.team_id ?? '?'})`,
    );
  } catch (error) {
    return describeSlackFailure(error, {
      method: 'auth.test',
      apiUrl,
      timeoutMs,
      token: `SLACK_BOT_TOKEN (${hint(botToken)})`,
      authFix:
        'copy the Bot User OAuth Token from OAuth & Permissions (reinstall the app if it was revoked)',
    });
  }
}

export async function checkAppToken(config: Config, timeoutMs: number): Promise<Result> {
  const { appToken, apiUrl } = config.slack;
  if (!appToken) {
    return pass(
      'not set, so HTTP mode: Slack signs each request with SLACK_SIGNING_SECRET, which only a real request can prove',
    );
  }
  try {
    // A connection ticket that is never used simply expires: no websocket is opened.
    await createSlackClient(appToken, apiUrl, timeoutMs).apps.connections.open();
    return pass(`${hint(appToken)} accepted by apps.connections.open (Socket Mode)`);
  } catch (error) {
    return describeSlackFailure(error, {
      method: 'apps.connections.open',
      apiUrl,
      timeoutMs,
      token: `SLACK_APP_TOKEN (${hint(appToken)})`,
      authFix:
        'generate an app-level token with the connections:write scope under Basic Information > App-Level Tokens, and turn Socket Mode on',
    });
  }
}

function describeSlackFailure(
  error: unknown,
  at: { method: string; apiUrl: string; timeoutMs: number; token: string; authFix: string },
): Result {
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
      if (TOKEN_REJECTED.has(code)) {
        return fail(`${code} — ${at.token} is not valid`, at.authFix);
      }
      if (code === 'not_allowed_token_type') {
        return fail(`${code} — ${at.token} is not the right kind of token`, at.authFix);
      }
      if (code === 'missing_scope') {
        return fail(`${code} — ${at.token} lacks a scope ${at.method} needs`, at.authFix);
      }
      return fail(
        `${code} — Slack refused ${at.method}`,
        `look the error up at https://api.slack.com/methods/${at.method}; ${at.authFix}`,
      );
    }
    case webApi.ErrorCode.RequestError: {
      const original = e.original;
      const reason =
        original?.name === 'TimeoutError' || original?.name === 'AbortError'
          ? `no answer within ${at.timeoutMs} ms`
          : String(
              original?.cause?.code ??
                original?.cause?.message ??
                original?.message ??
                'network error',
            );
      return fail(`cannot reach ${url} (${reason})`, 'check network/proxy and SLACK_API_URL');
    }
    case webApi.ErrorCode.HTTPError:
      return fail(
        `HTTP ${String(e.statusCode)} from ${url}${at.method}`,
        'check that SLACK_API_URL is the Slack Web API (https://slack.com/api/) and any proxy in between',
      );
    case webApi.ErrorCode.RateLimitedError:
      return fail(`Slack rate-limited ${at.method}`, `try again in ${String(e.retryAfter)} s`);
    default:
      return fail(
        `${at.method} failed: ${errorText(error)}`,
        'check network/proxy and SLACK_API_URL',
      );
  }
}

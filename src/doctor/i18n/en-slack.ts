// The doctor's English about Slack: the bot token (auth.test) and the app token
// (apps.connections.open). `token` arrives as `SLACK_BOT_TOKEN (xoxb-…)`.

export const enDoctorSlack = {
  botOk: (user: string, userId: string, team: string, teamId: string) =>
    `@${user} (${userId}) in team ${team} (${teamId})`,
  scopesMissing: (who: string, missing: readonly string[]) =>
    `${who}, but the token lacks ${missing.join(', ')}`,
  scopesFix:
    'add them under OAuth & Permissions > Bot Token Scopes (or paste manifest.yml again), then reinstall the app to the workspace',
  botAuthFix:
    'copy the Bot User OAuth Token from OAuth & Permissions (reinstall the app if it was revoked)',
  appUnset:
    'not set, so HTTP mode: Slack signs each request with SLACK_SIGNING_SECRET, which only a real request can prove',
  appOk: (hint: string) => `${hint} accepted by apps.connections.open (Socket Mode)`,
  appAuthFix:
    'generate an app-level token with the connections:write scope under Basic Information > App-Level Tokens, and turn Socket Mode on',
  invalid: (code: string, token: string) => `${code} — ${token} is not valid`,
  wrongKind: (code: string, token: string) => `${code} — ${token} is not the right kind of token`,
  missingScope: (code: string, token: string, method: string) =>
    `${code} — ${token} lacks a scope ${method} needs`,
  refused: (code: string, method: string) => `${code} — Slack refused ${method}`,
  refusedFix: (method: string, authFix: string) =>
    `look the error up at https://api.slack.com/methods/${method}; ${authFix}`,
  networkError: 'network error',
  httpStatus: (status: string, url: string) => `HTTP ${status} from ${url}`,
  httpStatusFix:
    'check that SLACK_API_URL is the Slack Web API (https://slack.com/api/) and any proxy in between',
  rateLimited: (method: string) => `Slack rate-limited ${method}`,
  rateLimitedFix: (seconds: string) => `try again in ${seconds} s`,
  failed: (method: string, text: string) => `${method} failed: ${text}`,
};

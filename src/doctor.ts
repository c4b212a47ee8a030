import { randomBytes } from 'node:crypto';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { webApi } from '@slack/bolt';
import { type Config, ConfigError, loadConfig, SECRET_VARIABLES } from './config.js';
import { explainCode } from './domain/outcome.js';
import { createRedactor } from './logger.js';
import { TOKEN_REJECTED } from './slack/slack-error.js';
import { inspectLowdbStore } from './store/lowdb-store.js';
import { probePostgres } from './store/pg-doctor.js';
import { createEcsClient, createUndiciTransport, type Transport } from './volcengine/ecs-client.js';
import { VolcApiError } from './volcengine/errors.js';
import { createSandboxTransport } from './volcengine/sandbox-ecs.js';

// `npm run doctor`: checks a deployment's setup without starting the bot, one line per check with
// its fix. Like bot.ts it wires across folders, but it only reads: no websocket, no AttachKeyPair.
// Every line passes the redactor, and tokens are named by a 5-character hint at most.

export interface DoctorCheck {
  name: string;
  ok: boolean | 'skipped';
  detail: string;
}

export interface DoctorReport {
  /** True only when every check passed (a skipped check is not a pass). */
  ok: boolean;
  checks: DoctorCheck[];
}

export interface DoctorOptions {
  now?: () => Date;
  /** Receives each check line, already redacted, in a fixed order. */
  write?: (line: string) => void;
  /** Bound of each network call (no retries); default 5 s. */
  timeoutMs?: number;
}

type Result = Omit<DoctorCheck, 'name'>;

const CHECKS_NEEDING_CONFIG = [
  'Slack bot token',
  'Slack app token',
  'Volcengine credentials',
  'Clock',
  'Data directory',
  'Request store',
  'Approvers',
];
const MAX_CLOCK_SKEW_MS = 60_000;

const pass = (detail: string): Result => ({ ok: true, detail });
const fail = (what: string, fix: string): Result => ({ ok: false, detail: `${what}. Fix: ${fix}` });
const skip = (detail: string): Result => ({ ok: 'skipped', detail });

export async function runDoctor(
  env: Record<string, string | undefined>,
  options: DoctorOptions = {},
): Promise<DoctorReport> {
  const now = options.now ?? (() => new Date());
  const write = options.write ?? (() => {});
  const timeoutMs = options.timeoutMs ?? 5_000;
  // When the config does not parse there is no Config.secrets: redact the raw values instead.
  const envSecrets = SECRET_VARIABLES.flatMap((name) => {
    const value = env[name];
    return value ? [value, value.trim()] : [];
  });

  let config: Config | undefined;
  let configResult: Result;
  try {
    config = loadConfig(env);
    configResult = pass(describeConfig(config));
  } catch (error) {
    configResult = describeConfigError(error);
  }
  const redact = createRedactor([...envSecrets, ...(config?.secrets ?? [])]);

  // Started together, reported in this order; each promise settles to a Result, never rejects.
  const pending: Array<[string, Promise<Result>]> = [
    ['Configuration', Promise.resolve(configResult)],
  ];
  if (!config) {
    const why = skip('needs a valid configuration (see Configuration)');
    for (const name of CHECKS_NEEDING_CONFIG) pending.push([name, Promise.resolve(why)]);
  } else {
    const volc = checkVolcengine(config, now, timeoutMs).catch((error: unknown) => ({
      credentials: unexpected(error),
      clock: skip('no answer from the Volcengine API to compare with'),
    }));
    const dataFile = config.storage.dataFile;
    const directory = settle(checkDataDirectory(dataFile));
    pending.push(
      ['Slack bot token', settle(checkBotToken(config, timeoutMs))],
      ['Slack app token', settle(checkAppToken(config, timeoutMs))],
      ['Volcengine credentials', volc.then((r) => r.credentials)],
      ['Clock', volc.then((r) => r.clock)],
      ['Data directory', directory],
      [
        'Request store',
        settle(
          config.storage.databaseUrl
            ? checkPostgres(config.storage.databaseUrl, timeoutMs)
            : directory.then((d) => checkRequestStore(dataFile, d.ok === true)),
        ),
      ],
      ['Approvers', Promise.resolve(checkApprovers(config))],
    );
  }

  const checks: DoctorCheck[] = [];
  for (const [name, promise] of pending) {
    const result = await promise;
    const check: DoctorCheck = { name, ok: result.ok, detail: redact(result.detail) };
    checks.push(check);
    write(redact(formatCheck(check)));
  }
  return { ok: checks.every((c) => c.ok === true), checks };
}

/** `ok   Name: detail`, `FAIL Name: detail` or `skip Name: detail`. */
function formatCheck(check: DoctorCheck): string {
  const label = check.ok === true ? 'ok' : check.ok === false ? 'FAIL' : 'skip';
  return `${label.padEnd(4)} ${check.name}: ${check.detail}`;
}

function settle(promise: Promise<Result>): Promise<Result> {
  return promise.catch(unexpected);
}

function unexpected(error: unknown): Result {
  return fail(`unexpected error: ${errorText(error)}`, 'report it with this line');
}

function describeConfig(config: Config): string {
  const mode = config.slack.socketMode
    ? 'Socket Mode'
    : `HTTP mode on ${config.http.host}:${config.http.port}`;
  const ecs = config.sandbox ? 'sandbox ECS' : `Volcengine region ${config.volc.region}`;
  return `valid (${mode}, ${ecs})`;
}

function describeConfigError(error: unknown): Result {
  if (!(error instanceof ConfigError)) {
    return fail(`could not be read: ${errorText(error)}`, 'report it with this line');
  }
  const byVariable = new Map<string, string[]>();
  for (const { variable, problem } of error.problems) {
    byVariable.set(variable, [...(byVariable.get(variable) ?? []), problem]);
  }
  const list = [...byVariable].map(([variable, problems]) => `${variable}: ${problems.join(', ')}`);
  const count = byVariable.size === 1 ? '1 variable is' : `${byVariable.size} variables are`;
  return fail(
    `${count} not valid — ${list.join('; ')}`,
    'set them in .env or the environment (.env.example describes every variable)',
  );
}

// --- Slack -----------------------------------------------------------------------------------

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

async function checkBotToken(config: Config, timeoutMs: number): Promise<Result> {
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

async function checkAppToken(config: Config, timeoutMs: number): Promise<Result> {
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

// --- Volcengine --------------------------------------------------------------------------------

interface Seen {
  /** Our clock when the answer arrived. */
  at: Date;
  date?: string;
}

async function checkVolcengine(
  config: Config,
  now: () => Date,
  timeoutMs: number,
): Promise<{ credentials: Result; clock: Result }> {
  const inner = config.sandbox
    ? createSandboxTransport({ latencyMs: 0, now })
    : createUndiciTransport({ connections: 1 });
  // Keep the Date header of any answer, errors included: a skewed clock is often why they fail.
  let seen: Seen | undefined;
  const transport: Transport = async (req) => {
    const res = await inner(req);
    seen = { at: now(), ...(res.headers.date ? { date: res.headers.date } : {}) };
    return res;
  };
  const region = config.volc.region;
  let credentials: Result;
  try {
    const client = createEcsClient({
      endpoint: config.volc.endpoint,
      credentials: {
        accessKeyId: config.volc.accessKeyId,
        secretAccessKey: config.volc.secretAccessKey,
        ...(config.volc.sessionToken ? { sessionToken: config.volc.sessionToken } : {}),
      },
      timeoutMs,
      maxAttempts: 1,
      deadlineMs: timeoutMs,
      transport,
      now,
    });
    const answer = await client.describeKeyPairs({ region, maxResults: 1 });
    credentials = config.sandbox
      ? pass(`sandbox: no credentials needed (the simulated ECS answered DescribeKeyPairs)`)
      : pass(`accepted by DescribeKeyPairs in ${region} (RequestId ${answer.requestId || '?'})`);
  } catch (error) {
    credentials = describeVolcFailure(error, config.volc.endpoint, timeoutMs);
  } finally {
    await inner.close();
  }
  return { credentials, clock: checkClock(seen, config.sandbox) };
}

function describeVolcFailure(error: unknown, endpoint: string, timeoutMs: number): Result {
  if (!(error instanceof VolcApiError)) {
    // createEcsClient refuses an endpoint that is not a bare http(s) origin.
    return fail(
      `VOLC_ENDPOINT is not usable: ${errorText(error)}`,
      'set VOLC_ENDPOINT to https://open.volcengineapi.com (or leave it unset)',
    );
  }
  const head = `${error.code}${error.httpStatus ? ` (HTTP ${error.httpStatus})` : ''}`;
  switch (error.code) {
    case 'SignatureDoesNotMatch':
      return fail(
        `${head} — the secret key is wrong`,
        'set VOLC_SECRET_ACCESS_KEY to the Secret Access Key that belongs to VOLC_ACCESS_KEY_ID (no quotes or spaces)',
      );
    case 'InvalidAccessKey':
    case 'InvalidClientTokenId':
      return fail(
        `${head} — the access key id is wrong or disabled, or a temporary key came without its STS token`,
        'check VOLC_ACCESS_KEY_ID, and set VOLC_SESSION_TOKEN when using STS (temporary) credentials',
      );
    case 'AccessDenied':
    case 'LackPolicy':
      return fail(
        `${head} — the key may not call ECS`,
        "the key's policy must allow ecs:DescribeKeyPairs and ecs:AttachKeyPair",
      );
    case 'InvalidTimestamp':
      return fail(
        `${head} — the signed time was refused: this machine's clock is off`,
        'sync the system clock with NTP (see the Clock line)',
      );
    case 'NetworkError':
    case 'Timeout': {
      const reason =
        error.code === 'Timeout'
          ? `no answer within ${timeoutMs} ms`
          : error.message.replace(/^Could not reach Volcengine for \w+: /, '');
      return fail(
        `cannot reach ${displayUrl(endpoint)} (${reason})`,
        'check network/proxy and VOLC_ENDPOINT',
      );
    }
    default: {
      // "what happened; what to do" -> the same two parts as every other line.
      const text = explainCode(error.code, error.message);
      const cut = text.indexOf('; ');
      return cut > 0
        ? fail(`${head} — ${text.slice(0, cut)}`, text.slice(cut + 2))
        : fail(`${head} — ${text}`, 'check the VOLC_* settings');
    }
  }
}

function checkClock(seen: Seen | undefined, sandbox: boolean): Result {
  if (!seen) return skip('no answer from the Volcengine API to compare with');
  const serverMs = seen.date ? Date.parse(seen.date) : Number.NaN;
  if (Number.isNaN(serverMs)) return skip('the Volcengine API sent no Date header to compare with');
  const where = sandbox
    ? "the sandbox's date (it runs on this clock)"
    : "the Volcengine API's clock";
  // The Date header drops the milliseconds: the server's time was somewhere in that second.
  const skewMs = seen.at.getTime() - (serverMs + 500);
  if (Math.abs(skewMs) <= MAX_CLOCK_SKEW_MS) {
    return pass(`within ${Math.round(Math.abs(skewMs) / 1000)} s of ${where}`);
  }
  return fail(
    `${formatDuration(Math.abs(skewMs))} ${skewMs > 0 ? 'ahead of' : 'behind'} ${where} (Date: ${seen.date}); signatures this far off are refused (InvalidTimestamp)`,
    'sync the system clock with NTP (e.g. timedatectl set-ntp true, or chrony)',
  );
}

// --- Storage and policy ------------------------------------------------------------------------

async function checkDataDirectory(dataFile: string): Promise<Result> {
  const dir = dirname(resolve(dataFile));
  let created: string | undefined;
  try {
    created = await mkdir(dir, { recursive: true });
  } catch (error) {
    return fail(
      `cannot create ${dir} (${codeOf(error)})`,
      "point DATA_FILE at a file whose directory the bot's user can create and write",
    );
  }
  const probe = join(dir, `.doctor-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(probe, 'probe\n', { flag: 'wx' });
    await rm(probe);
  } catch (error) {
    await rm(probe, { force: true }).catch(() => {});
    return fail(
      `cannot write in ${dir} (${codeOf(error)})`,
      `give the bot's user write access to ${dir}, or point DATA_FILE elsewhere`,
    );
  }
  return pass(`${dir} is writable${created ? ' (created it)' : ''}`);
}

async function checkRequestStore(dataFile: string, directoryOk: boolean): Promise<Result> {
  const file = resolve(dataFile);
  const missing = await stat(file).then(
    () => false,
    (error: unknown) => ['ENOENT', 'ENOTDIR'].includes(codeOf(error)),
  );
  if (missing) {
    return directoryOk
      ? pass(`${file} does not exist yet; the bot creates it on the first request`)
      : skip(`${file} cannot exist until its directory is usable (see Data directory)`);
  }
  try {
    // The store's own reading, so a bad file is reported with the store's own words; it writes
    // nothing (an older format is upgraded by the bot, not here).
    const found = await inspectLowdbStore(file);
    const history = found.history === undefined ? '' : `, ${found.history} in the history`;
    const format = found.version < 2 ? `; format ${found.version}, upgraded at the next start` : '';
    return pass(
      `${file} reads fine (${found.live} requests, ${found.fileBytes} bytes${history}${format})`,
    );
  } catch (error) {
    // StoreError messages already say what to do.
    return { ok: false, detail: errorText(error) };
  }
}

async function checkPostgres(url: string, timeoutMs: number): Promise<Result> {
  const probe = await probePostgres(url, timeoutMs);
  return probe.ok ? pass(probe.detail) : fail(probe.what, probe.fix);
}

function checkApprovers(config: Config): Result {
  const ids = config.policy.approverIds;
  if (ids.length === 0) {
    return fail('no approvers, so nothing can be approved', 'set APPROVER_USER_IDS');
  }
  const shown = ids.slice(0, 5).join(', ') + (ids.length > 5 ? ` and ${ids.length - 5} more` : '');
  const self = config.policy.allowSelfApproval ? 'allowed' : 'not allowed';
  return pass(
    `${ids.length} approver${ids.length === 1 ? '' : 's'} (${shown}); self-approval ${self}`,
  );
}

// --- Text helpers ------------------------------------------------------------------------------

/** The token's kind, never its value: `xoxb-…`. */
function hint(token: string): string {
  return `${token.slice(0, 5)}…`;
}

/** A URL without any user:password part. */
function displayUrl(text: string): string {
  try {
    const url = new URL(text);
    url.username = '';
    url.password = '';
    return url.href;
  } catch {
    return text;
  }
}

function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const minutes = Math.floor(seconds / 60);
  return minutes > 0 ? `${minutes} min ${seconds % 60} s` : `${seconds} s`;
}

function errorText(error: unknown): string {
  return shorten(error instanceof Error ? error.message : String(error));
}

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 299)}…` : flat;
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : 'unknown error';
}

import { z } from 'zod';

// The one place that reads the environment. Every variable is validated together so a bad setup
// produces one error naming every bad variable; secret values are never echoed back.

/** Variables whose values are secrets: never logged, never echoed. */
export const SECRET_VARIABLES = [
  'VOLC_ACCESS_KEY_ID',
  'VOLC_SECRET_ACCESS_KEY',
  'VOLC_SESSION_TOKEN',
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'DATABASE_URL',
] as const;

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const emptyAsUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

// Empty counts as unset (as for every variable): `.env` files often leave a line blank.
const bool = (fallback: boolean) =>
  z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .trim()
      .toLowerCase()
      .pipe(z.stringbool({ error: 'expected true or false' }))
      .optional()
      .transform((v) => v ?? fallback),
  );

const positiveNumber = (fallback: number, what: string) =>
  z.coerce
    .number({ error: `expected ${what}` })
    .positive({ error: `expected ${what}` })
    .optional()
    .transform((v) => v ?? fallback);

const wholeNumber = (fallback: number, min: number, max: number) =>
  z.coerce
    .number({ error: `expected a whole number from ${min} to ${max}` })
    .int({ error: `expected a whole number from ${min} to ${max}` })
    .min(min, { error: `expected a whole number from ${min} to ${max}` })
    .max(max, { error: `expected a whole number from ${min} to ${max}` })
    .optional()
    .transform((v) => v ?? fallback);

const idList = (pattern: RegExp, what: string) =>
  z
    .string()
    .optional()
    .transform((v) =>
      (v ?? '')
        .split(/[\s,]+/)
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(pattern, { error: what })));
const userIds = () =>
  idList(/^[UW][A-Z0-9]{2,}$/, 'expected Slack user ids such as U012ABCDEF, separated by commas');
const approverIds = () =>
  idList(
    /^[UWS][A-Z0-9]{2,}$/,
    'expected Slack user ids (U012ABCDEF) or user-group ids (S012ABCDEF), separated by commas',
  );

const httpUrl = (fallback: string) =>
  z
    .url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
    .optional()
    .transform((v) => v ?? fallback);

const schema = z
  .object({
    VOLC_SANDBOX: bool(false),
    VOLC_ACCESS_KEY_ID: optionalText,
    VOLC_SECRET_ACCESS_KEY: optionalText,
    VOLC_SESSION_TOKEN: optionalText,
    VOLC_REGION: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^[a-z]{2,}(-[a-z0-9]+)+$/, { error: 'expected a region id such as cn-beijing' })
        .optional()
        .transform((v) => v ?? 'cn-beijing'),
    ),
    VOLC_ENDPOINT: z.preprocess(emptyAsUndefined, httpUrl('https://open.volcengineapi.com')),
    VOLC_MAX_CONCURRENCY: z.preprocess(emptyAsUndefined, wholeNumber(4, 1, 64)),
    VOLC_TIMEOUT_MS: z.preprocess(emptyAsUndefined, wholeNumber(10_000, 100, 300_000)),
    VOLC_MAX_ATTEMPTS: z.preprocess(emptyAsUndefined, wholeNumber(5, 1, 20)),
    VOLC_DEADLINE_MS: z.preprocess(emptyAsUndefined, wholeNumber(60_000, 1_000, 3_600_000)),
    VOLC_ROLE_TRN: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .trim()
        .regex(/^trn:iam::\d+:role\/[\w+=,.@-]{1,64}$/, {
          error:
            'expected trn:iam::<accountId>:role/<roleName>, such as trn:iam::2100000000:role/attach-key-bot',
        })
        .optional(),
    ),
    VOLC_ROLE_SESSION_NAME: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .trim()
        .regex(/^[\w+=,.@-]{2,64}$/, {
          error:
            'expected 2 to 64 letters, digits or + = , . @ - _ (it names the bot in audit logs)',
        })
        .optional()
        .transform((v) => v ?? 'attach-key-bot'),
    ),
    // STS refuses less than 900 s; the role's own maximum session duration may be lower than 43200.
    VOLC_ROLE_DURATION_SECONDS: z.preprocess(emptyAsUndefined, wholeNumber(3600, 900, 43_200)),
    VOLC_STS_ENDPOINT: z.preprocess(
      emptyAsUndefined,
      httpUrl('https://sts.volcengineapi.com').refine((v) => /^https?:\/\/[^/?#]+\/?$/.test(v), {
        error: 'expected a bare origin such as https://sts.volcengineapi.com (no path)',
      }),
    ),

    SLACK_BOT_TOKEN: z
      .string({ error: 'required: the bot token (starts with xoxb-)' })
      .trim()
      .startsWith('xoxb-', { error: 'expected a bot token starting with xoxb-' }),
    SLACK_SIGNING_SECRET: optionalText,
    SLACK_APP_TOKEN: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .trim()
        .startsWith('xapp-', { error: 'expected an app-level token starting with xapp-' })
        .optional(),
    ),
    SLACK_API_URL: z.preprocess(emptyAsUndefined, httpUrl('https://slack.com/api/')),
    HOST: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .optional()
        .transform((v) => v ?? '0.0.0.0'),
    ),
    PORT: z.preprocess(emptyAsUndefined, wholeNumber(3000, 0, 65535)),

    APPROVER_USER_IDS: approverIds(),
    MIN_APPROVALS: z.preprocess(emptyAsUndefined, wholeNumber(1, 1, 20)),
    POLICY_FILE: optionalText,
    ALLOW_SELF_APPROVAL: bool(false),
    REQUESTER_USER_IDS: userIds(),
    ALLOWED_CHANNEL_IDS: idList(
      /^[CGD][A-Z0-9]{2,}$/,
      'expected Slack channel ids such as C012ABCDEF, separated by commas',
    ),
    MAX_INSTANCES_PER_REQUEST: z.preprocess(emptyAsUndefined, wholeNumber(500, 1, 10_000)),
    REQUEST_TTL_MINUTES: z.preprocess(
      emptyAsUndefined,
      positiveNumber(60, 'a positive number of minutes (fractions allowed)'),
    ),
    RESTART_WAVE_SIZE: z.preprocess(emptyAsUndefined, wholeNumber(10, 1, 1_000)),
    RESTART_WAVE_TIMEOUT_MINUTES: z.preprocess(
      emptyAsUndefined,
      positiveNumber(10, 'a positive number of minutes (fractions allowed)'),
    ),
    UNDO_WINDOW_HOURS: z.preprocess(
      emptyAsUndefined,
      positiveNumber(24, 'a positive number of hours (fractions allowed)'),
    ),
    DEFAULT_LOCALE: z.preprocess(
      (v) => (typeof v === 'string' ? v.trim() || undefined : v),
      z
        .enum(['en', 'zh-CN'], { error: 'expected en or zh-CN' })
        .optional()
        .transform((v) => v ?? 'en'),
    ),

    DATA_FILE: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .optional()
        .transform((v) => v ?? './data/db.json'),
    ),
    AUDIT_FILE: optionalText,
    RETENTION_DAYS: z.preprocess(emptyAsUndefined, positiveNumber(30, 'a positive number of days')),
    // Its value may hold a password: the error never echoes it.
    DATABASE_URL: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .trim()
        .refine(isPostgresUrl, {
          error:
            'expected a postgres:// or postgresql:// URL such as postgres://bot@db.internal:5432/attach_key_bot',
        })
        .optional(),
    ),
    EXECUTION_LEASE_SECONDS: z.preprocess(emptyAsUndefined, wholeNumber(30, 5, 3600)),

    LOG_LEVEL: z.preprocess(
      (v) => (typeof v === 'string' ? v.trim().toLowerCase() || undefined : v),
      z
        .enum(['debug', 'info', 'warn', 'error'], { error: 'expected debug, info, warn or error' })
        .optional()
        .transform((v) => v ?? 'info'),
    ),
    LOG_FORMAT: z.preprocess(
      (v) => (typeof v === 'string' ? v.trim().toLowerCase() || undefined : v),
      z
        .enum(['text', 'json'], { error: 'expected text or json' })
        .optional()
        .transform((v) => v ?? 'text'),
    ),
  })
  // `when`: run even if single variables failed, so one error lists every problem at once. Reads
  // are guarded because a failed field holds its raw input here.
  .superRefine(
    (env, ctx) => {
      if (env.VOLC_SANDBOX === false) {
        const what = env.VOLC_ROLE_TRN
          ? 'the base access key that calls AssumeRole for VOLC_ROLE_TRN'
          : 'Volcengine access key credentials';
        for (const name of ['VOLC_ACCESS_KEY_ID', 'VOLC_SECRET_ACCESS_KEY'] as const) {
          if (!env[name]) {
            ctx.addIssue({
              code: 'custom',
              path: [name],
              message: `required unless VOLC_SANDBOX=true (${what})`,
            });
          }
        }
      }
      if (env.VOLC_ROLE_TRN && env.VOLC_SESSION_TOKEN) {
        ctx.addIssue({
          code: 'custom',
          path: ['VOLC_SESSION_TOKEN'],
          message:
            'must not be set with VOLC_ROLE_TRN: the base key renews the role credentials for as long as the bot runs, and a session token means it is itself temporary, so every renewal would fail once it expires (use a long-lived access key as the base)',
        });
      }
      if (!env.SLACK_APP_TOKEN && !env.SLACK_SIGNING_SECRET) {
        ctx.addIssue({
          code: 'custom',
          path: ['SLACK_SIGNING_SECRET'],
          message:
            'required in HTTP mode (Basic Information > Signing Secret), or set SLACK_APP_TOKEN for Socket Mode',
        });
      }
      if (Array.isArray(env.APPROVER_USER_IDS) && env.APPROVER_USER_IDS.length === 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['APPROVER_USER_IDS'],
          message:
            'required: at least one Slack user or user-group id allowed to approve (the bot refuses to run without approvers)',
        });
      }
    },
    { when: () => true },
  );

type Env = z.infer<typeof schema>;

export interface Config {
  sandbox: boolean;
  volc: {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
    region: string;
    endpoint: string;
    maxConcurrency: number;
    timeoutMs: number;
    maxAttempts: number;
    deadlineMs: number;
    /**
     * Sign ECS calls with temporary credentials of this role (STS AssumeRole with the key above).
     * Absent without VOLC_ROLE_TRN, and in sandbox mode, which signs nothing real.
     */
    role?: { trn: string; sessionName: string; durationSeconds: number; stsEndpoint: string };
  };
  slack: {
    botToken: string;
    signingSecret?: string;
    appToken?: string;
    apiUrl: string;
    socketMode: boolean;
  };
  http: { host: string; port: number };
  policy: {
    /** Users (U…, W…) and user groups (S…). */
    approverIds: readonly string[];
    minApprovals: number;
    /** POLICY_FILE: rules by tag and size, read at start. */
    policyFile?: string;
    allowSelfApproval: boolean;
    requesterIds: readonly string[];
    allowedChannelIds: readonly string[];
    maxInstancesPerRequest: number;
    requestTtlMinutes: number;
  };
  followUps: {
    restartWaveSize: number;
    restartWaveTimeoutMinutes: number;
    undoWindowHours: number;
  };
  /** The language of channel messages, and of private ones when a user's locale is unknown. */
  defaultLocale: 'en' | 'zh-CN';
  storage: {
    dataFile: string;
    auditFile?: string;
    retentionDays: number;
    /** PostgreSQL instead of lowdb at dataFile; a secret (it may hold a password). */
    databaseUrl?: string;
    /** How long an executor holds a request before another replica may take it over. */
    leaseSeconds: number;
  };
  log: { level: 'debug' | 'info' | 'warn' | 'error'; format: 'text' | 'json' };
  /** Every secret value, so loggers and tests can make sure none of them leaks. */
  secrets: readonly string[];
}

export class ConfigError extends Error {
  readonly code = 'config_invalid';
  constructor(readonly problems: readonly { variable: string; problem: string }[]) {
    super(
      `Configuration is not valid:\n${problems.map((p) => `  - ${p.variable}: ${p.problem}`).join('\n')}\nSee .env.example for every variable and its meaning.`,
    );
    this.name = 'ConfigError';
  }
}

/** Parses the environment into a frozen Config, or throws one ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => ({
      variable: String(issue.path[0] ?? '(environment)'),
      problem: issue.message,
    }));
    throw new ConfigError(dedupe(problems));
  }
  return deepFreeze(toConfig(result.data));
}

function toConfig(env: Env): Config {
  const secrets = [
    ...SECRET_VARIABLES.map((name) => env[name]),
    ...urlPasswords(env.DATABASE_URL),
  ].filter((v): v is string => typeof v === 'string' && v.length > 0);
  return {
    sandbox: env.VOLC_SANDBOX,
    volc: {
      accessKeyId: env.VOLC_ACCESS_KEY_ID ?? 'AKLTsandbox',
      secretAccessKey: env.VOLC_SECRET_ACCESS_KEY ?? 'sandbox-secret',
      ...(env.VOLC_SESSION_TOKEN ? { sessionToken: env.VOLC_SESSION_TOKEN } : {}),
      region: env.VOLC_REGION,
      endpoint: env.VOLC_ENDPOINT,
      maxConcurrency: env.VOLC_MAX_CONCURRENCY,
      timeoutMs: env.VOLC_TIMEOUT_MS,
      maxAttempts: env.VOLC_MAX_ATTEMPTS,
      deadlineMs: env.VOLC_DEADLINE_MS,
      ...(env.VOLC_ROLE_TRN && !env.VOLC_SANDBOX
        ? {
            role: {
              trn: env.VOLC_ROLE_TRN,
              sessionName: env.VOLC_ROLE_SESSION_NAME,
              durationSeconds: env.VOLC_ROLE_DURATION_SECONDS,
              stsEndpoint: env.VOLC_STS_ENDPOINT,
            },
          }
        : {}),
    },
    slack: {
      botToken: env.SLACK_BOT_TOKEN,
      ...(env.SLACK_SIGNING_SECRET ? { signingSecret: env.SLACK_SIGNING_SECRET } : {}),
      ...(env.SLACK_APP_TOKEN ? { appToken: env.SLACK_APP_TOKEN } : {}),
      apiUrl: env.SLACK_API_URL,
      socketMode: Boolean(env.SLACK_APP_TOKEN),
    },
    http: { host: env.HOST, port: env.PORT },
    policy: {
      approverIds: env.APPROVER_USER_IDS,
      minApprovals: env.MIN_APPROVALS,
      ...(env.POLICY_FILE ? { policyFile: env.POLICY_FILE } : {}),
      allowSelfApproval: env.ALLOW_SELF_APPROVAL,
      requesterIds: env.REQUESTER_USER_IDS,
      allowedChannelIds: env.ALLOWED_CHANNEL_IDS,
      maxInstancesPerRequest: env.MAX_INSTANCES_PER_REQUEST,
      requestTtlMinutes: env.REQUEST_TTL_MINUTES,
    },
    followUps: {
      restartWaveSize: env.RESTART_WAVE_SIZE,
      restartWaveTimeoutMinutes: env.RESTART_WAVE_TIMEOUT_MINUTES,
      undoWindowHours: env.UNDO_WINDOW_HOURS,
    },
    defaultLocale: env.DEFAULT_LOCALE,
    storage: {
      dataFile: env.DATA_FILE,
      ...(env.AUDIT_FILE ? { auditFile: env.AUDIT_FILE } : {}),
      retentionDays: env.RETENTION_DAYS,
      ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}),
      leaseSeconds: env.EXECUTION_LEASE_SECONDS,
    },
    log: { level: env.LOG_LEVEL, format: env.LOG_FORMAT },
    secrets,
  };
}

function isPostgresUrl(text: string): boolean {
  try {
    const url = new URL(text);
    const scheme = url.protocol === 'postgres:' || url.protocol === 'postgresql:';
    // libpq's socket form: postgresql:///db?host=/var/run/postgresql
    return scheme && (url.host !== '' || url.searchParams.has('host'));
  } catch {
    return false;
  }
}

/** DATABASE_URL's password, as written and decoded: a secret of its own in any text. */
function urlPasswords(text: string | undefined): string[] {
  if (!text) return [];
  try {
    const { password } = new URL(text);
    return password ? [...new Set([password, decodeURIComponent(password)])] : [];
  } catch {
    return [];
  }
}

function dedupe<T extends { variable: string; problem: string }>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = `${item.variable}\n${item.problem}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

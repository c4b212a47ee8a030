import { z } from 'zod';
import { type AccountConfig, defaultAccount, loadAccountsFile } from './accounts-file.js';
import type { Problems } from './fields.js';
import { checkOps, type OpsConfig, opsFields, toOpsConfig } from './ops.js';
import {
  checkPolicy,
  type FollowUpConfig,
  type PolicyConfig,
  policyFields,
  toPolicyConfig,
} from './policy.js';
import { checkSlack, type SlackConfig, slackFields, toSlackConfig } from './slack.js';
import { type StoreConfig, storeFields, toStoreConfig, urlPasswords } from './store.js';
import {
  checkVolcengine,
  toVolcengineConfig,
  type VolcengineConfig,
  volcengineFields,
} from './volcengine.js';

// The one place that reads the environment. Each concern (volcengine, slack, policy, store, ops)
// declares its variables and their rules in a module of its own; here they are validated
// together, so a bad setup produces one error naming every bad variable. Secret values are never
// echoed back.

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

const fields = {
  ...volcengineFields,
  ...slackFields,
  ...opsFields,
  ...policyFields,
  ...storeFields,
};

/** Every variable the bot reads (README, .env.example and the deploy manifests name them). */
export const CONFIG_VARIABLES = Object.keys(fields) as readonly (keyof typeof fields)[];

const schema = z
  .object(fields)
  // `when`: run even if single variables failed, so one error lists every problem at once. Each
  // check guards its reads, because a failed field holds its raw input here.
  .superRefine(
    (env, ctx) => {
      const problems: Problems = {
        add: (variable, message) => ctx.addIssue({ code: 'custom', path: [variable], message }),
      };
      const raw = env as Readonly<Record<string, unknown>>;
      checkVolcengine(raw, problems);
      checkSlack(raw, problems);
      checkPolicy(raw, problems);
      checkOps(raw, problems);
    },
    { when: () => true },
  );

type Env = z.infer<typeof schema>;

export interface Config extends OpsConfig {
  sandbox: boolean;
  volc: VolcengineConfig;
  slack: SlackConfig;
  policy: PolicyConfig;
  followUps: FollowUpConfig;
  /** The language of channel messages, and of private ones when a user's locale is unknown. */
  defaultLocale: 'en' | 'zh-CN';
  storage: StoreConfig;
  /**
   * The Volcengine accounts served, in ACCOUNTS_FILE order; without the file, the one account
   * `default` of the VOLC_* variables (and `accountsFromFile` is false).
   */
  accounts: AccountConfig[];
  accountsFromFile: boolean;
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
  return deepFreeze(toConfig(result.data, env));
}

function toConfig(env: Env, raw: Record<string, string | undefined>): Config {
  const volcengine = toVolcengineConfig(env);
  const accounts = env.ACCOUNTS_FILE
    ? loadAccountsFile(
        env.ACCOUNTS_FILE,
        {
          sandbox: env.VOLC_SANDBOX,
          volc: volcengine.volc,
          baseKeyGiven: !!(env.VOLC_ACCESS_KEY_ID && env.VOLC_SECRET_ACCESS_KEY),
          role: {
            sessionName: env.VOLC_ROLE_SESSION_NAME,
            durationSeconds: env.VOLC_ROLE_DURATION_SECONDS,
            stsEndpoint: env.VOLC_STS_ENDPOINT,
          },
        },
        raw,
      )
    : [defaultAccount(volcengine.volc, env.VOLC_STS_ENDPOINT)];
  const secrets = [
    ...SECRET_VARIABLES.map((name) => env[name]),
    ...urlPasswords(env.DATABASE_URL),
    // The keys the accounts read from variables of their own (ACCOUNTS_FILE).
    ...(env.ACCOUNTS_FILE && !env.VOLC_SANDBOX
      ? accounts.flatMap((a) => [a.volc.accessKeyId, a.volc.secretAccessKey])
      : []),
  ].filter((v): v is string => typeof v === 'string' && v.length > 0);
  return {
    ...volcengine,
    accounts,
    accountsFromFile: !!env.ACCOUNTS_FILE,
    ...toSlackConfig(env),
    ...toOpsConfig(env),
    ...toPolicyConfig(env),
    ...toStoreConfig(env, { sandbox: env.VOLC_SANDBOX }),
    secrets,
  };
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

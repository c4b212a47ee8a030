import { createRedactor } from '../app/logger.js';
import { type Config, ConfigError, loadConfig, SECRET_VARIABLES } from '../config/config.js';
import type { Locale } from '../slack/i18n/locale.js';
import type { Transport } from '../volcengine/ecs-client.js';
import type { DoctorTexts } from './i18n/en.js';
import { doctorTexts, localeFromEnv } from './i18n/index.js';
import {
  type CheckId,
  type DoctorCheck,
  errorText,
  fail,
  pass,
  type Result,
  skip,
  unexpected,
} from './lines.js';
import { checkApprovers, checkPolicyFile } from './policy.js';
import { checkAppToken, checkBotToken } from './slack.js';
import { checkDataDirectory, checkPostgres, checkRequestStore } from './store.js';
import { checkVolcengine } from './volcengine.js';

// `npm run doctor`: checks a deployment's setup without starting the bot, one line per check with
// its fix. Like app/bot.ts it wires across folders, but it only reads: no websocket, no AttachKeyPair.
// Every line passes the redactor, and tokens are named by a 5-character hint at most. It speaks
// DEFAULT_LOCALE, like channel messages (read from the raw environment when the config is bad).

export type { CheckId, DoctorCheck } from './lines.js';

export interface DoctorReport {
  /** True only when every check passed (a skipped check is not a pass). */
  ok: boolean;
  checks: DoctorCheck[];
  /** The language of the lines (and of the summary main.ts prints). */
  locale: Locale;
}

export interface DoctorOptions {
  now?: () => Date;
  /** Receives each check line, already redacted, in a fixed order. */
  write?: (line: string) => void;
  /** Bound of each network call (no retries); default 5 s. */
  timeoutMs?: number;
  /** Carries every Volcengine call, ECS and STS, outside sandbox mode (tests); default undici. */
  volcTransport?: Transport;
}

const CHECKS_NEEDING_CONFIG: CheckId[] = [
  'slackBotToken',
  'slackAppToken',
  'assumeRole',
  'volcCredentials',
  'describeInstances',
  'cloudAssistant',
  'clock',
  'dataDirectory',
  'requestStore',
  'approvers',
  'policyFile',
];

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
  let configError: unknown;
  try {
    config = loadConfig(env);
  } catch (error) {
    configError = error;
  }
  const locale = config?.defaultLocale ?? localeFromEnv(env);
  const t = doctorTexts(locale);
  const configResult = config
    ? pass(describeConfig(config, t))
    : describeConfigError(configError, t);
  const redact = createRedactor([...envSecrets, ...(config?.secrets ?? [])]);
  const settle = (promise: Promise<Result>) => promise.catch((e: unknown) => unexpected(e, t));

  // Started together, reported in this order; each promise settles to a Result, never rejects.
  // The third element: the account a line is about (ACCOUNTS_FILE), shown after its name.
  const pending: Array<[CheckId, Promise<Result>, string?]> = [
    ['configuration', Promise.resolve(configResult)],
  ];
  if (!config) {
    const why = skip(t.common.needsConfig);
    for (const id of CHECKS_NEEDING_CONFIG) pending.push([id, Promise.resolve(why)]);
  } else {
    // Each account on lines of its own (ACCOUNTS_FILE); without the file, the one account.
    const checkAccount = (volcConfig: Config) =>
      checkVolcengine(volcConfig, {
        t,
        now,
        timeoutMs,
        ...(options.volcTransport ? { transport: options.volcTransport } : {}),
      }).catch((error: unknown) => ({
        assumeRole: unexpected(error, t),
        credentials: unexpected(error, t),
        describeInstances: unexpected(error, t),
        cloudAssistant: unexpected(error, t),
        clock: skip(t.volc.clock.noAnswer),
      }));
    const perAccount = config.accountsFromFile
      ? config.accounts.map((a) => ({
          name: a.name,
          checks: checkAccount({ ...config, volc: a.volc }),
        }))
      : [{ name: undefined, checks: checkAccount(config) }];
    const dataFile = config.storage.dataFile;
    const directory = settle(checkDataDirectory(dataFile, t));
    pending.push(
      ['slackBotToken', settle(checkBotToken(config, timeoutMs, t))],
      ['slackAppToken', settle(checkAppToken(config, timeoutMs, t))],
      ...(config.accountsFromFile
        ? [['accounts', Promise.resolve(describeAccounts(config, t))] as [CheckId, Promise<Result>]]
        : []),
      ...perAccount.flatMap(({ name, checks: volc }) =>
        (
          [
            ['assumeRole', volc.then((r) => r.assumeRole)],
            ['volcCredentials', volc.then((r) => r.credentials)],
            ['describeInstances', volc.then((r) => r.describeInstances)],
            ['cloudAssistant', volc.then((r) => r.cloudAssistant)],
            ['clock', volc.then((r) => r.clock)],
          ] as Array<[CheckId, Promise<Result>]>
        ).map(([id, result]): [CheckId, Promise<Result>, string?] =>
          name === undefined ? [id, result] : [id, result, name],
        ),
      ),
      ['dataDirectory', directory],
      [
        'requestStore',
        settle(
          config.storage.databaseUrl
            ? checkPostgres(config.storage.databaseUrl, timeoutMs, t)
            : directory.then((d) => checkRequestStore(dataFile, d.ok === true, t)),
        ),
      ],
      ['approvers', Promise.resolve(checkApprovers(config, t))],
      ['policyFile', settle(checkPolicyFile(config, t))],
    );
  }

  const checks: DoctorCheck[] = [];
  for (const [id, promise, account] of pending) {
    const result = await promise;
    const detail = result.fix ? t.withFix(result.detail, result.fix) : result.detail;
    const name = account === undefined ? t.names[id] : t.ofAccount(t.names[id], account);
    const check: DoctorCheck = {
      id,
      name,
      ok: result.ok,
      detail: redact(detail),
      ...(account === undefined ? {} : { account }),
    };
    checks.push(check);
    write(redact(formatCheck(check, t)));
  }
  return { ok: checks.every((c) => c.ok === true), checks, locale };
}

/** `ok   Name: detail`, `FAIL Name: detail` or `skip Name: detail` (in English). */
function formatCheck(check: DoctorCheck, t: DoctorTexts): string {
  const label =
    check.ok === true ? t.labels.ok : check.ok === false ? t.labels.fail : t.labels.skip;
  return t.line(label, check.name, check.detail);
}

function describeConfig(config: Config, t: DoctorTexts): string {
  const c = t.config;
  const mode = config.slack.socketMode
    ? c.socketMode
    : c.httpMode(config.http.host, config.http.port);
  return c.valid(mode, config.sandbox ? c.sandbox : c.region(config.volc.region));
}

/** ACCOUNTS_FILE: which channel maps to which account, and what other channels must do. */
function describeAccounts(config: Config, t: DoctorTexts): Result {
  const parts = config.accounts.map((a) => t.accounts.account(a.name, a.accountId, a.channels));
  return pass(t.accounts.read(parts, config.accounts.length > 1));
}

function describeConfigError(error: unknown, t: DoctorTexts): Result {
  if (!(error instanceof ConfigError)) {
    return fail(t.config.unreadable(errorText(error)), t.common.report);
  }
  const byVariable = new Map<string, string[]>();
  for (const { variable, problem } of error.problems) {
    byVariable.set(variable, [...(byVariable.get(variable) ?? []), problem]);
  }
  const list = [...byVariable].map(([variable, problems]) => t.config.problems(variable, problems));
  return fail(t.config.invalid(list), t.config.invalidFix);
}

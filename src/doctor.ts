import { randomBytes } from 'node:crypto';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { type Config, ConfigError, loadConfig, SECRET_VARIABLES } from './config.js';
import {
  codeOf,
  type DoctorCheck,
  errorText,
  fail,
  pass,
  type Result,
  skip,
  unexpected,
} from './doctor-lines.js';
import { checkAppToken, checkBotToken } from './doctor-slack.js';
import { checkVolcengine } from './doctor-volc.js';
import { createRedactor } from './logger.js';
import { inspectLowdbStore } from './store/lowdb-store.js';
import { probePostgres } from './store/pg-doctor.js';
import type { Transport } from './volcengine/ecs-client.js';

// `npm run doctor`: checks a deployment's setup without starting the bot, one line per check with
// its fix. Like bot.ts it wires across folders, but it only reads: no websocket, no AttachKeyPair.
// Every line passes the redactor, and tokens are named by a 5-character hint at most.

export type { DoctorCheck } from './doctor-lines.js';

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
  /** Carries every Volcengine call, ECS and STS, outside sandbox mode (tests); default undici. */
  volcTransport?: Transport;
}

const CHECKS_NEEDING_CONFIG = [
  'Slack bot token',
  'Slack app token',
  'AssumeRole',
  'Volcengine credentials',
  'ECS DescribeInstances',
  'Clock',
  'Data directory',
  'Request store',
  'Approvers',
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
    const volc = checkVolcengine(config, {
      now,
      timeoutMs,
      ...(options.volcTransport ? { transport: options.volcTransport } : {}),
    }).catch((error: unknown) => ({
      assumeRole: unexpected(error),
      credentials: unexpected(error),
      describeInstances: unexpected(error),
      clock: skip('no answer from the Volcengine API to compare with'),
    }));
    const dataFile = config.storage.dataFile;
    const directory = settle(checkDataDirectory(dataFile));
    pending.push(
      ['Slack bot token', settle(checkBotToken(config, timeoutMs))],
      ['Slack app token', settle(checkAppToken(config, timeoutMs))],
      ['AssumeRole', volc.then((r) => r.assumeRole)],
      ['Volcengine credentials', volc.then((r) => r.credentials)],
      ['ECS DescribeInstances', volc.then((r) => r.describeInstances)],
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

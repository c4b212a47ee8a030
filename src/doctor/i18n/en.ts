import { ENGLISH_OUTCOME } from '../../domain/outcome.js';
import type { Locale } from '../../slack/i18n/locale.js';
import type { PgProbe, PgReason } from '../../store/pg-doctor.js';
import { enDoctorSlack } from './en-slack.js';
import { enDoctorVolc } from './en-volc.js';

// The doctor's English: every word `npm run doctor` prints. Its shape is the type of every doctor
// catalogue (DoctorTexts), so a key missing from another language is a compile error. Plain
// terminal text, unlike the Slack catalogues; ids, codes, variables and URLs are passed in.

/** What a catalogue says for a finding: the line's text, and for a failure what to do. */
export interface Words {
  text: string;
  fix?: string;
}

type PgTexts = { [K in PgProbe['kind']]: (p: Extract<PgProbe, { kind: K }>) => Words };

const reason = (r: PgReason) => `${r.code ? `${r.code}: ` : ''}${r.message || 'no answer'}`;
const schema = (version: number) => (version === 0 ? 'no schema yet' : `schema version ${version}`);

const pg: PgTexts = {
  ready: (p) => ({
    text: `${p.where}: schema version ${p.version}, writable (checked in a rolled-back transaction)`,
  }),
  migrates_at_start: (p) => ({
    text: `${p.where} reachable; ${schema(p.from)}, the bot migrates it to ${p.to} at start`,
  }),
  newer_schema: (p) => ({
    text: `${p.where} has schema version ${p.version}, from a newer bot (this one knows ${p.known})`,
    fix: 'run the newer version of the bot, or point DATABASE_URL at another database',
  }),
  cannot_migrate: (p) => ({
    text: `${p.where} has ${schema(p.from)} and this role may not create tables to migrate it to ${p.to}`,
    fix: "start the bot once with the database owner's DATABASE_URL (README: PostgreSQL)",
  }),
  query_failed: (p) => ({
    text: `${p.where} answered with an error: ${reason(p.reason)}`,
    fix: 'check DATABASE_URL and the role’s privileges (README: PostgreSQL)',
  }),
  read_only: () => ({
    text: 'the server is read-only (a standby)',
    fix: 'point DATABASE_URL at the primary',
  }),
  write_denied: (p) => ({
    text: `this role may not write the bot's tables (${p.message})`,
    fix: 'grant it what the README lists under PostgreSQL',
  }),
  login_refused: (p) => ({
    text: `${p.where} refused the login (${reason(p.reason)})`,
    fix: 'check the user and password in DATABASE_URL (and pg_hba.conf on the server)',
  }),
  no_database: (p) => ({
    text: `the database in DATABASE_URL does not exist on ${p.where} (${reason(p.reason)})`,
    fix: 'create it (CREATE DATABASE …) or correct the name in DATABASE_URL',
  }),
  unreachable: (p) => ({
    text: `cannot reach ${p.where} (${reason(p.reason)})`,
    fix: 'check that PostgreSQL is running and the host and port in DATABASE_URL',
  }),
  connect_failed: (p) => ({
    text: `cannot connect to ${p.where} (${reason(p.reason)})`,
    fix: 'check DATABASE_URL',
  }),
};

export const enDoctor = {
  locale: 'en' as Locale,
  /** Each check's name, in the order the doctor prints them. */
  names: {
    configuration: 'Configuration',
    slackBotToken: 'Slack bot token',
    slackAppToken: 'Slack app token',
    assumeRole: 'AssumeRole',
    volcCredentials: 'Volcengine credentials',
    describeInstances: 'ECS DescribeInstances',
    cloudAssistant: 'ECS Cloud Assistant',
    clock: 'Clock',
    dataDirectory: 'Data directory',
    requestStore: 'Request store',
    approvers: 'Approvers',
    policyFile: 'Policy file',
    accounts: 'Accounts',
  },
  /** ACCOUNTS_FILE: a per-account line's name, `AssumeRole [prod]`. */
  ofAccount: (name: string, account: string) => `${name} [${account}]`,
  labels: { ok: 'ok', fail: 'FAIL', skip: 'skip' },
  /** `ok   Name: detail`: labels padded to one width, so the names line up. */
  line: (label: string, name: string, detail: string) => `${label.padEnd(4)} ${name}: ${detail}`,
  withFix: (what: string, fix: string) => `${what}. Fix: ${fix}`,
  summary: {
    passed: (n: number) => `All ${n} checks passed.`,
    failed: (failed: number, skipped: number) =>
      `${failed} failed, ${skipped} skipped: fix the FAIL lines first, then run npm run doctor again.`,
  },
  /** On stderr when runDoctor itself threw: the error's name only. */
  crashed: (name: string) => `doctor crashed (a bug, please report it): ${name}`,
  common: {
    unexpected: (text: string) => `unexpected error: ${text}`,
    report: 'report it with this line',
    unknownError: 'unknown error',
    needsConfig: 'needs a valid configuration (see Configuration)',
    noAnswerWithin: (ms: number) => `no answer within ${ms} ms`,
    cannotReach: (url: string, why: string) => `cannot reach ${url} (${why})`,
    checkNetwork: (variable: string) => `check network/proxy and ${variable}`,
    duration: (minutes: number, seconds: number) =>
      minutes > 0 ? `${minutes} min ${seconds} s` : `${seconds} s`,
  },
  config: {
    valid: (mode: string, ecs: string) => `valid (${mode}, ${ecs})`,
    socketMode: 'Socket Mode',
    httpMode: (host: string, port: number) => `HTTP mode on ${host}:${port}`,
    sandbox: 'sandbox ECS',
    region: (region: string) => `Volcengine region ${region}`,
    unreadable: (text: string) => `could not be read: ${text}`,
    /** `problems`: one `variable: problem, problem` per variable. */
    invalid: (problems: readonly string[]) =>
      `${problems.length === 1 ? '1 variable is' : `${problems.length} variables are`} not valid — ${problems.join('; ')}`,
    problems: (variable: string, problems: readonly string[]) =>
      `${variable}: ${problems.join(', ')}`,
    invalidFix: 'set them in .env or the environment (.env.example describes every variable)',
  },
  storage: {
    cannotCreate: (dir: string, code: string) => `cannot create ${dir} (${code})`,
    cannotCreateFix:
      "point DATA_FILE at a file whose directory the bot's user can create and write",
    cannotWrite: (dir: string, code: string) => `cannot write in ${dir} (${code})`,
    cannotWriteFix: (dir: string) =>
      `give the bot's user write access to ${dir}, or point DATA_FILE elsewhere`,
    writable: (dir: string, created: boolean) =>
      `${dir} is writable${created ? ' (created it)' : ''}`,
    notYet: (file: string) => `${file} does not exist yet; the bot creates it on the first request`,
    waitsForDirectory: (file: string) =>
      `${file} cannot exist until its directory is usable (see Data directory)`,
    readsFine: (
      file: string,
      found: { live: number; fileBytes: number; history?: number; version: number },
    ) =>
      `${file} reads fine (${found.live} requests, ${found.fileBytes} bytes${found.history === undefined ? '' : `, ${found.history} in the history`}${found.version < 2 ? `; format ${found.version}, upgraded at the next start` : ''})`,
    /** The store's own message, which already says what to do. */
    storeError: (message: string) => message,
    pg,
  },
  approvers: {
    none: 'no approvers, so nothing can be approved',
    noneFix: 'set APPROVER_USER_IDS',
    /** `shown`: the first few ids; `more`: how many are not shown. */
    some: (n: number, shown: readonly string[], more: number, selfApproval: boolean) =>
      `${n} approver${n === 1 ? '' : 's'} (${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}); self-approval ${selfApproval ? 'allowed' : 'not allowed'}`,
  },
  policy: {
    unset: (minApprovals: number) =>
      `not set (POLICY_FILE): every request needs ${minApprovals} approval${minApprovals === 1 ? '' : 's'} from APPROVER_USER_IDS`,
    read: (n: number, names: readonly string[], minApprovals: number) =>
      `${n} rule${n === 1 ? '' : 's'} (${names.join(', ')}); at least ${minApprovals} approval${minApprovals === 1 ? '' : 's'} per request`,
    /** The file's own error names the file, the rule and the field. */
    invalid: (message: string) => message,
    invalidFix:
      'correct the file (README: Approval policy) or unset POLICY_FILE; the bot refuses to start until then',
  },
  accounts: {
    /** One part per account: its channels, or how requests reach it without one. */
    account: (name: string, id: string | undefined, channels: readonly string[]) =>
      `${name}${id ? ` (${id})` : ''}: ${channels.length ? `channels ${channels.join(', ')}` : 'no channel of its own'}`,
    read: (parts: readonly string[], required: boolean) =>
      `${parts.join('; ')}${required ? '. Other channels must name account=' : '. Other channels use the only account'}`,
  },
  slack: enDoctorSlack,
  volc: enDoctorVolc,
  /** The outcome catalogue, for an API error the doctor has no words of its own for. */
  outcome: ENGLISH_OUTCOME,
  /** Between an outcome line's "what happened" and its "what to do". */
  outcomeFixAfter: '; ',
};

export type DoctorTexts = typeof enDoctor;

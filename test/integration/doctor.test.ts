import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ConfigError, loadConfig } from '../../src/config/config.js';
import type { DoctorOptions } from '../../src/doctor/doctor.js';
import type { createUndiciTransport, Transport } from '../../src/volcengine/ecs-client.js';
import {
  APP_TOKEN,
  BOT_TOKEN,
  CREDS,
  closedPort,
  type DoctorRig,
  rigEnv,
  runEntryPoint,
  runRigDoctor,
  startDoctorRig,
} from '../support/doctor-rig.js';
import { createEcsStandIn, type EcsStandIn } from '../support/ecs-stand-in.js';
import type { FakeEcsApi } from '../support/fake-ecs-api.js';
import type { FakeSlackApi } from '../support/fake-slack-api.js';
import { type FakeStsApi, startFakeStsApi } from '../support/fake-sts-api.js';

const NAMES = [
  'Configuration',
  'Slack bot token',
  'Slack app token',
  'AssumeRole',
  'Volcengine credentials',
  'ECS DescribeInstances',
  'ECS Cloud Assistant',
  'Clock',
  'Data directory',
  'Request store',
  'Approvers',
  'Policy file',
];

let rig: DoctorRig;
let slack: FakeSlackApi;
let ecs: FakeEcsApi;
/** DescribeInstances, which the fake ECS does not serve: same key, signatures checked. */
let instances: EcsStandIn;
let wire: ReturnType<typeof createUndiciTransport>;
let dir: string;

beforeEach(async () => {
  rig = await startDoctorRig();
  ({ slack, ecs, instances, wire, dir } = rig);
});

afterEach(() => rig.close());

const envWith = (overrides: Record<string, string | undefined> = {}) => rigEnv(rig, overrides);
const doctor = (env: Record<string, string | undefined>, options: DoctorOptions = {}) =>
  runRigDoctor(rig, env, options);

/** Every line but the named ones starts with `ok`. */
function expectOthersOk(lines: string[], ...failing: string[]) {
  for (const l of lines) {
    const name = l.slice(5).split(':')[0] ?? '';
    if (!failing.includes(name)) expect(l, l).toMatch(/^ok {3}/);
  }
}

function configProblems(env: Record<string, string | undefined>) {
  try {
    loadConfig(env);
  } catch (error) {
    return (error as ConfigError).problems;
  }
  throw new Error('expected the config to be refused');
}

describe('runDoctor: everything in order', () => {
  it('passes every check in HTTP mode and names the bot, team, region and approvers', async () => {
    const { report, lines, line } = await doctor(envWith());
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.name)).toEqual(NAMES);
    expect(report.checks.every((c) => c.ok === true)).toBe(true);
    expect(lines).toHaveLength(NAMES.length);
    for (const l of lines) expect(l).toMatch(/^ok {3}/);
    expect(line('Slack bot token')).toBe(
      'ok   Slack bot token: @attach-key-bot (UDOCTORBOT) in team Fake Team (T0DOCTOR)',
    );
    expect(line('Slack app token')).toContain('HTTP mode');
    expect(line('AssumeRole')).toBe(
      'ok   AssumeRole: not used (VOLC_ROLE_TRN is not set): ECS calls are signed with VOLC_ACCESS_KEY_ID itself',
    );
    expect(line('Volcengine credentials')).toContain('cn-shanghai');
    expect(line('ECS DescribeInstances')).toMatch(
      /^ok {3}ECS DescribeInstances: allowed in cn-shanghai, 0 instances visible \(RequestId standin-0001\)$/,
    );
    expect(line('Clock')).toMatch(/within [01] s of the Volcengine API's clock/);
    expect(line('Data directory')).toContain('(created it)');
    expect(line('Request store')).toContain('does not exist yet');
    expect(line('Approvers')).toContain('2 approvers (U0APPROVER1, U0APPROVER2)');

    // One harmless read each, bounded: no websocket ticket in HTTP mode, no AttachKeyPair.
    expect(slack.callsTo('auth.test')).toHaveLength(1);
    expect(slack.callsTo('apps.connections.open')).toHaveLength(0);
    expect(ecs.calls).toHaveLength(2);
    expect(ecs.calls[0]).toMatchObject({
      action: 'DescribeKeyPairs',
      region: 'cn-shanghai',
      query: { MaxResults: '1' },
      auth: { ok: true },
    });
    // Cloud Assistant: one read-only page; the actions that run commands are only named.
    expect(ecs.calls[1]).toMatchObject({
      action: 'DescribeCloudAssistantStatus',
      region: 'cn-shanghai',
      query: { PageNumber: '1', PageSize: '1' },
      auth: { ok: true },
    });
    expect(line('ECS Cloud Assistant')).toMatch(
      /^ok {3}ECS Cloud Assistant: ecs:DescribeCloudAssistantStatus allowed in cn-shanghai, 0 agents visible \(RequestId \S+\); apply now also needs ecs:RunCommand, ecs:DescribeInvocations, ecs:DescribeInvocationResults and ecs:ImportKeyPair, not checked here/,
    );
    expect(instances.calls).toHaveLength(1);
    expect(instances.calls[0]).toMatchObject({
      action: 'DescribeInstances',
      query: { MaxResults: '1' },
      auth: { ok: true, region: 'cn-shanghai', service: 'ecs' },
    });
    // The data directory was created, the probe removed, and no store file written.
    expect(existsSync(join(dir, 'data'))).toBe(true);
    expect(existsSync(join(dir, 'data', 'db.json'))).toBe(false);
  });

  it('checks the app token with apps.connections.open in Socket Mode', async () => {
    const { report, line } = await doctor(
      envWith({ SLACK_APP_TOKEN: APP_TOKEN, SLACK_SIGNING_SECRET: undefined }),
    );
    expect(report.ok).toBe(true);
    expect(line('Slack app token')).toBe(
      'ok   Slack app token: xapp-… accepted by apps.connections.open (Socket Mode)',
    );
    const [open] = slack.callsTo('apps.connections.open');
    expect(open?.authorization).toBe(`Bearer ${APP_TOKEN}`);
    expect(slack.callsTo('auth.test')[0]?.authorization).toBe(`Bearer ${BOT_TOKEN}`);
  });

  it('reads an existing store file with the store itself and leaves it untouched', async () => {
    const file = join(dir, 'db.json');
    const text = '{"version":1,"requests":{}}';
    await writeFile(file, text);
    const { report, line } = await doctor(envWith({ DATA_FILE: file }));
    expect(report.ok).toBe(true);
    expect(line('Request store')).toContain('reads fine (0 requests');
    expect(await readFile(file, 'utf8')).toBe(text);
  });

  it('in sandbox mode needs no Volcengine credentials and never calls the real API', async () => {
    const { report, line } = await doctor(
      envWith({
        VOLC_SANDBOX: 'true',
        VOLC_ACCESS_KEY_ID: undefined,
        VOLC_SECRET_ACCESS_KEY: undefined,
        VOLC_ENDPOINT: undefined,
      }),
      // The sandbox dates its answers with this same clock, so even a skewed one agrees.
      { now: () => new Date(Date.now() + 5 * 60_000) },
    );
    expect(report.ok).toBe(true);
    expect(line('Configuration')).toContain('sandbox ECS');
    expect(line('Volcengine credentials')).toMatch(/^ok {3}.*sandbox: no credentials needed/);
    expect(line('AssumeRole')).toBe('ok   AssumeRole: not used in sandbox mode');
    expect(line('ECS DescribeInstances')).toBe(
      'ok   ECS DescribeInstances: sandbox: no permissions to check',
    );
    expect(line('Clock')).toMatch(/^ok {3}.*sandbox/);
    expect(ecs.calls).toHaveLength(0);
  });
});

describe('runDoctor: each misconfiguration gets its own line', () => {
  it('names every bad variable at once and skips the checks that need a config', async () => {
    const env = envWith({
      SLACK_BOT_TOKEN: undefined,
      VOLC_REGION: 'Beijing',
      PORT: 'eighty',
      SLACK_API_URL: 'not a url',
      LOG_LEVEL: 'loud',
    });
    const { report, lines, line } = await doctor(env);
    expect(report.ok).toBe(false);
    expect(lines).toHaveLength(NAMES.length);
    const config = line('Configuration');
    expect(config).toMatch(/^FAIL Configuration: 5 variables are not valid — /);
    const bad = ['SLACK_BOT_TOKEN', 'VOLC_REGION', 'PORT', 'SLACK_API_URL', 'LOG_LEVEL'];
    for (const name of bad) expect(config).toContain(`${name}: `);
    // Exactly what loadConfig's ConfigError lists, every problem of it.
    const problems = configProblems(env);
    expect(problems.map((p) => p.variable).sort()).toEqual([...bad].sort());
    for (const p of problems) expect(config).toContain(p.problem);
    expect(config).toContain('Fix: set them in .env');
    for (const name of NAMES.slice(1)) expect(line(name)).toMatch(/^skip /);
    expect(report.checks.slice(1).every((c) => c.ok === 'skipped')).toBe(true);
    expect(slack.calls).toHaveLength(0);
    expect(ecs.calls).toHaveLength(0);
  });

  it('reports a single bad variable in the singular', async () => {
    const { line } = await doctor(envWith({ APPROVER_USER_IDS: ' ' }));
    expect(line('Configuration')).toMatch(
      /^FAIL Configuration: 1 variable is not valid — APPROVER_USER_IDS: required: at least one/,
    );
  });

  it.each(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked'])(
    'maps Slack %s to the bot token fix',
    async (error) => {
      slack.fail('auth.test', { kind: 'error', error });
      const { report, lines, line } = await doctor(envWith());
      expect(report.ok).toBe(false);
      expect(line('Slack bot token')).toBe(
        `FAIL Slack bot token: ${error} — SLACK_BOT_TOKEN (xoxb-…) is not valid. Fix: copy the Bot User OAuth Token from OAuth & Permissions (reinstall the app if it was revoked)`,
      );
      expectOthersOk(lines, 'Slack bot token');
    },
  );

  it('reports an unreachable Slack API with the URL and the network fix', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/api/`;
    const { report, lines, line } = await doctor(envWith({ SLACK_API_URL: url }));
    expect(report.ok).toBe(false);
    expect(line('Slack bot token')).toBe(
      `FAIL Slack bot token: cannot reach ${url} (ECONNREFUSED). Fix: check network/proxy and SLACK_API_URL`,
    );
    expectOthersOk(lines, 'Slack bot token');
  });

  it('bounds a Slack call that never answers', async () => {
    slack.fail('auth.test', { kind: 'hang' });
    const started = Date.now();
    const { line } = await doctor(envWith(), { timeoutMs: 300 });
    expect(line('Slack bot token')).toContain('no answer within 300 ms');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('reports a rejected app token without failing the bot token', async () => {
    slack.fail('apps.connections.open', { kind: 'error', error: 'invalid_auth' });
    const { report, lines, line } = await doctor(envWith({ SLACK_APP_TOKEN: APP_TOKEN }));
    expect(report.ok).toBe(false);
    expect(line('Slack app token')).toMatch(
      /^FAIL Slack app token: invalid_auth — SLACK_APP_TOKEN \(xapp-…\) is not valid\. Fix: .*connections:write/,
    );
    expect(slack.callsTo('apps.connections.open')[0]?.authorization).toBe(`Bearer ${APP_TOKEN}`);
    expectOthersOk(lines, 'Slack app token');
  });

  it('names the bot scopes the token lacks (an app installed before the manifest grew)', async () => {
    slack.scopes = ['commands', 'chat:write', 'usergroups:read', 'users:read'];
    const { report, lines, line } = await doctor(envWith());
    expect(report.ok).toBe(false);
    expect(line('Slack bot token')).toMatch(
      /^FAIL Slack bot token: @attach-key-bot \(UDOCTORBOT\) in team Fake Team \(T0DOCTOR\), but the token lacks channels:read, groups:read\. Fix: .*reinstall the app/,
    );
    expectOthersOk(lines, 'Slack bot token');

    slack.scopes = [
      'groups:read',
      'channels:read',
      'users:read',
      'usergroups:read',
      'chat:write',
      'commands',
      'team:read',
    ];
    expect((await doctor(envWith())).line('Slack bot token')).toMatch(/^ok {3}Slack bot token/);
  });

  it('says the secret key is wrong when the signature does not match', async () => {
    const { report, lines, line } = await doctor(
      envWith({ VOLC_SECRET_ACCESS_KEY: 'NotTheRightSecret000==' }),
    );
    expect(report.ok).toBe(false);
    expect(ecs.calls[0]?.auth).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
    expect(line('Volcengine credentials')).toMatch(
      /^FAIL Volcengine credentials: SignatureDoesNotMatch \(HTTP 401\) — the secret key is wrong\. Fix: set VOLC_SECRET_ACCESS_KEY/,
    );
    // Refused the same way: one line says why, the other points at it.
    expect(line('ECS DescribeInstances')).toBe(
      'skip ECS DescribeInstances: failed like DescribeKeyPairs (SignatureDoesNotMatch): see Volcengine credentials',
    );
    expect(line('ECS Cloud Assistant')).toBe(
      'skip ECS Cloud Assistant: failed like DescribeKeyPairs (SignatureDoesNotMatch): see Volcengine credentials',
    );
    // The refusal still carried a Date header, so the clock is checked anyway.
    expectOthersOk(lines, 'Volcengine credentials', 'ECS DescribeInstances', 'ECS Cloud Assistant');
  });

  it('says the access key id is wrong when the API does not know it', async () => {
    const { line } = await doctor(envWith({ VOLC_ACCESS_KEY_ID: 'AKLTunknownkey' }));
    expect(line('Volcengine credentials')).toMatch(
      /^FAIL Volcengine credentials: InvalidAccessKey \(HTTP 401\) — the access key id is wrong.*VOLC_SESSION_TOKEN/,
    );
  });

  it.each(['AccessDenied', 'LackPolicy'])('names the policy needed on %s', async (code) => {
    ecs.script({ action: 'DescribeKeyPairs', kind: 'error', status: 403, code });
    const { report, lines, line } = await doctor(envWith());
    expect(report.ok).toBe(false);
    expect(line('Volcengine credentials')).toBe(
      `FAIL Volcengine credentials: ${code} (HTTP 403) — the key may not call ecs:DescribeKeyPairs. Fix: the key's policy must allow ecs:DescribeKeyPairs and ecs:AttachKeyPair`,
    );
    expectOthersOk(lines, 'Volcengine credentials');
  });

  it.each(['AccessDenied', 'LackPolicy'])(
    'names every permission apply now needs when Cloud Assistant says %s',
    async (code) => {
      ecs.script({ action: 'DescribeCloudAssistantStatus', kind: 'error', status: 403, code });
      const { report, lines, line } = await doctor(envWith());
      expect(report.ok).toBe(false);
      expect(line('ECS Cloud Assistant')).toBe(
        `FAIL ECS Cloud Assistant: ${code} (HTTP 403) — the key may not call ecs:DescribeCloudAssistantStatus, so apply now cannot run (attach, restart and undo are not affected). Fix: to use apply now and /attach-key import, allow ecs:DescribeCloudAssistantStatus, ecs:RunCommand, ecs:DescribeInvocations, ecs:DescribeInvocationResults and ecs:ImportKeyPair in the key's policy`,
      );
      expectOthersOk(lines, 'ECS Cloud Assistant');
    },
  );

  it('points at the clock on InvalidTimestamp', async () => {
    ecs.script({
      action: 'DescribeKeyPairs',
      kind: 'error',
      status: 400,
      code: 'InvalidTimestamp',
    });
    const { line } = await doctor(envWith());
    expect(line('Volcengine credentials')).toMatch(/InvalidTimestamp.*clock.*Fix: sync/);
  });

  it('falls back to the code explanation for other API errors', async () => {
    ecs.script({ action: 'DescribeKeyPairs', kind: 'error', status: 404, code: 'ServiceNotFound' });
    const { line } = await doctor(envWith());
    expect(line('Volcengine credentials')).toBe(
      'FAIL Volcengine credentials: ServiceNotFound (HTTP 404) — Volcengine did not recognise the service in the signature. Fix: check VOLC_ENDPOINT and the region',
    );
  });

  it('reports an unreachable Volcengine endpoint and skips the clock it cannot compare', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const { report, line } = await doctor(envWith({ VOLC_ENDPOINT: url }));
    expect(report.ok).toBe(false);
    expect(line('Volcengine credentials')).toMatch(
      new RegExp(
        `^FAIL Volcengine credentials: cannot reach ${url}/ \\(.*ECONNREFUSED.*\\)\\. Fix: check network/proxy and VOLC_ENDPOINT$`,
      ),
    );
    expect(line('Clock')).toMatch(/^skip Clock: no answer/);
  });

  it('bounds a Volcengine call that never answers', async () => {
    ecs.script({ action: 'DescribeKeyPairs', kind: 'hang' });
    const started = Date.now();
    const { line } = await doctor(envWith(), { timeoutMs: 300 });
    expect(line('Volcengine credentials')).toContain('no answer within 300 ms');
    expect(ecs.callsFor('DescribeKeyPairs')).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it.each([
    // The Date header has whole seconds, so the measured skew may be a second either way.
    [5 * 60_000, '(4 min 59|5 min [01]) s ahead of'],
    [-5 * 60_000, '(4 min 59|5 min [01]) s behind'],
  ])('fails the clock when it is %i ms off the Date header', async (offsetMs, words) => {
    const { report, lines, line } = await doctor(envWith(), {
      now: () => new Date(Date.now() + offsetMs),
    });
    expect(report.ok).toBe(false);
    expect(line('Clock')).toMatch(
      new RegExp(`^FAIL Clock: ${words} the Volcengine API's clock .*Fix: sync the system clock`),
    );
    expectOthersOk(lines, 'Clock');
  });

  it('reports a data directory that cannot be created, and skips the store', async () => {
    const blocker = join(dir, 'not-a-directory');
    await writeFile(blocker, 'a regular file');
    const { report, lines, line } = await doctor(
      envWith({ DATA_FILE: join(blocker, 'data', 'db.json') }),
    );
    expect(report.ok).toBe(false);
    expect(line('Data directory')).toBe(
      `FAIL Data directory: cannot create ${resolve(blocker, 'data')} (ENOTDIR). Fix: point DATA_FILE at a file whose directory the bot's user can create and write`,
    );
    expect(line('Request store')).toMatch(/^skip Request store: /);
    expectOthersOk(lines, 'Data directory', 'Request store');
  });

  it('reports a corrupt store file in the store’s own words and does not touch it', async () => {
    const file = join(dir, 'db.json');
    await writeFile(file, '{"version":1,"requests":');
    const { report, lines, line } = await doctor(envWith({ DATA_FILE: file }));
    expect(report.ok).toBe(false);
    expect(line('Request store')).toMatch(
      /^FAIL Request store: The request store .*db\.json is not valid JSON .*The bot will not overwrite it/,
    );
    expect(await readFile(file, 'utf8')).toBe('{"version":1,"requests":');
    expectOthersOk(lines, 'Request store');
  });
});

describe('runDoctor: POLICY_FILE', () => {
  it('passes without one, reads a good one, and fails a bad one naming the rule and field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'akb-doctor-policy-'));
    try {
      expect((await doctor(envWith({}))).line('Policy file')).toBe(
        'ok   Policy file: not set (POLICY_FILE): every request needs 1 approval from APPROVER_USER_IDS',
      );
      const good = join(dir, 'good.yaml');
      await writeFile(
        good,
        'rules:\n  - name: prod\n    match: { tag: env=prod }\n    approvals: 2\n',
      );
      expect((await doctor(envWith({ POLICY_FILE: good }))).line('Policy file')).toBe(
        'ok   Policy file: 1 rule (prod); at least 1 approval per request',
      );
      const bad = join(dir, 'bad.yaml');
      await writeFile(bad, 'rules:\n  - name: prod\n    match: { tag: env }\n    approvals: 2\n');
      const { line, report } = await doctor(envWith({ POLICY_FILE: bad }));
      expect(line('Policy file')).toBe(
        `FAIL Policy file: POLICY_FILE ${bad}: rule 1 ("prod"): match.tag: expected key=value such as env=prod. Fix: correct the file (README: Approval policy) or unset POLICY_FILE; the bot refuses to start until then`,
      );
      expect(report.ok).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('runDoctor: ecs:DescribeInstances', () => {
  it.each(['AccessDenied', 'LackPolicy'])(
    'names ecs:DescribeInstances on %s, apart from the key check',
    async (code) => {
      instances.on('DescribeInstances', () => ({ status: 403, error: { code } }));
      const { report, lines, line } = await doctor(envWith());
      expect(report.ok).toBe(false);
      expect(line('ECS DescribeInstances')).toBe(
        `FAIL ECS DescribeInstances: ${code} (HTTP 403) — the key may not call ecs:DescribeInstances. Fix: allow ecs:DescribeInstances in the key's policy (the bot reads instances for previews, pickers and checks after a restart)`,
      );
      expectOthersOk(lines, 'ECS DescribeInstances');
    },
  );

  it('still checks DescribeInstances when only DescribeKeyPairs is denied', async () => {
    ecs.script({ action: 'DescribeKeyPairs', kind: 'error', status: 403, code: 'AccessDenied' });
    const { line } = await doctor(envWith());
    expect(line('Volcengine credentials')).toMatch(/^FAIL .*AccessDenied/);
    expect(line('ECS DescribeInstances')).toMatch(/^ok {3}ECS DescribeInstances: allowed/);
  });
});

describe('runDoctor: AssumeRole (VOLC_ROLE_TRN)', () => {
  const ROLE = 'trn:iam::2100000001:role/attach-key-bot';
  let sts: FakeStsApi;
  /** ECS that knows only what the fake STS issued. */
  let roleEcs: EcsStandIn;

  beforeEach(async () => {
    sts = await startFakeStsApi({ baseCredentials: CREDS });
    roleEcs = createEcsStandIn({ keys: (ak) => sts.resolve(ak) });
  });
  afterEach(async () => {
    await sts.close();
  });

  // ECS calls (to VOLC_ENDPOINT) go to the stand-in; STS, wherever it is, over the wire.
  const roleTransport: Transport = (req) =>
    new URL(req.url).origin === ecs.url ? roleEcs.transport(req) : wire(req);
  const roleEnv = (overrides: Record<string, string | undefined> = {}) =>
    envWith({ VOLC_ROLE_TRN: ROLE, VOLC_STS_ENDPOINT: sts.url, ...overrides });
  const roleDoctor = (env = roleEnv(), options: DoctorOptions = {}) =>
    doctor(env, { volcTransport: roleTransport, ...options });

  it('says the role works, until when, and signs ECS with its temporary credentials', async () => {
    const { report, lines, line } = await roleDoctor();
    expect(report.ok).toBe(true);
    expect(lines).toHaveLength(NAMES.length);
    const issued = sts.issued[0];
    const shown = /until (\S+), accepted by ECS$/.exec(line('AssumeRole'))?.[1] ?? '';
    expect(line('AssumeRole')).toBe(
      `ok   AssumeRole: ${ROLE} works: session attach-key-bot, temporary credentials until ${shown}, accepted by ECS`,
    );
    // Counted from when the doctor asked, so at most a moment before what STS said.
    expect(shown).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect((issued?.expiresAt ?? 0) - Date.parse(shown)).toBeGreaterThanOrEqual(0);
    expect((issued?.expiresAt ?? 0) - Date.parse(shown)).toBeLessThan(2_000);
    expect(line('Volcengine credentials')).toContain(
      "signed with the role's temporary credentials",
    );
    expect(sts.calls).toHaveLength(1);
    expect(sts.calls[0]?.auth).toMatchObject({
      ok: true,
      service: 'sts',
      accessKeyId: CREDS.accessKeyId,
    });
    expect(roleEcs.calls.map((c) => c.action).sort()).toEqual([
      'DescribeCloudAssistantStatus',
      'DescribeInstances',
      'DescribeKeyPairs',
    ]);
    for (const call of roleEcs.calls) {
      expect(call.auth).toMatchObject({ ok: true, accessKeyId: issued?.accessKeyId });
      expect(call.headers['x-security-token']).toBe(issued?.sessionToken);
    }
    expect(ecs.calls).toHaveLength(0);
  });

  it.each(['AccessDenied', 'LackPolicy'])(
    'says the base key lacks sts:AssumeRole on %s from STS',
    async (code) => {
      sts.script({ kind: 'error', status: 403, code, message: 'not allowed to assume' });
      const { report, lines, line } = await roleDoctor();
      expect(report.ok).toBe(false);
      expect(line('AssumeRole')).toBe(
        `FAIL AssumeRole: ${code} (HTTP 403) — sts:AssumeRole was refused for the base key (VOLC_ACCESS_KEY_ID): the base key lacks permission to assume ${ROLE}. Fix: allow sts:AssumeRole on ${ROLE} in the policy of the key's user, and trust that user in the role's trust policy`,
      );
      const needs = "needs the role's temporary credentials (see AssumeRole)";
      expect(line('Volcengine credentials')).toBe(`skip Volcengine credentials: ${needs}`);
      expect(line('ECS DescribeInstances')).toBe(`skip ECS DescribeInstances: ${needs}`);
      expect(line('ECS Cloud Assistant')).toBe(`skip ECS Cloud Assistant: ${needs}`);
      // STS dated its refusal: the clock is still checked.
      expect(line('Clock')).toMatch(/^ok {3}Clock: within/);
      expect(roleEcs.calls).toHaveLength(0);
      expectOthersOk(
        lines,
        'AssumeRole',
        'Volcengine credentials',
        'ECS DescribeInstances',
        'ECS Cloud Assistant',
      );
    },
  );

  it('says the role lacks permission when ECS refuses its temporary credentials', async () => {
    roleEcs.on('DescribeKeyPairs', () => ({ status: 403, error: { code: 'AccessDenied' } }));
    roleEcs.on('DescribeInstances', () => ({ status: 403, error: { code: 'LackPolicy' } }));
    const { report, line } = await roleDoctor();
    expect(report.ok).toBe(false);
    expect(line('AssumeRole')).toBe(
      `FAIL AssumeRole: ${ROLE} was assumed, but ECS refused its temporary credentials (ecs:DescribeKeyPairs: AccessDenied; ecs:DescribeInstances: LackPolicy): the role lacks permission. Fix: attach a policy to the role that allows ecs:DescribeKeyPairs, ecs:DescribeInstances, ecs:AttachKeyPair, ecs:RebootInstances and ecs:DetachKeyPair`,
    );
    expect(line('Volcengine credentials')).toBe(
      "FAIL Volcengine credentials: AccessDenied (HTTP 403) — the role may not call ecs:DescribeKeyPairs. Fix: the role's policy must allow ecs:DescribeKeyPairs and ecs:AttachKeyPair",
    );
    expect(line('ECS DescribeInstances')).toMatch(
      /^FAIL ECS DescribeInstances: LackPolicy \(HTTP 403\) — the role may not call ecs:DescribeInstances\. Fix: allow ecs:DescribeInstances in the role's policy/,
    );
  });

  it('says the base secret is wrong when STS refuses the signature', async () => {
    const { line } = await roleDoctor(roleEnv({ VOLC_SECRET_ACCESS_KEY: 'NotTheBaseSecret000==' }));
    expect(line('AssumeRole')).toMatch(
      /^FAIL AssumeRole: SignatureDoesNotMatch \(HTTP 401\) — the secret key is wrong\. Fix: set VOLC_SECRET_ACCESS_KEY/,
    );
  });

  it('names VOLC_STS_ENDPOINT when STS cannot be reached or never answers', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const unreachable = await roleDoctor(roleEnv({ VOLC_STS_ENDPOINT: url }));
    expect(unreachable.line('AssumeRole')).toMatch(
      new RegExp(
        `^FAIL AssumeRole: cannot reach ${url}/ \\(.*ECONNREFUSED.*\\)\\. Fix: check network/proxy and VOLC_STS_ENDPOINT$`,
      ),
    );
    expect(unreachable.line('Clock')).toMatch(/^skip Clock: no answer/);
    sts.script({ kind: 'hang' });
    const started = Date.now();
    const hung = await roleDoctor(roleEnv(), { timeoutMs: 300 });
    expect(hung.line('AssumeRole')).toContain('no answer within 300 ms');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('never prints the temporary secret or token, even when ECS echoes them', async () => {
    roleEcs.on('DescribeKeyPairs', (call) => ({
      status: 400,
      error: {
        code: 'SomethingNew',
        message: `token ${call.headers['x-security-token']} looked odd`,
      },
    }));
    const { output, report, line } = await roleDoctor();
    expect(line('Volcengine credentials')).toContain('token [redacted] looked odd');
    const issued = sts.issued[0];
    for (const secret of [issued?.secretAccessKey, issued?.sessionToken, CREDS.secretAccessKey]) {
      expect(output).not.toContain(secret);
      expect(JSON.stringify(report)).not.toContain(secret);
    }
  });
});

describe('runDoctor: secrets', () => {
  const SECRETS = {
    SLACK_BOT_TOKEN: 'xoxb-LEAKCANARY-bot-9f8e7d',
    SLACK_APP_TOKEN: 'xapp-LEAKCANARY-app-6c5b4a',
    SLACK_SIGNING_SECRET: 'LeakCanarySigningSecret42',
    VOLC_ACCESS_KEY_ID: 'AKLT-leak-canary-access-key-id',
    VOLC_SECRET_ACCESS_KEY: 'LeakCanarySecretAccessKey/+==',
    VOLC_SESSION_TOKEN: 'LeakCanarySessionToken.abc',
  };

  function expectNoSecret(text: string) {
    for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
    expect(text).not.toContain('LEAKCANARY');
    expect(text).not.toContain('LeakCanary');
  }

  it('never prints a secret while every check fails, even when a server echoes one', async () => {
    // Servers that repeat a token back: the redactor must catch what the checks did not write.
    slack.fail('auth.test', { kind: 'error', error: `bad_token_${SECRETS.SLACK_BOT_TOKEN}` });
    slack.fail('apps.connections.open', { kind: 'error', error: 'invalid_auth' });
    const { report, output, line } = await doctor(envWith(SECRETS));
    expect(report.ok).toBe(false);
    expect(line('Slack bot token')).toMatch(/^FAIL /);
    expect(line('Slack app token')).toContain('SLACK_APP_TOKEN (xapp-…)');
    expect(line('Volcengine credentials')).toMatch(/^FAIL .*InvalidAccessKey/);
    expectNoSecret(output);
    expectNoSecret(JSON.stringify(report));
  });

  it('never prints a secret from an API error message', async () => {
    ecs.script({
      action: 'DescribeKeyPairs',
      kind: 'error',
      status: 400,
      code: 'SomethingNew',
      message: `the key ${CREDS.secretAccessKey} and ${BOT_TOKEN} were seen`,
    });
    const { output, line } = await doctor(envWith());
    expect(line('Volcengine credentials')).toMatch(/^FAIL .*SomethingNew/);
    expect(output).not.toContain(CREDS.secretAccessKey);
    expect(output).not.toContain(BOT_TOKEN);
  });

  it('never prints a secret when the configuration itself is refused', async () => {
    const { report, output, line } = await doctor(
      envWith({
        ...SECRETS,
        SLACK_BOT_TOKEN: 'xoxp-LEAKCANARY-user-token',
        SLACK_APP_TOKEN: 'xoxb-LEAKCANARY-not-an-app-token',
      }),
    );
    expect(report.ok).toBe(false);
    expect(line('Configuration')).toMatch(/SLACK_BOT_TOKEN: .*SLACK_APP_TOKEN: /);
    expectNoSecret(output);
    expectNoSecret(JSON.stringify(report));
  });
});

describe('doctor entry point', () => {
  it('exits 0 when every check passes and 1 when one fails', async () => {
    const run = (env: Record<string, string | undefined>) => runEntryPoint(rig, env);
    // The child cannot take a Transport: the stand-in serves both reads over loopback HTTP.
    const served = await instances.listen();
    const good = await run(envWith({ VOLC_ENDPOINT: served.url })).finally(() => served.close());
    expect(good.stdout).toContain('All 12 checks passed.');
    expect(good.code).toBe(0);
    const bad = await run(envWith({ APPROVER_USER_IDS: '' }));
    expect(bad.stdout).toMatch(/^FAIL Configuration: .*APPROVER_USER_IDS/m);
    expect(bad.code).toBe(1);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, type Config, ConfigError, loadConfig } from '../../src/config/config.js';

// The smallest valid environment: HTTP mode, real Volcengine credentials, one approver.
const MINIMAL = {
  SLACK_BOT_TOKEN: 'xoxb-1-2-minimal',
  SLACK_SIGNING_SECRET: 'minimal-signing-secret',
  VOLC_ACCESS_KEY_ID: 'AKLTminimal',
  VOLC_SECRET_ACCESS_KEY: 'minimal-secret-key',
  APPROVER_USER_IDS: 'U012ABCDEF',
};

function refusal(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
}

function badVariables(env: Record<string, string | undefined>): string[] {
  return [...new Set(refusal(env).problems.map((p) => p.variable))].sort();
}

describe('loadConfig defaults', () => {
  it('fills every optional variable with its default', () => {
    const config = loadConfig(MINIMAL);
    expect(config).toEqual({
      sandbox: false,
      volc: {
        accessKeyId: 'AKLTminimal',
        secretAccessKey: 'minimal-secret-key',
        region: 'cn-beijing',
        endpoint: 'https://open.volcengineapi.com',
        maxConcurrency: 4,
        timeoutMs: 10_000,
        maxAttempts: 5,
        deadlineMs: 60_000,
      },
      slack: {
        botToken: 'xoxb-1-2-minimal',
        signingSecret: 'minimal-signing-secret',
        apiUrl: 'https://slack.com/api/',
        socketMode: false,
      },
      http: { host: '0.0.0.0', port: 3000 },
      metrics: { host: '0.0.0.0', port: 9464 },
      policy: {
        approverIds: ['U012ABCDEF'],
        minApprovals: 1,
        allowSelfApproval: false,
        requesterIds: [],
        allowedChannelIds: [],
        maxInstancesPerRequest: 500,
        maxOpenRequestsPerUser: 5,
        requestTtlMinutes: 60,
      },
      followUps: {
        restartWaveSize: 10,
        restartWaveTimeoutMinutes: 10,
        undoWindowHours: 24,
        applyNowUser: 'root',
      },
      defaultLocale: 'en',
      storage: { dataFile: './data/db.json', retentionDays: 30, leaseSeconds: 30 },
      log: { level: 'info', format: 'text' },
      // No ACCOUNTS_FILE: the one account of the VOLC_* variables, named default.
      accounts: [
        {
          name: 'default',
          volc: expect.anything(),
          stsEndpoint: 'https://sts.volcengineapi.com',
          defaultRegion: 'cn-beijing',
          channels: [],
        },
      ],
      accountsFromFile: false,
      secrets: ['AKLTminimal', 'minimal-secret-key', 'xoxb-1-2-minimal', 'minimal-signing-secret'],
    } satisfies Config);
  });

  it('treats empty strings like unset variables where a default exists', () => {
    const config = loadConfig({
      ...MINIMAL,
      VOLC_REGION: '',
      VOLC_ENDPOINT: ' ',
      VOLC_SESSION_TOKEN: '',
      SLACK_APP_TOKEN: '',
      PORT: '',
      DATA_FILE: '',
      AUDIT_FILE: '  ',
      LOG_LEVEL: '',
      REQUEST_TTL_MINUTES: '',
    });
    expect(config.volc.region).toBe('cn-beijing');
    expect(config.volc.endpoint).toBe('https://open.volcengineapi.com');
    expect(config.volc.sessionToken).toBeUndefined();
    expect(config.slack.appToken).toBeUndefined();
    expect(config.slack.socketMode).toBe(false);
    expect(config.http.port).toBe(3000);
    expect(config.storage.dataFile).toBe('./data/db.json');
    expect(config.storage.auditFile).toBeUndefined();
    expect(config.log.level).toBe('info');
    expect(config.policy.requestTtlMinutes).toBe(60);
  });
});

describe('DATA_FILE by mode', () => {
  it('defaults to ./data/sandbox.json in sandbox mode, so a live bot never reads that file', () => {
    const sandbox = { ...MINIMAL, VOLC_SANDBOX: 'true' };
    expect(loadConfig(sandbox).storage.dataFile).toBe('./data/sandbox.json');
    // Its audit trail is its own too, unless one is set.
    expect(loadConfig(sandbox).storage.auditFile).toBe('./data/sandbox-audit.jsonl');
    expect(loadConfig({ ...sandbox, AUDIT_FILE: '/srv/a.jsonl' }).storage.auditFile).toBe(
      '/srv/a.jsonl',
    );
    expect(loadConfig({ ...MINIMAL, VOLC_SANDBOX: 'false' }).storage.auditFile).toBeUndefined();
    expect(loadConfig({ ...sandbox, DATA_FILE: '' }).storage.dataFile).toBe('./data/sandbox.json');
    expect(loadConfig({ ...MINIMAL, VOLC_SANDBOX: 'false' }).storage.dataFile).toBe(
      './data/db.json',
    );
  });

  it('uses a DATA_FILE set explicitly as it is, in either mode', () => {
    for (const mode of ['true', 'false']) {
      const config = loadConfig({ ...MINIMAL, VOLC_SANDBOX: mode, DATA_FILE: '/srv/bot/db.json' });
      expect(config.storage.dataFile).toBe('/srv/bot/db.json');
      expect(config.storage.auditFile).toBeUndefined(); // audit.jsonl beside it, as always
    }
  });
});

describe('loadConfig parses every variable', () => {
  it('reads each one into its place', () => {
    const config = loadConfig({
      VOLC_SANDBOX: 'false',
      VOLC_ACCESS_KEY_ID: ' AKLTall ',
      VOLC_SECRET_ACCESS_KEY: 'all-secret',
      VOLC_SESSION_TOKEN: 'all-sts-token',
      VOLC_REGION: 'ap-southeast-1',
      VOLC_ENDPOINT: 'http://127.0.0.1:9999',
      VOLC_MAX_CONCURRENCY: '8',
      VOLC_TIMEOUT_MS: '2500',
      VOLC_MAX_ATTEMPTS: '3',
      VOLC_DEADLINE_MS: '20000',
      SLACK_BOT_TOKEN: ' xoxb-all ',
      SLACK_SIGNING_SECRET: 'all-signing',
      SLACK_APP_TOKEN: 'xapp-1-all',
      SLACK_API_URL: 'http://127.0.0.1:8888/api/',
      HOST: '127.0.0.1',
      PORT: '0',
      METRICS_HOST: '127.0.0.2',
      METRICS_PORT: '9100',
      APPROVER_USER_IDS: 'U0AAA, U0BBB  W0CCC,S0GROUP',
      MIN_APPROVALS: '2',
      POLICY_FILE: ' /etc/akb/policy.yaml ',
      ALLOW_SELF_APPROVAL: 'true',
      REQUESTER_USER_IDS: 'U0DDD,U0EEE',
      ALLOWED_CHANNEL_IDS: 'C0FFF G0GGG',
      MAX_INSTANCES_PER_REQUEST: '50',
      MAX_OPEN_REQUESTS_PER_USER: '12',
      REQUEST_TTL_MINUTES: '15',
      RESTART_WAVE_SIZE: '25',
      RESTART_WAVE_TIMEOUT_MINUTES: '2.5',
      UNDO_WINDOW_HOURS: '6',
      APPLY_NOW_USER: ' ops ',
      DEFAULT_LOCALE: 'zh-CN',
      DATA_FILE: '/var/lib/bot/db.json',
      AUDIT_FILE: '/var/log/bot/audit.jsonl',
      RETENTION_DAYS: '7.5',
      DATABASE_URL: ' postgres://bot:pw-all@db.internal:5432/akb ',
      EXECUTION_LEASE_SECONDS: '45',
      LOG_LEVEL: 'WARN',
      LOG_FORMAT: 'Json',
    });
    expect(config).toEqual({
      sandbox: false,
      volc: {
        accessKeyId: 'AKLTall',
        secretAccessKey: 'all-secret',
        sessionToken: 'all-sts-token',
        region: 'ap-southeast-1',
        endpoint: 'http://127.0.0.1:9999',
        maxConcurrency: 8,
        timeoutMs: 2500,
        maxAttempts: 3,
        deadlineMs: 20_000,
      },
      slack: {
        botToken: 'xoxb-all',
        signingSecret: 'all-signing',
        appToken: 'xapp-1-all',
        apiUrl: 'http://127.0.0.1:8888/api/',
        socketMode: true,
      },
      http: { host: '127.0.0.1', port: 0 },
      metrics: { host: '127.0.0.2', port: 9100 },
      policy: {
        approverIds: ['U0AAA', 'U0BBB', 'W0CCC', 'S0GROUP'],
        minApprovals: 2,
        policyFile: '/etc/akb/policy.yaml',
        allowSelfApproval: true,
        requesterIds: ['U0DDD', 'U0EEE'],
        allowedChannelIds: ['C0FFF', 'G0GGG'],
        maxInstancesPerRequest: 50,
        maxOpenRequestsPerUser: 12,
        requestTtlMinutes: 15,
      },
      followUps: {
        restartWaveSize: 25,
        restartWaveTimeoutMinutes: 2.5,
        undoWindowHours: 6,
        applyNowUser: 'ops',
      },
      defaultLocale: 'zh-CN',
      storage: {
        dataFile: '/var/lib/bot/db.json',
        auditFile: '/var/log/bot/audit.jsonl',
        retentionDays: 7.5,
        databaseUrl: 'postgres://bot:pw-all@db.internal:5432/akb',
        leaseSeconds: 45,
      },
      log: { level: 'warn', format: 'json' },
      secrets: [
        'AKLTall',
        'all-secret',
        'all-sts-token',
        'xoxb-all',
        'all-signing',
        'xapp-1-all',
        'postgres://bot:pw-all@db.internal:5432/akb',
        'pw-all',
      ],
      accounts: [expect.objectContaining({ name: 'default', channels: [] })],
      accountsFromFile: false,
    } satisfies Config);
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    [' True ', true],
    ['1', true],
    ['yes', true],
    ['on', true],
    ['false', false],
    ['FALSE', false],
    ['0', false],
    ['no', false],
    ['off', false],
  ])('reads the boolean %j as %s', (text, value) => {
    const config = loadConfig({ ...MINIMAL, VOLC_SANDBOX: text, ALLOW_SELF_APPROVAL: text });
    expect(config.sandbox).toBe(value);
    expect(config.policy.allowSelfApproval).toBe(value);
  });

  it.each(['maybe', 'ja', '2', 'truee'])('refuses the boolean %j', (text) => {
    const error = refusal({ ...MINIMAL, VOLC_SANDBOX: text, ALLOW_SELF_APPROVAL: text });
    expect(error.problems).toEqual([
      { variable: 'VOLC_SANDBOX', problem: 'expected true or false' },
      { variable: 'ALLOW_SELF_APPROVAL', problem: 'expected true or false' },
    ]);
  });

  it('accepts a fractional REQUEST_TTL_MINUTES such as 0.05 (3 seconds)', () => {
    expect(loadConfig({ ...MINIMAL, REQUEST_TTL_MINUTES: '0.05' }).policy.requestTtlMinutes).toBe(
      0.05,
    );
  });

  it.each(['Root', '1root', 'root;reboot', 'ops user', `u${'x'.repeat(32)}`, '$(id)'])(
    'refuses APPLY_NOW_USER=%j, naming the rule',
    (text) => {
      const error = refusal({ ...MINIMAL, APPLY_NOW_USER: text });
      expect(error.problems).toEqual([
        {
          variable: 'APPLY_NOW_USER',
          problem: expect.stringMatching(/^expected a Linux user name/),
        },
      ]);
      // The refusal never echoes what was given.
      expect(error.message).not.toContain(text);
    },
  );

  it('takes APPLY_NOW_USER as a Linux user name, root by default', () => {
    expect(loadConfig(MINIMAL).followUps.applyNowUser).toBe('root');
    expect(loadConfig({ ...MINIMAL, APPLY_NOW_USER: '' }).followUps.applyNowUser).toBe('root');
    expect(loadConfig({ ...MINIMAL, APPLY_NOW_USER: '_svc-ops2' }).followUps.applyNowUser).toBe(
      '_svc-ops2',
    );
  });

  it.each(['0', '-1', 'soon'])('refuses REQUEST_TTL_MINUTES=%j', (text) => {
    expect(badVariables({ ...MINIMAL, REQUEST_TTL_MINUTES: text })).toEqual([
      'REQUEST_TTL_MINUTES',
    ]);
  });

  it.each([
    ['VOLC_REGION', 'Beijing'],
    ['VOLC_REGION', 'cn_beijing'],
    ['VOLC_ENDPOINT', 'ftp://open.volcengineapi.com'],
    ['VOLC_ENDPOINT', 'open.volcengineapi.com'],
    ['VOLC_MAX_CONCURRENCY', '0'],
    ['VOLC_MAX_CONCURRENCY', '65'],
    ['VOLC_TIMEOUT_MS', '99'],
    ['VOLC_MAX_ATTEMPTS', '2.5'],
    ['VOLC_DEADLINE_MS', 'a minute'],
    ['SLACK_API_URL', 'slack.com/api'],
    ['PORT', '65536'],
    ['PORT', '-1'],
    ['METRICS_PORT', '65536'],
    ['METRICS_PORT', 'metrics'],
    ['APPROVER_USER_IDS', 'U012ABC, alice'],
    ['REQUESTER_USER_IDS', 'bob'],
    ['ALLOWED_CHANNEL_IDS', '#general'],
    ['MAX_INSTANCES_PER_REQUEST', '10001'],
    ['RETENTION_DAYS', '0'],
    ['DATABASE_URL', 'mysql://bot@db/akb'],
    ['DATABASE_URL', 'db.internal:5432/akb'],
    ['DATABASE_URL', 'postgres://'],
    ['EXECUTION_LEASE_SECONDS', '4'],
    ['EXECUTION_LEASE_SECONDS', '3601'],
    ['EXECUTION_LEASE_SECONDS', '7.5'],
    ['LOG_LEVEL', 'verbose'],
    ['LOG_FORMAT', 'xml'],
    ['APPROVER_USER_IDS', 'U012ABC, @sre-leads'],
    ['REQUESTER_USER_IDS', 'S0GROUP'],
    ['MIN_APPROVALS', '0'],
    ['MIN_APPROVALS', '1.5'],
    ['MIN_APPROVALS', '21'],
    ['RESTART_WAVE_SIZE', '0'],
    ['RESTART_WAVE_SIZE', 'ten'],
    ['RESTART_WAVE_TIMEOUT_MINUTES', '0'],
    ['UNDO_WINDOW_HOURS', '-1'],
    ['DEFAULT_LOCALE', 'zh'],
    ['DEFAULT_LOCALE', 'fr'],
  ])('refuses %s=%j, naming only that variable', (variable, text) => {
    expect(badVariables({ ...MINIMAL, [variable]: text })).toEqual([variable]);
  });
});

describe('loadConfig refusals', () => {
  it('lists every bad variable in one ConfigError', () => {
    const error = refusal({
      ...MINIMAL,
      SLACK_BOT_TOKEN: undefined,
      VOLC_REGION: 'Beijing',
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      VOLC_SANDBOX: 'maybe',
      REQUEST_TTL_MINUTES: '-5',
    });
    expect(error.code).toBe('config_invalid');
    expect(error.name).toBe('ConfigError');
    expect(error.problems.map((p) => p.variable).sort()).toEqual(
      [
        'LOG_LEVEL',
        'PORT',
        'REQUEST_TTL_MINUTES',
        'SLACK_BOT_TOKEN',
        'VOLC_REGION',
        'VOLC_SANDBOX',
      ].sort(),
    );
    for (const { variable, problem } of error.problems) {
      expect(error.message).toContain(`  - ${variable}: ${problem}`);
    }
    expect(error.message).toContain('.env.example');
  });

  it('lists cross-variable problems together with single-variable ones', () => {
    const variables = badVariables({
      SLACK_BOT_TOKEN: 'xoxb-ok',
      PORT: 'eighty',
      APPROVER_USER_IDS: '',
    });
    expect(variables).toEqual(
      [
        'APPROVER_USER_IDS',
        'PORT',
        'SLACK_SIGNING_SECRET',
        'VOLC_ACCESS_KEY_ID',
        'VOLC_SECRET_ACCESS_KEY',
      ].sort(),
    );
  });

  it('never echoes a secret value in the error', () => {
    const env = {
      ...MINIMAL,
      SLACK_BOT_TOKEN: 'xoxp-SECRET123',
      SLACK_APP_TOKEN: 'xoxb-APPSECRET456',
      VOLC_ACCESS_KEY_ID: 'AKLTSECRETID789',
      VOLC_SECRET_ACCESS_KEY: 'SECRETKEY012',
      VOLC_SESSION_TOKEN: 'SECRETSTS345',
      SLACK_SIGNING_SECRET: 'SECRETSIGNING678',
      PORT: 'x',
    };
    const error = refusal(env);
    expect(badVariables(env)).toEqual(['PORT', 'SLACK_APP_TOKEN', 'SLACK_BOT_TOKEN']);
    const text = `${error.message}\n${JSON.stringify(error.problems)}\n${String(error.stack)}`;
    expect(text).not.toMatch(/SECRET/);
    expect(error.message).toContain('SLACK_BOT_TOKEN: expected a bot token starting with xoxb-');
    expect(error.message).toContain(
      'SLACK_APP_TOKEN: expected an app-level token starting with xapp-',
    );
  });

  it('requires the bot token', () => {
    expect(refusal({ ...MINIMAL, SLACK_BOT_TOKEN: undefined }).problems).toEqual([
      { variable: 'SLACK_BOT_TOKEN', problem: 'required: the bot token (starts with xoxb-)' },
    ]);
  });

  it.each([
    ['unset', undefined],
    ['empty', ''],
    ['blank', ' , '],
  ])('refuses to run with APPROVER_USER_IDS %s (fail closed)', (_what, value) => {
    const error = refusal({ ...MINIMAL, APPROVER_USER_IDS: value });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]?.variable).toBe('APPROVER_USER_IDS');
    expect(error.problems[0]?.problem).toMatch(
      /^required: at least one Slack user or user-group id/,
    );
  });

  it('requires the signing secret in HTTP mode only', () => {
    const http = { ...MINIMAL, SLACK_SIGNING_SECRET: undefined };
    expect(badVariables(http)).toEqual(['SLACK_SIGNING_SECRET']);
    expect(badVariables({ ...http, SLACK_SIGNING_SECRET: '   ' })).toEqual([
      'SLACK_SIGNING_SECRET',
    ]);
    const socket = loadConfig({ ...http, SLACK_APP_TOKEN: 'xapp-1-socket' });
    expect(socket.slack.socketMode).toBe(true);
    expect(socket.slack.signingSecret).toBeUndefined();
    expect(socket.slack.appToken).toBe('xapp-1-socket');
  });

  it('requires Volcengine credentials unless VOLC_SANDBOX=true', () => {
    const bare = { ...MINIMAL, VOLC_ACCESS_KEY_ID: undefined, VOLC_SECRET_ACCESS_KEY: undefined };
    expect(badVariables(bare)).toEqual(['VOLC_ACCESS_KEY_ID', 'VOLC_SECRET_ACCESS_KEY']);
    expect(badVariables({ ...bare, VOLC_SECRET_ACCESS_KEY: 'only-the-secret' })).toEqual([
      'VOLC_ACCESS_KEY_ID',
    ]);
    expect(badVariables({ ...bare, VOLC_SANDBOX: 'false' })).toEqual([
      'VOLC_ACCESS_KEY_ID',
      'VOLC_SECRET_ACCESS_KEY',
    ]);
    const sandbox = loadConfig({ ...bare, VOLC_SANDBOX: 'true' });
    expect(sandbox.sandbox).toBe(true);
    // Placeholders so the sandbox signs like the real client; they are not secrets.
    expect(sandbox.volc.accessKeyId).toBe('AKLTsandbox');
    expect(sandbox.secrets).toEqual(['xoxb-1-2-minimal', 'minimal-signing-secret']);
  });
});

describe('Config', () => {
  it('is deeply frozen', () => {
    const config = loadConfig({ ...MINIMAL, REQUESTER_USER_IDS: 'U0DDD' });
    for (const part of [
      config,
      config.volc,
      config.slack,
      config.http,
      config.policy,
      config.policy.approverIds,
      config.policy.requesterIds,
      config.storage,
      config.log,
      config.secrets,
    ]) {
      expect(Object.isFrozen(part)).toBe(true);
    }
    // ES modules run in strict mode: writing to a frozen object throws.
    expect(() => {
      (config.volc as { region: string }).region = 'cn-shanghai';
    }).toThrow(TypeError);
    expect(() => (config.policy.approverIds as string[]).push('U0EVIL')).toThrow(TypeError);
    expect(config.volc.region).toBe('cn-beijing');
    expect(config.policy.approverIds).toEqual(['U012ABCDEF']);
  });

  it('lists exactly the secret values in `secrets`, and nothing else', () => {
    const secrets = {
      VOLC_ACCESS_KEY_ID: 'AKLTs1',
      VOLC_SECRET_ACCESS_KEY: 's2-secret',
      VOLC_SESSION_TOKEN: 's3-sts',
      SLACK_BOT_TOKEN: 'xoxb-s4',
      SLACK_SIGNING_SECRET: 's5-signing',
      SLACK_APP_TOKEN: 'xapp-s6',
    };
    const config = loadConfig({ ...MINIMAL, ...secrets, HOST: '127.0.0.1' });
    expect([...config.secrets].sort()).toEqual(Object.values(secrets).sort());
    // Optional secrets that are not set are not listed (no empty strings).
    const fewer = loadConfig({ ...MINIMAL, VOLC_SESSION_TOKEN: '' });
    expect(fewer.secrets).toHaveLength(4);
    expect(fewer.secrets).not.toContain('');
  });
});

describe('storage', () => {
  it('selects PostgreSQL with DATABASE_URL, either scheme, and keeps lowdb without it', () => {
    expect(loadConfig(MINIMAL).storage.databaseUrl).toBeUndefined();
    expect(loadConfig({ ...MINIMAL, DATABASE_URL: '  ' }).storage.databaseUrl).toBeUndefined();
    for (const url of [
      'postgres://bot@127.0.0.1:5432/akb',
      'postgresql://bot:secret@db.internal/akb?sslmode=require',
      'postgresql:///akb?host=/var/run/postgresql',
    ]) {
      expect(loadConfig({ ...MINIMAL, DATABASE_URL: url }).storage.databaseUrl).toBe(url);
    }
  });

  it('never echoes DATABASE_URL in its error, and lists its password as a secret', () => {
    const bad = refusal({ ...MINIMAL, DATABASE_URL: 'mysql://bot:SECRETPW@db/akb' });
    expect(bad.problems).toEqual([
      {
        variable: 'DATABASE_URL',
        problem:
          'expected a postgres:// or postgresql:// URL such as postgres://bot@db.internal:5432/attach_key_bot',
      },
    ]);
    expect(`${bad.message}${String(bad.stack)}`).not.toContain('SECRETPW');

    const config = loadConfig({ ...MINIMAL, DATABASE_URL: 'postgres://bot:p%40ss%2Fw0rd@db/akb' });
    expect(config.secrets).toContain('postgres://bot:p%40ss%2Fw0rd@db/akb');
    expect(config.secrets).toContain('p%40ss%2Fw0rd');
    expect(config.secrets).toContain('p@ss/w0rd');
    expect(loadConfig({ ...MINIMAL, DATABASE_URL: 'postgres://bot@db/akb' }).secrets).toEqual(
      loadConfig(MINIMAL).secrets.concat('postgres://bot@db/akb'),
    );
  });

  it('reads EXECUTION_LEASE_SECONDS: 30 by default, from 5 up', () => {
    expect(loadConfig(MINIMAL).storage.leaseSeconds).toBe(30);
    expect(loadConfig({ ...MINIMAL, EXECUTION_LEASE_SECONDS: '' }).storage.leaseSeconds).toBe(30);
    expect(loadConfig({ ...MINIMAL, EXECUTION_LEASE_SECONDS: '5' }).storage.leaseSeconds).toBe(5);
    expect(refusal({ ...MINIMAL, EXECUTION_LEASE_SECONDS: '2' }).problems).toEqual([
      { variable: 'EXECUTION_LEASE_SECONDS', problem: 'expected a whole number from 5 to 3600' },
    ]);
  });
});

describe('blank lines and id kinds', () => {
  it('treats a blank boolean like an unset one (the default)', () => {
    const config = loadConfig({ ...MINIMAL, ALLOW_SELF_APPROVAL: '', VOLC_SANDBOX: ' ' });
    expect(config.policy.allowSelfApproval).toBe(false);
    expect(config.sandbox).toBe(false);
  });

  it('refuses a channel id among user ids and a user id among channel ids', () => {
    expect(
      badVariables({
        ...MINIMAL,
        APPROVER_USER_IDS: 'U012ABCDEF,C012ABCDEF',
        ALLOWED_CHANNEL_IDS: 'U012ABCDEF',
      }),
    ).toEqual(['ALLOWED_CHANNEL_IDS', 'APPROVER_USER_IDS']);
  });
});

describe('AssumeRole settings', () => {
  const ROLE = 'trn:iam::2100000001:role/attach-key-bot';

  it('reads the role with its defaults, and leaves it out when VOLC_ROLE_TRN is unset', () => {
    expect(loadConfig({ ...MINIMAL, VOLC_ROLE_TRN: ` ${ROLE} ` }).volc.role).toEqual({
      trn: ROLE,
      sessionName: 'attach-key-bot',
      durationSeconds: 3600,
      stsEndpoint: 'https://sts.volcengineapi.com',
    });
    expect(loadConfig({ ...MINIMAL, VOLC_ROLE_TRN: '' }).volc.role).toBeUndefined();
    expect('role' in loadConfig(MINIMAL).volc).toBe(false);
  });

  it('reads every role variable into its place', () => {
    const config = loadConfig({
      ...MINIMAL,
      VOLC_ROLE_TRN: ROLE,
      VOLC_ROLE_SESSION_NAME: 'bot@prod.ops',
      VOLC_ROLE_DURATION_SECONDS: '900',
      VOLC_STS_ENDPOINT: 'http://127.0.0.1:9998',
    });
    expect(config.volc.role).toEqual({
      trn: ROLE,
      sessionName: 'bot@prod.ops',
      durationSeconds: 900,
      stsEndpoint: 'http://127.0.0.1:9998',
    });
    expect(Object.isFrozen(config.volc.role)).toBe(true);
    // The role is not a secret; the base key still is.
    expect(config.secrets).not.toContain(ROLE);
    expect(config.secrets).toContain(MINIMAL.VOLC_SECRET_ACCESS_KEY);
  });

  it.each([
    ['VOLC_ROLE_TRN', 'attach-key-bot', /^expected trn:iam::<accountId>:role\/<roleName>/],
    ['VOLC_ROLE_TRN', 'trn:iam::abc:role/x', /^expected trn:iam::/],
    ['VOLC_ROLE_TRN', 'trn:iam::2100000001:user/x', /^expected trn:iam::/],
    ['VOLC_ROLE_SESSION_NAME', 'has space', /^expected 2 to 64 letters/],
    ['VOLC_ROLE_SESSION_NAME', 'x'.repeat(65), /^expected 2 to 64 letters/],
    ['VOLC_ROLE_DURATION_SECONDS', '899', /^expected a whole number from 900 to 43200$/],
    ['VOLC_ROLE_DURATION_SECONDS', '43201', /^expected a whole number from 900 to 43200$/],
    ['VOLC_ROLE_DURATION_SECONDS', '1h', /^expected a whole number from 900 to 43200$/],
    ['VOLC_STS_ENDPOINT', 'sts.volcengineapi.com', /^expected an http\(s\) URL$/],
    ['VOLC_STS_ENDPOINT', 'https://sts.volcengineapi.com/v1', /^expected a bare origin/],
  ])('refuses %s=%j with a clear message', (variable, text, message) => {
    const problems = refusal({ ...MINIMAL, VOLC_ROLE_TRN: ROLE, [variable]: text }).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]?.variable).toBe(variable);
    expect(problems[0]?.problem).toMatch(message);
  });

  it('refuses VOLC_SESSION_TOKEN together with VOLC_ROLE_TRN, saying why', () => {
    const error = refusal({ ...MINIMAL, VOLC_ROLE_TRN: ROLE, VOLC_SESSION_TOKEN: 'SECRETSTS999' });
    expect(error.problems).toEqual([
      {
        variable: 'VOLC_SESSION_TOKEN',
        problem: expect.stringMatching(/^must not be set with VOLC_ROLE_TRN: .*temporary/),
      },
    ]);
    expect(error.message).not.toContain('SECRETSTS999');
  });

  it('still needs the base key with a role, unless in sandbox mode (where the role is ignored)', () => {
    const bare = { ...MINIMAL, VOLC_ACCESS_KEY_ID: undefined, VOLC_SECRET_ACCESS_KEY: undefined };
    const problems = refusal({ ...bare, VOLC_ROLE_TRN: ROLE }).problems;
    expect(problems.map((p) => p.variable)).toEqual([
      'VOLC_ACCESS_KEY_ID',
      'VOLC_SECRET_ACCESS_KEY',
    ]);
    expect(problems[0]?.problem).toContain('the base access key that calls AssumeRole');
    const sandbox = loadConfig({ ...bare, VOLC_SANDBOX: 'true', VOLC_ROLE_TRN: ROLE });
    expect(sandbox.volc.role).toBeUndefined();
  });
});

describe('secrets travel only over TLS, or to loopback', () => {
  const ROLE = 'trn:iam::2100000001:role/attach-key-bot';
  it.each([
    ['VOLC_ENDPOINT', 'http://127.0.0.1:9999'],
    ['VOLC_ENDPOINT', 'http://127.8.9.10/'],
    ['VOLC_ENDPOINT', 'http://localhost:8080'],
    ['VOLC_ENDPOINT', 'http://[::1]:8080'],
    ['VOLC_STS_ENDPOINT', 'http://127.0.0.1:9998'],
    ['SLACK_API_URL', 'http://localhost:8888/api/'],
    ['SLACK_API_URL', 'https://slack-proxy.internal/api/'],
  ])('accepts %s=%s', (variable, url) => {
    expect(() => loadConfig({ ...MINIMAL, VOLC_ROLE_TRN: ROLE, [variable]: url })).not.toThrow();
  });

  it.each([
    ['VOLC_ENDPOINT', 'http://open.volcengineapi.com', 'signed requests and their security token'],
    ['VOLC_ENDPOINT', 'http://10.0.0.8:8080', 'signed requests'],
    ['VOLC_ENDPOINT', 'HTTP://128.0.0.1', 'signed requests'],
    ['VOLC_STS_ENDPOINT', 'http://sts.volcengineapi.com', 'temporary credentials'],
    ['SLACK_API_URL', 'http://slack.com/api/', 'the bot token'],
    ['SLACK_API_URL', 'http://localhost.evil.example/api/', 'the bot token'],
  ])('refuses %s=%s, naming the variable and what would leak', (variable, url, leak) => {
    const problems = refusal({ ...MINIMAL, VOLC_ROLE_TRN: ROLE, [variable]: url }).problems;
    expect(problems).toEqual([
      {
        variable,
        problem: expect.stringMatching(
          /^http:\/\/ is accepted only for a loopback host \(127\.0\.0\.0\/8, ::1, localhost\)/,
        ),
      },
    ]);
    expect(problems[0]?.problem).toContain(leak);
  });
});

describe('the metrics listener', () => {
  it('refuses METRICS_PORT equal to PORT, saying why', () => {
    expect(refusal({ ...MINIMAL, PORT: '9000', METRICS_PORT: '9000' }).problems).toEqual([
      {
        variable: 'METRICS_PORT',
        problem: expect.stringMatching(/^must differ from PORT \(9000\)/),
      },
    ]);
    // 0 asks the system for a free port: both may say so (tests do).
    expect(loadConfig({ ...MINIMAL, PORT: '0', METRICS_PORT: '0' }).metrics.port).toBe(0);
  });
});

describe('every variable is documented', () => {
  const readme = readFileSync('README.md', 'utf8');
  const example = readFileSync('.env.example', 'utf8');

  it.each(CONFIG_VARIABLES.map((name) => [name]))(
    '%s is named in README.md and .env.example',
    (name) => {
      expect(readme).toContain(name);
      expect(example).toContain(name);
    },
  );

  it('lists the variables of every concern', () => {
    expect(CONFIG_VARIABLES).toEqual(
      expect.arrayContaining([
        'VOLC_REGION',
        'SLACK_BOT_TOKEN',
        'PORT',
        'MIN_APPROVALS',
        'DATA_FILE',
      ]),
    );
  });
});

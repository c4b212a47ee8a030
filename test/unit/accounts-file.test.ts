import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccountsFileError, parseAccountsText } from '../../src/config/accounts-file.js';
import { loadConfig } from '../../src/config/config.js';
import { chooseAccount } from '../../src/domain/accounts.js';
import { requestFingerprint } from '../../src/domain/fingerprint.js';
import { parseCommandText } from '../../src/domain/parse.js';
import { matchRules } from '../../src/domain/policy.js';
import { en } from '../../src/slack/i18n/en.js';
import { zh } from '../../src/slack/i18n/zh.js';
import { describeParseProblem, PLAIN_FORMAT } from '../../src/slack/render/parse-problems.js';
import { makeTestKey } from '../support/ssh-keys.js';

// ACCOUNTS_FILE (issue 24): what it accepts, every way it is refused (naming file, account and
// field, never a secret), and the account rules the parser applies.

const BASE_ENV = {
  SLACK_BOT_TOKEN: 'xoxb-1-2-accounts',
  SLACK_SIGNING_SECRET: 'accounts-signing-secret',
  APPROVER_USER_IDS: 'U0APPROVER',
  VOLC_ACCESS_KEY_ID: 'AKLTbasekey000001',
  VOLC_SECRET_ACCESS_KEY: 'base-secret-key-value',
  STAGING_AK: 'AKLTstagingkey0001',
  STAGING_SK: 'staging-secret-key-value',
};

const OK = `accounts:
  - name: prod                      # shown on cards
    roleTrn: trn:iam::2100000001:role/attach-key-bot
    regions: [cn-beijing, cn-shanghai]
    defaultRegion: cn-beijing
    channels: [C0PRODOPS1]
  - name: staging
    accessKeyIdEnv: STAGING_AK
    secretAccessKeyEnv: STAGING_SK
`;

describe('ACCOUNTS_FILE', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'akb-accounts-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const load = async (text: string, name = 'accounts.yaml', env: Record<string, string> = {}) => {
    const file = join(dir, name);
    await writeFile(file, text);
    return loadConfig({ ...BASE_ENV, ACCOUNTS_FILE: file, ...env });
  };
  const refusal = async (text: string, env: Record<string, string> = {}) => {
    try {
      await load(text, 'accounts.yaml', env);
    } catch (error) {
      expect(error).toBeInstanceOf(AccountsFileError);
      const message = (error as Error).message;
      expect(message).toContain(join(dir, 'accounts.yaml'));
      for (const secret of [BASE_ENV.VOLC_SECRET_ACCESS_KEY, BASE_ENV.STAGING_SK]) {
        expect(message).not.toContain(secret);
      }
      return message;
    }
    throw new Error('the file was accepted');
  };

  it('reads the issue example: a role with the base key, and a key of its own', async () => {
    const config = await load(OK);
    expect(config.accountsFromFile).toBe(true);
    const [prod, staging] = config.accounts;
    expect(prod).toMatchObject({
      name: 'prod',
      accountId: '2100000001',
      regions: ['cn-beijing', 'cn-shanghai'],
      defaultRegion: 'cn-beijing',
      channels: ['C0PRODOPS1'],
      volc: {
        accessKeyId: BASE_ENV.VOLC_ACCESS_KEY_ID,
        role: { trn: 'trn:iam::2100000001:role/attach-key-bot', sessionName: 'attach-key-bot' },
      },
    });
    expect(staging).toMatchObject({
      name: 'staging',
      defaultRegion: 'cn-beijing',
      channels: [],
      volc: { accessKeyId: BASE_ENV.STAGING_AK, secretAccessKey: BASE_ENV.STAGING_SK },
    });
    expect(staging?.volc.role).toBeUndefined();
    expect(staging?.volc.maxConcurrency).toBe(4);
    // The key read from STAGING_SK is redacted like any secret variable.
    expect(config.secrets).toContain(BASE_ENV.STAGING_SK);
  });

  it('reads the same accounts from JSON', async () => {
    const json = JSON.stringify({
      accounts: [{ name: 'prod', roleTrn: 'trn:iam::2100000001:role/attach-key-bot' }],
    });
    const config = await load(json, 'accounts.json');
    expect(config.accounts.map((a) => a.name)).toEqual(['prod']);
  });

  it('without the file: one account, default, of the VOLC_* variables', () => {
    const config = loadConfig({ ...BASE_ENV, VOLC_ROLE_TRN: 'trn:iam::2100000009:role/bot' });
    expect(config.accountsFromFile).toBe(false);
    expect(config.accounts).toHaveLength(1);
    expect(config.accounts[0]).toMatchObject({
      name: 'default',
      accountId: '2100000009',
      channels: [],
    });
    expect(config.accounts[0]?.volc).toBe(config.volc);
  });

  it.each([
    [
      'an unknown field',
      OK.replace('channels: [C0PRODOPS1]', 'chanels: [C0PRODOPS1]'),
      'account 1 ("prod"): unknown field chanels',
    ],
    [
      'a duplicate name',
      `${OK}  - name: prod\n`,
      'account 3 ("prod"): name: another account has this name',
    ],
    [
      'a channel in two accounts',
      `${OK}    channels: [C0PRODOPS1]\n`,
      'account 2 ("staging"): channels: C0PRODOPS1 is listed under account "prod" too',
    ],
    [
      'a bad TRN',
      OK.replace('trn:iam::2100000001:role/attach-key-bot', 'arn:aws:iam::1:role/x'),
      'account 1 ("prod"): roleTrn: expected trn:iam::<accountId>:role/<roleName>',
    ],
    [
      'a default region outside its regions',
      OK.replace('defaultRegion: cn-beijing', 'defaultRegion: cn-guangzhou'),
      'account 1 ("prod"): defaultRegion: cn-guangzhou is not one of its regions',
    ],
    [
      'a bad name',
      OK.replace('name: staging', 'name: Staging_1'),
      'account 2 ("Staging_1"): name: expected lower-case letters',
    ],
    [
      'one half of a key',
      OK.replace('    secretAccessKeyEnv: STAGING_SK\n', ''),
      'account 2 ("staging"): secretAccessKeyEnv: give accessKeyIdEnv and secretAccessKeyEnv together',
    ],
    ['no accounts', 'accounts: []\n', 'accounts: list at least one account'],
    ['not YAML', 'accounts: [\n', 'is not valid YAML'],
  ])('refuses %s, naming the file, the account and the field', async (_what, text, expected) => {
    expect(await refusal(text)).toContain(expected);
  });

  it('refuses a variable that is not set, naming it and not its value', async () => {
    const message = await refusal(OK, { STAGING_SK: '' });
    expect(message).toContain(
      'account 2 ("staging"): secretAccessKeyEnv: the variable STAGING_SK is not set',
    );
  });

  it('refuses a role without a base key', async () => {
    const message = await refusal(OK, { VOLC_ACCESS_KEY_ID: '', VOLC_SECRET_ACCESS_KEY: '' });
    expect(message).toContain('account 1 ("prod"): roleTrn: AssumeRole needs a base key');
  });

  it('refuses a file that cannot be read', () => {
    expect(() => loadConfig({ ...BASE_ENV, ACCOUNTS_FILE: join(dir, 'none.yaml') })).toThrow(
      /ACCOUNTS_FILE .*none\.yaml cannot be read \(it does not exist\)/,
    );
  });

  it('needs no variables in sandbox mode', () => {
    const accounts = parseAccountsText(
      OK,
      'accounts.yaml',
      {
        sandbox: true,
        volc: loadConfig({ ...BASE_ENV, VOLC_SANDBOX: 'true' }).volc,
        baseKeyGiven: false,
        role: { sessionName: 'bot', durationSeconds: 3600, stsEndpoint: 'https://sts.example' },
      },
      {},
    );
    expect(accounts.map((a) => a.name)).toEqual(['prod', 'staging']);
    expect(accounts[0]?.volc.role).toBeUndefined();
  });
});

describe('choosing the account', () => {
  const accounts = [
    { name: 'prod', channels: ['C0PROD'], regions: ['cn-beijing', 'cn-shanghai'] },
    { name: 'staging', channels: [] },
  ];
  const parse = (text: string, channelId: string) =>
    parseCommandText(text, { defaultRegion: 'cn-beijing', maxInstances: 10, accounts, channelId });

  it('uses the channel mapping, account=, and refuses what the rules refuse', () => {
    expect(chooseAccount(accounts, 'C0PROD', undefined)).toMatchObject({
      ok: true,
      account: { name: 'prod' },
    });
    expect(chooseAccount(accounts, 'C0PROD', 'staging')).toMatchObject({
      ok: false,
      problem: { kind: 'account_not_for_channel', asked: 'staging', mapped: 'prod' },
    });
    expect(chooseAccount(accounts, 'C0ELSE', undefined)).toMatchObject({
      ok: false,
      problem: { kind: 'account_required', names: ['prod', 'staging'] },
    });
    expect(chooseAccount([accounts[1] as never], 'C0ELSE', undefined)).toMatchObject({ ok: true });
    expect(parse('i-abcd1234 key=ops-key account=staging', 'C0ELSE')).toMatchObject({
      kind: 'request',
      draft: { account: 'staging' },
    });
    expect(parse('i-abcd1234 key=ops-key ACCOUNT＝Prod', 'C0PROD')).toMatchObject({
      kind: 'request',
      draft: { account: 'prod', region: 'cn-beijing' },
    });
    expect(parse('i-abcd1234 key=ops-key account=qa', 'C0ELSE')).toMatchObject({
      kind: 'error',
      problem: { kind: 'unknown_account', token: 'account=qa', names: ['prod', 'staging'] },
    });
    expect(parse('i-abcd1234 key=ops-key region=cn-guangzhou', 'C0PROD')).toMatchObject({
      kind: 'error',
      problem: { kind: 'region_not_in_account', account: 'prod' },
    });
    expect(parse('i-abcd1234 key=ops-key account=prod account=prod', 'C0PROD')).toMatchObject({
      kind: 'error',
      problem: { kind: 'option_twice', name: 'account' },
    });
    // A word that is no option lists account= among the options, in both languages.
    const wrong = parse('i-abcd1234 key=ops-key acount=prod', 'C0PROD');
    expect(wrong).toMatchObject({
      kind: 'error',
      problem: { kind: 'not_an_option', account: true },
    });
    if (wrong.kind !== 'error') return;
    expect(describeParseProblem(wrong.problem, en, PLAIN_FORMAT)).toContain('account=NAME');
    expect(describeParseProblem(wrong.problem, zh, PLAIN_FORMAT)).toContain('account=账号名');
    const single = parseCommandText('i-abcd1234 key=ops-key acount=prod', {
      defaultRegion: 'cn-beijing',
      maxInstances: 10,
    });
    if (single.kind !== 'error') throw new Error('expected a refusal');
    expect(describeParseProblem(single.problem, en, PLAIN_FORMAT)).not.toContain('account=');
  });

  it("accepts a region only an account lists, in that account's requests", () => {
    const special = [
      { name: 'auto', channels: [], regions: ['cn-beijing-autodriving'] },
      { name: 'prod', channels: [] },
    ];
    const parse = (text: string) =>
      parseCommandText(text, {
        defaultRegion: 'cn-beijing',
        maxInstances: 10,
        accounts: special,
        channelId: 'C0ELSE',
      });
    expect(parse('i-abcd1234 key=ops-key account=auto')).toMatchObject({
      kind: 'request',
      draft: { account: 'auto', region: 'cn-beijing-autodriving' },
    });
    expect(parse('i-abcd1234 key=ops-key account=auto region=cn-shanghai')).toMatchObject({
      kind: 'error',
      problem: { kind: 'region_not_in_account', regions: ['cn-beijing-autodriving'] },
    });
    expect(parse('i-abcd1234 key=ops-key account=prod region=cn-shanghai')).toMatchObject({
      kind: 'request',
      draft: { account: 'prod', region: 'cn-shanghai' },
    });
  });

  it("imports into the account's default region, and only its regions", () => {
    const key = makeTestKey('ed25519').line;
    const accounts = [
      { name: 'sh', channels: ['C0SH'], regions: ['cn-shanghai'], defaultRegion: 'cn-shanghai' },
      { name: 'bj', channels: [] },
    ];
    const parse = (text: string, channelId: string) =>
      parseCommandText(text, {
        defaultRegion: 'cn-beijing',
        maxInstances: 10,
        accounts,
        channelId,
      });
    expect(parse(`import team-key ${key}`, 'C0SH')).toMatchObject({
      kind: 'import',
      region: 'cn-shanghai',
    });
    expect(parse(`import team-key ${key} account=bj`, 'C0ELSE')).toMatchObject({
      kind: 'import',
      region: 'cn-beijing',
      account: 'bj',
    });
    expect(parse(`import team-key ${key} region=cn-beijing`, 'C0SH')).toMatchObject({
      kind: 'error',
      problem: { kind: 'region_not_in_account', account: 'sh' },
    });
    expect(parse(`import team-key ${key}`, 'C0ELSE')).toMatchObject({
      kind: 'error',
      problem: { kind: 'account_required' },
    });
  });

  it('without accounts: account=default only, and drafts name no account', () => {
    const single = (text: string) =>
      parseCommandText(text, { defaultRegion: 'cn-beijing', maxInstances: 10 });
    const plain = single('i-abcd1234 key=ops-key');
    expect(plain.kind === 'request' && 'account' in plain.draft).toBe(false);
    expect(single('i-abcd1234 key=ops-key account=default')).toMatchObject({ kind: 'request' });
    expect(single('i-abcd1234 key=ops-key account=prod')).toMatchObject({
      kind: 'error',
      problem: { kind: 'unknown_account', names: ['default'] },
    });
  });

  it('covers the account in the fingerprint and leaves requests without one as they were', () => {
    const base = {
      kind: 'attach' as const,
      region: 'cn-beijing',
      keyPairName: 'k',
      instanceIds: ['i-abcd1234'],
    };
    expect(requestFingerprint(base)).toBe(requestFingerprint({ ...base }));
    expect(requestFingerprint({ ...base, account: 'prod' })).not.toBe(requestFingerprint(base));
    expect(requestFingerprint({ ...base, account: 'prod' })).not.toBe(
      requestFingerprint({ ...base, account: 'staging' }),
    );
  });

  it('lets policy rules match the account', () => {
    const policy = {
      minApprovals: 1,
      rules: [{ name: 'prod', match: { account: 'prod' }, approvals: 2 }],
    };
    const ids = ['i-abcd1234'];
    expect(matchRules(policy, { instanceIds: ids, account: 'prod' })).toMatchObject({
      required: 2,
      rules: [{ name: 'prod', reason: 'account' }],
    });
    expect(matchRules(policy, { instanceIds: ids, account: 'staging' }).required).toBe(1);
    expect(matchRules(policy, { instanceIds: ids }).required).toBe(1);
  });
});

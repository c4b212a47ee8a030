import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { ACCOUNT_NAME, DEFAULT_ACCOUNT } from '../domain/accounts.js';
import { describeIssues, parseFileText, unreadable } from './config-file.js';
import type { VolcengineConfig } from './volcengine.js';

// ACCOUNTS_FILE (issue 24): the Volcengine accounts one bot serves, in YAML or JSON, read once at
// start with the policy file's parser and error style (config-file.ts). A missing, unreadable or invalid file
// refuses the start with a message naming the file, the account and the field; secrets are read
// from the variables the file names and never appear in a message. Without the file, the one
// account of the VOLC_* variables is account `default`.

export class AccountsFileError extends Error {
  readonly code = 'accounts_invalid';
  constructor(message: string) {
    super(message);
    this.name = 'AccountsFileError';
  }
}

/** One account as the bot uses it: its credentials (in `volc`), regions and channels. */
export interface AccountConfig {
  name: string;
  /** The account id, when the role's TRN names it (else STS GetCallerIdentity tells, at start). */
  accountId?: string;
  /** The VOLC_* settings with this account's credentials (key, or the role it assumes). */
  volc: VolcengineConfig;
  /** VOLC_STS_ENDPOINT: where AssumeRole and GetCallerIdentity go. */
  stsEndpoint: string;
  regions?: string[];
  defaultRegion: string;
  channels: string[];
}

const ROLE_TRN = /^trn:iam::(\d+):role\/[\w+=,.@-]{1,64}$/;
const REGION = /^[a-z]{2,}(-[a-z0-9]+)+$/;
const CHANNEL = /^[CGD][A-Z0-9]{2,}$/;
const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const variable = (what: string) =>
  z
    .string({ error: `expected the name of the variable that holds ${what}` })
    .regex(VARIABLE, { error: `expected the name of the variable that holds ${what}` });

const accountSchema = z
  .object({
    name: z.string({ error: 'expected a name (text)' }).regex(ACCOUNT_NAME, {
      error: 'expected lower-case letters, digits and "-" (at most 32), such as prod',
    }),
    roleTrn: z
      .string({ error: 'expected trn:iam::<accountId>:role/<roleName>' })
      .regex(ROLE_TRN, {
        error:
          'expected trn:iam::<accountId>:role/<roleName>, such as trn:iam::2100000000:role/attach-key-bot',
      })
      .optional(),
    accessKeyIdEnv: variable('the access key id').optional(),
    secretAccessKeyEnv: variable('the secret access key').optional(),
    regions: z
      .array(z.string().regex(REGION, { error: 'expected a region id such as cn-beijing' }), {
        error: 'expected a list of region ids such as [cn-beijing, cn-shanghai]',
      })
      .min(1, { error: 'list at least one region, or leave regions out' })
      .optional(),
    defaultRegion: z
      .string({ error: 'expected a region id such as cn-beijing' })
      .regex(REGION, { error: 'expected a region id such as cn-beijing' })
      .optional(),
    channels: z
      .array(
        z.string().regex(CHANNEL, { error: 'expected a Slack channel id such as C0123ABCD' }),
        {
          error: 'expected a list of Slack channel ids such as [C0123ABCD]',
        },
      )
      .optional(),
  })
  .strict();

const fileSchema = z
  .object(
    {
      accounts: z
        .array(accountSchema, { error: 'expected a list of accounts' })
        .min(1, { error: 'list at least one account' }),
    },
    { error: 'expected a map with an "accounts" list' },
  )
  .strict();

type FileAccount = z.infer<typeof accountSchema>;

/** What the accounts inherit from the VOLC_* variables. */
export interface AccountsBase {
  sandbox: boolean;
  volc: VolcengineConfig;
  /** VOLC_ACCESS_KEY_ID and VOLC_SECRET_ACCESS_KEY are set (the base key for AssumeRole). */
  baseKeyGiven: boolean;
  /** VOLC_ROLE_SESSION_NAME, VOLC_ROLE_DURATION_SECONDS, VOLC_STS_ENDPOINT. */
  role: { sessionName: string; durationSeconds: number; stsEndpoint: string };
}

/** The accounts of ACCOUNTS_FILE, in file order; `env` holds the variables the file names. */
export function loadAccountsFile(
  path: string,
  base: AccountsBase,
  env: Readonly<Record<string, string | undefined>>,
): AccountConfig[] {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new AccountsFileError(unreadable('ACCOUNTS_FILE', file, error));
  }
  return parseAccountsText(text, file, base, env);
}

export function parseAccountsText(
  text: string,
  file: string,
  base: AccountsBase,
  env: Readonly<Record<string, string | undefined>>,
): AccountConfig[] {
  const read = parseFileText(text, file, 'ACCOUNTS_FILE');
  if (!read.ok) throw new AccountsFileError(read.message);
  const parsed = fileSchema.safeParse(read.value ?? {});
  if (!parsed.success) {
    const problems = describeIssues(read.value, parsed.error.issues, 'accounts', 'account');
    throw new AccountsFileError(`ACCOUNTS_FILE ${file}: ${problems}`);
  }
  const refuse = (i: number, account: FileAccount, field: string, problem: string): never => {
    throw new AccountsFileError(
      `ACCOUNTS_FILE ${file}: account ${i + 1} ("${account.name}"): ${field}: ${problem}`,
    );
  };
  const names = new Set<string>();
  const channelOwner = new Map<string, string>();
  return parsed.data.accounts.map((account, i) => {
    if (names.has(account.name)) {
      refuse(i, account, 'name', 'another account has this name; names must differ');
    }
    names.add(account.name);
    for (const channel of account.channels ?? []) {
      const owner = channelOwner.get(channel);
      if (owner !== undefined) {
        refuse(
          i,
          account,
          'channels',
          `${channel} is listed under account "${owner}" too; a channel belongs to one account`,
        );
      }
      channelOwner.set(channel, account.name);
    }
    const regions = account.regions ? [...new Set(account.regions)] : undefined;
    const defaultRegion = account.defaultRegion ?? regions?.[0] ?? base.volc.region;
    if (regions && !regions.includes(defaultRegion)) {
      refuse(
        i,
        account,
        account.defaultRegion ? 'defaultRegion' : 'regions',
        `${defaultRegion} is not one of its regions (${regions.join(', ')})`,
      );
    }
    const volc = credentialsOf(account, base, env, (field, problem) =>
      refuse(i, account, field, problem),
    );
    const accountId = account.roleTrn ? ROLE_TRN.exec(account.roleTrn)?.[1] : undefined;
    return {
      name: account.name,
      ...(accountId ? { accountId } : {}),
      volc,
      stsEndpoint: base.role.stsEndpoint,
      ...(regions ? { regions } : {}),
      defaultRegion,
      channels: [...(account.channels ?? [])],
    };
  });
}

/** The account's VOLC_* settings: its own key (from the variables it names) or the base key, and its role. */
function credentialsOf(
  account: FileAccount,
  base: AccountsBase,
  env: Readonly<Record<string, string | undefined>>,
  refuse: (field: string, problem: string) => never,
): VolcengineConfig {
  const { accessKeyIdEnv, secretAccessKeyEnv } = account;
  if ((accessKeyIdEnv === undefined) !== (secretAccessKeyEnv === undefined)) {
    refuse(
      accessKeyIdEnv === undefined ? 'accessKeyIdEnv' : 'secretAccessKeyEnv',
      'give accessKeyIdEnv and secretAccessKeyEnv together (the variables of the key pair)',
    );
  }
  const { role: _role, sessionToken: _token, ...shared } = base.volc;
  let key = {
    accessKeyId: base.volc.accessKeyId,
    secretAccessKey: base.volc.secretAccessKey,
    ...(base.volc.sessionToken && !account.roleTrn ? { sessionToken: base.volc.sessionToken } : {}),
  };
  if (accessKeyIdEnv !== undefined && secretAccessKeyEnv !== undefined) {
    const id = env[accessKeyIdEnv]?.trim();
    const secret = env[secretAccessKeyEnv]?.trim();
    if (!id && !base.sandbox) refuse('accessKeyIdEnv', `the variable ${accessKeyIdEnv} is not set`);
    if (!secret && !base.sandbox) {
      refuse('secretAccessKeyEnv', `the variable ${secretAccessKeyEnv} is not set`);
    }
    key = {
      accessKeyId: id || `AKLTsandbox-${account.name}`,
      secretAccessKey: secret || `sandbox-secret-${account.name}`,
    };
  } else if (!base.baseKeyGiven && !base.sandbox) {
    refuse(
      account.roleTrn ? 'roleTrn' : 'accessKeyIdEnv',
      `${account.roleTrn ? 'AssumeRole needs a base key' : 'the account needs a key'}: set VOLC_ACCESS_KEY_ID and VOLC_SECRET_ACCESS_KEY, or give accessKeyIdEnv and secretAccessKeyEnv`,
    );
  }
  const { role } = base;
  return {
    ...shared,
    ...key,
    ...(account.roleTrn && !base.sandbox
      ? {
          role: {
            trn: account.roleTrn,
            sessionName: role.sessionName,
            durationSeconds: role.durationSeconds,
            stsEndpoint: role.stsEndpoint,
          },
        }
      : {}),
  };
}

/** Without ACCOUNTS_FILE: the one account of the VOLC_* variables. */
export function defaultAccount(volc: VolcengineConfig, stsEndpoint: string): AccountConfig {
  const accountId = volc.role ? ROLE_TRN.exec(volc.role.trn)?.[1] : undefined;
  return {
    name: DEFAULT_ACCOUNT,
    ...(accountId ? { accountId } : {}),
    volc,
    stsEndpoint,
    defaultRegion: volc.region,
    channels: [],
  };
}

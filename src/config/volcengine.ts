import { z } from 'zod';
import {
  bool,
  emptyAsUndefined,
  optionalText,
  type Problems,
  secretCarryingUrl,
  wholeNumber,
} from './fields.js';

// Volcengine: sandbox or live, the access key (or the role it assumes), the region, the endpoint
// and how calls are bounded and retried.

export const volcengineFields = {
  VOLC_SANDBOX: bool(false),
  /** Several accounts (issue 24): config/accounts-file.ts reads it. */
  ACCOUNTS_FILE: optionalText,
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
  VOLC_ENDPOINT: secretCarryingUrl(
    'https://open.volcengineapi.com',
    'signed requests and their security token',
  ),
  VOLC_MAX_CONCURRENCY: wholeNumber(4, 1, 64),
  VOLC_TIMEOUT_MS: wholeNumber(10_000, 100, 300_000),
  VOLC_MAX_ATTEMPTS: wholeNumber(5, 1, 20),
  VOLC_DEADLINE_MS: wholeNumber(60_000, 1_000, 3_600_000),
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
        error: 'expected 2 to 64 letters, digits or + = , . @ - _ (it names the bot in audit logs)',
      })
      .optional()
      .transform((v) => v ?? 'attach-key-bot'),
  ),
  // STS refuses less than 900 s; the role's own maximum session duration may be lower than 43200.
  VOLC_ROLE_DURATION_SECONDS: wholeNumber(3600, 900, 43_200),
  VOLC_STS_ENDPOINT: secretCarryingUrl(
    'https://sts.volcengineapi.com',
    'the temporary credentials STS answers with',
  ).refine((v) => /^https?:\/\/[^/?#]+\/?$/.test(v), {
    error: 'expected a bare origin such as https://sts.volcengineapi.com (no path)',
  }),
};

type Env = z.infer<z.ZodObject<typeof volcengineFields>>;

export interface VolcengineConfig {
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
}

/** Rules across variables; `env` fields that failed on their own still hold their raw input. */
export function checkVolcengine(env: Readonly<Record<string, unknown>>, problems: Problems): void {
  // With ACCOUNTS_FILE, each account names its key or uses the base key: accounts-file.ts checks.
  if (env.VOLC_SANDBOX === false && !env.ACCOUNTS_FILE) {
    const what = env.VOLC_ROLE_TRN
      ? 'the base access key that calls AssumeRole for VOLC_ROLE_TRN'
      : 'Volcengine access key credentials';
    for (const name of ['VOLC_ACCESS_KEY_ID', 'VOLC_SECRET_ACCESS_KEY'] as const) {
      if (!env[name]) problems.add(name, `required unless VOLC_SANDBOX=true (${what})`);
    }
  }
  if (env.VOLC_ROLE_TRN && env.VOLC_SESSION_TOKEN) {
    problems.add(
      'VOLC_SESSION_TOKEN',
      'must not be set with VOLC_ROLE_TRN: the base key renews the role credentials for as long as the bot runs, and a session token means it is itself temporary, so every renewal would fail once it expires (use a long-lived access key as the base)',
    );
  }
}

export function toVolcengineConfig(env: Env): { sandbox: boolean; volc: VolcengineConfig } {
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
  };
}

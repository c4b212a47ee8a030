import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { ACCOUNT_NAME } from '../domain/accounts.js';
import type { PolicyRule } from '../domain/policy.js';
import { describeIssues, parseFileText, unreadable } from './config-file.js';

// POLICY_FILE: approval rules by tag, size (issue 12) and restarts (issue 21), in YAML or JSON. Read once at start; a
// missing, unreadable or invalid file refuses the start with a message naming the file, the rule
// and the field (config-file.ts).

export class PolicyFileError extends Error {
  readonly code = 'policy_invalid';
  constructor(message: string) {
    super(message);
    this.name = 'PolicyFileError';
  }
}

const APPROVER_ID = /^[UWS][A-Z0-9]{2,}$/;
const TAG = /^([^=\s]{1,128})=([^\s]{0,256})$/;

const ruleSchema = z
  .object({
    name: z
      .string({ error: 'expected a name (text)' })
      .trim()
      .min(1, { error: 'expected a name' })
      .max(80),
    match: z
      .object(
        {
          tag: z
            .string({ error: 'expected key=value such as env=prod' })
            .regex(TAG, { error: 'expected key=value such as env=prod' })
            .optional(),
          instancesOver: z
            .number({ error: 'expected a whole number of instances, 0 or more' })
            .int({ error: 'expected a whole number of instances, 0 or more' })
            .min(0, { error: 'expected a whole number of instances, 0 or more' })
            .optional(),
          restarts: z
            .literal(true, {
              error: 'expected true (the rule applies to requests that restart instances)',
            })
            .optional(),
          account: z
            .string({ error: 'expected an account name of ACCOUNTS_FILE, such as prod' })
            .regex(ACCOUNT_NAME, {
              error: 'expected an account name of ACCOUNTS_FILE, such as prod',
            })
            .optional(),
        },
        { error: 'expected a map with tag, instancesOver, restarts and/or account' },
      )
      .strict()
      .refine(
        (m) =>
          m.tag !== undefined ||
          m.instancesOver !== undefined ||
          m.restarts !== undefined ||
          m.account !== undefined,
        {
          error:
            'give tag (key=value), instancesOver (a number), restarts: true or account (a name), or several',
        },
      ),
    approvals: z
      .number({ error: 'expected a whole number of approvals, at least 1' })
      .int({ error: 'expected a whole number of approvals, at least 1' })
      .min(1, { error: 'expected a whole number of approvals, at least 1' })
      .max(20, { error: 'at most 20 approvals' }),
    approvers: z
      .array(
        z
          .string()
          .regex(APPROVER_ID, { error: 'expected a Slack user id (U…) or user-group id (S…)' }),
        {
          error: 'expected a list of Slack user ids (U…) and user-group ids (S…)',
        },
      )
      .min(1, { error: 'list at least one approver, or leave approvers out' })
      .optional(),
  })
  .strict();

const fileSchema = z
  .object(
    { rules: z.array(ruleSchema, { error: 'expected a list of rules' }) },
    { error: 'expected a map with a "rules" list' },
  )
  .strict();

/** Reads and checks the policy file; rules come out in file order. */
export async function loadPolicyFile(path: string): Promise<PolicyRule[]> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new PolicyFileError(unreadable('POLICY_FILE', file, error));
  }
  return parsePolicyText(text, file);
}

/** Parses policy text (JSON when the file ends in .json, else YAML). */
export function parsePolicyText(text: string, file: string): PolicyRule[] {
  const read = parseFileText(text, file, 'POLICY_FILE');
  if (!read.ok) throw new PolicyFileError(read.message);
  const parsed = fileSchema.safeParse(read.value ?? {});
  if (!parsed.success) {
    const problems = describeIssues(read.value, parsed.error.issues, 'rules', 'rule');
    throw new PolicyFileError(`POLICY_FILE ${file}: ${problems}`);
  }
  const names = new Set<string>();
  return parsed.data.rules.map((rule, i) => {
    if (names.has(rule.name)) {
      throw new PolicyFileError(
        `POLICY_FILE ${file}: rule ${i + 1} ("${rule.name}"): name: another rule has this name; names must differ`,
      );
    }
    names.add(rule.name);
    const tag = rule.match.tag ? TAG.exec(rule.match.tag) : null;
    return {
      name: rule.name,
      match: {
        ...(tag ? { tag: { key: tag[1] as string, value: tag[2] as string } } : {}),
        ...(rule.match.instancesOver !== undefined
          ? { instancesOver: rule.match.instancesOver }
          : {}),
        ...(rule.match.restarts ? { restarts: true as const } : {}),
        ...(rule.match.account ? { account: rule.match.account } : {}),
      },
      approvals: rule.approvals,
      ...(rule.approvers ? { approvers: rule.approvers } : {}),
    };
  });
}

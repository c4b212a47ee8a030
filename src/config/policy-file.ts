import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { ACCOUNT_NAME } from '../domain/accounts.js';
import type { PolicyRule } from '../domain/policy.js';

// POLICY_FILE: approval rules by tag, size (issue 12) and restarts (issue 21), in YAML or JSON. Read once at start; a
// missing, unreadable or invalid file refuses the start with a message naming the file, the rule
// and the field. The `yaml` package is the reference YAML parser.

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
    const code = (error as { code?: string }).code ?? 'unreadable';
    const why =
      code === 'ENOENT' ? 'it does not exist' : code === 'EACCES' ? 'permission denied' : code;
    throw new PolicyFileError(
      `POLICY_FILE ${file} cannot be read (${why}). Point POLICY_FILE at a YAML or JSON file, or unset it.`,
    );
  }
  return parsePolicyText(text, file);
}

/** Parses policy text (JSON when the file ends in .json, else YAML). */
export function parsePolicyText(text: string, file: string): PolicyRule[] {
  let value: unknown;
  try {
    value = file.toLowerCase().endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    const where =
      error instanceof YAMLParseError && error.linePos?.[0]
        ? ` at line ${error.linePos[0].line}, column ${error.linePos[0].col}`
        : '';
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    throw new PolicyFileError(
      `POLICY_FILE ${file} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}${where}: ${reason}`,
    );
  }
  const parsed = fileSchema.safeParse(value ?? {});
  if (!parsed.success) {
    // The first few problems, so a file with several mistakes is fixed in one go.
    const problems = parsed.error.issues.slice(0, 3).map((issue) => describeIssue(value, issue));
    throw new PolicyFileError(`POLICY_FILE ${file}: ${problems.join('; ')}`);
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

/** `rule 2 ("production"): match.tag: expected key=value …` */
function describeIssue(value: unknown, issue: z.core.$ZodIssue): string {
  const [first, index, ...rest] = issue.path;
  const message =
    issue.code === 'unrecognized_keys'
      ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`
      : issue.message;
  if (first !== 'rules' || typeof index !== 'number') {
    return `${issue.path.length ? `${issue.path.join('.')}: ` : ''}${message}`;
  }
  const rules = (value as { rules?: Array<{ name?: unknown }> }).rules;
  const name = rules?.[index]?.name;
  const rule = `rule ${index + 1}${typeof name === 'string' ? ` ("${name}")` : ''}`;
  return `${rule}: ${rest.length ? `${rest.join('.')}: ` : ''}${message}`;
}

import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';

// What the policy file and the accounts file share: YAML or JSON (by the file's extension), read
// once at start, and every problem said in words naming the variable, the file, the entry (rule 2
// ("production"), account 1 ("prod")) and the field. The `yaml` package is the reference parser.

/** `POLICY_FILE /etc/x.yaml cannot be read (it does not exist). Point POLICY_FILE at …` */
export function unreadable(variable: string, file: string, error: unknown): string {
  const code = (error as { code?: string }).code ?? 'unreadable';
  const why =
    code === 'ENOENT' ? 'it does not exist' : code === 'EACCES' ? 'permission denied' : code;
  return `${variable} ${file} cannot be read (${why}). Point ${variable} at a YAML or JSON file, or unset it.`;
}

/** The file's value (JSON when it ends in .json, else YAML), or why it does not parse. */
export function parseFileText(
  text: string,
  file: string,
  variable: string,
): { ok: true; value: unknown } | { ok: false; message: string } {
  const json = file.toLowerCase().endsWith('.json');
  try {
    return { ok: true, value: json ? JSON.parse(text) : parseYaml(text) };
  } catch (error) {
    const where =
      error instanceof YAMLParseError && error.linePos?.[0]
        ? ` at line ${error.linePos[0].line}, column ${error.linePos[0].col}`
        : '';
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    return {
      ok: false,
      message: `${variable} ${file} is not valid ${json ? 'JSON' : 'YAML'}${where}: ${reason}`,
    };
  }
}

/**
 * The first few problems of a file that does not fit its schema (so one with several mistakes is
 * fixed in one go): `rule 2 ("production"): match.tag: expected key=value …`, where `list` is the
 * top-level list (`rules`) and `noun` names its entries (`rule`).
 */
export function describeIssues(
  value: unknown,
  issues: readonly z.core.$ZodIssue[],
  list: string,
  noun: string,
): string {
  return issues
    .slice(0, 3)
    .map((issue) => describeIssue(value, issue, list, noun))
    .join('; ');
}

function describeIssue(value: unknown, issue: z.core.$ZodIssue, list: string, noun: string) {
  const [first, index, ...rest] = issue.path;
  const message =
    issue.code === 'unrecognized_keys'
      ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`
      : issue.message;
  if (first !== list || typeof index !== 'number') {
    return `${issue.path.length ? `${issue.path.join('.')}: ` : ''}${message}`;
  }
  const entries = (value as Record<string, Array<{ name?: unknown }> | undefined>)[list];
  const name = entries?.[index]?.name;
  const label = `${noun} ${index + 1}${typeof name === 'string' ? ` ("${name}")` : ''}`;
  return `${label}: ${rest.length ? `${rest.join('.')}: ` : ''}${message}`;
}

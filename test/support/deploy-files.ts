import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import type { z } from 'zod';
import { CONFIG_VARIABLES, SECRET_VARIABLES } from '../../src/config/config.js';
import { opsFields } from '../../src/config/ops.js';
import { policyFields } from '../../src/config/policy.js';
import { slackFields } from '../../src/config/slack.js';
import { storeFields } from '../../src/config/store.js';
import { volcengineFields } from '../../src/config/volcengine.js';

// What the deploy files (Dockerfile, compose.yaml, deploy/kubernetes) are checked against: the
// configuration schema itself, so a renamed variable or a changed default port cannot leave them
// behind. No number of the bot's is copied here.

export const REPO = fileURLToPath(new URL('../../', import.meta.url));

export const readRepoFile = (path: string) => readFileSync(new URL(path, `file://${REPO}`), 'utf8');

// Every concern's fields, by variable name; a test keeps this equal to CONFIG_VARIABLES.
const FIELDS: Record<string, z.ZodType> = {
  ...volcengineFields,
  ...slackFields,
  ...opsFields,
  ...policyFields,
  ...storeFields,
};

export const SCHEMA_VARIABLES = Object.keys(FIELDS);

const isConfigVariable = (name: string) => (CONFIG_VARIABLES as readonly string[]).includes(name);
export const isSecretVariable = (name: string) =>
  (SECRET_VARIABLES as readonly string[]).includes(name);

/** What the bot makes of `name` in this environment: the value given, or its default. */
export function settingOf(name: string, env: Record<string, string | undefined> = {}): unknown {
  const field = FIELDS[name];
  if (!field || !isConfigVariable(name)) {
    throw new Error(`${name} is not a variable of the configuration schema (src/config/)`);
  }
  return field.parse(env[name]);
}

/** The names in `names` the bot does not read (expected: none). */
export const unknownVariables = (names: Iterable<string>) =>
  [...names].filter((name) => !isConfigVariable(name));

/**
 * A stand-in for each secret a deployment provides: shaped as the schema wants it, and easy to
 * recognise, so a test can tell it never came from a committed file.
 */
export const PLACEHOLDER_SECRETS: Record<(typeof SECRET_VARIABLES)[number], string> = {
  VOLC_ACCESS_KEY_ID: 'placeholder-access-key-id',
  VOLC_SECRET_ACCESS_KEY: 'placeholder-secret-access-key',
  VOLC_SESSION_TOKEN: 'placeholder-session-token',
  SLACK_BOT_TOKEN: 'xoxb-placeholder',
  SLACK_SIGNING_SECRET: 'placeholder-signing-secret',
  SLACK_APP_TOKEN: 'xapp-placeholder',
  DATABASE_URL: 'postgres://placeholder@db.placeholder:5432/placeholder',
};

/** Shapes of real credentials; none may appear in a committed deploy file. */
export const CREDENTIAL_PATTERNS = [
  /xox[abpr]-[A-Za-z0-9-]{8,}/,
  /xapp-[A-Za-z0-9-]{8,}/,
  /AKLT[A-Za-z0-9]{16,}/,
  /postgres(?:ql)?:\/\/[^\s:@/]+:(?!\$\{)[^\s@/]+@/,
];

const rendered = new Map<string, string>();

/** `kubectl kustomize` of a folder under deploy/kubernetes, as parsed objects (fresh copies). */
export function renderKustomize(folder: string): KubeObject[] {
  let output = rendered.get(folder);
  if (output === undefined) {
    output = runKustomize(folder);
    rendered.set(folder, output);
  }
  return parseAllDocuments(output).map((doc) => doc.toJS() as KubeObject);
}

function runKustomize(folder: string): string {
  const dir = `${REPO}deploy/kubernetes/${folder}`;
  try {
    return execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', timeout: 30_000 });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT') {
      throw new Error(
        'kubectl is not installed: the Kubernetes tests render with kubectl kustomize',
      );
    }
    throw error;
  }
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export function compose(): Record<string, unknown> {
  return parse(readRepoFile('compose.yaml')) as Record<string, unknown>;
}

/**
 * Compose's interpolation (`${NAME}`, `${NAME:?error}`, `${NAME:-default}`) with these values;
 * `missing` collects the required names that had none.
 */
export function interpolate(
  text: string,
  values: Record<string, string>,
  missing: string[] = [],
): string {
  return text.replace(
    /\$\{(\w+)(?:(:\?|:-)([^}]*))?\}/g,
    (_, name: string, op?: string, rest?: string) => {
      const value = values[name];
      if (value !== undefined && value !== '') return value;
      if (op === ':-') return rest ?? '';
      if (op === ':?') missing.push(name);
      return '';
    },
  );
}

/** The names a text interpolates (`${NAME…}`). */
export const interpolatedNames = (text: string) =>
  [...text.matchAll(/\$\{(\w+)/g)].map((m) => m[1] as string);

export const packageJson = () =>
  JSON.parse(readRepoFile('package.json')) as { version: string; license?: string };

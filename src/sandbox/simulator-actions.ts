import { type InstanceRecord, iso, type SimInstance, type SimKeyPair } from './inventory.js';

// The ECS actions of the simulator: parameter checks, filters and paging for the two reads, and
// what each mutation does to one instance. The state and the idempotency live in simulator.ts.

export const MAX_INSTANCE_IDS = 100;
const MAX_PAGE = 100;
const DEFAULT_PAGE = 10;
const MAX_CLIENT_TOKEN = 64;

/** The API pages' English messages, typos included. */
export const ECS_MESSAGES: Readonly<Record<string, string>> = {
  'InvalidInstance.NotFound': 'The specified instance does not exist.',
  'InvalidKeyPairForWindows.Unsupported':
    'The OSType of this specified instance is Windows, which does not support key pairs.',
  'InvalidResetAuthenticationAgent.NotFound':
    'The specified reset-authentication agent does not install on the instance.',
  InvalidInstanceStatus: 'The status of the specified instance does not support this request.',
  FlowLimitExceeded: "You've reach the limit on request rate of resources.",
  // The simulator's own wording: DetachKeyPair's error table is not documented.
  'InvalidKeyPair.NotAttached': 'The specified key pair is not attached to the instance.',
  'MissingParameter.KeyPairNameAndKeyPairId':
    'The required parameters KeyPairName and KeyPairId are not supplied.',
  'MissingParameter.InstanceIds': 'The required parameter InstanceIds is not supplied.',
  'LimitExceeded.MaximumInstanceIds':
    "You've reached the limit on the number of InstanceIds that you can set.",
  'InvalidClientToken.Malformed': 'The specified ClientToken is malformed.',
  IdempotentParameterMismatch:
    'The request uses the same client token as a previous, but non-identical request. Do not reuse a client token with different requests, unless the requests are identical.',
  'InvalidKeyPair.NotFound': 'The specified KeyPair does not exist.',
  InternalError: 'An internal error has occurred.',
};

export type Params = ReadonlyArray<readonly [string, string]>;

export type MutationAction = 'AttachKeyPair' | 'DetachKeyPair' | 'RebootInstances';

/** An error answer: HTTP status, code and message, as the API's envelope carries them. */
export interface SimError {
  status: number;
  code: string;
  message: string;
}

export type Detail = { Code: string; Message: string } | null;

export function simError(status: number, code: string, message = ECS_MESSAGES[code]): SimError {
  return { status, code, message: message ?? code };
}

export function invalid(name: string): SimError {
  return simError(400, 'InvalidParameter', `The specified parameter ${name} is invalid.`);
}

/** Values of `Prefix.1`, `Prefix.2`, … in the order of N; empty values are skipped. */
export function numbered(params: Params, prefix: string): string[] {
  const found: Array<[number, string]> = [];
  for (const [key, value] of params) {
    const n = key.startsWith(`${prefix}.`) ? key.slice(prefix.length + 1) : '';
    if (/^[1-9]\d*$/.test(n) && value !== '') found.push([Number(n), value]);
  }
  return found.sort((a, b) => a[0] - b[0]).map(([, value]) => value);
}

/** The last non-empty value of a parameter (an empty value counts as not given). */
export function param(params: Params, name: string): string | undefined {
  let value: string | undefined;
  for (const [key, v] of params) if (key === name && v !== '') value = v;
  return value;
}

export interface MutationRequest {
  action: MutationAction;
  instanceIds: string[];
  keyPairName?: string;
  keyPairId?: string;
  clientToken?: string;
  /** Every parameter but Action, Version and ClientToken, sorted: what a token must repeat. */
  fingerprint: string;
}

/** The request-level checks of AttachKeyPair, DetachKeyPair and RebootInstances. */
export function readMutation(action: MutationAction, params: Params): MutationRequest | SimError {
  const instanceIds = numbered(params, 'InstanceIds');
  const keyPairName = param(params, 'KeyPairName');
  const keyPairId = param(params, 'KeyPairId');
  const clientToken = param(params, 'ClientToken');
  if (instanceIds.length === 0) return simError(400, 'MissingParameter.InstanceIds');
  // RebootInstances is assumed to share the batch codes of the key pair actions.
  if (instanceIds.length > MAX_INSTANCE_IDS) {
    return simError(400, 'LimitExceeded.MaximumInstanceIds');
  }
  if (action === 'RebootInstances') {
    const forceStop = param(params, 'ForceStop');
    if (forceStop !== undefined && forceStop !== 'true' && forceStop !== 'false') {
      return invalid('ForceStop');
    }
  } else if (!keyPairName && !keyPairId) {
    return simError(400, 'MissingParameter.KeyPairNameAndKeyPairId');
  }
  if (clientToken !== undefined && !isClientTokenValid(clientToken)) {
    return simError(400, 'InvalidClientToken.Malformed');
  }
  const kept = params
    .filter(([k]) => k !== 'Action' && k !== 'Version' && k !== 'ClientToken')
    .map(([k, v]) => `${k}=${v}`)
    .sort();
  return {
    action,
    instanceIds,
    ...(keyPairName ? { keyPairName } : {}),
    ...(keyPairId ? { keyPairId } : {}),
    ...(clientToken ? { clientToken } : {}),
    fingerprint: JSON.stringify(kept),
  };
}

/** ASCII only, at most 64 characters (the AttachKeyPair page). */
function isClientTokenValid(token: string): boolean {
  return token.length <= MAX_CLIENT_TOKEN && [...token].every((c) => c.charCodeAt(0) < 0x80);
}

export interface InstanceChange {
  now: number;
  rebootMs: number;
  keyPair?: SimKeyPair;
  forced?: { code: string; message: string };
}

/**
 * One instance of a batch: its OperationDetails error, or null after changing the record. The
 * checks run in the order the API pages list the constraints; a forced failure comes last so a
 * scripted code never hides a real one.
 */
export function changeInstance(
  action: MutationAction,
  record: InstanceRecord | undefined,
  change: InstanceChange,
): Detail {
  const fail = (code: string, message = ECS_MESSAGES[code] ?? code): Detail => ({
    Code: code,
    Message: message,
  });
  if (!record) return fail('InvalidInstance.NotFound');
  const { keyPair, forced } = change;
  const keyStatusOk = record.status === 'RUNNING' || record.status === 'STOPPED';
  if (action === 'AttachKeyPair') {
    if (record.osType === 'Windows') return fail('InvalidKeyPairForWindows.Unsupported');
    if (!record.passwordAgent) return fail('InvalidResetAuthenticationAgent.NotFound');
    if (!keyStatusOk) return fail('InvalidInstanceStatus');
  } else if (action === 'DetachKeyPair') {
    if (!keyPair || record.keyPairId !== keyPair.keyPairId) {
      return fail('InvalidKeyPair.NotAttached');
    }
    if (!keyStatusOk) return fail('InvalidInstanceStatus');
  } else if (record.status !== 'RUNNING') {
    return fail('InvalidInstanceStatus');
  }
  if (forced) return fail(forced.code, forced.message);
  record.updatedAt = iso(change.now);
  if (action === 'AttachKeyPair' && keyPair) {
    // A new binding replaces the old one, as the console's does.
    record.keyPairId = keyPair.keyPairId;
    record.keyPairName = keyPair.keyPairName;
  } else if (action === 'DetachKeyPair') {
    delete record.keyPairId;
    delete record.keyPairName;
  } else {
    record.status = 'REBOOTING';
    const ms = record.rebootMs ?? change.rebootMs;
    record.transition = { until: change.now + ms, becomes: 'RUNNING' };
  }
  return null;
}

export interface Page<T> {
  items: T[];
  nextToken: string;
  total: number;
}

/** MaxResults (1–100, default 10) and an opaque NextToken over a stable list. */
export function paginate<T>(items: readonly T[], params: Params): Page<T> | SimError {
  const max = param(params, 'MaxResults');
  const size = max === undefined ? DEFAULT_PAGE : /^\d{1,3}$/.test(max) ? Number(max) : Number.NaN;
  if (!(size >= 1 && size <= MAX_PAGE)) return invalid('MaxResults');
  const token = param(params, 'NextToken');
  const start = token === undefined ? 0 : readNextToken(token);
  if (start === undefined) return invalid('NextToken');
  const end = start + size;
  const nextToken = end < items.length ? Buffer.from(`sim:${end}`).toString('base64url') : '';
  return { items: items.slice(start, end), nextToken, total: items.length };
}

function readNextToken(token: string): number | undefined {
  const match = /^sim:(\d{1,9})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  return match ? Number(match[1]) : undefined;
}

export function toApiInstance(i: SimInstance): Record<string, unknown> {
  return {
    InstanceId: i.instanceId,
    InstanceName: i.name,
    Description: '',
    Hostname: i.hostname,
    Status: i.status,
    OsType: i.osType,
    OsName: i.osName,
    ImageId: i.imageId,
    InstanceTypeId: 'ecs.g3il.large',
    ZoneId: i.zoneId,
    VpcId: `vpc-sim-${i.region}`,
    // Assumed: an instance without a key pair reports empty strings, not absent fields.
    KeyPairName: i.keyPairName ?? '',
    KeyPairId: i.keyPairId ?? '',
    ProjectName: 'default',
    CreatedAt: i.createdAt,
    UpdatedAt: i.updatedAt,
    Tags: i.tags.map((t) => ({ Key: t.key, Value: t.value })),
  };
}

/** DescribeKeyPairs filters; exact names and ids are looked up (and materialised) by the caller. */
export function filterKeyPairs(
  all: readonly SimKeyPair[],
  params: Params,
): SimKeyPair[] | SimError {
  const names = numbered(params, 'KeyPairNames');
  const ids = numbered(params, 'KeyPairIds');
  if (names.length > MAX_PAGE) return invalid('KeyPairNames');
  if (ids.length > MAX_PAGE) return invalid('KeyPairIds');
  const fuzzy = param(params, 'KeyPairName')?.toLowerCase();
  const fingerprint = param(params, 'FingerPrint');
  return all.filter(
    (k) =>
      (names.length === 0 || names.includes(k.keyPairName)) &&
      (ids.length === 0 || ids.includes(k.keyPairId)) &&
      (fuzzy === undefined || k.keyPairName.toLowerCase().includes(fuzzy)) &&
      (fingerprint === undefined || k.fingerprint === fingerprint),
  );
}

export function toApiKeyPair(k: SimKeyPair): Record<string, unknown> {
  return {
    KeyPairId: k.keyPairId,
    KeyPairName: k.keyPairName,
    Description: k.description,
    FingerPrint: k.fingerprint,
    CreatedAt: k.createdAt,
    UpdatedAt: k.createdAt,
    ProjectName: 'default',
    Tags: [],
  };
}

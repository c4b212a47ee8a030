import type { InstanceOutcome } from '../domain/request.js';
import { isRecord } from './errors.js';
import { refusal } from './openapi-caller.js';

// What ECS answers, read defensively into the client's own types, and the checks a batch call
// passes before anything is sent. An entry without a string id is skipped and counted, never a crash.

export const MAX_INSTANCE_IDS = 100;

export interface InstanceInfo {
  instanceId: string;
  name: string;
  /** RUNNING, STOPPED, REBOOTING, …; '' when the API sent none. */
  status: string;
  /** Linux or Windows as the API spells it; '' when the API sent none. */
  osType: string;
  osName?: string;
  keyPairId?: string;
  keyPairName?: string;
  zoneId?: string;
  tags: Array<{ key: string; value: string }>;
}

export interface KeyPairInfo {
  keyPairId: string;
  keyPairName: string;
  /** As the API sends it (MD5, colon-separated); '' when absent. */
  fingerprint: string;
  description?: string;
}

/** The answer of AttachKeyPair, DetachKeyPair and RebootInstances. */
export interface BatchAnswer {
  requestId: string;
  outcomes: InstanceOutcome[];
}

export function checkInstanceIds(action: string, ids: readonly string[]): void {
  if (ids.length === 0) {
    throw refusal('MissingParameter.InstanceIds', `No instance ids were given to ${action}`);
  }
  if (ids.length > MAX_INSTANCE_IDS) {
    throw refusal(
      'LimitExceeded.MaximumInstanceIds',
      `${action} takes at most ${MAX_INSTANCE_IDS} instance ids per call, got ${ids.length}`,
    );
  }
  if (ids.some((id) => typeof id !== 'string' || id.trim() === '')) {
    throw refusal('InvalidParameter.InstanceIds', `An instance id given to ${action} is empty`);
  }
}

export function checkClientToken(clientToken: string): void {
  if (typeof clientToken !== 'string' || !/^[\x21-\x7e]{1,64}$/.test(clientToken)) {
    throw refusal(
      'InvalidClientToken.Malformed',
      'The ClientToken must be 1 to 64 printable ASCII characters',
    );
  }
}

export function checkKeyPair(action: string, input: { keyPairName?: string; keyPairId?: string }) {
  if (!input.keyPairName && !input.keyPairId) {
    throw refusal(
      'MissingParameter.KeyPairNameAndKeyPairId',
      `${action} needs a key pair name or a key pair id`,
    );
  }
}

/** `InstanceIds.1`, `InstanceIds.2`, … (never a repeated key). */
export function numbered(prefix: string, values: readonly string[]): Array<[string, string]> {
  return values.map((value, i) => [`${prefix}.${i + 1}`, value]);
}

/** One outcome per requested instance, in request order; listed with an error code = failed. */
export function toOutcomes(instanceIds: readonly string[], result: unknown): InstanceOutcome[] {
  const details = isRecord(result) ? result.OperationDetails : undefined;
  const failures = new Map<string, { code: string; message: string }>();
  for (const detail of Array.isArray(details) ? details : []) {
    if (!isRecord(detail) || typeof detail.InstanceId !== 'string') continue;
    const error = detail.Error;
    if (!isRecord(error) || typeof error.Code !== 'string' || error.Code === '') continue;
    if (failures.has(detail.InstanceId)) continue;
    const message = typeof error.Message === 'string' ? error.Message : '';
    failures.set(detail.InstanceId, { code: error.Code, message });
  }
  return instanceIds.map((instanceId) => {
    const failure = failures.get(instanceId);
    return failure ? { instanceId, ok: false, ...failure } : { instanceId, ok: true };
  });
}

/** The list under `Result[key]`, read entry by entry; `malformed` counts the skipped ones. */
export function readList<T>(
  result: unknown,
  key: string,
  read: (entry: Record<string, unknown>) => T | undefined,
): { items: T[]; malformed: number } {
  const list = isRecord(result) ? result[key] : undefined;
  const items: T[] = [];
  let malformed = 0;
  for (const entry of Array.isArray(list) ? list : []) {
    const item = isRecord(entry) ? read(entry) : undefined;
    if (item === undefined) malformed += 1;
    else items.push(item);
  }
  return { items, malformed };
}

export function readInstance(raw: Record<string, unknown>): InstanceInfo | undefined {
  const instanceId = text(raw.InstanceId);
  if (!instanceId) return undefined;
  const optional = {
    osName: text(raw.OsName),
    keyPairId: text(raw.KeyPairId),
    keyPairName: text(raw.KeyPairName),
    zoneId: text(raw.ZoneId),
  };
  return {
    instanceId,
    name: text(raw.InstanceName) ?? '',
    status: text(raw.Status) ?? '',
    osType: text(raw.OsType) ?? '',
    ...withoutUndefined(optional),
    tags: readTags(raw.Tags),
  };
}

export function readKeyPair(raw: Record<string, unknown>): KeyPairInfo | undefined {
  const keyPairId = text(raw.KeyPairId);
  if (!keyPairId) return undefined;
  const description = text(raw.Description);
  return {
    keyPairId,
    keyPairName: text(raw.KeyPairName) ?? '',
    fingerprint: text(raw.FingerPrint) ?? '',
    ...(description ? { description } : {}),
  };
}

/** `NextToken` when there is another page: empty or absent means the last one. */
export function readNextToken(result: unknown): string | undefined {
  return isRecord(result) ? text(result.NextToken) : undefined;
}

export function readCount(result: unknown, key: string): number | undefined {
  const value = isRecord(result) ? result[key] : undefined;
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function readTags(tags: unknown): Array<{ key: string; value: string }> {
  if (!Array.isArray(tags)) return [];
  return tags.flatMap((tag) => {
    const key = isRecord(tag) ? text(tag.Key) : undefined;
    if (!key || !isRecord(tag)) return [];
    return [{ key, value: typeof tag.Value === 'string' ? tag.Value : '' }];
  });
}

/** A non-empty string, or undefined. */
function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function withoutUndefined<T extends Record<string, string | undefined>>(
  values: T,
): { [K in keyof T]?: string } {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: string;
  };
}

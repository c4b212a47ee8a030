import type { MutationRequest, RequestStatus } from '../domain/request.js';
import { locateSyntaxError } from './json-locate.js';
import { deepFreeze, isRecord } from './records.js';
import { StoreError } from './store-error.js';
import { upgradeRequest, type V1Request } from './upgrade-v1.js';

// DATA_FILE's text: `{"version":2,"epoch":N,"requests":{<id>:<request>,...}}`, compact (rewritten
// when the change log beside it is folded in: change-log.ts). Format 1 files are upgraded on read; anything else that is not a
// store we can read is refused with a message naming the file and what to do, never overwritten.

export const LIVE_VERSION = 2;

export interface LiveData {
  version: typeof LIVE_VERSION;
  /**
   * Which change log lines are not in this file yet (change-log.ts): those of this epoch. Raised
   * by every compaction; absent in files from before the change log (then 0).
   */
  epoch?: number;
  /** A prototype-less map: ids are data, never Object.prototype keys. */
  requests: Record<string, MutationRequest>;
}

export interface ParsedLive extends LiveData {
  /** The format the file was in when it was not the current one. */
  upgradedFrom?: 1;
}

const KNOWN_STATUSES: ReadonlySet<string> = new Set<RequestStatus>([
  'pending',
  'approved',
  'rejected',
  'expired',
  'executing',
  'done',
  'failed',
  'cancelled',
  'voided',
]);
const KNOWN_KINDS: ReadonlySet<string> = new Set(['attach', 'restart', 'undo', 'apply']);

export const WHAT_TO_DO =
  'The bot will not overwrite it. Restore it from a backup, or move it aside to start with an empty store.';

export function emptyRequests(): Record<string, MutationRequest> {
  return Object.create(null) as Record<string, MutationRequest>;
}

export function parseLiveText(file: string, text: string): ParsedLive {
  if (text.trim() === '') {
    throw new StoreError(
      'store_corrupt',
      `The request store ${file} is empty (a crash or a full disk can leave it so). ${WHAT_TO_DO}`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new StoreError(
      'store_corrupt',
      `The request store ${file} is not valid JSON (${locateSyntaxError(text, error)}). ${WHAT_TO_DO}`,
      { cause: error },
    );
  }
  if (isRecord(value) && typeof value.version === 'number' && value.version > LIVE_VERSION) {
    throw new StoreError(
      'store_corrupt',
      `The request store ${file} was written by a newer version of the bot (format ${value.version}; this one reads up to ${LIVE_VERSION}). The bot will not overwrite it. Run the newer version, or restore a backup.`,
    );
  }
  const problem = findFileProblem(value);
  if (problem) {
    throw new StoreError(
      'store_corrupt',
      `The request store ${file} is not in the expected format (${problem}). ${WHAT_TO_DO}`,
    );
  }
  const data = value as { version: 1 | 2; epoch?: unknown; requests: Record<string, unknown> };
  const requests = emptyRequests();
  for (const [id, request] of Object.entries(data.requests)) {
    requests[id] = deepFreeze(
      data.version === 1 ? upgradeRequest(request as V1Request) : (request as MutationRequest),
    );
  }
  return {
    version: LIVE_VERSION,
    requests,
    ...(typeof data.epoch === 'number' ? { epoch: data.epoch } : {}),
    ...(data.version === 1 ? { upgradedFrom: 1 as const } : {}),
  };
}

function findFileProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return 'expected an object with "version" and "requests"';
  if (value.version !== 1 && value.version !== LIVE_VERSION) {
    return `"version" is ${JSON.stringify(value.version)}`;
  }
  if (!isRecord(value.requests)) return '"requests" is not an object';
  for (const [id, request] of Object.entries(value.requests)) {
    const where = `requests[${JSON.stringify(id)}]`;
    const problem = value.version === 1 ? findV1Problem(request) : findRequestProblem(request);
    if (problem) return `${where}${problem}`;
    if ((request as { id: unknown }).id !== id) return `${where}.id does not match its key`;
  }
  return undefined;
}

/** What is wrong with a stored format-2 request, as `.field is …`; undefined when nothing. */
export function findRequestProblem(request: unknown): string | undefined {
  const common = findCommonProblem(request);
  if (common) return common;
  const r = request as Record<string, unknown>;
  if (typeof r.kind !== 'string' || !KNOWN_KINDS.has(r.kind)) {
    return `.kind is ${JSON.stringify(r.kind)}`;
  }
  if (typeof r.fingerprint !== 'string') return '.fingerprint is not a string';
  if (!isRecord(r.approval) || !Array.isArray(r.approval.approvals)) {
    return '.approval is not an approval state';
  }
  if (!Array.isArray(r.steps)) return '.steps is not a list';
  return undefined;
}

function findV1Problem(request: unknown): string | undefined {
  const common = findCommonProblem(request);
  if (common) return common;
  if (!Array.isArray((request as { batches?: unknown }).batches)) return '.batches is not a list';
  return undefined;
}

function findCommonProblem(request: unknown): string | undefined {
  if (!isRecord(request)) return ' is not an object';
  if (typeof request.id !== 'string') return '.id is not a string';
  if (typeof request.status !== 'string' || !KNOWN_STATUSES.has(request.status)) {
    return `.status is ${JSON.stringify(request.status)}`;
  }
  for (const field of ['requesterId', 'channelId', 'region', 'createdAt', 'expiresAt']) {
    if (typeof request[field] !== 'string') return `.${field} is not a string`;
  }
  if (!Array.isArray(request.instanceIds)) return '.instanceIds is not a list';
  return undefined;
}

// Stored requests are frozen, so their JSON never changes: cache it by identity, and the JSON of
// each of their parts too (every step, the instance list, the preview, ...). A journal write to
// one step of a 5,000-instance request then serialises that step and the header's small fields;
// the rest is the text cached when it was first written.
const requestText = new WeakMap<MutationRequest, string>();
const partText = new WeakMap<object, string>();

/** JSON.stringify of a frozen value, by identity for objects; undefined where JSON skips it. */
export function partJson(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  let text = partText.get(value);
  if (text === undefined) {
    text = JSON.stringify(value);
    partText.set(value, text);
  }
  return text;
}

/** The request as JSON.stringify writes it, but with `steps` last. */
export function requestJson(request: MutationRequest): string {
  let json = requestText.get(request);
  if (json !== undefined) return json;
  const fields: string[] = [];
  for (const [key, value] of Object.entries(request)) {
    if (key === 'steps') continue;
    const text = partJson(value);
    if (text !== undefined) fields.push(`${JSON.stringify(key)}:${text}`);
  }
  fields.push(`"steps":[${request.steps.map((step) => partJson(step)).join(',')}]`);
  json = `{${fields.join(',')}}`;
  requestText.set(request, json);
  return json;
}

export function stringifyLive(data: LiveData): string {
  const parts: string[] = [];
  for (const [id, request] of Object.entries(data.requests)) {
    parts.push(`${JSON.stringify(id)}:${requestJson(request)}`);
  }
  const epoch = data.epoch === undefined ? '' : `"epoch":${data.epoch},`;
  return `{"version":${data.version},${epoch}"requests":{${parts.join(',')}}}`;
}

export function describeUnreadable(file: string, error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code === 'EISDIR') {
    return `Cannot read the request store ${file}: it is a directory. Point DATA_FILE at a file (for example ${file}/db.json).`;
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return `Cannot read the request store ${file}: permission denied. Give the bot's user read and write access to the file and its directory, or point DATA_FILE elsewhere.`;
  }
  const reason = typeof code === 'string' ? code : String(error);
  return `Cannot read the request store ${file} (${reason}). Check that DATA_FILE names a readable file.`;
}

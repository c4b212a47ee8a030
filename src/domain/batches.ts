import { createHash } from 'node:crypto';

// Splitting a request's instances into AttachKeyPair calls, each with its own idempotency token.
// Pure and deterministic: a resumed request re-derives exactly the same batches and tokens.

/** AttachKeyPair takes at most 100 InstanceIds per call. */
export const MAX_BATCH_SIZE = 100;

export interface PlannedBatch {
  index: number;
  clientToken: string;
  instanceIds: string[];
}

/** Duplicates dropped (first occurrence kept, order kept), then chunks of at most `size`. */
export function toBatches(
  requestId: string,
  instanceIds: readonly string[],
  size = MAX_BATCH_SIZE,
): PlannedBatch[] {
  if (!Number.isInteger(size) || size < 1 || size > MAX_BATCH_SIZE) {
    throw new RangeError(`Batch size must be a whole number from 1 to ${MAX_BATCH_SIZE}`);
  }
  const unique = [...new Set(instanceIds)];
  const batches: PlannedBatch[] = [];
  for (let start = 0; start < unique.length; start += size) {
    const index = batches.length;
    batches.push({
      index,
      clientToken: clientTokenFor(requestId, index),
      instanceIds: unique.slice(start, start + size),
    });
  }
  return batches;
}

// Short lower-case ids are used as they are, so the token is readable in the audit trail. Anything
// else (long, upper-case, non-ASCII) is hashed: case or length must never make two tokens collide.
const READABLE_ID = /^[a-z0-9._-]{1,44}$/;

/**
 * The ClientToken of one batch: deterministic, distinct per request and per batch, at most 64
 * printable ASCII characters whatever the request id looks like.
 */
export function clientTokenFor(requestId: string, index: number): string {
  if (!Number.isSafeInteger(index) || index < 0) {
    throw new RangeError(`Batch index must be a whole number >= 0, got ${index}`);
  }
  const base = READABLE_ID.test(requestId)
    ? requestId
    : `h-${createHash('sha256').update(requestId, 'utf8').digest('hex').slice(0, 32)}`;
  return `${base}-b${index}`;
}

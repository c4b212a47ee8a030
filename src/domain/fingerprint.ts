import { createHash } from 'node:crypto';
import type { NextKind, OperationKind } from './request.js';

// The short fingerprint of what an approval covers: the operation, the region, the key pair and
// the sorted instance ids. Shown on the card and kept with the decision, so the audit trail says
// exactly what was approved. Order and repeats of the ids do not change it. A phase approved
// with it (`then=restart`) is part of what is approved; without one the fingerprint is as before.

export interface FingerprintInput {
  kind: OperationKind;
  region: string;
  keyPairName?: string;
  keyPairId?: string;
  instanceIds: readonly string[];
  next?: { kind: NextKind };
}

export function requestFingerprint(input: FingerprintInput): string {
  const ids = [...new Set(input.instanceIds)].sort();
  const text = JSON.stringify([
    input.kind,
    input.region,
    input.keyPairId ?? '',
    input.keyPairName ?? '',
    ids,
    ...(input.next ? [`then=${input.next.kind}`] : []),
  ]);
  const hex = createHash('sha256').update(text, 'utf8').digest('hex');
  return `${hex.slice(0, 4)}-${hex.slice(4, 8)}-${hex.slice(8, 12)}`;
}

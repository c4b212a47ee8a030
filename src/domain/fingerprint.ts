import { createHash } from 'node:crypto';
import type { OperationKind } from './request.js';

// The short fingerprint of what an approval covers: the operation, the region, the key pair and
// the sorted instance ids. Shown on the card and kept with the decision, so the audit trail says
// exactly what was approved. Order and repeats of the ids do not change it.

export interface FingerprintInput {
  kind: OperationKind;
  region: string;
  keyPairName?: string;
  keyPairId?: string;
  instanceIds: readonly string[];
}

export function requestFingerprint(input: FingerprintInput): string {
  const ids = [...new Set(input.instanceIds)].sort();
  const text = JSON.stringify([
    input.kind,
    input.region,
    input.keyPairId ?? '',
    input.keyPairName ?? '',
    ids,
  ]);
  const hex = createHash('sha256').update(text, 'utf8').digest('hex');
  return `${hex.slice(0, 4)}-${hex.slice(4, 8)}-${hex.slice(8, 12)}`;
}

import { createHash } from 'node:crypto';
import type { NextKind, OperationKind } from './request.js';

// The short fingerprint of what an approval covers: the operation, the region, the key pair (its
// id and the fingerprint of its public key, when the preview read them) and the sorted instance
// ids. Shown on the card and kept with the decision, so the audit trail says exactly what was
// approved. Order and repeats of the ids do not change it. A phase approved with it
// (`then=restart`) is part of what is approved, appended the same way.

export interface FingerprintInput {
  kind: OperationKind;
  region: string;
  keyPairName?: string;
  keyPairId?: string;
  /** The key pair's own fingerprint (of its public key), as the preview read it. */
  keyFingerprint?: string;
  /** Other key pairs the plan binds (an undo's earlier ones): `id` and `fingerprint` each. */
  otherKeys?: ReadonlyArray<{ keyPairId: string; fingerprint?: string }>;
  instanceIds: readonly string[];
  next?: { kind: NextKind };
  /** then=apply-now: the user the script runs as is part of what is approved. */
  applyNow?: { user: string };
  /** ACCOUNTS_FILE: the account (absent: `default`, and the fingerprint it always had). */
  account?: string;
}

const thenAs = (input: FingerprintInput) =>
  input.next?.kind === 'apply' && input.applyNow ? ` as ${input.applyNow.user}` : '';

export function requestFingerprint(input: FingerprintInput): string {
  const ids = [...new Set(input.instanceIds)].sort();
  const others = (input.otherKeys ?? []).map((k) => `${k.keyPairId}/${k.fingerprint ?? ''}`).sort();
  const text = JSON.stringify([
    input.kind,
    input.region,
    input.keyPairId ?? '',
    input.keyPairName ?? '',
    ids,
    // Appended only when present: a request without them keeps the fingerprint it always had.
    ...(input.keyFingerprint || others.length ? [input.keyFingerprint ?? '', others] : []),
    ...(input.next ? [`then=${input.next.kind}${thenAs(input)}`] : []),
    ...(input.account ? [`account=${input.account}`] : []),
  ]);
  const hex = createHash('sha256').update(text, 'utf8').digest('hex');
  return `${hex.slice(0, 4)}-${hex.slice(4, 8)}-${hex.slice(8, 12)}`;
}

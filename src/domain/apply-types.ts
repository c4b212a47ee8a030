import type { PublicKeyType } from './public-key.js';

// The data an apply now carries in its request and outcomes (request.ts uses these).

/** What the apply-now script reported on an instance. */
export interface AppliedKey {
  effect: 'added' | 'present';
  /** Lines of the replaced key it removed. */
  removed: number;
}

/** A key pair with the public key the bot keeps for it (type and blob: what a script inserts). */
export interface KnownKeyRef {
  keyPairId: string;
  keyPairName: string;
  fingerprint: string;
  type: PublicKeyType;
  blob: string;
}

export interface ApplyNowSpec {
  /** The Linux user whose ~/.ssh/authorized_keys changes (APPLY_NOW_USER). */
  user: string;
  key: KnownKeyRef;
  /** Key pairs the attach replaced whose public keys are known: their lines are removed. */
  replaces: KnownKeyRef[];
  /** Replaced key pairs whose public key is unknown: their lines stay, on this many instances. */
  unknownReplaced: Array<{ keyPairId?: string; keyPairName?: string; count: number }>;
}

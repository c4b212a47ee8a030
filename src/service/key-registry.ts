import type { PublicKeyType } from '../domain/public-key.js';

// The public keys the bot knows (design.md: "a public-key registry"). Volcengine never returns a
// key pair's public key, so "apply now" can only push a key someone imported or recorded through
// the bot: kept beside the key pair's id and fingerprint. Public, not a secret. Both stores
// implement it (lowdb and PostgreSQL) and pass one contract.

export interface KnownPublicKey {
  keyPairId: string;
  keyPairName: string;
  region: string;
  /** MD5, `aa:bb:…`, as Volcengine's FingerPrint; checked against the API when recorded. */
  fingerprint: string;
  type: PublicKeyType;
  blob: string;
  comment?: string;
  /** Slack user id of who imported or recorded it. */
  recordedBy: string;
  recordedAt: string;
}

export interface PublicKeyRegistry {
  /** Keeps the public key of a key pair, replacing what was kept for that id. Durable once resolved. */
  put(key: KnownPublicKey): Promise<void>;
  /** The public key kept for a key pair id, if any. */
  get(keyPairId: string): Promise<KnownPublicKey | undefined>;
  close(): Promise<void>;
}

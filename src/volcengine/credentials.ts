import type { SigningCredentials } from './signer.js';

// Where the signing keys come from. The caller asks on every attempt, so a retry after a
// refresh signs with the new keys while an attempt already sent keeps the ones it was signed with.

export type { SigningCredentials } from './signer.js';

export interface CredentialsProvider {
  /** The keys to sign the next attempt with; rejects with a VolcApiError when there are none. */
  get(): Promise<SigningCredentials>;
  /** Stops any background work (timers, own transport). Optional: static keys have none. */
  close?(): Promise<void>;
}

/** Fixed keys: an access key, optionally with a session token that someone else renews. */
export function createStaticCredentials(credentials: SigningCredentials): CredentialsProvider {
  const fixed: SigningCredentials = { ...credentials };
  return { get: async () => fixed };
}

export function isCredentialsProvider(value: unknown): value is CredentialsProvider {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { get?: unknown }).get === 'function'
  );
}

import type { SimKeyPair } from './inventory.js';
import type { MutationAction, Params } from './simulator-actions.js';

// The simulator's calls and answers: what its front ends (the sandbox transport, the tests' fake)
// hand it and get back.

export interface EcsCall {
  action: string;
  version: string;
  region: string;
  /** Decoded query pairs; Action, Version and unknown parameters are ignored. */
  params: Params;
}

export interface AnswerMeta {
  action: string;
  version: string;
  region: string;
  service?: string;
}

export interface EcsEnvelope {
  ResponseMetadata: {
    RequestId: string;
    Action: string;
    Version: string;
    Service: string;
    Region: string;
    Error?: { Code: string; Message: string };
  };
  Result?: unknown;
}

export interface EcsAnswer {
  status: number;
  body: EcsEnvelope;
  requestId: string;
  /** The mutation this answer applied, or replayed when `replayed`. */
  application?: EcsApplication;
  replayed: boolean;
}

/** One applied mutation call; a replay of its ClientToken only counts in `replays`. */
export interface EcsApplication {
  action: MutationAction;
  region: string;
  clientToken?: string;
  instanceIds: string[];
  /** The key pair the call resolved to (not for RebootInstances). */
  keyPairId?: string;
  keyPairName?: string;
  /** Instances the call changed (no per-instance error). */
  changed: string[];
  replays: number;
  at: number;
  /** The parameters a replay must repeat. */
  fingerprint: string;
  requestId: string;
  answer: { status: number; body: EcsEnvelope };
}

export interface MutationContext {
  action: MutationAction;
  region: string;
  clientToken?: string;
  instanceIds: string[];
  keyPair?: SimKeyPair;
  fingerprint: string;
}

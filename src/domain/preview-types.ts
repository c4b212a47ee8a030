// What the cloud showed at submit (the preview): the key pair and each instance as it was, and
// what could not be read. Frozen with a request; request.ts re-exports these.

export interface KeyPairInfo {
  keyPairId: string;
  keyPairName: string;
  fingerprint?: string;
}

export interface InstanceSnapshot {
  instanceId: string;
  name: string;
  status: string;
  osType: string;
  keyPairId?: string;
  keyPairName?: string;
  tags: Array<{ key: string; value: string }>;
}

/** Why a read could not be done, in the API's terms. */
export interface ReadError {
  code: string;
  message: string;
  /** The read that failed (`ecs:DescribeKeyPairs`), when known. */
  call?: string;
}

/**
 * What the cloud showed at submit: the key pair and each instance as it was. Frozen with the
 * request: an undo restores the key pairs recorded here.
 */
export interface Preview {
  readAt: string;
  /** The key pair as the API knows it; absent when it could not be read (see keyPairError). */
  keyPair?: KeyPairInfo;
  keyPairError?: ReadError;
  /** An undo: the earlier key pairs it gives back, read by id (those that could be read). */
  restoredKeyPairs?: KeyPairInfo[];
  instances: InstanceSnapshot[];
  /** Ids that could not be read (their call failed); every other id absent from `instances` was not found. */
  unread: string[];
  /** Why `unread` is not empty. */
  error?: ReadError;
  /** What else the answers got wrong; rendered in words by the card. */
  problems: PreviewProblem[];
}

export type PreviewProblem =
  /** The API listed instances that were not asked for; they were ignored. */
  | { kind: 'unrequested'; count: number }
  /** Entries without a readable instance id were skipped. */
  | { kind: 'malformed'; count: number }
  /** The API kept paging; reading stopped after this many pages. */
  | { kind: 'paging_stopped'; pages: number };

import type {
  EcsApplication,
  EcsSimulator,
  InstanceStatus,
  KeyPairRef,
  KeyPairSpec,
  MutationAction,
  SimInstance,
  SimInvocation,
  SimKeyPair,
} from '../../src/sandbox/simulator.js';
import type { AuthCheck, FakeEcsCredentialLookup, FakeEcsCredentials } from './fake-ecs-auth.js';

// The fake ECS API's public shapes: what it records, what a test scripts, what it offers.

export interface RecordedEcsCall {
  /** 1-based arrival order. */
  seq: number;
  /** Date.now() at arrival. */
  at: number;
  method: string;
  path: string;
  /** The query string exactly as it arrived (without `?`). */
  rawQuery: string;
  /** Decoded query pairs in wire order. */
  pairs: Array<[string, string]>;
  query: Record<string, string>;
  action?: string;
  version?: string;
  /** From the credential scope of the Authorization header. */
  region?: string;
  service?: string;
  accessKeyId?: string;
  signedHeaders?: string;
  clientToken?: string;
  /** In InstanceIds.N order. */
  instanceIds: string[];
  keyPairName?: string;
  keyPairId?: string;
  /** Lower-cased names. */
  headers: Record<string, string>;
  auth: AuthCheck;
  /** What the fake did: the step kind, or 'default' / 'rejected'. */
  handledAs: string;
  /** True when this call created an application (changed the inventory's history). */
  applied: boolean;
  /** HTTP status answered (undefined for a reset or a call never answered). */
  status?: number;
  /**
   * Date.now() when the answer was written or the connection reset: with `at`, the time the call
   * was in flight (undefined while it still is).
   */
  answeredAt?: number;
  requestId?: string;
}

/** An applied AttachKeyPair, as `applications` lists it. */
export interface Application {
  clientToken: string;
  region: string;
  instanceIds: string[];
  keyPairName?: string;
  keyPairId?: string;
  /** Instances whose key was actually attached (no per-instance error). */
  attached: string[];
  /** Calls that replayed this application with the same token (at the time it was read). */
  replays: number;
  at: number;
  fingerprint: string;
  answer: { status: number; body: unknown };
}

/** What the next matching call gets. `apply` makes the API apply the call before misbehaving. */
export type EcsStep = { action?: string } & (
  | { kind: 'ok' }
  | { kind: 'delay'; ms: number }
  | {
      kind: 'error';
      status: number;
      code: string;
      message?: string;
      /** Sent as the Retry-After header. */
      retryAfter?: string | number;
      apply?: boolean;
    }
  | { kind: 'raw'; status: number; body: string; contentType?: string; apply?: boolean }
  | { kind: 'reset'; apply?: boolean }
  | { kind: 'hang'; apply?: boolean; held?: HeldControl }
);

export interface HeldControl {
  onArrive(call: RecordedEcsCall, answer: (how: 'respond' | 'reset') => void): void;
}

export interface HeldCall {
  /** Resolves with the call once it arrives (and is applied, when `apply` was asked). */
  arrived: Promise<RecordedEcsCall>;
  /** Answer normally now (or as soon as it arrives). A no-op if the client already left. */
  release(): void;
  /** Drop the connection without an answer. */
  reset(): void;
}

/** An instance to register; the region defaults to cn-beijing. */
export type FakeInstanceSpec = Partial<SimInstance> & { instanceId: string };

export interface FakeEcsApi {
  url: string;
  credentials: FakeEcsCredentials | FakeEcsCredentialLookup;
  calls: RecordedEcsCall[];
  /** Applied AttachKeyPair calls by ClientToken (`no-token-N` without one); a fresh view. */
  readonly applications: Map<string, Application>;
  /** Every applied mutation (attach, detach, reboot), in order. */
  readonly mutations: readonly EcsApplication[];
  /** The state behind the fake, for anything the helpers below do not cover. */
  simulator: EcsSimulator;
  /** Queue behaviours for the next calls (first matching step per call), then default. */
  script(...steps: EcsStep[]): void;
  /** Steps not consumed yet. */
  pendingSteps(): number;
  /**
   * This per-instance error for every AttachKeyPair naming the instance, or for `action`
   * ('all': every mutation).
   */
  failInstance(
    instanceId: string,
    code: string,
    message?: string,
    options?: { action?: MutationAction | 'all' },
  ): void;
  /** Queue a call that is held open until released; `apply: true` = applied but unanswered. */
  hold(options?: { apply?: boolean; action?: string }): HeldCall;
  /** How many applications actually attached a key to this instance. */
  timesApplied(instanceId: string): number;
  timesDetached(instanceId: string): number;
  timesRebooted(instanceId: string): number;
  /** An instance user's authorized_keys as the simulated scripts left it (root by default). */
  authorizedKeys(instanceId: string, user?: string): string | undefined;
  /** Every RunCommand accepted, oldest first. */
  invocations(): readonly SimInvocation[];
  /** Registers (or replaces) an instance. */
  addInstance(spec: FakeInstanceSpec): SimInstance;
  /** These ids do not exist: InvalidInstance.NotFound, never listed. */
  makeAbsent(...instanceIds: string[]): void;
  addKeyPair(spec: KeyPairSpec): SimKeyPair;
  /** Renames a key pair: same id and key, its instances show the new name. */
  renameKeyPair(ref: KeyPairRef, keyPairName: string): void;
  /** Deletes a key pair: never materialised again until added back. */
  removeKeyPair(ref: KeyPairRef): void;
  setStatus(
    instanceId: string,
    status: InstanceStatus,
    after?: { ms: number; becomes: InstanceStatus },
  ): void;
  /** An instance as it is now (statuses settled on the real clock). */
  instance(instanceId: string): SimInstance | undefined;
  callsFor(action: string): RecordedEcsCall[];
  waitForCalls(count: number, timeoutMs?: number): Promise<void>;
  /** Forget calls, applications, script, per-instance failures and the inventory's changes. */
  reset(): void;
  close(): Promise<void>;
}

export interface FakeEcsOptions {
  /** Fixed credentials, or a lookup by access key id (temporary keys from a fake STS). */
  credentials: FakeEcsCredentials | FakeEcsCredentialLookup;
  /** Every call is answered after this delay (benchmarks). */
  latencyMs?: number;
  /** The key pairs the inventory starts with (any region unless one is given). */
  keyPairs?: KeyPairSpec[];
  /** When true, a key pair not in `keyPairs` (nor added) is InvalidKeyPair.NotFound. */
  strictKeyPairs?: boolean;
  /** Instances registered up front. */
  instances?: FakeInstanceSpec[];
  /** Ids that do not exist. */
  absent?: string[];
  /** When true, only registered instances exist. */
  strictInstances?: boolean;
  /** How long RebootInstances keeps an instance REBOOTING, in real time; default 50 ms. */
  rebootMs?: number;
  /** How long a Cloud Assistant command runs before its result is final; default 30 ms. */
  commandMs?: number;
}

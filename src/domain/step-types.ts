// The journaled steps a request's plan is made of (design.md §3): the cloud call each makes, its
// state, and what it answered per instance. request.ts re-exports these.

import type { AppliedKey } from './apply-types.js';

/** What a request (or a phase of it) does: each kind plans its own steps. */
export type OperationKind = 'attach' | 'restart' | 'undo' | 'apply';

/** What a read showed of an instance (verification, restart polling). */
export interface ObservedInstance {
  status?: string;
  keyPairId?: string;
  keyPairName?: string;
}

/** One instance's result of a step: ok, or the API's (or our) per-instance error. */
export type InstanceOutcome =
  | { instanceId: string; ok: true; observed?: ObservedInstance; applied?: AppliedKey }
  | {
      instanceId: string;
      ok: false;
      code: string;
      message: string;
      observed?: ObservedInstance;
      /** A command that ran: its exit code and last output line. */
      exitCode?: number;
      output?: string;
    };

/** A request-level error a step ended with (the API's, or the transport's). */
export interface StepError {
  code: string;
  message: string;
  httpStatus?: number;
  requestId?: string;
  /** The call that failed, as its permission is named (`ecs:DescribeInstances`), when known. */
  call?: string;
}

/**
 * The cloud calls a plan is made of. WaitRunning, Verify, CheckAssistant (Cloud Assistant and
 * instance status) and InvocationResults (polling a command's results) are reads.
 */
export type StepAction =
  | 'AttachKeyPair'
  | 'DetachKeyPair'
  | 'RebootInstances'
  | 'WaitRunning'
  | 'Verify'
  | 'CheckAssistant'
  | 'RunCommand'
  | 'InvocationResults';

export const MUTATING_ACTIONS: ReadonlySet<StepAction> = new Set([
  'AttachKeyPair',
  'DetachKeyPair',
  'RebootInstances',
  'RunCommand',
]);

export type StepState = 'planned' | 'sent' | 'done' | 'failed' | 'skipped';

/**
 * One journaled call of a plan: marked `sent` before it goes out and `done`/`failed` with its
 * answer after. Steps of one phase may run at once; phases run in order. A mutation's ClientToken
 * is derived from the request id and the step index, so a resend is never applied twice.
 */
export interface Step {
  index: number;
  phase: number;
  /**
   * The operation the step belongs to when it is not the request's own: the steps of a phase that
   * follows under the same approval (`then=restart`). Absent: the request's kind.
   */
  kind?: OperationKind;
  /** Restart waves: a halted roll skips every step of a later wave. */
  wave?: number;
  action: StepAction;
  instanceIds: string[];
  keyPairName?: string;
  keyPairId?: string;
  clientToken?: string;
  /**
   * WaitRunning: how long after `sentAt` the wave may take to come back. InvocationResults: how
   * long after `sentAt` results are polled for.
   */
  timeoutMs?: number;
  /** RunCommand: its name, derived from the request id and the step (no ClientToken exists). */
  invocationName?: string;
  /** RunCommand: the id the API answered, journaled once known. */
  invocationId?: string;
  /** RunCommand: the key pair (of `applyNow.replaces`) whose line the script removes. */
  replaces?: string;
  /** InvocationResults: the index of the RunCommand step whose results it reads. */
  invocationStep?: number;
  /**
   * Verify: the index of the key pair step (same phase) whose batch it reads back, as soon as that
   * step is answered. Absent: an older plan's one read-back of every instance after the last batch.
   */
  verifies?: number;
  state: StepState;
  /** How many times the step was marked sent (more than 1 means it was resumed). */
  sendCount: number;
  sentAt?: string;
  finishedAt?: string;
  /** Volcengine RequestId of the answer that settled the step. */
  apiRequestId?: string;
  outcomes?: InstanceOutcome[];
  error?: StepError;
}

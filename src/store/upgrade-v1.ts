import { requestFingerprint } from '../domain/fingerprint.js';
import type {
  Decision,
  InstanceOutcome,
  MessageRef,
  MutationRequest,
  RequestStatus,
  Step,
  StepError,
} from '../domain/request.js';

// DATA_FILE format 1 (bot versions up to 4f20275): attach requests whose AttachKeyPair calls are
// `batches`, with one approver and no kind. Each one becomes a format-2 MutationRequest: an
// attach whose steps are those same calls, so a resumed request re-sends with the same tokens.

export interface V1Batch {
  index: number;
  clientToken: string;
  instanceIds: string[];
  state: 'planned' | 'sent' | 'done' | 'failed';
  sendCount: number;
  sentAt?: string;
  finishedAt?: string;
  apiRequestId?: string;
  outcomes?: InstanceOutcome[];
  error?: StepError;
}

export interface V1Request {
  id: string;
  status: RequestStatus;
  requesterId: string;
  channelId: string;
  instanceIds: string[];
  keyPairName?: string;
  keyPairId?: string;
  region: string;
  createdAt: string;
  expiresAt: string;
  card?: MessageRef;
  decision?: Decision;
  batches: V1Batch[];
  resultsPostedAt?: string;
  finishedAt?: string;
  sandbox?: boolean;
}

/** Pure: the format-2 request a format-1 one stands for. */
export function upgradeRequest(old: V1Request): MutationRequest {
  const keyPair = {
    ...(old.keyPairName !== undefined ? { keyPairName: old.keyPairName } : {}),
    ...(old.keyPairId !== undefined ? { keyPairId: old.keyPairId } : {}),
  };
  const approvedBy = old.decision?.kind === 'approved' ? old.decision.by : undefined;
  return {
    id: old.id,
    kind: 'attach',
    status: old.status,
    requesterId: old.requesterId,
    channelId: old.channelId,
    region: old.region,
    instanceIds: [...old.instanceIds],
    ...keyPair,
    fingerprint: requestFingerprint({
      kind: 'attach',
      region: old.region,
      instanceIds: old.instanceIds,
      ...keyPair,
    }),
    createdAt: old.createdAt,
    expiresAt: old.expiresAt,
    ...(old.card ? { card: { ...old.card } } : {}),
    approval: {
      required: 1,
      rules: [],
      approvals: approvedBy && old.decision ? [{ by: approvedBy, at: old.decision.at }] : [],
    },
    ...(old.decision ? { decision: { ...old.decision } } : {}),
    steps: old.batches.map((batch) => upgradeBatch(batch, keyPair)),
    ...(old.resultsPostedAt !== undefined ? { resultsPostedAt: old.resultsPostedAt } : {}),
    ...(old.finishedAt !== undefined ? { finishedAt: old.finishedAt } : {}),
    ...(old.sandbox !== undefined ? { sandbox: old.sandbox } : {}),
  };
}

function upgradeBatch(batch: V1Batch, keyPair: { keyPairName?: string; keyPairId?: string }): Step {
  return {
    index: batch.index,
    phase: 0,
    action: 'AttachKeyPair',
    instanceIds: [...batch.instanceIds],
    // The call carried the request's key pair; a resume sends the same one.
    ...keyPair,
    clientToken: batch.clientToken,
    state: batch.state,
    sendCount: batch.sendCount,
    ...(batch.sentAt !== undefined ? { sentAt: batch.sentAt } : {}),
    ...(batch.finishedAt !== undefined ? { finishedAt: batch.finishedAt } : {}),
    ...(batch.apiRequestId !== undefined ? { apiRequestId: batch.apiRequestId } : {}),
    ...(batch.outcomes ? { outcomes: batch.outcomes.map((o) => ({ ...o })) } : {}),
    ...(batch.error ? { error: { ...batch.error } } : {}),
  };
}

import { summarizeRequest } from '../domain/operations/summary.js';
import type { MutationRequest } from '../domain/request.js';
import type { ModalPrefill } from './render/modal.js';

// "Ask again for the N failed…": the instances of an attach that did not get the key pair (failed,
// or unconfirmed: the call's fate is unknown, asking again is safe since binding is idempotent),
// with the key pair, the region and the channel of the first request. The snapshots read at
// submit give the options their words.

export interface RetryForm {
  prefill: ModalPrefill;
  region: string;
  channelId: string;
  /** ACCOUNTS_FILE: the first request's account. */
  account?: string;
}

/** The ids a retry would ask for: failed and unconfirmed instances of an attach. */
export function retryableIds(request: MutationRequest): string[] {
  if (request.kind !== 'attach') return [];
  return summarizeRequest(request)
    .results.filter((r) => r.state === 'failed' || r.state === 'unconfirmed')
    .map((r) => r.instanceId);
}

export function retryForm(request: MutationRequest): RetryForm | undefined {
  const ids = retryableIds(request);
  if (ids.length === 0) return undefined;
  const seen = new Map((request.preview?.instances ?? []).map((i) => [i.instanceId, i]));
  const known = request.preview?.keyPair;
  const keyPairId = request.keyPairId ?? known?.keyPairId ?? '';
  const keyPairName = request.keyPairName ?? known?.keyPairName ?? '';
  const prefill: ModalPrefill = {
    instances: ids.map((instanceId) => seen.get(instanceId) ?? { instanceId }),
    retryOf: request.id,
    // A rotation's failed instances are asked for as a rotation again.
    ...(request.next?.kind === 'restart' ? { next: 'restart' as const } : {}),
  };
  if (keyPairId || keyPairName) {
    prefill.keyPair = {
      keyPairId,
      keyPairName,
      ...(known?.fingerprint ? { fingerprint: known.fingerprint } : {}),
    };
  }
  return {
    prefill,
    region: request.region,
    channelId: request.channelId,
    ...(request.account ? { account: request.account } : {}),
  };
}

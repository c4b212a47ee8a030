import type { MutationRequest, Step } from '../../src/domain/request.js';
import type { RequestStore } from '../../src/service/ports.js';

// Requests for store tests: valid enough for either store, small unless asked otherwise.

/** What each contract case gets (store-contract.ts builds it for every store). */
export interface ContractContext {
  fresh(): Promise<RequestStore>;
  reopen(): Promise<RequestStore>;
  /** Two handles on one data set: two replicas where the store has them, else one twice. */
  pair(): Promise<[RequestStore, RequestStore]>;
}

const T0 = '2025-01-01T00:00:00.000Z';

/** `minutes` after the fixtures' creation time, as ISO text. */
export const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

export function makeRequest(id: string, overrides: Partial<MutationRequest> = {}): MutationRequest {
  return {
    id,
    kind: 'attach',
    status: 'pending',
    requesterId: 'U0REQUESTER',
    channelId: 'C0CHANNEL',
    region: 'cn-beijing',
    instanceIds: ['i-aaa', 'i-bbb'],
    keyPairName: 'ops-key',
    fingerprint: '0a1b-2c3d-4e5f',
    createdAt: T0,
    expiresAt: at(60),
    approval: { required: 1, rules: [], approvals: [] },
    steps: [],
    ...overrides,
  };
}

/** Done with its results posted: closed, so it leaves the live set. */
export function closedRequest(
  id: string,
  overrides: Partial<MutationRequest> = {},
): MutationRequest {
  return makeRequest(id, {
    status: 'done',
    decision: { kind: 'approved', by: 'U0APPROVER', at: '2025-01-01T00:05:00.000Z' },
    finishedAt: '2025-01-01T00:06:00.000Z',
    resultsPostedAt: '2025-01-01T00:06:01.000Z',
    ...overrides,
  });
}

/** An executing attach of `instances` instances: steps of 100, all planned. */
export function largeRequest(id: string, instances = 5_000): MutationRequest {
  const ids = Array.from({ length: instances }, (_, i) => `i-${i.toString(36).padStart(18, '0')}`);
  const steps: Step[] = [];
  for (let at = 0; at < ids.length; at += 100) {
    const index = steps.length;
    steps.push({
      index,
      phase: 0,
      action: 'AttachKeyPair',
      instanceIds: ids.slice(at, at + 100),
      keyPairName: 'ops-key',
      clientToken: `${id}-b${index}`,
      state: 'planned',
      sendCount: 0,
    });
  }
  return makeRequest(id, {
    status: 'executing',
    instanceIds: ids,
    decision: { kind: 'approved', by: 'U0APPROVER', at: '2025-01-01T00:05:00.000Z' },
    steps,
  });
}

/** Step `index` answered: every instance ok. A new step object; the others keep their identity. */
export function withStepDone(request: MutationRequest, index: number): MutationRequest {
  const steps = request.steps.map((step) =>
    step.index === index
      ? {
          ...step,
          state: 'done' as const,
          sendCount: step.sendCount + 1,
          sentAt: '2025-01-01T00:07:00.000Z',
          finishedAt: '2025-01-01T00:07:01.000Z',
          apiRequestId: `req-${index}`,
          outcomes: step.instanceIds.map((instanceId) => ({ instanceId, ok: true as const })),
        }
      : step,
  );
  return { ...request, steps };
}

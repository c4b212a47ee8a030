import type { InstanceOutcome, MutationRequest, Step } from '../../src/domain/request.js';

// Hand-built requests for the renderers' tests: any kind, status and journal.

export const CREATED = '2026-11-01T10:00:00.000Z';
export const EXPIRES = '2026-11-01T11:00:00.000Z';
export const APPROVED = {
  kind: 'approved' as const,
  by: 'U02APPROVER',
  at: '2026-11-01T10:10:00.000Z',
};

export function makeRequest(extra: Partial<MutationRequest> = {}): MutationRequest {
  return {
    id: 'req-abc123',
    kind: 'attach',
    status: 'pending',
    requesterId: 'U01REQUESTER',
    channelId: 'C01CHANNEL',
    instanceIds: ['i-aaaa1111', 'i-bbbb2222', 'i-cccc3333'],
    keyPairName: 'ops-key',
    region: 'cn-beijing',
    fingerprint: '1a2b-3c4d-5e6f',
    createdAt: CREATED,
    expiresAt: EXPIRES,
    approval: { required: 1, rules: [], approvals: [] },
    steps: [],
    ...extra,
  };
}

/** A mutation step answered, with per-instance errors for `failed`. */
export function doneStep(
  index: number,
  ids: string[],
  failed: Record<string, string> = {},
  extra: Partial<Step> = {},
): Step {
  return {
    index,
    phase: 0,
    action: 'AttachKeyPair',
    keyPairName: 'ops-key',
    keyPairId: keyIdOf('ops-key'),
    clientToken: `req-abc123-b${index}`,
    instanceIds: ids,
    state: 'done',
    sendCount: 1,
    apiRequestId: `RID-${index}`,
    outcomes: ids.map(
      (instanceId): InstanceOutcome =>
        failed[instanceId]
          ? {
              instanceId,
              ok: false,
              code: failed[instanceId] as string,
              message: 'the API said no',
            }
          : { instanceId, ok: true },
    ),
    ...extra,
  };
}

/** The fixtures' id of a key pair name: verification compares ids. */
export const keyIdOf = (name: string) => `kp-${name}`;

/** The read-back: every instance shows `key` (or what `shows` says). */
export function verifyStep(
  index: number,
  ids: string[],
  shows: Record<string, string | null> = {},
  key = 'ops-key',
): Step {
  return {
    index,
    phase: 1,
    action: 'Verify',
    instanceIds: ids,
    state: 'done',
    sendCount: 1,
    outcomes: ids.map((instanceId) => {
      const seen = instanceId in shows ? shows[instanceId] : key;
      return {
        instanceId,
        ok: true,
        observed: {
          status: 'RUNNING',
          ...(seen ? { keyPairName: seen, keyPairId: keyIdOf(seen) } : {}),
        },
      };
    }),
  };
}

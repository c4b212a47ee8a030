import { planApplyNow } from '../../src/domain/operations/apply-now.js';
import { planAttach } from '../../src/domain/operations/attach.js';
import { planRestart } from '../../src/domain/operations/restart.js';
import { planUndo } from '../../src/domain/operations/undo.js';
import type {
  InstanceOutcome,
  InstanceSnapshot,
  MutationRequest,
  OperationKind,
  Preview,
  RequestStatus,
  Step,
} from '../../src/domain/request.js';

// Requests of every kind and status, built by hand the way the service leaves them (plans from
// the domain's planners, a frozen preview, journaled steps), for rendering every message.

export const T = {
  created: '2026-11-01T10:00:00.000Z',
  decided: '2026-11-01T10:05:00.000Z',
  finished: '2026-11-01T10:07:00.000Z',
  expires: '2026-11-01T11:00:00.000Z',
};
export const APPROVERS = ['U0APP0001', 'U0APP0002'];
export const STATUSES: RequestStatus[] = [
  'pending',
  'approved',
  'executing',
  'done',
  'failed',
  'rejected',
  'expired',
];
export const KINDS: OperationKind[] = ['attach', 'restart', 'undo', 'apply'];

/** An RSA-4096-sized blob: the longest key line a card's script shows. */
const LONG_BLOB = `AAAAB3NzaC1yc2EAAAADAQABAAACAQ${'x'.repeat(680)}==`;

export const instanceIds = (n: number) =>
  Array.from({ length: n }, (_, i) => `i-inst${String(i + 1).padStart(5, '0')}`);

/** Per position in the request: who fails, and with what (an unknown code included). */
const FAILS: Record<number, { code: string; message: string }> = {
  1: { code: 'InvalidInstance.NotFound', message: 'The specified instance does not exist.' },
  2: { code: 'InvalidKeyPairForWindows.Unsupported', message: 'Windows' },
  4: { code: 'InvalidInstanceStatus', message: 'bad status' },
  7: { code: 'Brand.NewCode', message: 'Something odd happened.' },
};

/** Most instances RUNNING (half with an old key pair), and one of each problem the card names. */
export function previewOf(ids: readonly string[]): Preview {
  const instances: InstanceSnapshot[] = [];
  for (const [i, instanceId] of ids.entries()) {
    if (i === 1) continue; // not found
    const base = {
      instanceId,
      name: `web-${i}`,
      status: i === 3 ? 'STOPPED' : i === 4 ? 'STARTING' : 'RUNNING',
      osType: i === 2 ? 'Windows' : 'Linux',
      tags: [{ key: 'env', value: 'prod' }],
    };
    instances.push(
      i % 2 === 0 ? { ...base, keyPairName: 'legacy-key', keyPairId: 'kp-legacy0001' } : base,
    );
  }
  const unread = ids.length > 5 ? [ids[5] as string] : [];
  return {
    readAt: T.created,
    keyPair: { keyPairId: 'kp-ops00001', keyPairName: 'ops-key', fingerprint: 'aa:bb:cc:dd' },
    instances: instances.filter((x) => !unread.includes(x.instanceId)),
    unread,
    ...(unread.length ? { error: { code: 'FlowLimitExceeded', message: 'throttled' } } : {}),
    problems: [
      { kind: 'unrequested', count: 2 },
      { kind: 'paging_stopped', pages: 50 },
    ],
  };
}

function outcomes(step: Step, ids: readonly string[]): InstanceOutcome[] {
  return step.instanceIds.flatMap((instanceId): InstanceOutcome[] => {
    const at = ids.indexOf(instanceId);
    if (step.action === 'Verify') {
      if (at === 8) return []; // not in the read-back: unverified
      const keyPairName = at === 6 ? 'other-key' : 'ops-key';
      return [{ instanceId, ok: true, observed: { status: 'RUNNING', keyPairName } }];
    }
    const fail = FAILS[at];
    if (step.action === 'InvocationResults' && at === 9) {
      const output = "mkdir: cannot create directory '/root/.ssh': Permission denied <&>";
      return [{ instanceId, ok: false, code: 'CommandFailed', message: 'x', exitCode: 1, output }];
    }
    if (step.action === 'InvocationResults' && at === 10) {
      return [{ instanceId, ok: false, code: 'CommandTimeout', message: 'Timeout' }];
    }
    if (step.action === 'InvocationResults' && !fail) {
      return [
        {
          instanceId,
          ok: true,
          applied: { effect: at % 2 ? 'present' : 'added', removed: at % 3 ? 0 : 1 },
        },
      ];
    }
    if (step.action === 'CheckAssistant' && at === 11) {
      return [{ instanceId, ok: false, code: 'CloudAssistantNotRunning', message: 'Lost' }];
    }
    if (fail) return [{ instanceId, ok: false, ...fail }];
    const observed = { status: 'RUNNING', keyPairName: 'ops-key' };
    return [{ instanceId, ok: true, ...(step.action === 'WaitRunning' ? { observed } : {}) }];
  });
}

/** Steps as the executor leaves them: part-way, all answered, or with a failure. */
function settle(steps: Step[], ids: readonly string[], status: RequestStatus): Step[] {
  if (!['executing', 'done', 'failed'].includes(status)) return steps;
  const lastMutation = steps.filter((s) => s.action !== 'Verify' && s.action !== 'WaitRunning');
  const failing = lastMutation[lastMutation.length - 1];
  return steps.map((step, i): Step => {
    if (status === 'executing' && i > 0) return { ...step, state: i === 1 ? 'sent' : 'planned' };
    if (status === 'failed' && (step.wave ?? 0) > 0) return { ...step, state: 'skipped' };
    const answered = { ...step, sendCount: 1, sentAt: T.decided, finishedAt: T.finished };
    if (status === 'failed' && step === failing && step.wave === undefined) {
      const error = { code: 'Timeout', message: 'timed out', requestId: `RID-${i}-failed` };
      return { ...answered, state: 'failed', error };
    }
    return { ...answered, state: 'done', apiRequestId: `RID-${i}`, outcomes: outcomes(step, ids) };
  });
}

export function makeRequest(
  kind: OperationKind,
  status: RequestStatus,
  n: number,
  extra: Partial<MutationRequest> = {},
): MutationRequest {
  // Like the service's ids: no words in them (the tests look for English words in Chinese text).
  const id = `ak-${kind.charAt(0)}${STATUSES.indexOf(status)}x${n}`;
  let ids = instanceIds(n);
  let steps: Step[];
  let more: Partial<MutationRequest> = {};
  if (kind === 'attach') {
    steps = planAttach({ id, instanceIds: ids, keyPairName: 'ops-key' });
  } else if (kind === 'restart') {
    steps = planRestart({ id, instanceIds: ids }, { waveSize: 10, waveTimeoutMs: 600_000 });
    more = {
      parentId: 'ak-parent-1',
      excluded: [
        { instanceId: 'i-stopped0001', reason: 'stopped' },
        { instanceId: 'i-unknown0001', reason: 'status_unknown' },
      ],
    };
  } else if (kind === 'apply') {
    const replaces = new Map(ids.filter((_, i) => i % 2 === 0).map((x) => [x, 'kp-legacy0001']));
    steps = planApplyNow({ id, instanceIds: ids, replaces }).map((s) =>
      s.action === 'RunCommand' ? { ...s, invocationId: `ivk-${s.index}` } : s,
    );
    const key = { keyPairName: 'ops-key', fingerprint: 'aa:bb:cc:dd', type: 'ssh-rsa' as const };
    more = {
      parentId: 'ak-parent-1',
      keyPairId: 'kp-ops00001',
      excluded: [
        { instanceId: 'i-stopped0001', reason: 'stopped' },
        { instanceId: 'i-noassist0001', reason: 'no_assistant', status: 'absent' },
        { instanceId: 'i-lost0001', reason: 'no_assistant', status: 'Lost' },
        { instanceId: 'i-down0001', reason: 'not_running', status: 'STOPPING' },
      ],
      applyNow: {
        user: 'root',
        key: { ...key, keyPairId: 'kp-ops00001', blob: LONG_BLOB },
        replaces: [
          { ...key, keyPairId: 'kp-legacy0001', keyPairName: 'legacy-key', blob: LONG_BLOB },
        ],
        unknownReplaced: [{ keyPairId: 'kp-gone0001', keyPairName: 'gone-key', count: 2 }],
      },
    };
  } else {
    const plan = planUndo(id, makeRequest('attach', 'done', n));
    ids = plan.instanceIds;
    steps = plan.steps;
    more = { parentId: 'ak-parent-1', excluded: plan.leftAlone };
  }
  const decided = !['pending', 'expired'].includes(status);
  const decision =
    status === 'pending'
      ? undefined
      : status === 'rejected'
        ? { kind: 'rejected' as const, by: 'U0APP0001', at: T.decided }
        : status === 'expired'
          ? { kind: 'expired' as const, at: T.expires }
          : { kind: 'approved' as const, by: 'U0APP0002', at: T.decided };
  const finished = status === 'done' || status === 'failed';
  return {
    id,
    kind,
    status,
    requesterId: 'U0REQUEST1',
    channelId: 'C0OPS0001',
    region: 'cn-beijing',
    instanceIds: ids,
    ...(kind === 'restart' ? {} : { keyPairName: 'ops-key' }),
    preview: previewOf(ids),
    fingerprint: 'f1e2d3c4b5a6',
    createdAt: T.created,
    expiresAt: T.expires,
    approval: {
      required: 2,
      rules: [
        { name: 'prod-tag', approvals: 2, reason: 'tag', approvers: ['U0LEAD0001', 'S0SREGRP1'] },
        { name: 'big-change', approvals: 2, reason: 'size' },
      ],
      approvals:
        decided && status !== 'rejected'
          ? [
              { by: 'U0APP0001', at: T.decided },
              { by: 'U0APP0002', at: T.decided },
            ]
          : status === 'pending'
            ? [{ by: 'U0APP0001', at: T.decided }]
            : [],
    },
    ...(decision ? { decision } : {}),
    steps: settle(steps, ids, status),
    ...(finished ? { finishedAt: T.finished, resultsPostedAt: T.finished } : {}),
    ...more,
    ...extra,
  };
}

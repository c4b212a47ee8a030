import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { requestFingerprint } from '../../src/domain/fingerprint.js';
import { isClosed } from '../../src/domain/lifecycle.js';
import { upgradeRequest, type V1Request } from '../../src/store/upgrade-v1.js';

const v1 = JSON.parse(
  readFileSync(new URL('../fixtures/store-v1.json', import.meta.url), 'utf8'),
) as { version: 1; requests: Record<string, V1Request> };
const old = (id: string) => v1.requests[id] as V1Request;

describe('upgradeRequest', () => {
  it('turns a pending request into an attach with no steps and nobody approved yet', () => {
    const { batches: _batches, ...rest } = old('ak-pending');
    expect(upgradeRequest(old('ak-pending'))).toEqual({
      ...rest,
      kind: 'attach',
      fingerprint: requestFingerprint({ kind: 'attach', ...rest }),
      approval: { required: 1, rules: [], approvals: [] },
      steps: [],
    });
  });

  it('keeps a key pair given by id, the region and the sandbox flag', () => {
    const upgraded = upgradeRequest(old('ak-keyid'));
    expect(upgraded).toMatchObject({ keyPairId: 'kp-0123', region: 'cn-shanghai', sandbox: true });
    expect(upgraded).not.toHaveProperty('keyPairName');
    expect(upgraded.fingerprint).toBe(
      requestFingerprint({
        kind: 'attach',
        region: 'cn-shanghai',
        keyPairId: 'kp-0123',
        instanceIds: ['i-ccc', 'i-bbb', 'i-aaa'],
      }),
    );
  });

  it('makes each batch an AttachKeyPair step of phase 0 with the same journal', () => {
    const before = old('ak-executing');
    const upgraded = upgradeRequest(before);
    expect(upgraded.status).toBe('executing');
    expect(upgraded.steps).toEqual(
      before.batches.map(({ index, clientToken, instanceIds, ...journal }) => ({
        index,
        phase: 0,
        action: 'AttachKeyPair',
        instanceIds,
        keyPairName: 'ops-key',
        clientToken,
        ...journal,
      })),
    );
    expect(upgraded.steps[0]).toMatchObject({ state: 'done', apiRequestId: 'req-exec-0' });
    expect(upgraded.steps[1]).toMatchObject({ state: 'sent', sendCount: 1 });
    expect(upgraded).not.toHaveProperty('batches');
  });

  it('records the approver of an approved request as its one approval', () => {
    const upgraded = upgradeRequest(old('ak-approved'));
    expect(upgraded.approval).toEqual({
      required: 1,
      rules: [],
      approvals: [{ by: 'U0APPROVER', at: '2025-01-01T00:07:00.000Z' }],
    });
    expect(upgraded.decision).toEqual(old('ak-approved').decision);
  });

  it('counts no approval for a rejection or an expiry', () => {
    expect(upgradeRequest(old('ak-rejected')).approval.approvals).toEqual([]);
    expect(upgradeRequest(old('ak-expired')).approval.approvals).toEqual([]);
  });

  it('keeps failures, outcomes and the results mark, so closed stays closed', () => {
    const failed = upgradeRequest(old('ak-failed'));
    expect(failed.steps[0]?.error).toEqual(old('ak-failed').batches[0]?.error);
    const done = upgradeRequest(old('ak-done'));
    expect(done.steps[0]?.outcomes).toEqual(old('ak-done').batches[0]?.outcomes);
    const closed = Object.values(v1.requests)
      .map(upgradeRequest)
      .filter(isClosed)
      .map((r) => r.id);
    expect(closed.sort()).toEqual(['ak-done', 'ak-expired', 'ak-failed', 'ak-rejected']);
  });

  it('does not share objects with the old request', () => {
    const before = structuredClone(old('ak-done'));
    const upgraded = upgradeRequest(before);
    (before.batches[0]?.outcomes as unknown[]).length = 0;
    before.instanceIds.push('i-zzz');
    expect(upgraded.steps[0]?.outcomes).toHaveLength(2);
    expect(upgraded.instanceIds).toHaveLength(3);
  });
});

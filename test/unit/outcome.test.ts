import { describe, expect, it } from 'vitest';
import {
  ERROR_EXPLANATIONS,
  explainCode,
  summarize,
  toRequestDigest,
} from '../../src/domain/outcome.js';
import type { AttachRequest, Batch } from '../../src/domain/request.js';

// Every code on the AttachKeyPair page (docs/AttachKeyPair.zh.txt).
const API_PAGE_CODES = [
  'MissingParameter.KeyPairNameAndKeyPairId',
  'MissingParameter.InstanceIds',
  'LimitExceeded.MaximumInstanceIds',
  'InvalidClientToken.Malformed',
  'IdempotentParameterMismatch',
  'InvalidKeyPair.NotFound',
  'IdempotentProcessing',
  'InternalError',
  'InvalidInstance.NotFound',
  'InvalidKeyPairForWindows.Unsupported',
  'InvalidResetAuthenticationAgent.NotFound',
  'InvalidInstanceStatus',
  'FlowLimitExceeded',
];

// Every row of volcengine.md §3.4, plus the older names it mentions.
const GATEWAY_CODES = [
  'UndefinedError',
  'MissingParameter',
  'MissingAuthenticationToken',
  'MissingRequestInfo',
  'MissingSignature',
  'InvalidTimestamp',
  'ServiceNotFound',
  'ServiceUnavailable',
  'InvalidActionOrVersion',
  'InvalidAccessKey',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'ServiceShouldCallSelfApi',
  'LackPolicy',
  'AccessDenied',
  'InternalError',
  'InternalServiceTimeout',
  'FlowLimitExceeded',
  'ServiceUnavailableTemp',
  'FailToConnect',
  'InternalServiceError',
  'MethodNotAllowed',
  'LackProjectPolicy',
];

// Our client's codes (src/volcengine/errors.ts) and the service's fallback (toBatchError).
const TRANSPORT_CODES = [
  'Timeout',
  'NetworkError',
  'HttpError',
  'InvalidResponse',
  'RequestError',
  'UnexpectedError',
];

describe('explainCode', () => {
  it.each([...API_PAGE_CODES, ...GATEWAY_CODES, ...TRANSPORT_CODES])(
    'has a catalogue line for %s',
    (code) => {
      expect(Object.hasOwn(ERROR_EXPLANATIONS, code)).toBe(true);
      const line = explainCode(code, 'the API message');
      expect(line).toBe(ERROR_EXPLANATIONS[code]);
      expect(line).not.toBe('the API message');
      expect(line).not.toContain('\n');
      expect(line.length).toBeGreaterThan(20);
      expect(line.length).toBeLessThanOrEqual(200);
      // "what happened; what to do"
      expect(line).toContain(';');
    },
  );

  it('says what to do for the instance-side problems', () => {
    expect(explainCode('InvalidInstanceStatus')).toMatch(/Running or Stopped.*start or stop it/);
    expect(explainCode('InvalidResetAuthenticationAgent.NotFound')).toMatch(
      /password plug-in.*not installed.*install it/,
    );
    expect(explainCode('InvalidKeyPairForWindows.Unsupported')).toMatch(/Windows/);
    expect(explainCode('InvalidTimestamp')).toMatch(/clock.*NTP/);
    expect(explainCode('InvalidKeyPair.NotFound')).toMatch(/region/);
  });

  it('falls back to the API message for unknown codes, or says there is none', () => {
    expect(explainCode('Brand.NewCode', 'Something  odd\nhappened.')).toBe(
      'Something odd happened.',
    );
    expect(explainCode('Brand.NewCode')).toBe('no explanation available');
    expect(explainCode('Brand.NewCode', '   ')).toBe('no explanation available');
    expect(explainCode('Brand.NewCode', 'x'.repeat(1000)).length).toBeLessThanOrEqual(300);
  });

  it('does not treat Object.prototype names as codes', () => {
    expect(explainCode('constructor', 'api says')).toBe('api says');
    expect(explainCode('toString')).toBe('no explanation available');
  });

  it('keeps the catalogue frozen', () => {
    expect(Object.isFrozen(ERROR_EXPLANATIONS)).toBe(true);
  });
});

function batch(index: number, ids: string[], rest: Partial<Batch>): Batch {
  return {
    index,
    clientToken: `req-1-${index}`,
    instanceIds: ids,
    state: 'done',
    sendCount: 1,
    ...rest,
  };
}

function request(batches: Batch[], extra: Partial<AttachRequest> = {}): AttachRequest {
  return {
    id: 'req-1',
    status: 'done',
    requesterId: 'U01REQUESTER',
    channelId: 'C01CHANNEL',
    instanceIds: batches.flatMap((b) => b.instanceIds),
    keyPairName: 'ops',
    region: 'cn-beijing',
    createdAt: '2026-11-01T10:00:00.000Z',
    expiresAt: '2026-11-01T11:00:00.000Z',
    batches,
    ...extra,
  };
}

describe('summarize', () => {
  it('splits instances into succeeded, failed, unconfirmed and unsettled', () => {
    const r = request([
      batch(0, ['i-a', 'i-b', 'i-c'], {
        apiRequestId: 'RID-0',
        outcomes: [
          { instanceId: 'i-a', ok: true },
          { instanceId: 'i-b', ok: false, code: 'InvalidInstanceStatus', message: 'bad status' },
          // i-c is not listed: the API lists failures only, so it succeeded
        ],
      }),
      batch(1, ['i-d', 'i-e'], {
        state: 'failed',
        error: { code: 'InvalidKeyPair.NotFound', message: 'no such key', requestId: 'RID-1' },
      }),
      batch(2, ['i-f'], { state: 'sent' }),
      batch(3, ['i-g'], { apiRequestId: 'RID-0', outcomes: [{ instanceId: 'i-g', ok: true }] }),
    ]);
    const s = summarize(r);
    expect(s.total).toBe(7);
    expect(s.succeeded).toEqual(['i-a', 'i-c', 'i-g']);
    expect(s.failed).toEqual([
      {
        instanceId: 'i-b',
        code: 'InvalidInstanceStatus',
        message: 'bad status',
        explanation: ERROR_EXPLANATIONS.InvalidInstanceStatus,
      },
    ]);
    expect(s.unconfirmed).toEqual([
      {
        instanceId: 'i-d',
        code: 'InvalidKeyPair.NotFound',
        reason: explainCode('InvalidKeyPair.NotFound'),
      },
      {
        instanceId: 'i-e',
        code: 'InvalidKeyPair.NotFound',
        reason: explainCode('InvalidKeyPair.NotFound'),
      },
    ]);
    expect(s.unsettled).toEqual(['i-f']);
    expect(s.apiRequestIds).toEqual(['RID-0', 'RID-1']);
  });

  it('uses the API message for an unknown per-instance code and ignores ids outside the batch', () => {
    const r = request([
      batch(0, ['i-a'], {
        outcomes: [
          { instanceId: 'i-a', ok: false, code: 'Odd.Code', message: 'odd thing' },
          { instanceId: 'i-zzz', ok: false, code: 'InvalidInstance.NotFound', message: 'x' },
        ],
      }),
    ]);
    const s = summarize(r);
    expect(s.failed).toHaveLength(1);
    expect(s.failed[0]?.explanation).toBe('odd thing');
    expect(s.succeeded).toEqual([]);
  });

  it('counts every instance of an unapproved request as unsettled', () => {
    const r = request([], { status: 'pending', instanceIds: ['i-a', 'i-b'] });
    const s = summarize(r);
    expect(s).toMatchObject({ total: 2, succeeded: [], failed: [], unconfirmed: [] });
    expect(s.unsettled).toEqual(['i-a', 'i-b']);
  });

  it('gives a failed batch without an error an UnexpectedError', () => {
    const s = summarize(request([batch(0, ['i-a'], { state: 'failed' })]));
    expect(s.unconfirmed[0]?.code).toBe('UnexpectedError');
  });
});

describe('toRequestDigest', () => {
  it('keeps what status and history need, with totals once answered', () => {
    const r = request(
      [
        batch(0, ['i-a', 'i-b'], {
          outcomes: [
            { instanceId: 'i-b', ok: false, code: 'InvalidInstance.NotFound', message: '' },
          ],
        }),
      ],
      {
        keyPairId: 'kp-1',
        decision: { kind: 'approved', by: 'U02APPROVER', at: '2026-11-01T10:05:00.000Z' },
        sandbox: true,
      },
    );
    const d = toRequestDigest(r);
    expect(d).toMatchObject({
      id: 'req-1',
      status: 'done',
      instanceCount: 2,
      keyPairName: 'ops',
      keyPairId: 'kp-1',
      sandbox: true,
      totals: { succeeded: 1, failed: 1, unconfirmed: 0 },
    });
    expect(d.decision?.by).toBe('U02APPROVER');
    expect(
      toRequestDigest(request([], { status: 'pending', instanceIds: ['i-a'] })).totals,
    ).toBeUndefined();
  });
});

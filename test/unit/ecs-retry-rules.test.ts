import { describe, expect, it } from 'vitest';
import {
  backoffDelayMs,
  isRetryable,
  parseRetryAfterMs,
  VolcApiError,
} from '../../src/volcengine/errors.js';

describe('isRetryable', () => {
  const table: Array<[number | undefined, string, boolean]> = [
    [500, 'InternalError', true],
    [429, 'FlowLimitExceeded', true],
    [412, 'IdempotentProcessing', true],
    [504, 'InternalServiceTimeout', true],
    [503, 'ServiceUnavailableTemp', true],
    [502, 'FailToConnect', true],
    [502, 'HttpError', true],
    [503, 'HttpError', true],
    [504, 'HttpError', true],
    [429, 'SomethingNew', true],
    [undefined, 'NetworkError', true],
    [undefined, 'Timeout', true],
    [200, 'FlowLimitExceeded', true],
    [400, 'IdempotentParameterMismatch', false],
    [500, 'IdempotentParameterMismatch', false],
    [401, 'SignatureDoesNotMatch', false],
    [401, 'InvalidAccessKey', false],
    [403, 'AccessDenied', false],
    [400, 'InvalidTimestamp', false],
    [404, 'InvalidKeyPair.NotFound', false],
    [400, 'MissingParameter.InstanceIds', false],
    [400, 'LimitExceeded.MaximumInstanceIds', false],
    [400, 'InvalidClientToken.Malformed', false],
    [405, 'MethodNotAllowed', false],
    [400, 'HttpError', false],
    [501, 'HttpError', false],
    [undefined, 'RequestError', false],
    [200, 'InvalidResponse', false],
  ];
  it.each(table)('HTTP %s %s -> %s', (status, code, expected) => {
    expect(isRetryable(status, code)).toBe(expected);
  });
});

describe('VolcApiError', () => {
  it('classifies itself unless told, and serialises without a stack', () => {
    const e = new VolcApiError({
      code: 'InternalError',
      message: 'boom',
      httpStatus: 500,
      requestId: 'r1',
    });
    expect(e.retryable).toBe(true);
    expect(e).toBeInstanceOf(Error);
    expect(JSON.parse(JSON.stringify(e))).toEqual({
      name: 'VolcApiError',
      code: 'InternalError',
      message: 'boom',
      httpStatus: 500,
      requestId: 'r1',
      retryable: true,
    });
    expect(
      new VolcApiError({ code: 'InternalError', message: 'x', retryable: false }).retryable,
    ).toBe(false);
  });
});

describe('backoffDelayMs', () => {
  const policy = (r: number) => ({ baseDelayMs: 300, maxDelayMs: 5_000, random: () => r });

  it('grows exponentially with equal jitter: half fixed, half random', () => {
    expect([1, 2, 3, 4].map((a) => backoffDelayMs(a, policy(0)))).toEqual([150, 300, 600, 1200]);
    expect([1, 2, 3, 4].map((a) => backoffDelayMs(a, policy(1)))).toEqual([300, 600, 1200, 2400]);
  });

  it('never shrinks from one attempt to the next below the cap, whatever the jitter', () => {
    for (let a = 1; a <= 4; a++) {
      expect(backoffDelayMs(a + 1, policy(0))).toBeGreaterThanOrEqual(
        backoffDelayMs(a, policy(0.999)),
      );
    }
  });

  it('is capped at maxDelayMs', () => {
    expect(backoffDelayMs(30, policy(0.999))).toBeLessThanOrEqual(5_000);
    expect(backoffDelayMs(1_000, policy(1))).toBe(5_000);
  });
});

describe('parseRetryAfterMs', () => {
  const now = new Date('2026-11-28T10:00:00Z');
  it('reads delta seconds and HTTP dates, ignores garbage', () => {
    expect(parseRetryAfterMs('3', now)).toBe(3_000);
    expect(parseRetryAfterMs(' 0 ', now)).toBe(0);
    expect(parseRetryAfterMs('Sat, 28 Nov 2026 10:00:05 GMT', now)).toBe(5_000);
    expect(parseRetryAfterMs('Sat, 28 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfterMs(undefined, now)).toBeUndefined();
    expect(parseRetryAfterMs('soon', now)).toBeUndefined();
  });
});

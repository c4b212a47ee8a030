import { describe, expect, it } from 'vitest';
import {
  ENGLISH_OUTCOME,
  ERROR_EXPLANATIONS,
  type ErrorCode,
  explainFrom,
} from '../../src/domain/outcome.js';

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

/** The English line (the renderers call it as en.explain). */
const explainCode = (code: string, apiMessage?: string) =>
  explainFrom(ENGLISH_OUTCOME, code, apiMessage);

describe('explainFrom in English', () => {
  it.each([...API_PAGE_CODES, ...GATEWAY_CODES, ...TRANSPORT_CODES])(
    'has a catalogue line for %s',
    (code) => {
      expect(Object.hasOwn(ERROR_EXPLANATIONS, code)).toBe(true);
      const line = explainCode(code, 'the API message');
      expect(line).toBe(ERROR_EXPLANATIONS[code as ErrorCode]);
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

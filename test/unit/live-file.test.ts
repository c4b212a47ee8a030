import { describe, expect, it } from 'vitest';
import type { MutationRequest } from '../../src/domain/request.js';
import { requestJson } from '../../src/store/live-file.js';
import { deepFreeze } from '../../src/store/records.js';
import { largeRequest, makeRequest, withStepDone } from '../support/store-fixtures.js';

// requestJson caches text by identity, the request's and each of its parts': what it writes must
// stay exactly what JSON.stringify would write (with the steps last), however it was built.

const stringified = (request: MutationRequest) => {
  const { steps, ...header } = request;
  return JSON.stringify({ ...header, steps });
};

describe('requestJson', () => {
  it('writes what JSON.stringify writes, steps last, undefined fields left out', () => {
    const request = deepFreeze({
      ...makeRequest('r1', { parentId: undefined, threadTs: 'x"y\\z' }),
      steps: largeRequest('r1', 150).steps,
      card: { channel: 'C1', ts: '1.2' },
    });
    expect(requestJson(request)).toBe(stringified(request));
    expect(JSON.parse(requestJson(request))).toEqual(JSON.parse(JSON.stringify(request)));
  });

  it('follows a change to one step or one header field, reusing the rest', () => {
    const first = deepFreeze(largeRequest('r2', 1_000));
    requestJson(first);
    const stepDone = deepFreeze(withStepDone(first, 3));
    expect(requestJson(stepDone)).toBe(stringified(stepDone));
    const header = deepFreeze({ ...stepDone, status: 'done' as const, finishedAt: 'later' });
    expect(requestJson(header)).toBe(stringified(header));
    expect(requestJson(first)).toBe(stringified(first));
  });

  it('writes an empty request and empty steps as JSON does', () => {
    const empty = deepFreeze(makeRequest('r3'));
    expect(requestJson(empty)).toBe(stringified(empty));
  });
});

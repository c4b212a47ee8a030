import type { TransportRequest } from '../../src/volcengine/ecs-client.js';
import {
  canonicalQuery,
  type SigningCredentials,
  signRequest,
} from '../../src/volcengine/signer.js';

/** A GET / with this query, signed for ECS as the bot's client signs it (or left unsigned). */
export function signedEcsRequest(input: {
  origin: string;
  query: Array<[string, string]>;
  credentials: SigningCredentials;
  headers?: Record<string, string>;
  region?: string;
  date?: Date;
  sign?: boolean;
  signal?: AbortSignal;
}): TransportRequest {
  const headers: Record<string, string> = { Host: new URL(input.origin).host, ...input.headers };
  if (input.sign !== false) {
    const signed = signRequest({
      method: 'GET',
      path: '/',
      query: input.query,
      headers,
      body: '',
      region: input.region ?? 'cn-beijing',
      service: 'ecs',
      credentials: input.credentials,
      date: input.date ?? new Date(),
    });
    Object.assign(headers, signed.headers);
  }
  return {
    method: 'GET',
    url: `${input.origin}/?${canonicalQuery(input.query)}`,
    headers,
    signal: input.signal ?? new AbortController().signal,
  };
}

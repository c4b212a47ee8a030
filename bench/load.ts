import { randomBytes } from 'node:crypto';
import { Pool } from 'undici';
import { buttonClick, slackSender } from '../test/support/slack-requests.js';

// A load client that sends what Slack sends (v0-signed form bodies to /slack/events) over a
// keep-alive undici Pool with one connection per concurrent request, so the figures are the
// server's and not connection setup's.

export interface SignedClient {
  /** Sends one body; resolves with the time until the whole response (the ack) arrived. */
  send(body: string): Promise<number>;
  /** The same, with the response body (an options answer). */
  exchange(body: string): Promise<{ ms: number; text: string }>;
  /** Sends all bodies at once; each latency is measured from its own dispatch. */
  burst(bodies: readonly string[]): Promise<number[]>;
  close(): Promise<void>;
}

export function createSignedClient(
  origin: string,
  signingSecret: string,
  connections: number,
): SignedClient {
  const pool = new Pool(origin, {
    connections,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    keepAliveMaxTimeout: 120_000,
  });
  const { sign } = slackSender(`${origin}/slack/events`, signingSecret);
  const exchange = async (body: string): Promise<{ ms: number; text: string }> => {
    // Signing is the client's work: done before the clock starts.
    const headers = {
      'content-type': 'application/x-www-form-urlencoded',
      ...sign(body),
    };
    const started = performance.now();
    const response = await pool.request({ method: 'POST', path: '/slack/events', headers, body });
    const text = await response.body.text();
    const elapsed = performance.now() - started;
    if (response.statusCode !== 200) {
      throw new Error(`the server answered ${response.statusCode}: ${text.slice(0, 200)}`);
    }
    return { ms: elapsed, text };
  };
  const send = async (body: string) => (await exchange(body)).ms;
  return {
    send,
    exchange,
    burst: (bodies) => Promise.all(bodies.map(send)),
    close: () => pool.close(),
  };
}

/**
 * One client over several servers, like a load balancer in front of replicas: a burst's bodies
 * go round robin, each timed by the client of the server it went to.
 */
export function splitClient(clients: readonly SignedClient[]): SignedClient {
  const [first] = clients;
  if (!first) throw new Error('no clients to split over');
  if (clients.length === 1) return first;
  return {
    send: (body) => first.send(body),
    exchange: (body) => first.exchange(body),
    burst: (bodies) =>
      Promise.all(
        bodies.map((body, i) => (clients[i % clients.length] as SignedClient).send(body)),
      ),
    close: async () => {
      await Promise.all(clients.map((c) => c.close()));
    },
  };
}

export const REQUESTER = 'UREQ';
export const APPROVER = 'UAPP1';
export const CHANNEL = 'C0OPS';

/** A slash command body with the fields Slack sends. */
export function commandBody(text: string, responseUrl: string): string {
  return new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: 'T0FAKE',
    team_domain: 'fake',
    channel_id: CHANNEL,
    channel_name: 'ops',
    user_id: REQUESTER,
    user_name: 'requester',
    command: '/attach-key',
    text,
    api_app_id: 'A0FAKE',
    response_url: responseUrl,
    trigger_id: `${Date.now()}.${randomBytes(4).toString('hex')}.trigger`,
  }).toString();
}

/** An approve click on a card, as an approver. */
export function approveBody(input: {
  requestId: string;
  channel: string;
  ts: string;
  responseUrl: string;
}): string {
  return clickBody({ ...input, actionId: 'approve_request', value: input.requestId });
}

/** A click on a message's button (by default as the approver). */
export function clickBody(input: {
  actionId: string;
  value: string;
  userId?: string;
  channel: string;
  ts: string;
  responseUrl: string;
}): string {
  const payload = buttonClick({
    actionId: input.actionId,
    value: input.value,
    userId: input.userId ?? APPROVER,
    channelId: input.channel,
    messageTs: input.ts,
    responseUrl: input.responseUrl,
  });
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** `count` distinct instance ids: `i-` and lower-case alphanumerics. */
export function instanceIds(count: number, length = 12): string[] {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const ids = new Set<string>();
  while (ids.size < count) {
    let id = 'i-';
    for (const byte of randomBytes(length)) id += alphabet[byte % alphabet.length];
    ids.add(id);
  }
  return [...ids];
}

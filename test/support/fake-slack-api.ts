import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// A loopback stand-in for the Slack Web API (slack.md §5): records every call with its form
// params (blocks/view JSON-decoded), answers the success shapes Bolt and WebClient expect, and
// can be scripted to fail per method. Also a /response_url/<id> sink for respond().

export interface RecordedSlackCall {
  method: string;
  params: Record<string, unknown>;
  authorization: string | undefined;
  at: number;
}

export interface RecordedResponse {
  id: string;
  body: Record<string, unknown>;
  at: number;
}

export type SlackFault =
  | { kind: 'error'; error: string }
  | { kind: 'http'; status: number; retryAfterSeconds?: number; body?: string }
  | { kind: 'hang' };

export interface FakeSlackApi {
  url: string;
  apiUrl: string;
  calls: RecordedSlackCall[];
  responses: RecordedResponse[];
  callsTo(method: string): RecordedSlackCall[];
  responseUrl(id: string): string;
  /** The next calls to `method` fail in order, then it succeeds again. */
  fail(method: string, ...faults: SlackFault[]): void;
  waitFor<T>(predicate: () => T | undefined | false, what?: string, timeoutMs?: number): Promise<T>;
  /** Every request body the server received, raw (for secret-leak checks). */
  rawBodies: string[];
  /** What apps.connections.open answers (point it at a loopback WebSocket server). */
  socketModeUrl: string;
  /** The token's scopes, sent as Slack does in `x-oauth-scopes` (unset: no header). */
  scopes?: string[];
  /** Answers a method with what `answer` returns or resolves to (users.info after a delay, …). */
  answer(
    method: string,
    answer: (
      params: Record<string, unknown>,
    ) => Record<string, unknown> | Promise<Record<string, unknown>>,
  ): void;
  close(): Promise<void>;
}

export async function startFakeSlackApi(
  options: { botUserId?: string; teamId?: string } = {},
): Promise<FakeSlackApi> {
  const calls: RecordedSlackCall[] = [];
  const responses: RecordedResponse[] = [];
  const rawBodies: string[] = [];
  const faults = new Map<string, SlackFault[]>();
  const custom = new Map<
    string,
    (params: Record<string, unknown>) => Record<string, unknown> | Promise<Record<string, unknown>>
  >();
  const waiters = new Set<() => void>();
  let ts = 1_700_000_000;
  const notify = () => {
    for (const w of waiters) w();
  };

  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    rawBodies.push(body);
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path.startsWith('/response_url/')) {
      responses.push({
        id: path.slice('/response_url/'.length),
        body: JSON.parse(body),
        at: Date.now(),
      });
      notify();
      return send(res, 200, 'ok', 'text/plain');
    }
    const method = path.replace(/^\/api\//, '');
    const params = parseForm(body, req.headers['content-type']);
    calls.push({ method, params, authorization: req.headers.authorization, at: Date.now() });
    notify();

    const fault = faults.get(method)?.shift();
    if (fault?.kind === 'hang') return;
    if (fault?.kind === 'http') {
      if (fault.retryAfterSeconds !== undefined) {
        res.setHeader('Retry-After', String(fault.retryAfterSeconds));
      }
      return send(res, fault.status, fault.body ?? JSON.stringify({ ok: false, error: 'fault' }));
    }
    if (fault?.kind === 'error') return sendJson(res, { ok: false, error: fault.error });
    if (api.scopes) res.setHeader('x-oauth-scopes', api.scopes.join(','));
    sendJson(res, await answer(method, params));
  });

  const answer = async (
    method: string,
    params: Record<string, unknown>,
  ): Promise<Record<string, unknown>> => {
    const scripted = custom.get(method);
    if (scripted) return scripted(params);
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://fake.slack.test/',
          team: 'Fake Team',
          user: 'attach-key-bot',
          team_id: options.teamId ?? 'T0FAKE',
          user_id: options.botUserId ?? 'UBOT',
          bot_id: 'BFAKE',
        };
      case 'chat.postMessage':
      case 'chat.update': {
        const messageTs = method === 'chat.update' ? String(params.ts) : `${++ts}.000100`;
        return { ok: true, channel: params.channel, ts: messageTs, message: { text: params.text } };
      }
      case 'chat.postEphemeral':
        return { ok: true, message_ts: `${++ts}.000200` };
      case 'views.open':
      case 'views.update':
      case 'views.publish':
        return { ok: true, view: { id: `V${++ts}`, hash: 'h' } };
      case 'chat.getPermalink':
        return {
          ok: true,
          channel: params.channel,
          permalink: `https://fake.slack.test/archives/${String(params.channel)}/p${String(params.message_ts).replace('.', '')}`,
        };
      case 'users.info':
        return { ok: true, user: { id: params.user, locale: 'en-US' } };
      case 'apps.connections.open':
        return { ok: true, url: api.socketModeUrl };
      default:
        return { ok: true };
    }
  };

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  const api: FakeSlackApi = {
    socketModeUrl: 'ws://127.0.0.1:1/never',
    url,
    apiUrl: `${url}/api/`,
    calls,
    responses,
    rawBodies,
    callsTo: (method) => calls.filter((c) => c.method === method),
    responseUrl: (id) => `${url}/response_url/${id}`,
    answer: (method, fn) => {
      custom.set(method, fn);
    },
    fail: (method, ...list) => {
      faults.set(method, [...(faults.get(method) ?? []), ...list]);
    },
    waitFor: (predicate, what = 'condition', timeoutMs = 5000) =>
      waitUntil(predicate, what, timeoutMs, waiters),
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
  return api;
}

/**
 * Resolves with the predicate's first truthy value, re-checking on every recorded call and every
 * few milliseconds (for state that changes between calls, like the store).
 */
export function waitUntil<T>(
  predicate: () => T | undefined | false,
  what: string,
  timeoutMs: number,
  waiters: Set<() => void>,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const check = () => {
      let value: T | undefined | false;
      try {
        value = predicate();
      } catch (error) {
        finish();
        reject(error);
        return;
      }
      if (value) {
        finish();
        resolve(value);
      }
    };
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const poll = setInterval(check, 5);
    const finish = () => {
      clearTimeout(timer);
      clearInterval(poll);
      waiters.delete(check);
    };
    waiters.add(check);
    check();
  });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseForm(body: string, contentType: string | undefined): Record<string, unknown> {
  if (contentType?.includes('application/json')) return body ? JSON.parse(body) : {};
  const params: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    params[key] = ['blocks', 'view', 'metadata', 'attachments'].includes(key)
      ? JSON.parse(value)
      : value;
  }
  return params;
}

function send(res: ServerResponse, status: number, body: string, type = 'application/json') {
  res.writeHead(status, { 'Content-Type': type });
  res.end(body);
}

function sendJson(res: ServerResponse, body: unknown) {
  send(res, 200, JSON.stringify(body));
}

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createEcsClient,
  type EcsClient,
  type EcsClientOptions,
  type Transport,
  type TransportRequest,
  type TransportResponse,
} from '../../src/volcengine/ecs-client.js';
import {
  type KeyResolver,
  numberedValues,
  parseQuery,
  type SignatureCheck,
  verifySignature,
} from './verify-signature.js';

// An ECS stand-in behind the client's Transport (no sockets), for the reads, the new batch
// actions and calls signed with temporary credentials. It checks every signature against the keys
// it is given, records every call, answers from a small inventory by default and lets a test hold
// calls open or answer them its own way. (fake-ecs-api.ts serves AttachKeyPair over real HTTP.)

export interface StandInCall {
  seq: number;
  action: string;
  pairs: Array<[string, string]>;
  query: Record<string, string>;
  instanceIds: string[];
  headers: Record<string, string>;
  auth: SignatureCheck;
}

export interface StandInReply {
  /** Default 200, or 400 when `error` is given. */
  status?: number;
  result?: unknown;
  error?: { code: string; message?: string };
  requestId?: string;
}

export type StandInHandler = (call: StandInCall) => StandInReply | Promise<StandInReply>;

export interface HeldStandInCall {
  arrived: Promise<StandInCall>;
  /** Answer it now: with `reply`, or as the handler would. */
  release(reply?: StandInReply): void;
}

export interface EcsStandIn {
  transport: Transport;
  calls: StandInCall[];
  /** What DescribeInstances lists by default (API field names). */
  instances: Array<Record<string, unknown>>;
  keyPairs: Array<Record<string, unknown>>;
  /** Answers every later call of `action` (replacing the default). */
  on(action: string, handler: StandInHandler): void;
  /** The next call of `action` (any action when omitted) waits until released. */
  hold(action?: string): HeldStandInCall;
  callsFor(action: string): StandInCall[];
  /** The same stand-in over loopback HTTP, for a child process that cannot take a Transport. */
  listen(): Promise<{ url: string; close(): Promise<void> }>;
}

export function createEcsStandIn(options: { keys: KeyResolver }): EcsStandIn {
  const calls: StandInCall[] = [];
  const handlers = new Map<string, StandInHandler>();
  const holds: Array<{
    action?: string;
    arrive: (c: StandInCall) => void;
    gate: Promise<StandInReply | undefined>;
  }> = [];
  let seq = 0;

  const standIn: EcsStandIn = {
    calls,
    instances: [],
    keyPairs: [],
    transport: (req) => handle(req),
    on: (action, handler) => {
      handlers.set(action, handler);
    },
    hold: (action) => {
      let arrive!: (call: StandInCall) => void;
      let release!: (reply?: StandInReply) => void;
      const arrived = new Promise<StandInCall>((r) => {
        arrive = r;
      });
      const gate = new Promise<StandInReply | undefined>((r) => {
        release = r;
      });
      holds.push({ ...(action ? { action } : {}), arrive, gate });
      return { arrived, release: (reply) => release(reply) };
    },
    callsFor: (action) => calls.filter((c) => c.action === action),
    listen: async () => {
      const server = createServer((req, res) => {
        req.resume();
        req.on('end', async () => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(req.headers)) {
            if (typeof value === 'string') headers[name] = value;
          }
          const signal = new AbortController().signal;
          const url = `http://${headers.host ?? '127.0.0.1'}${req.url ?? '/'}`;
          const answer = await handle({ method: 'GET', url, headers, signal });
          res.writeHead(answer.status, answer.headers as Record<string, string>);
          res.end(answer.body);
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      return {
        url: `http://127.0.0.1:${port}`,
        close: () => {
          server.closeAllConnections();
          return new Promise<void>((resolve) => server.close(() => resolve()));
        },
      };
    },
  };

  async function handle(req: TransportRequest): Promise<TransportResponse> {
    if (req.signal.aborted) throw abortError();
    const url = new URL(req.url);
    const pairs = parseQuery(url.search.slice(1));
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), v]),
    );
    const auth = verifySignature(
      { method: req.method, path: url.pathname, pairs, headers, body: '' },
      options.keys,
    );
    const query = Object.fromEntries(pairs);
    const call: StandInCall = {
      seq: ++seq,
      action: query.Action ?? '',
      pairs,
      query,
      instanceIds: numberedValues(pairs, 'InstanceIds'),
      headers,
      auth,
    };
    calls.push(call);
    if (!auth.ok) {
      return respond(call, { status: 401, error: { code: auth.code, message: auth.reason } });
    }
    const held = holds.findIndex((h) => h.action === undefined || h.action === call.action);
    if (held >= 0) {
      const [hold] = holds.splice(held, 1);
      hold?.arrive(call);
      const reply = await raceAbort(hold?.gate ?? Promise.resolve(undefined), req.signal);
      return respond(call, reply ?? (await answer(call)));
    }
    return respond(call, await answer(call));
  }

  function answer(call: StandInCall): StandInReply | Promise<StandInReply> {
    const handler = handlers.get(call.action);
    if (handler) return handler(call);
    switch (call.action) {
      case 'DescribeInstances':
        return describeInstances(call, standIn.instances);
      case 'DescribeKeyPairs':
        return describeKeyPairs(call, standIn.keyPairs);
      case 'DescribeCloudAssistantStatus':
        return { result: { Instances: [], PageNumber: 1, PageSize: 1, TotalCount: 0 } };
      case 'AttachKeyPair':
      case 'DetachKeyPair':
      case 'RebootInstances':
        return {
          result: {
            OperationDetails: call.instanceIds.map((id) => ({ InstanceId: id, Error: null })),
          },
        };
      default:
        return { status: 404, error: { code: 'InvalidActionOrVersion' } };
    }
  }

  return standIn;
}

/** A resolver that knows exactly one long-lived key. */
export function knownKey(key: { accessKeyId: string; secretAccessKey: string }): KeyResolver {
  return (ak) => (ak === key.accessKeyId ? { secretAccessKey: key.secretAccessKey } : undefined);
}

/** An ECS client on the stand-in signing with `credentials`: 3 attempts, no real sleeps. */
export function clientOn(
  standIn: EcsStandIn,
  overrides: Partial<EcsClientOptions> & Pick<EcsClientOptions, 'credentials'>,
): EcsClient {
  return createEcsClient({
    endpoint: 'https://open.volcengineapi.com',
    timeoutMs: 2_000,
    maxAttempts: 3,
    deadlineMs: 60_000,
    transport: standIn.transport,
    sleep: async () => {},
    ...overrides,
  });
}

function describeInstances(call: StandInCall, all: Array<Record<string, unknown>>): StandInReply {
  const ids = new Set(call.instanceIds);
  const matching = ids.size > 0 ? all.filter((i) => ids.has(String(i.InstanceId))) : all;
  return page(call, matching, 'Instances');
}

function describeKeyPairs(call: StandInCall, all: Array<Record<string, unknown>>): StandInReply {
  const names = new Set(numberedValues(call.pairs, 'KeyPairNames'));
  const ids = new Set(numberedValues(call.pairs, 'KeyPairIds'));
  const fuzzy = call.query.KeyPairName;
  const matching = all.filter(
    (k) =>
      (names.size === 0 || names.has(String(k.KeyPairName))) &&
      (ids.size === 0 || ids.has(String(k.KeyPairId))) &&
      (!fuzzy || String(k.KeyPairName).includes(fuzzy)),
  );
  return page(call, matching, 'KeyPairs');
}

function page(call: StandInCall, items: unknown[], key: string): StandInReply {
  const start = Number(call.query.NextToken ?? '0');
  const size = Number(call.query.MaxResults ?? '10');
  const slice = items.slice(start, start + size);
  const next = start + slice.length < items.length ? String(start + slice.length) : '';
  return { result: { [key]: slice, NextToken: next, TotalCount: items.length } };
}

function respond(call: StandInCall, reply: StandInReply): TransportResponse {
  const requestId = reply.requestId ?? `standin-${String(call.seq).padStart(4, '0')}`;
  const metadata: Record<string, unknown> = { RequestId: requestId, Action: call.action };
  if (reply.error) {
    metadata.Error = { Code: reply.error.code, Message: reply.error.message ?? reply.error.code };
  }
  const body = reply.error
    ? { ResponseMetadata: metadata }
    : { ResponseMetadata: metadata, Result: reply.result ?? {} };
  return {
    status: reply.status ?? (reply.error ? 400 : 200),
    headers: { 'content-type': 'application/json', date: new Date().toUTCString() },
    body: JSON.stringify(body),
  };
}

function abortError(): Error {
  return new DOMException('This operation was aborted', 'AbortError');
}

function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then((value) => {
      signal.removeEventListener('abort', onAbort);
      resolve(value);
    }, reject);
  });
}

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { assistantFromWords } from '../../src/sandbox/fleet.js';
import {
  createEcsSimulator,
  type EcsAnswer,
  type EcsApplication,
  type EcsSimulator,
  type KeyPairRef,
  type KeyPairSpec,
  type SimInstance,
} from '../../src/sandbox/simulator.js';
import { verifySignature } from './fake-ecs-auth.js';
import type {
  Application,
  EcsStep,
  FakeEcsApi,
  FakeEcsOptions,
  FakeInstanceSpec,
  HeldCall,
  HeldControl,
  RecordedEcsCall,
} from './fake-ecs-types.js';
import { waitUntil } from './fake-slack-api.js';

// A Volcengine OpenAPI stand-in on 127.0.0.1:<random port>, over the project's ECS simulator
// (src/sandbox/simulator.ts) driven by real time. It verifies every signature with the
// project's own signer, records every call, and can be scripted call by call to fail, stall,
// reset the connection or answer slowly. By default any `i-…` id it has not been told about
// exists the first time it is named (RUNNING Linux, password agent, Cloud Assistant running, no
// key pair; the sandbox's `noassist` and `scriptfail` words apply), and so does any key pair, so
// a test need not set up an inventory unless it cares.

export type { AuthCheck, FakeEcsCredentialLookup, FakeEcsCredentials } from './fake-ecs-auth.js';
export type * from './fake-ecs-types.js';

const JSON_TYPE = 'application/json; charset=utf-8';
const DEFAULT_REGION = 'cn-beijing';
const MUTATIONS: ReadonlySet<string> = new Set([
  'AttachKeyPair',
  'DetachKeyPair',
  'RebootInstances',
  'RunCommand',
  'ImportKeyPair',
]);

export async function startFakeEcsApi(options: FakeEcsOptions): Promise<FakeEcsApi> {
  const calls: RecordedEcsCall[] = [];
  let steps: EcsStep[] = [];
  const waiters = new Set<() => void>();
  const timers = new Set<NodeJS.Timeout>();
  let seq = 0;

  const sim: EcsSimulator = createEcsSimulator({
    now: Date.now,
    rebootMs: options.rebootMs ?? 50,
    // A 50 ms reboot must still be seen by the restart's first poll, however loaded the machine.
    transitionsOutlastARead: true,
    commandMs: options.commandMs ?? 30,
    requestId: (n) => `fake${Date.now().toString(16)}${String(n).padStart(6, '0')}`,
    materialiseInstance: (instanceId, region) =>
      !options.strictInstances && instanceId.startsWith('i-')
        ? { instanceId, region, ...assistantFromWords(instanceId) }
        : undefined,
    materialiseKeyPair: (ref) => (options.strictKeyPairs ? undefined : keyPairFor(ref)),
  });

  /** A key pair named by id gets the call's name too, unless that name is taken. */
  function keyPairFor(ref: KeyPairRef): KeyPairSpec | undefined {
    const { keyPairId, keyPairName } = ref;
    if (!keyPairId) return keyPairName ? { keyPairName } : undefined;
    const nameFree = keyPairName && !sim.keyPair({ keyPairName });
    return { keyPairId, keyPairName: nameFree ? keyPairName : keyPairId };
  }

  function seed(): void {
    const keyPairs = options.keyPairs ?? [
      { keyPairId: 'kp-fake00000001', keyPairName: 'fake-key' },
    ];
    for (const k of keyPairs) sim.addKeyPair(k);
    for (const spec of options.instances ?? []) addInstance(spec);
    for (const id of options.absent ?? []) sim.removeInstance(id);
  }
  seed();

  function addInstance(spec: FakeInstanceSpec): SimInstance {
    return sim.addInstance({ region: DEFAULT_REGION, ...spec });
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });

  function later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  }

  function handle(req: IncomingMessage, res: ServerResponse, body: string): void {
    const call = record(req, body);
    if (!call.auth.ok) {
      call.handledAs = 'rejected';
      const status = call.auth.code === 'MissingRequestInfo' ? 400 : 401;
      notify();
      reply(res, call, fail(call, status, call.auth.code, call.auth.reason));
      return;
    }
    const step = takeStep(call.action);
    call.handledAs = step?.kind ?? 'default';
    // What the API computed when it applied the call before misbehaving: answered as is later.
    let applied: EcsAnswer | undefined;
    const normal = () => reply(res, call, applied ?? simulate(call));
    const act = () => {
      // "The API applied it" happens before anyone waiting on calls hears of the call.
      if (step && 'apply' in step && step.apply && MUTATIONS.has(call.action ?? '')) {
        applied = simulate(call);
      }
      notify();
      if (!step || step.kind === 'ok') normal();
      else if (step.kind === 'delay') later(step.ms, normal);
      else if (step.kind === 'error') {
        const headers: Record<string, string> = {};
        if (step.retryAfter !== undefined) headers['Retry-After'] = String(step.retryAfter);
        const message = step.message ?? step.code;
        reply(res, call, fail(call, step.status, step.code, message), headers);
      } else if (step.kind === 'raw') {
        const contentType = step.contentType ?? 'text/html';
        writeReply(res, call, step.status, step.body, { 'Content-Type': contentType });
      } else if (step.kind === 'reset') {
        call.answeredAt = Date.now();
        res.socket?.destroy();
      } else {
        step.held?.onArrive(call, (how) => {
          if (res.writableEnded || res.destroyed) return;
          if (how === 'reset') {
            call.answeredAt = Date.now();
            res.socket?.destroy();
          } else normal();
        });
      }
    };
    if (options.latencyMs) later(options.latencyMs, act);
    else act();
  }

  function simulate(call: RecordedEcsCall): EcsAnswer {
    const answer = sim.handle({
      action: call.action ?? '',
      version: call.version ?? '',
      region: call.region ?? '',
      params: call.pairs,
    });
    if (answer.application && !answer.replayed) call.applied = true;
    // RunCommand and ImportKeyPair keep no application record: an accepted call changed things.
    if (MUTATIONS.has(call.action ?? '') && !answer.application && answer.status === 200) {
      call.applied = true;
    }
    return answer;
  }

  function fail(call: RecordedEcsCall, status: number, code: string, message: string): EcsAnswer {
    const meta = {
      action: call.action ?? '',
      version: call.version ?? '',
      region: call.region ?? '',
      service: call.service ?? 'ecs',
    };
    return sim.errorAnswer(meta, { status, code, message });
  }

  function record(req: IncomingMessage, body: string): RecordedEcsCall {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawQuery = q >= 0 ? url.slice(q + 1) : '';
    const pairs = parseQuery(rawQuery);
    const query = Object.fromEntries(pairs);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const instanceIds = pairs
      .map(([k, v]) => [/^InstanceIds\.(\d+)$/.exec(k)?.[1], v] as const)
      .filter((e): e is readonly [string, string] => e[0] !== undefined)
      .sort((a, b) => Number(a[0]) - Number(b[0]))
      .map(([, v]) => v);
    const path = q >= 0 ? url.slice(0, q) : url;
    const call: RecordedEcsCall = {
      seq: ++seq,
      at: Date.now(),
      method: req.method ?? '',
      path,
      rawQuery,
      pairs,
      query,
      instanceIds,
      headers,
      auth: { ok: true },
      handledAs: 'default',
      applied: false,
      ...(query.Action !== undefined ? { action: query.Action } : {}),
      ...(query.Version !== undefined ? { version: query.Version } : {}),
      ...(query.ClientToken !== undefined ? { clientToken: query.ClientToken } : {}),
      ...(query.KeyPairName !== undefined ? { keyPairName: query.KeyPairName } : {}),
      ...(query.KeyPairId !== undefined ? { keyPairId: query.KeyPairId } : {}),
    };
    call.auth = verifySignature(call, body, options.credentials, (facts) =>
      Object.assign(call, facts),
    );
    calls.push(call);
    return call;
  }

  function takeStep(action: string | undefined): EcsStep | undefined {
    const index = steps.findIndex((s) => s.action === undefined || s.action === action);
    if (index < 0) return undefined;
    return steps.splice(index, 1)[0];
  }

  function reply(
    res: ServerResponse,
    call: RecordedEcsCall,
    answer: EcsAnswer,
    headers: Record<string, string> = {},
  ): void {
    if (res.writableEnded || res.destroyed) return;
    call.requestId = answer.requestId;
    const body = JSON.stringify(answer.body);
    writeReply(res, call, answer.status, body, { 'Content-Type': JSON_TYPE, ...headers });
  }

  function writeReply(
    res: ServerResponse,
    call: RecordedEcsCall,
    status: number,
    body: string,
    headers: Record<string, string>,
  ): void {
    if (res.writableEnded || res.destroyed) return;
    call.status = status;
    call.answeredAt = Date.now();
    res.writeHead(status, { Date: new Date().toUTCString(), ...headers });
    res.end(body);
  }

  function notify(): void {
    for (const waiter of [...waiters]) waiter();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const api: FakeEcsApi = {
    url: `http://127.0.0.1:${port}`,
    credentials: options.credentials,
    calls,
    get applications() {
      return attachApplications(sim.applications);
    },
    get mutations() {
      return sim.applications;
    },
    simulator: sim,
    script: (...more) => {
      steps.push(...more);
    },
    pendingSteps: () => steps.length,
    failInstance: (instanceId, code, message, failOptions = {}) => {
      const action = failOptions.action ?? 'AttachKeyPair';
      sim.failInstance(instanceId, code, message, action === 'all' ? undefined : action);
    },
    hold: (holdOptions = {}) => holdCall(holdOptions),
    timesApplied: (instanceId) => sim.timesChanged('AttachKeyPair', instanceId),
    timesDetached: (instanceId) => sim.timesChanged('DetachKeyPair', instanceId),
    timesRebooted: (instanceId) => sim.timesChanged('RebootInstances', instanceId),
    authorizedKeys: (instanceId, user = 'root') => sim.authorizedKeys(instanceId, user),
    invocations: () => sim.invocations(),
    addInstance,
    makeAbsent: (...instanceIds) => {
      for (const id of instanceIds) sim.removeInstance(id);
    },
    addKeyPair: (spec) => sim.addKeyPair(spec),
    renameKeyPair: (ref, keyPairName) => sim.renameKeyPair(ref, keyPairName),
    removeKeyPair: (ref) => sim.removeKeyPair(ref),
    setStatus: (instanceId, status, after) => sim.setStatus(instanceId, status, after),
    instance: (instanceId) => sim.instance(instanceId),
    callsFor: (action) => calls.filter((c) => c.action === action),
    waitForCalls: (count, timeoutMs = 5_000) =>
      waitUntil(() => calls.length >= count, `${count} calls`, timeoutMs, waiters).then(
        () => {},
        () => {
          throw new Error(
            `fake ECS API: expected ${count} calls, got ${calls.length} within ${timeoutMs} ms`,
          );
        },
      ),
    reset: () => {
      calls.length = 0;
      steps = [];
      seq = 0;
      sim.reset();
      seed();
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      steps = [];
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  function holdCall(holdOptions: { apply?: boolean; action?: string }): HeldCall {
    let arrive!: (call: RecordedEcsCall) => void;
    const arrived = new Promise<RecordedEcsCall>((resolve) => {
      arrive = resolve;
    });
    let answerHeld: ((how: 'respond' | 'reset') => void) | undefined;
    let early: 'respond' | 'reset' | undefined;
    const held: HeldControl = {
      onArrive(call, answerIt) {
        answerHeld = answerIt;
        arrive(call);
        if (early) answerIt(early);
      },
    };
    api.script({
      kind: 'hang',
      held,
      ...(holdOptions.apply !== undefined ? { apply: holdOptions.apply } : {}),
      ...(holdOptions.action !== undefined ? { action: holdOptions.action } : {}),
    });
    const finish = (how: 'respond' | 'reset') => {
      if (answerHeld) answerHeld(how);
      else early = how;
    };
    return { arrived, release: () => finish('respond'), reset: () => finish('reset') };
  }

  return api;
}

/** The AttachKeyPair applications keyed as tests have always read them. */
function attachApplications(all: readonly EcsApplication[]): Map<string, Application> {
  const view = new Map<string, Application>();
  all.forEach((a, i) => {
    if (a.action !== 'AttachKeyPair') return;
    const clientToken = a.clientToken ?? `no-token-${i + 1}`;
    // The same token in a second region keeps its own entry.
    const key = view.has(clientToken) ? `${a.region}/${clientToken}` : clientToken;
    view.set(key, {
      clientToken,
      region: a.region,
      instanceIds: [...a.instanceIds],
      ...(a.keyPairName ? { keyPairName: a.keyPairName } : {}),
      ...(a.keyPairId ? { keyPairId: a.keyPairId } : {}),
      attached: [...a.changed],
      replays: a.replays,
      at: a.at,
      fingerprint: a.fingerprint,
      answer: a.answer,
    });
  });
  return view;
}

function parseQuery(raw: string): Array<[string, string]> {
  if (raw === '') return [];
  return raw.split('&').map((part) => {
    const eq = part.indexOf('=');
    const key = eq >= 0 ? part.slice(0, eq) : part;
    const value = eq >= 0 ? part.slice(eq + 1) : '';
    return [decode(key), decode(value)];
  });
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

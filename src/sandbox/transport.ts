import type { Transport, TransportRequest, TransportResponse } from '../volcengine/ecs-client.js';
import {
  accountFleet,
  hasWord,
  instanceFromWords,
  keyPairFromWords,
  SANDBOX_FLEET,
  SANDBOX_INSTANCES,
  SANDBOX_KEY_PAIRS,
  type SandboxKeyPair,
} from './fleet.js';
import {
  createEcsSimulator,
  type EcsAnswer,
  type EcsSimulator,
  type InstanceSpec,
  type MutationContext,
  type SimError,
  type SimInstance,
  simError,
} from './simulator.js';

export {
  SANDBOX_FACTS,
  SANDBOX_FLEET,
  SANDBOX_INSTANCES,
  SANDBOX_KEY_PAIRS,
  type SandboxEffect,
  type SandboxFacts,
  type SandboxInstance,
  type SandboxKeyPair,
} from './fleet.js';

/*
 * Sandbox ECS (VOLC_SANDBOX=true): the ECS simulator behind the client's Transport, so parsing,
 * batching, retries and results run exactly as against the real API. No network, no credentials,
 * state in memory only. It holds a small fleet (cn-beijing and cn-shanghai) and one example
 * instance per outcome; any other id exists the first time it is named, and words in it
 * (case-insensitive, the first matching word wins) choose what it is, so anyone can trigger each
 * outcome on purpose:
 *
 *   missing   -> does not exist: InvalidInstance.NotFound, DescribeInstances omits it
 *   windows   -> Windows: InvalidKeyPairForWindows.Unsupported
 *   noagent   -> no password agent: InvalidResetAuthenticationAgent.NotFound
 *   busy      -> STOPPING, starting -> STARTING: InvalidInstanceStatus for every change
 *   stopped   -> STOPPED: key pairs bind and detach, RebootInstances answers InvalidInstanceStatus
 *   throttle  -> FlowLimitExceeded for that instance on every change
 *   otherwise -> RUNNING Linux with the agent; RebootInstances makes it REBOOTING for rebootMs
 * Key pairs (KeyPairId wins when both are given): any name exists except one containing
 * `missing` (404 InvalidKeyPair.NotFound; DescribeKeyPairs finds nothing); an id must start with
 * `kp-` and not contain `missing`. `flaky`: the first attempt of each ClientToken of an attach or
 * detach answers 500 InternalError. `slow`: an attach or detach takes 2 s longer.
 * The request-level checks, idempotency and per-instance rules are the simulator's. Gateway: no
 * Authorization header -> 401 MissingAuthenticationToken (signatures are not checked); region
 * from the credential scope. A call the caller abandons (timeout) still completes here, as it
 * would on the real service, so its retry gets the stored answer.
 */

const SERVICE = 'ecs';
const DEFAULT_LATENCY_MS = 50;
const DEFAULT_REBOOT_MS = 3_000;
const SLOW_EXTRA_MS = 2_000;

export interface SandboxBinding {
  keyPairId: string;
  keyPairName: string;
  region: string;
}

/** What the sandbox did, for tests and curious users. */
export interface SandboxInventory {
  /** AttachKeyPair calls applied; replays of a stored ClientToken answer do not count. */
  readonly applications: number;
  /** Instance id -> the key pair the last applied call bound to it (a detach removes it). */
  readonly bindings: ReadonlyMap<string, SandboxBinding>;
  readonly keyPairs: readonly SandboxKeyPair[];
  /** The whole simulated state: instances, key pairs, every applied change. */
  readonly simulator: EcsSimulator;
  instance(instanceId: string): SimInstance | undefined;
  timesRebooted(instanceId: string): number;
}

export interface SandboxOptions {
  /** Simulated latency of every call; default 50 ms. */
  latencyMs?: number;
  /** How long a reboot takes; default 3 s. */
  rebootMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** For the Date header, RequestIds and the instances' status changes. */
  now?: () => Date;
  /** ACCOUNTS_FILE: the account this fleet belongs to (absent or `default`: the usual fleet). */
  account?: string;
}

export function createSandboxTransport(
  options: SandboxOptions = {},
): Transport & { close(): Promise<void>; inventory: SandboxInventory } {
  const latencyMs = Math.max(0, options.latencyMs ?? DEFAULT_LATENCY_MS);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? (() => new Date());
  const flakyTripped = new Set<string>();

  const sim: EcsSimulator = createEcsSimulator({
    now: () => now().getTime(),
    rebootMs: options.rebootMs ?? DEFAULT_REBOOT_MS,
    requestId: (n) => {
      const stamp = now().toISOString().replace(/\D/g, '').slice(0, 14);
      return `${stamp}-sandbox-${String(n).padStart(6, '0')}`;
    },
    materialiseInstance: fromWords,
    materialiseKeyPair: keyPairFromWords,
    beforeMutation: (call) => flakyOnce(call, flakyTripped),
  });

  function fromWords(instanceId: string, region: string): InstanceSpec | undefined {
    const { spec, throttle } = instanceFromWords(instanceId, region);
    if (throttle) sim.failInstance(instanceId, 'FlowLimitExceeded');
    return spec;
  }

  for (const k of SANDBOX_KEY_PAIRS) sim.addKeyPair(k);
  const fleet =
    options.account && options.account !== 'default'
      ? accountFleet(options.account)
      : SANDBOX_FLEET;
  for (const spec of fleet) sim.addInstance(spec);
  // The examples follow the word rules, as any id would.
  for (const { instanceId } of SANDBOX_INSTANCES) {
    const spec = fromWords(instanceId, 'cn-beijing');
    if (spec) sim.addInstance({ ...spec, name: `example-${instanceId.slice(2)}` });
  }

  function answer(req: TransportRequest): EcsAnswer {
    const call = readCall(req);
    return 'error' in call ? sim.errorAnswer(call.meta, call.error) : sim.handle(call);
  }

  async function handle(req: TransportRequest): Promise<TransportResponse> {
    const wait = latencyMs + (isSlowCall(req) ? SLOW_EXTRA_MS : 0);
    if (wait > 0) await sleep(wait);
    let result: EcsAnswer;
    try {
      result = answer(req);
    } catch {
      const meta = { action: '', version: '', region: '' };
      result = sim.errorAnswer(meta, simError(500, 'InternalError'));
    }
    return {
      status: result.status,
      headers: { date: now().toUTCString(), 'content-type': 'application/json' },
      body: JSON.stringify(result.body),
    };
  }

  const transport: Transport = (req) => {
    // Never reached the server: nothing happens.
    if (req.signal.aborted) return Promise.reject(abortReason(req.signal));
    // Once sent it completes even if the caller gives up, like the real service.
    return raceAbort(handle(req), req.signal);
  };
  const inventory: SandboxInventory = {
    get applications() {
      return sim.applications.filter((a) => a.action === 'AttachKeyPair').length;
    },
    get bindings() {
      return bindingsOf(sim);
    },
    keyPairs: SANDBOX_KEY_PAIRS,
    simulator: sim,
    instance: (instanceId) => sim.instance(instanceId),
    timesRebooted: (instanceId) => sim.timesChanged('RebootInstances', instanceId),
  };
  return Object.assign(transport, { close: async () => {}, inventory });
}

/** The bindings the applied calls made, in the order they were made. */
function bindingsOf(sim: EcsSimulator): Map<string, SandboxBinding> {
  const bindings = new Map<string, SandboxBinding>();
  for (const a of sim.applications) {
    for (const id of a.changed) {
      if (a.action === 'DetachKeyPair') bindings.delete(id);
      else if (a.action === 'AttachKeyPair' && a.keyPairId && a.keyPairName) {
        bindings.set(id, { keyPairId: a.keyPairId, keyPairName: a.keyPairName, region: a.region });
      }
    }
  }
  return bindings;
}

/** `flaky` key pairs: the first attempt of each token (or parameter set) of a change fails. */
function flakyOnce(call: MutationContext, tripped: Set<string>): SimError | undefined {
  const k = call.keyPair;
  if (!k || !hasWord(`${k.keyPairId} ${k.keyPairName}`, 'flaky')) return undefined;
  const key = `${call.region}\n${call.action}\n${call.clientToken ?? call.fingerprint}`;
  if (tripped.has(key)) return undefined;
  tripped.add(key);
  return simError(500, 'InternalError');
}

type ReadCall =
  | { action: string; version: string; region: string; params: Array<[string, string]> }
  | { meta: { action: string; version: string; region: string }; error: SimError };

/** The gateway's checks, before any action runs. Never echoes the Authorization header. */
function readCall(req: TransportRequest): ReadCall {
  const query = readQuery(req.url);
  const meta = {
    action: query?.get('Action') ?? '',
    version: query?.get('Version') ?? '',
    region: '',
  };
  const refuse = (status: number, code: string, message: string): ReadCall => ({
    meta,
    error: { status, code, message },
  });
  if (!query) return refuse(400, 'MissingRequestInfo', 'The request URL could not be read.');
  const authorization = headerValue(req.headers, 'authorization');
  if (!authorization) {
    return refuse(401, 'MissingAuthenticationToken', 'The request has no Authorization header.');
  }
  // Credential=AK/yyyymmdd/region/service/request; the AK itself is never needed.
  const scope = /Credential=[^,\s]*?\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/request(?:[,\s]|$)/.exec(
    authorization,
  );
  if (!scope?.[2] || !scope[3]) {
    return refuse(400, 'MissingRequestInfo', 'The credential scope is missing or malformed.');
  }
  meta.region = scope[2];
  if (scope[3] !== SERVICE) {
    return refuse(404, 'ServiceNotFound', 'The service in the credential scope is not ecs.');
  }
  if (!meta.action || !meta.version) {
    return refuse(
      400,
      'MissingParameter',
      'The required parameters Action and Version are needed.',
    );
  }
  if (req.method !== 'GET') {
    return refuse(405, 'MethodNotAllowed', `The method ${req.method} is not allowed.`);
  }
  return { ...meta, params: [...query] };
}

function readQuery(url: string): URLSearchParams | undefined {
  try {
    return new URL(url).searchParams;
  } catch {
    return undefined;
  }
}

/** `slow` on the key pair that takes effect (KeyPairId over KeyPairName) of an attach or detach. */
function isSlowCall(req: TransportRequest): boolean {
  const query = readQuery(req.url);
  const action = query?.get('Action');
  const keyPair = query?.get('KeyPairId') || query?.get('KeyPairName');
  const changesKeys = action === 'AttachKeyPair' || action === 'DetachKeyPair';
  return changesKeys && !!keyPair && hasWord(keyPair, 'slow');
}

function headerValue(headers: Record<string, string>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return value;
  }
  return undefined;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

import { createHash } from 'node:crypto';
import {
  fingerprintOf,
  type InstanceSpec,
  type KeyPairRef,
  type KeyPairSpec,
  type SimInstance,
} from './simulator.js';

// The sandbox's inventory and trigger words: a small fleet in cn-beijing and cn-shanghai, one
// example instance per outcome, the listed key pairs, and what the words in an id never seen
// before make of it. The transport around them is transport.ts.

export interface SandboxKeyPair {
  keyPairId: string;
  keyPairName: string;
  description: string;
  fingerprint: string;
}

export interface SandboxInstance {
  instanceId: string;
  status: 'RUNNING' | 'STOPPED' | 'STOPPING' | 'STARTING';
  osType: 'Linux' | 'Windows';
  /** What AttachKeyPair answers for it: 'ok' or the per-instance error code. */
  outcome: string;
}

const keyPair = (name: string, description: string): SandboxKeyPair => ({
  keyPairId: `kp-${name}`,
  keyPairName: name,
  description,
  fingerprint: fingerprintOf(`kp-${name}`),
});

/** The key pairs DescribeKeyPairs lists. Other names are accepted too (see the rules above). */
export const SANDBOX_KEY_PAIRS: readonly SandboxKeyPair[] = [
  keyPair('sandbox-ops', 'Always works'),
  keyPair('sandbox-deploy', 'Always works'),
  keyPair('sandbox-flaky', 'First attempt of each ClientToken fails with 500 InternalError'),
  keyPair('sandbox-slow', 'Adds 2 s latency'),
  keyPair('sandbox-legacy', 'Already bound to some of the fleet, so a preview shows a replacement'),
];

/** Example instances in cn-beijing, one per outcome. Any other id works too, by its words. */
export const SANDBOX_INSTANCES: readonly SandboxInstance[] = [
  { instanceId: 'i-abc123', status: 'RUNNING', osType: 'Linux', outcome: 'ok' },
  { instanceId: 'i-stopped01', status: 'STOPPED', osType: 'Linux', outcome: 'ok' },
  {
    instanceId: 'i-missing01',
    status: 'RUNNING',
    osType: 'Linux',
    outcome: 'InvalidInstance.NotFound',
  },
  {
    instanceId: 'i-windows01',
    status: 'RUNNING',
    osType: 'Windows',
    outcome: 'InvalidKeyPairForWindows.Unsupported',
  },
  {
    instanceId: 'i-noagent01',
    status: 'RUNNING',
    osType: 'Linux',
    outcome: 'InvalidResetAuthenticationAgent.NotFound',
  },
  { instanceId: 'i-busy01', status: 'STOPPING', osType: 'Linux', outcome: 'InvalidInstanceStatus' },
  {
    instanceId: 'i-starting01',
    status: 'STARTING',
    osType: 'Linux',
    outcome: 'InvalidInstanceStatus',
  },
  { instanceId: 'i-throttle01', status: 'RUNNING', osType: 'Linux', outcome: 'FlowLimitExceeded' },
];

// name, region, zone letter, status, tags, bound key pair.
const FLEET_TABLE: ReadonlyArray<[string, string, string, SimInstance['status'], string, string?]> =
  [
    ['web-01', 'cn-beijing', 'a', 'RUNNING', 'env=prod team=web', 'sandbox-legacy'],
    ['web-02', 'cn-beijing', 'b', 'RUNNING', 'env=prod team=web', 'sandbox-legacy'],
    ['web-03', 'cn-beijing', 'c', 'RUNNING', 'env=prod team=web'],
    ['api-01', 'cn-beijing', 'a', 'RUNNING', 'env=prod team=api', 'sandbox-deploy'],
    ['api-02', 'cn-beijing', 'b', 'RUNNING', 'env=prod team=api'],
    ['api-03', 'cn-beijing', 'c', 'STOPPED', 'env=prod team=api'],
    ['db-primary', 'cn-beijing', 'a', 'RUNNING', 'env=prod team=data', 'sandbox-legacy'],
    ['db-replica-01', 'cn-beijing', 'b', 'RUNNING', 'env=prod team=data'],
    ['cache-01', 'cn-beijing', 'a', 'RUNNING', 'env=prod team=data'],
    ['worker-01', 'cn-beijing', 'b', 'RUNNING', 'env=prod team=batch'],
    ['worker-02', 'cn-beijing', 'c', 'RUNNING', 'env=prod team=batch'],
    ['bastion-01', 'cn-beijing', 'a', 'RUNNING', 'env=prod team=ops', 'sandbox-ops'],
    ['staging-web-01', 'cn-beijing', 'a', 'RUNNING', 'env=staging team=web'],
    ['staging-api-01', 'cn-beijing', 'b', 'RUNNING', 'env=staging team=api'],
    ['ci-runner-01', 'cn-beijing', 'c', 'STOPPED', 'env=staging team=ops'],
    ['web-sh-01', 'cn-shanghai', 'a', 'RUNNING', 'env=prod team=web', 'sandbox-legacy'],
    ['web-sh-02', 'cn-shanghai', 'b', 'RUNNING', 'env=prod team=web'],
    ['api-sh-01', 'cn-shanghai', 'a', 'RUNNING', 'env=prod team=api'],
    ['db-sh-primary', 'cn-shanghai', 'b', 'RUNNING', 'env=prod team=data'],
    ['staging-sh-01', 'cn-shanghai', 'a', 'RUNNING', 'env=staging team=web'],
  ];

const OS_NAMES = ['Ubuntu 22.04 64 bit', 'Debian 12 64 bit', 'veLinux 1.0 64 bit'];

/** The fleet DescribeInstances lists besides the examples; hex ids never contain a trigger word. */
export const SANDBOX_FLEET: readonly InstanceSpec[] = FLEET_TABLE.map(
  ([name, region, zone, status, tags, keyPairName], i) => ({
    instanceId: `i-${digest(`${region}/${name}`).slice(0, 18)}`,
    region,
    name,
    status,
    osName: OS_NAMES[i % OS_NAMES.length] ?? 'Ubuntu 22.04 64 bit',
    zoneId: `${region}-${zone}`,
    tags: tags.split(' ').map((t) => {
      const [key = '', value = ''] = t.split('=');
      return { key, value };
    }),
    createdAt: `2024-${String((i % 12) + 1).padStart(2, '0')}-0${(i % 9) + 1}T02:30:00Z`,
    ...(keyPairName ? { keyPairName } : {}),
  }),
);

/** What a word in an unknown instance id makes of it, for the help to word per language. */
export type SandboxEffect =
  | { kind: 'absent'; code: string }
  | { kind: 'windows'; code: string }
  | { kind: 'no_agent'; code: string }
  /** Every change is refused in this status. */
  | { kind: 'not_ready'; status: string; code: string }
  /** Key pairs bind and detach; RebootInstances is refused. */
  | { kind: 'stopped'; status: string; code: string }
  | { kind: 'throttled'; code: string }
  /** Apply now: no Cloud Assistant agent, so it is left out (restart instead). */
  | { kind: 'no_assistant'; code: string }
  /** Apply now: the script fails there with this exit code. */
  | { kind: 'script_fails'; exitCode: number; code: string };

/** What `scriptfail` makes every command on an instance end with. */
export const SCRIPT_FAILURE = {
  status: 'Failed' as const,
  exitCode: 1,
  output: "mkdir: cannot create directory '/root/.ssh': Read-only file system\n",
};

// What an id's words make of it; the first matching word wins.
const INSTANCE_WORDS: ReadonlyArray<{
  word: string;
  effect: SandboxEffect;
  spec?: Partial<InstanceSpec>;
  absent?: true;
  throttle?: true;
}> = [
  { word: 'missing', absent: true, effect: { kind: 'absent', code: 'InvalidInstance.NotFound' } },
  {
    word: 'windows',
    spec: { osType: 'Windows', osName: 'Windows Server 2022 Datacenter 64 bit' },
    effect: { kind: 'windows', code: 'InvalidKeyPairForWindows.Unsupported' },
  },
  {
    word: 'noagent',
    spec: { passwordAgent: false },
    effect: { kind: 'no_agent', code: 'InvalidResetAuthenticationAgent.NotFound' },
  },
  {
    word: 'busy',
    spec: { status: 'STOPPING' },
    effect: { kind: 'not_ready', status: 'STOPPING', code: 'InvalidInstanceStatus' },
  },
  {
    word: 'starting',
    spec: { status: 'STARTING' },
    effect: { kind: 'not_ready', status: 'STARTING', code: 'InvalidInstanceStatus' },
  },
  {
    word: 'stopped',
    spec: { status: 'STOPPED' },
    effect: { kind: 'stopped', status: 'STOPPED', code: 'InvalidInstanceStatus' },
  },
  { word: 'throttle', throttle: true, effect: { kind: 'throttled', code: 'FlowLimitExceeded' } },
  {
    word: 'noassist',
    spec: { cloudAssistant: 'absent' },
    effect: { kind: 'no_assistant', code: 'CloudAssistantNotRunning' },
  },
  {
    word: 'scriptfail',
    spec: { scriptFailure: SCRIPT_FAILURE },
    effect: { kind: 'script_fails', exitCode: SCRIPT_FAILURE.exitCode, code: 'CommandFailed' },
  },
];

/** What the sandbox does, as data: `/attach-key help` words it in each reader's language. */
export interface SandboxFacts {
  /** The fleet's instance names, per region. */
  fleet: ReadonlyArray<{ region: string; names: readonly string[] }>;
  /** The key pair some of the fleet already carries. */
  legacyKeyPair: string;
  /** The fleet's STOPPED instances. */
  stopped: readonly string[];
  /** Words in an instance id never seen before; the first matching word wins. */
  instanceWords: ReadonlyArray<{ word: string; effect: SandboxEffect }>;
  /** An example id with none of the words: RUNNING Linux, binds. */
  plainInstance: string;
  keyPairWords: {
    missing: { word: string; code: string };
    flaky: { word: string; status: number; code: string };
    slow: { word: string; seconds: number };
    /** A name with this word does not exist until imported (`/attach-key import`). */
    importable: { word: string };
  };
  /** What a key pair id must start with. */
  keyPairIdPrefix: string;
  keyPairs: ReadonlyArray<{ keyPairName: string; keyPairId: string }>;
}

const fleetIn = (region: string) =>
  SANDBOX_FLEET.filter((i) => i.region === region).map((i) => i.name ?? i.instanceId);

export const SANDBOX_FACTS: SandboxFacts = {
  fleet: [...new Set(SANDBOX_FLEET.map((i) => i.region))].map((region) => ({
    region,
    names: fleetIn(region),
  })),
  legacyKeyPair: 'sandbox-legacy',
  stopped: SANDBOX_FLEET.filter((i) => i.status === 'STOPPED').map((i) => i.name ?? i.instanceId),
  instanceWords: INSTANCE_WORDS.map(({ word, effect }) => ({ word, effect })),
  plainInstance: 'i-abc123',
  keyPairWords: {
    missing: { word: 'missing', code: 'InvalidKeyPair.NotFound' },
    // As transport.ts does it: flakyOnce, and SLOW_EXTRA_MS.
    flaky: { word: 'flaky', status: 500, code: 'InternalError' },
    slow: { word: 'slow', seconds: 2 },
    importable: { word: 'new' },
  },
  keyPairIdPrefix: 'kp-',
  keyPairs: SANDBOX_KEY_PAIRS.map(({ keyPairName, keyPairId }) => ({ keyPairName, keyPairId })),
};

/** What an unknown id's words make of it: its spec (undefined: absent) and whether it throttles. */
export function instanceFromWords(
  instanceId: string,
  region: string,
): { spec?: InstanceSpec; throttle: boolean } {
  const rule = INSTANCE_WORDS.find((r) => hasWord(instanceId, r.word));
  if (rule?.absent) return { throttle: false };
  return { spec: { instanceId, region, ...rule?.spec }, throttle: rule?.throttle === true };
}

/** Cloud Assistant's words of an id (for front ends whose other words differ). */
export function assistantFromWords(instanceId: string): Partial<InstanceSpec> {
  const rule = INSTANCE_WORDS.find(
    (r) => (r.word === 'noassist' || r.word === 'scriptfail') && hasWord(instanceId, r.word),
  );
  return { ...rule?.spec };
}

/** A key pair name or id never seen before, by its words. */
export function keyPairFromWords(ref: KeyPairRef): KeyPairSpec | undefined {
  const { keyPairId: id, keyPairName: name } = ref;
  if (id !== undefined) {
    return id.startsWith('kp-') && !hasWord(id, 'missing')
      ? { keyPairId: id, keyPairName: id }
      : undefined;
  }
  // `new…` names wait for an import: any other name would exist with a made-up fingerprint.
  if (name === undefined || hasWord(name, 'missing') || hasWord(name, 'new')) return undefined;
  return { keyPairId: `kp-sbx${digest(name).slice(0, 12)}`, keyPairName: name };
}

export function hasWord(text: string, word: string): boolean {
  return text.toLowerCase().includes(word);
}

/**
 * ACCOUNTS_FILE in sandbox mode: each account gets a fleet of its own, derived from its name
 * (other ids, names prefixed with the account, an `account` tag), so two accounts differ.
 */
export function accountFleet(account: string): readonly InstanceSpec[] {
  return SANDBOX_FLEET.map((spec) => ({
    ...spec,
    instanceId: `i-${digest(`${account}/${spec.region}/${spec.name}`).slice(0, 18)}`,
    name: `${account}-${spec.name}`,
    tags: [...(spec.tags ?? []), { key: 'account', value: account }],
  }));
}

function digest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

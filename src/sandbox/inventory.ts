import { createHash } from 'node:crypto';

// The simulator's inventory: instances and key pairs, with statuses that change by themselves at
// a given time (settled whenever an instance is read) and the materialise-on-sight policies.

export type InstanceStatus =
  | 'CREATING'
  | 'RUNNING'
  | 'STOPPING'
  | 'STOPPED'
  | 'REBOOTING'
  | 'STARTING'
  | 'REBUILDING'
  | 'RESIZING'
  | 'ERROR'
  | 'DELETING';

export interface SimTag {
  key: string;
  value: string;
}

export interface SimInstance {
  instanceId: string;
  region: string;
  name: string;
  status: InstanceStatus;
  osType: 'Linux' | 'Windows';
  osName: string;
  keyPairId?: string;
  keyPairName?: string;
  tags: SimTag[];
  /** The password (reset-authentication) agent AttachKeyPair needs. */
  passwordAgent: boolean;
  zoneId: string;
  imageId: string;
  hostname: string;
  createdAt: string;
  updatedAt: string;
  /** How long a reboot of this instance takes; the simulator's rebootMs when absent. */
  rebootMs?: number;
  /** Its Cloud Assistant agent's status while RUNNING (default Running); 'absent': none. */
  cloudAssistant?: string;
  /** Every command run on it ends so (a script that fails, or one that times out). */
  scriptFailure?: { status: 'Failed' | 'Timeout'; exitCode?: number; output: string };
}

export type InstanceSpec = Partial<SimInstance> & Pick<SimInstance, 'instanceId' | 'region'>;

/**
 * The stored instance: its status becomes `becomes` at `until` (and, when the inventory holds
 * transitions until read, not before a DescribeInstances answer has listed it as it was).
 */
export interface InstanceRecord extends SimInstance {
  transition?: { until: number; becomes: InstanceStatus; listed?: boolean };
}

export interface SimKeyPair {
  keyPairId: string;
  keyPairName: string;
  /** MD5 style, 16 hex pairs joined by colons. */
  fingerprint: string;
  description: string;
  /** Absent: the key pair is found in every region. */
  region?: string;
  createdAt: string;
}

export type KeyPairSpec = Partial<SimKeyPair> & Pick<SimKeyPair, 'keyPairName'>;

/** How a call names a key pair; a KeyPairId wins over a KeyPairName. */
export interface KeyPairRef {
  keyPairId?: string;
  keyPairName?: string;
}

export interface InventoryOptions {
  now: () => number;
  /** An id never seen in any region: the instance to create in `region`, or undefined (absent). */
  materialiseInstance?: (instanceId: string, region: string) => InstanceSpec | undefined;
  /** A key pair name or id never seen: the key pair to create, or undefined (not found). */
  materialiseKeyPair?: (ref: KeyPairRef, region: string) => KeyPairSpec | undefined;
  /**
   * A status change (a reboot) outlasts at least one DescribeInstances answer: whoever polls sees
   * the instance down once, however late the first poll comes. Real reboots take far longer than
   * a poll interval; the tests' take milliseconds, and a loaded machine may poll after them.
   */
  transitionsOutlastARead?: boolean;
}

export type Inventory = ReturnType<typeof createInventory>;

export function createInventory(options: InventoryOptions) {
  const { now } = options;
  // Insertion order is the listing order: stable, and materialised ones come last.
  const instances = new Map<string, InstanceRecord>();
  const keyPairs = new Map<string, SimKeyPair>();
  // Removed on purpose: never materialised again until added back.
  const gone = new Set<string>();

  function settle(record: InstanceRecord): InstanceRecord {
    const t = record.transition;
    const held = options.transitionsOutlastARead && !t?.listed;
    if (t && now() >= t.until && !held) {
      record.status = t.becomes;
      record.updatedAt = iso(t.until);
      delete record.transition;
    }
    return record;
  }

  /** The instance as a call in `region` sees it; ids live in one region only. */
  function see(instanceId: string, region: string): InstanceRecord | undefined {
    let record = instances.get(instanceId);
    if (!record && !gone.has(instanceId)) {
      const spec = options.materialiseInstance?.(instanceId, region);
      if (spec) addInstance({ ...spec, instanceId });
      record = instances.get(instanceId);
    }
    return record && record.region === region ? settle(record) : undefined;
  }

  function addInstance(spec: InstanceSpec): SimInstance {
    const at = iso(now());
    const osType = spec.osType ?? 'Linux';
    const name = spec.name ?? spec.instanceId;
    const osName =
      spec.osName ?? (osType === 'Windows' ? 'Windows Server 2022 Datacenter' : 'Ubuntu 22.04');
    const record: InstanceRecord = {
      name,
      status: 'RUNNING',
      osType,
      osName,
      tags: [],
      passwordAgent: true,
      zoneId: `${spec.region}-a`,
      imageId: `image-${digest('md5', osName).slice(0, 18)}`,
      hostname: name,
      createdAt: at,
      updatedAt: at,
      ...spec,
    };
    record.tags = record.tags.map((t) => ({ ...t }));
    // A bound key pair exists in the inventory too.
    if (record.keyPairId || record.keyPairName) bindRecord(record, { ...record });
    instances.set(record.instanceId, record);
    gone.delete(record.instanceId);
    return snapshot(record);
  }

  function bindRecord(record: InstanceRecord, ref: KeyPairRef): void {
    const keyPair =
      findKeyPair(ref, record.region, false) ??
      addKeyPair({
        keyPairName: ref.keyPairName ?? ref.keyPairId ?? '',
        ...(ref.keyPairId ? { keyPairId: ref.keyPairId } : {}),
      });
    record.keyPairId = keyPair.keyPairId;
    record.keyPairName = keyPair.keyPairName;
  }

  function addKeyPair(spec: KeyPairSpec): SimKeyPair {
    const keyPairId = spec.keyPairId ?? `kp-sim${digest('sha256', spec.keyPairName).slice(0, 12)}`;
    const keyPair: SimKeyPair = {
      keyPairId,
      fingerprint: fingerprintOf(keyPairId),
      description: '',
      createdAt: iso(now()),
      ...spec,
    };
    keyPairs.set(keyPairId, keyPair);
    gone.delete(keyPair.keyPairId);
    gone.delete(keyPair.keyPairName);
    return { ...keyPair };
  }

  /** A key pair usable in `region`, materialised on sight when asked and the policy allows. */
  function findKeyPair(ref: KeyPairRef, region: string | undefined, materialise: boolean) {
    const matches = (k: SimKeyPair) =>
      (region === undefined || k.region === undefined || k.region === region) &&
      (ref.keyPairId ? k.keyPairId === ref.keyPairId : k.keyPairName === ref.keyPairName);
    const found = [...keyPairs.values()].find(matches);
    const name = ref.keyPairId ?? ref.keyPairName;
    if (found || !materialise || region === undefined || !name || gone.has(name)) return found;
    const spec = options.materialiseKeyPair?.(ref, region);
    if (!spec) return undefined;
    const added = addKeyPair(spec);
    return matches(added) ? added : undefined;
  }

  function mustHave(instanceId: string): InstanceRecord {
    const record = instances.get(instanceId);
    if (!record) throw new Error(`ECS simulator: no instance ${instanceId}`);
    return record;
  }

  const api = {
    addInstance,
    /** Gone for good: not materialised again until added back. */
    removeInstance(instanceId: string): void {
      instances.delete(instanceId);
      gone.add(instanceId);
    },
    instance(instanceId: string): SimInstance | undefined {
      const record = instances.get(instanceId);
      return record && snapshot(settle(record));
    },
    instances(region?: string): SimInstance[] {
      return [...instances.values()]
        .filter((i) => region === undefined || i.region === region)
        .map((i) => snapshot(settle(i)));
    },
    /** Sets a status now; with `after`, it becomes `after.becomes` once `after.ms` have passed. */
    setStatus(
      instanceId: string,
      status: InstanceStatus,
      after?: { ms: number; becomes: InstanceStatus },
    ): void {
      const record = mustHave(instanceId);
      record.status = status;
      record.updatedAt = iso(now());
      if (after) record.transition = { until: now() + after.ms, becomes: after.becomes };
      else delete record.transition;
    },
    /** Binds a key pair (created when unknown) or, given undefined, unbinds. */
    bind(instanceId: string, ref: KeyPairRef | undefined): void {
      const record = mustHave(instanceId);
      if (ref) bindRecord(record, ref);
      else {
        delete record.keyPairId;
        delete record.keyPairName;
      }
    },
    addKeyPair,
    /** Gone for good, by id or name: not materialised again until added back. */
    removeKeyPair(ref: KeyPairRef): void {
      for (const k of [...keyPairs.values()]) {
        if (k.keyPairId !== ref.keyPairId && k.keyPairName !== ref.keyPairName) continue;
        keyPairs.delete(k.keyPairId);
        gone.add(k.keyPairId);
        gone.add(k.keyPairName);
      }
    },
    /**
     * Renames a key pair (id and key unchanged), as the console can: its instances show the new
     * name. The old name is then free for another key pair to take.
     */
    renameKeyPair(ref: KeyPairRef, keyPairName: string): void {
      const found = findKeyPair(ref, undefined, false);
      if (!found) throw new Error(`ECS simulator: no key pair ${ref.keyPairId ?? ref.keyPairName}`);
      const renamed = { ...found, keyPairName };
      keyPairs.set(found.keyPairId, renamed);
      gone.delete(keyPairName);
      for (const record of instances.values()) {
        if (record.keyPairId === found.keyPairId) record.keyPairName = keyPairName;
      }
    },
    /** A known key pair, in any region when none is given; never materialised by this lookup. */
    keyPair(ref: KeyPairRef, region?: string): SimKeyPair | undefined {
      const found = findKeyPair(ref, region, false);
      return found && { ...found };
    },
    keyPairs(region?: string): SimKeyPair[] {
      return [...keyPairs.values()]
        .filter((k) => region === undefined || !k.region || k.region === region)
        .map((k) => ({ ...k }));
    },
  };

  return {
    api,
    see,
    findKeyPair,
    /** A DescribeInstances answer showed these: their pending transitions may now settle. */
    listed(instanceIds: readonly string[]): void {
      for (const id of instanceIds) {
        const t = instances.get(id)?.transition;
        if (t) t.listed = true;
      }
    },
    /** The live records of a region, settled, in listing order. */
    list: (region: string) =>
      [...instances.values()].filter((i) => i.region === region).map(settle),
    listKeyPairs: (region: string) =>
      [...keyPairs.values()].filter((k) => !k.region || k.region === region),
    reset(): void {
      instances.clear();
      keyPairs.clear();
      gone.clear();
    },
  };
}

/** An MD5-style fingerprint (aa:bb:…, 16 pairs) derived from a seed. */
export function fingerprintOf(seed: string): string {
  return digest('md5', seed).match(/../g)?.join(':') ?? '';
}

function snapshot(record: InstanceRecord): SimInstance {
  const { transition: _transition, ...instance } = record;
  return { ...instance, tags: instance.tags.map((t) => ({ ...t })) };
}

function digest(algorithm: 'md5' | 'sha256', text: string): string {
  return createHash(algorithm).update(text, 'utf8').digest('hex');
}

/** ISO 8601 to the second, as the API's timestamps. */
export function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

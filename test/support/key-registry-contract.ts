import { afterEach, describe, expect, it } from 'vitest';
import type { KnownPublicKey, PublicKeyRegistry } from '../../src/service/key-registry.js';

// The public-key registry's contract: the same cases against every store (lowdb beside DATA_FILE,
// PostgreSQL's public_keys table), run by key-registry-contract.test.ts.

export interface KeyRegistryHarness {
  /** An empty registry. */
  fresh(): Promise<PublicKeyRegistry>;
  /** Another registry on the data of the last fresh one (after closing it, for a file). */
  reopen(): Promise<PublicKeyRegistry>;
}

export const KEY: KnownPublicKey = {
  keyPairId: 'kp-contract0001',
  keyPairName: 'ops-key',
  region: 'cn-beijing',
  fingerprint: '0f:1e:2d:3c:4b:5a:69:78:87:96:a5:b4:c3:d2:e1:f0',
  type: 'ssh-ed25519',
  blob: 'AAAAC3NzaC1lZDI1NTE5AAAAIGfpublicKeyBlobForTheContractTestsOnly00',
  comment: 'dana@laptop, work',
  recordedBy: 'U0IMPORTER',
  recordedAt: '2025-01-02T03:04:05.000Z',
};

export function defineKeyRegistryContract(name: string, harness: () => KeyRegistryHarness): void {
  describe(`PublicKeyRegistry contract: ${name}`, () => {
    const opened: PublicKeyRegistry[] = [];
    const track = (r: PublicKeyRegistry) => {
      opened.push(r);
      return r;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((r) => r.close().catch(() => {})));
    });

    it('keeps a key by its key pair id, durably, and knows nothing else', async () => {
      const registry = track(await harness().fresh());
      expect(await registry.get(KEY.keyPairId)).toBeUndefined();
      await registry.put(KEY);
      expect(await registry.get(KEY.keyPairId)).toEqual(KEY);
      expect(await registry.get('kp-other')).toBeUndefined();
      expect(await registry.get('__proto__')).toBeUndefined();
      await registry.close();
      const again = track(await harness().reopen());
      expect(await again.get(KEY.keyPairId)).toEqual(KEY);
    });

    it('replaces what it kept for an id, and keeps a key without a comment', async () => {
      const registry = track(await harness().fresh());
      await registry.put(KEY);
      const { comment: _comment, ...bare } = KEY;
      const replaced = { ...bare, keyPairName: 'ops-key-renamed', recordedBy: 'U0OTHER' };
      await registry.put(replaced);
      expect(await registry.get(KEY.keyPairId)).toEqual(replaced);
    });

    it('keeps many keys written at once', async () => {
      const registry = track(await harness().fresh());
      const keys = Array.from({ length: 20 }, (_, i) => ({ ...KEY, keyPairId: `kp-many${i}` }));
      await Promise.all(keys.map((k) => registry.put(k)));
      await registry.close();
      const again = track(await harness().reopen());
      for (const k of keys) expect(await again.get(k.keyPairId)).toEqual(k);
    });

    it('hands out copies: changing one changes nothing kept', async () => {
      const registry = track(await harness().fresh());
      const mine = { ...KEY };
      await registry.put(mine);
      mine.keyPairName = 'changed';
      const read = (await registry.get(KEY.keyPairId)) as KnownPublicKey;
      read.blob = 'changed';
      expect(await registry.get(KEY.keyPairId)).toEqual(KEY);
    });
  });
}

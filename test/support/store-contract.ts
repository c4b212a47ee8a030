import { afterEach, describe } from 'vitest';
import type { RequestStore } from '../../src/service/ports.js';
import { defineGuardCases } from './store-contract-guards.js';
import { defineLifecycleCases } from './store-contract-lifecycle.js';
import { defineReadingCases } from './store-contract-reading.js';
import { defineWriteCases } from './store-contract-writes.js';

// The RequestStore contract: the same cases, run against every store (store-contract.test.ts).
// The cases are in store-contract-writes.ts, store-contract-lifecycle.ts,
// store-contract-reading.ts and store-contract-guards.ts.

export interface StoreHarness {
  /** A fresh, empty store (a new file; an emptied database). */
  fresh(): Promise<RequestStore>;
  /**
   * Another store on the data of the last fresh one: after closing it (lowdb), or a second
   * replica beside it (PostgreSQL, when `replicas`).
   */
  reopen(): Promise<RequestStore>;
  /** Two stores may be open on the same data at once (two pools = two replicas). */
  replicas: boolean;
}

export function defineStoreContract(name: string, harness: () => StoreHarness): void {
  describe(`RequestStore contract: ${name}`, () => {
    const opened: RequestStore[] = [];
    const fresh = async () => track(await harness().fresh());
    const reopen = async () => track(await harness().reopen());
    function track(store: RequestStore): RequestStore {
      opened.push(store);
      return store;
    }
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close().catch(() => {})));
    });
    async function pair(): Promise<[RequestStore, RequestStore]> {
      const first = await fresh();
      return [first, harness().replicas ? await reopen() : first];
    }

    defineWriteCases({ fresh, reopen, pair });
    defineLifecycleCases({ fresh, reopen, pair });
    defineReadingCases({ fresh, reopen, pair });
    defineGuardCases({ fresh, reopen, pair });
  });
}

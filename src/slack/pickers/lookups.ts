// Cloud reads for the pickers, shaped by Slack's 3 seconds: each answer is cached per key for a
// short time, a key is asked at most once at a time (a second keystroke with the same text joins
// the first call), at most `maxInFlight` calls run at once across all keys, and a caller waits
// at most `waitMs`. A call that outlives its caller is not wasted: its answer fills the cache, so
// the next keystroke (or reopening the list) has it. A refusal is remembered briefly too, so a
// cloud that says no is not asked again on every key press.

export type Lookup<T> =
  | { state: 'ok'; value: T }
  /** Still running after `waitMs`; its answer will be cached. */
  | { state: 'late' }
  | { state: 'failed'; code: string }
  /** Not sent: `maxInFlight` calls are running already. */
  | { state: 'busy' };

export interface LookupsOptions {
  now?: () => number;
  /** How long an answer is reused. */
  ttlMs: number;
  /** How long a refusal is reused. */
  failureTtlMs: number;
  maxEntries: number;
  maxInFlight: number;
  /** A call's failure, for the log. */
  onFailure?: (key: string, error: unknown) => void;
}

type Entry = { until: number } & ({ value: unknown } | { code: string });

export interface Lookups {
  /** The cached answer, if fresh. */
  peek<T>(key: string): T | undefined;
  get<T>(key: string, call: () => Promise<T>, waitMs: number): Promise<Lookup<T>>;
  /** Calls running now. */
  inFlight(): number;
  /** Resolves when every running call has settled (tests, benchmarks, shutdown). */
  idle(): Promise<void>;
}

export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code ? code : 'UnexpectedError';
}

export function createLookups(options: LookupsOptions): Lookups {
  const now = options.now ?? Date.now;
  const cache = new Map<string, Entry>();
  const running = new Map<string, Promise<Entry>>();

  const fresh = (key: string): Entry | undefined => {
    const entry = cache.get(key);
    if (!entry) return undefined;
    if (entry.until > now()) return entry;
    cache.delete(key);
    return undefined;
  };

  const remember = (key: string, entry: Entry) => {
    cache.delete(key);
    cache.set(key, entry);
    // Oldest first in a Map: drop from the front.
    for (const old of cache.keys()) {
      if (cache.size <= options.maxEntries) break;
      cache.delete(old);
    }
    return entry;
  };

  const start = <T>(key: string, call: () => Promise<T>): Promise<Entry> => {
    const pending = call().then(
      (value) => remember(key, { value, until: now() + options.ttlMs }),
      (error: unknown) => {
        options.onFailure?.(key, error);
        return remember(key, { code: errorCode(error), until: now() + options.failureTtlMs });
      },
    );
    const settled = pending.finally(() => running.delete(key));
    running.set(key, settled);
    return settled;
  };

  const asLookup = <T>(entry: Entry): Lookup<T> =>
    'value' in entry
      ? { state: 'ok', value: entry.value as T }
      : { state: 'failed', code: entry.code };

  return {
    peek<T>(key: string) {
      const entry = fresh(key);
      return entry && 'value' in entry ? (entry.value as T) : undefined;
    },
    async get<T>(key: string, call: () => Promise<T>, waitMs: number): Promise<Lookup<T>> {
      const cached = fresh(key);
      if (cached) return asLookup<T>(cached);
      let pending = running.get(key);
      if (!pending) {
        if (running.size >= options.maxInFlight) return { state: 'busy' };
        pending = start(key, call);
      }
      if (waitMs <= 0) return { state: 'late' };
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), waitMs);
      });
      const entry = await Promise.race([pending, late]);
      clearTimeout(timer);
      return entry ? asLookup<T>(entry) : { state: 'late' };
    },
    inFlight: () => running.size,
    async idle() {
      while (running.size) await Promise.allSettled([...running.values()]);
    },
  };
}

/** The promise, or a rejection with code `PickerTimeout` after `ms` (the call itself runs on). */
export function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error(`no answer within ${ms} ms`), { code: TIMEOUT })),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export const TIMEOUT = 'PickerTimeout';

/** Runs `work` over `items` with at most `limit` in flight; resolves when all have settled. */
export async function runLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
}

/**
 * Per-key "latest wins" runner: while a run for a key is in flight, further requests collapse into
 * one follow-up run. Keeps chat.update calls bounded however fast a request's state changes.
 */
export function createCoalescer(run: (key: string) => Promise<void>) {
  const active = new Map<string, { again: boolean; done: Promise<void> }>();
  const schedule = (key: string): Promise<void> => {
    const current = active.get(key);
    if (current) {
      current.again = true;
      return current.done;
    }
    const entry = { again: false, done: Promise.resolve() };
    entry.done = (async () => {
      do {
        entry.again = false;
        await run(key).catch(() => {});
      } while (entry.again);
      active.delete(key);
    })();
    active.set(key, entry);
    return entry.done;
  };
  const idle = async () => {
    while (active.size) await Promise.all([...active.values()].map((e) => e.done));
  };
  return { schedule, idle };
}

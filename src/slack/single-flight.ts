// One call per key at a time: callers that ask while a lookup for the same key is in flight share
// its answer instead of sending another (Slack's Tier 2 methods, users.info under a burst).

export function singleFlight<V>(lookUp: (key: string) => Promise<V>): (key: string) => Promise<V> {
  const inFlight = new Map<string, Promise<V>>();
  return (key) => {
    let pending = inFlight.get(key);
    if (!pending) {
      pending = lookUp(key).finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    return pending;
  };
}

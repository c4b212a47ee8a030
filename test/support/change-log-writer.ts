import { openLowdbStore } from '../../src/store/lowdb-store.js';
import { makeRequest } from './store-fixtures.js';

// A child process for the change log's kill -9 test: opens the lowdb store at argv[2], inserts a
// request with 100 steps, then changes one step after another without end, printing `acked N C`
// once change N is on disk (C: the compactions so far). The parent kills it at some point.

const dataFile = process.argv[2] as string;
const store = await openLowdbStore({ dataFile, compactBytes: Number(process.argv[3] ?? 65_536) });
const steps = Array.from({ length: 100 }, (_, index) => ({
  index,
  phase: 0,
  action: 'AttachKeyPair' as const,
  instanceIds: Array.from({ length: 100 }, (_, i) => `i-${index}-${i}`),
  state: 'planned' as const,
  sendCount: 0,
}));
await store.insert(makeRequest('r1', { status: 'executing', steps }));
process.stdout.write('ready\n');
for (let n = 0; ; n++) {
  const index = n % 100;
  await store.update('r1', (c) => ({
    ok: true,
    request: {
      ...c,
      steps: c.steps.map((s) => (s.index === index ? { ...s, sendCount: s.sendCount + 1 } : s)),
    },
  }));
  process.stdout.write(`acked ${n} ${store.stats().compactions}\n`);
}

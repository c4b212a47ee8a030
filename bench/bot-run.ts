import { createMigratedDatabase, findPgServer } from '../test/support/pg.js';
import {
  botEnv,
  makeDataDir,
  type Rig,
  removeDir,
  responseUrl,
  SIGNING_SECRET,
} from './bot-env.js';
import type { FakesCall, FakeUrls, SlackPost, StartedServer, StoredCard } from './host-protocol.js';
import { commandBody, createSignedClient, type SignedClient } from './load.js';
import { progress } from './stats.js';
import type { StoreKind } from './store.js';

// One timed run of the bot: fresh fakes, a fresh store (an empty lowdb directory, or a fresh
// PostgreSQL database with the schema in it) and a fresh bot. The execution, preview and restart
// phases all start this way.

export interface BotRun {
  urls: FakeUrls;
  /** VOLC_MAX_CONCURRENCY as the bot's config read it. */
  concurrency: number;
  client: SignedClient;
  /** Sends a slash command with these instances and resolves with the card, once stored. */
  submit(instanceIds: readonly string[]): Promise<StoredCard>;
  stop(): Promise<void>;
}

export interface BotRunOptions {
  store: StoreKind;
  ecsLatencyMs: number;
  /** How long the fake ECS keeps a rebooted instance REBOOTING. */
  rebootMs?: number;
  /** Instances the fake ECS starts with (tags, key pairs). */
  inventory?: Extract<FakesCall, { op: 'startFakes' }>['inventory'];
  /** The fake ECS's Cloud Assistant and key pairs (the apply-now row). */
  fakes?: { commandMs?: number; keyPairs?: Array<{ keyPairName: string; fingerprint: string }> };
  env?: Record<string, string>;
}

export async function startBotRun(rig: Rig, options: BotRunOptions): Promise<BotRun> {
  const { server: host, fakes } = rig;
  const urls = await fakes.call<FakeUrls>({
    op: 'startFakes',
    ecsLatencyMs: options.ecsLatencyMs,
    ...(options.rebootMs !== undefined ? { rebootMs: options.rebootMs } : {}),
    ...(options.inventory ? { inventory: options.inventory } : {}),
    ...options.fakes,
  });
  const dataDir = await makeDataDir();
  const database = options.store === 'postgres' ? await createMigratedDatabase() : undefined;
  const env = botEnv(urls, dataDir, {
    MAX_INSTANCES_PER_REQUEST: '5000',
    ...(database ? { DATABASE_URL: database.url } : {}),
    ...options.env,
  });
  const started = await host.call<StartedServer>({ op: 'startBot', env });
  const client = createSignedClient(`http://127.0.0.1:${started.port}`, SIGNING_SECRET, 2);
  let commands = 0;
  return {
    urls,
    concurrency: started.maxConcurrency ?? 0,
    client,
    async submit(instanceIds) {
      const before = (await fakes.call<string[]>({ op: 'waitForCards', count: 0 })).length;
      const text = `${instanceIds.join(' ')} key=bench-key`;
      await client.send(commandBody(text, responseUrl(urls, `cmd${++commands}`)));
      const cards = await fakes.call<string[]>({ op: 'waitForCards', count: before + 1 });
      await host.call({ op: 'settle' });
      const [card] = await host.call<StoredCard[]>({ op: 'cards', requestIds: cards.slice(-1) });
      if (!card) throw new Error('the approval card was not stored');
      return card;
    },
    async stop() {
      await client.close();
      await host.call({ op: 'stop' });
      await fakes.call({ op: 'stopFakes' });
      await removeDir(dataDir);
      await database?.drop();
    },
  };
}

/** The stores a phase can run on: PostgreSQL only when a server answers. */
export async function availableStores(wanted: readonly StoreKind[]): Promise<StoreKind[]> {
  if (!wanted.includes('postgres')) return [...wanted];
  const server = await findPgServer();
  if (server.available) return [...wanted];
  progress(`PostgreSQL rows skipped (${server.reason})`);
  return wanted.filter((s) => s !== 'postgres');
}

/** The first chat.postMessage from Slack call index `since` that matches (the fakes wait). */
export async function nextPost(
  rig: Rig,
  since: number,
  matches: (post: SlackPost) => boolean,
  timeoutMs = 30_000,
): Promise<SlackPost> {
  for (let atLeast = 1; ; atLeast++) {
    const posts = await rig.fakes.call<SlackPost[]>({ op: 'posts', since, atLeast, timeoutMs });
    const found = posts.find(matches);
    if (found) return found;
    atLeast = Math.max(atLeast, posts.length);
  }
}

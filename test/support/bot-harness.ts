import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Bot, type BotOverrides, createBot } from '../../src/app/bot.js';
import { loadConfig } from '../../src/config/config.js';
import type { MutationRequest } from '../../src/domain/request.js';
import { startFakeEcsApi } from './fake-ecs-api.js';
import { type RecordedSlackCall, startFakeSlackApi } from './fake-slack-api.js';
import { buttonClick, slackSender } from './slack-requests.js';

// The real bot, started as main.ts starts it (config from an env object, HTTP receiver on
// 127.0.0.1:0), wired to a fake Slack Web API and a fake Volcengine API on loopback.

export const SIGNING_SECRET = 'harness-signing-secret-0123456789';
export const BOT_TOKEN = 'xoxb-harness-bot-token-0123456789';
export const VOLC_CREDENTIALS = {
  accessKeyId: 'AKLTharnessaccesskey',
  secretAccessKey: 'harness-secret-key-0123456789==',
};

export interface HarnessOptions {
  env?: Record<string, string>;
  overrides?: BotOverrides;
  /** Reuse a data directory (restart tests). */
  dataDir?: string;
  /** Reuse fakes (restart tests). */
  slack?: Awaited<ReturnType<typeof startFakeSlackApi>>;
  ecs?: Awaited<ReturnType<typeof startFakeEcsApi>>;
}

export type Harness = Awaited<ReturnType<typeof startHarness>>;

export async function startHarness(options: HarnessOptions = {}) {
  const slack = options.slack ?? (await startFakeSlackApi());
  const ecs = options.ecs ?? (await startFakeEcsApi({ credentials: VOLC_CREDENTIALS }));
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'attach-key-bot-')));
  const env = {
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    VOLC_ACCESS_KEY_ID: VOLC_CREDENTIALS.accessKeyId,
    VOLC_SECRET_ACCESS_KEY: VOLC_CREDENTIALS.secretAccessKey,
    VOLC_ENDPOINT: ecs.url,
    APPROVER_USER_IDS: 'UAPP1,UAPP2,UAPP3',
    DATA_FILE: join(dataDir, 'db.json'),
    HOST: '127.0.0.1',
    PORT: '0',
    METRICS_HOST: '127.0.0.1',
    METRICS_PORT: '0',
    LOG_LEVEL: 'debug',
    ...options.env,
  };
  const config = loadConfig(env);
  const logs: string[] = [];
  const bot: Bot = await createBot(config, {
    logWrite: (line) => logs.push(line),
    slackRetry: { retries: 0 },
    volcSleep: async () => {},
    ...options.overrides,
  });
  const { port, metricsPort } = await bot.start();
  const endpoint = `http://127.0.0.1:${port}/slack/events`;
  const sender = slackSender(endpoint, env.SLACK_SIGNING_SECRET);
  let replies = 0;

  /** Cards are the channel messages (no thread_ts) carrying an approve button. */
  const cardCalls = () =>
    slack
      .callsTo('chat.postMessage')
      .filter((c) => !c.params.thread_ts && buttonValue(c, 'approve_request'));

  const harness = {
    slack,
    ecs,
    bot,
    config,
    env,
    logs,
    dataDir,
    port,
    /** The metrics listener (METRICS_PORT). */
    metricsPort,
    endpoint,
    sender,
    store: async (id: string) => (await bot.service.get(id)) as MutationRequest,
    auditEvents: (id: string) => bot.service.auditTrail(id),
    /** Polls the store (it is async) until the predicate holds. */
    waitForStored: (id: string, test: (r: MutationRequest) => boolean, what: string) =>
      eventually(async () => {
        const r = await bot.service.get(id);
        return r && test(r) ? r : undefined;
      }, what),

    /** Sends `/attach-key <text>`; the reply id names its response_url sink. */
    async command(
      text: string,
      from: { user?: string; channel?: string; trigger?: string; team?: string } = {},
    ) {
      const replyId = `r${++replies}`;
      const reply = await sender.command({
        text,
        ...(from.team ? { team_id: from.team } : {}),
        user_id: from.user ?? 'UREQ',
        channel_id: from.channel ?? 'C0OPS',
        trigger_id: from.trigger ?? `trigger-${replyId}`,
        response_url: slack.responseUrl(replyId),
      });
      return { reply, replyId };
    },

    /** Sends a valid request and waits for its approval card; returns the request id and card. */
    async request(text: string, from: { user?: string; channel?: string } = {}) {
      const before = cardCalls().length;
      const { reply } = await harness.command(text, from);
      if (reply.status !== 200) throw new Error(`command answered ${reply.status}: ${reply.body}`);
      const card = await slack.waitFor(() => cardCalls()[before], 'the approval card');
      const requestId = buttonValue(card, 'approve_request') as string;
      const stored = await harness.waitForStored(
        requestId,
        (r) => !!r.card,
        'the card ts to be stored',
      );
      const ts = stored.card?.ts as string;
      return { requestId, card, ts, channel: String(card.params.channel) };
    },

    /** Clicks approve/reject on a request's card as `user`; the reply id names its sink. */
    async click(kind: 'approve' | 'reject', requestId: string, user: string, team?: string) {
      const replyId = `c${++replies}`;
      const stored = await bot.service.get(requestId);
      const reply = await sender.interaction(
        buttonClick({
          actionId: kind === 'approve' ? 'approve_request' : 'reject_request',
          value: requestId,
          userId: user,
          channelId: stored?.card?.channel ?? 'C0OPS',
          messageTs: stored?.card?.ts ?? '1.0',
          responseUrl: slack.responseUrl(replyId),
          ...(team ? { teamId: team } : {}),
        }),
      );
      return { reply, replyId };
    },

    /** Clicks any button (restart_request, undo_request, …) on a message in the ops channel. */
    async clickButton(actionId: string, value: string, user: string, messageTs = '1.0') {
      const replyId = `b${++replies}`;
      const reply = await sender.interaction(
        buttonClick({
          actionId,
          value,
          userId: user,
          channelId: 'C0OPS',
          messageTs,
          responseUrl: slack.responseUrl(replyId),
        }),
      );
      return { reply, replyId };
    },

    /** A follow-up's approval card: a thread reply carrying an approve button. */
    followUpCard: (threadTs: string) =>
      slack.waitFor(
        () =>
          slack
            .callsTo('chat.postMessage')
            .find((c) => c.params.thread_ts === threadTs && buttonValue(c, 'approve_request')),
        `a follow-up card in the thread ${threadTs}`,
      ),

    /** The ephemeral answer posted to a reply's response_url. */
    responseTo: (replyId: string) =>
      slack.waitFor(
        () => slack.responses.find((r) => r.id === replyId)?.body,
        `a response to ${replyId}`,
      ),

    threadPosts: (ts: string) =>
      slack.callsTo('chat.postMessage').filter((c) => c.params.thread_ts === ts),

    waitForThread: (ts: string) =>
      slack.waitFor(() => {
        const posts = slack.callsTo('chat.postMessage').filter((c) => c.params.thread_ts === ts);
        return posts.length ? posts : undefined;
      }, `the results thread under ${ts}`),

    /** The last chat.update of a card. */
    lastCardUpdate: (ts: string) =>
      slack
        .callsTo('chat.update')
        .filter((c) => c.params.ts === ts)
        .at(-1),

    waitForStatus: (requestId: string, status: MutationRequest['status']) =>
      harness.waitForStored(
        requestId,
        (r) => r.status === status,
        `request ${requestId} to be ${status}`,
      ),

    async stop(options: { keepFakes?: boolean; keepData?: boolean } = {}) {
      await bot.stop();
      if (!options.keepFakes) {
        await slack.close();
        await ecs.close();
      }
      if (!options.keepData) await rm(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}

/**
 * Resolves with the first truthy value of an async check, polled every few ms; fails after 10 s
 * (a wait, not a sleep: it ends as soon as the check holds, and a loaded machine needs the room).
 */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The value of the button with this action id in a recorded message, if any. */
export function buttonValue(call: RecordedSlackCall, actionId: string): string | undefined {
  for (const element of allElements(call.params.blocks)) {
    if (element.action_id === actionId) return String(element.value);
  }
  return undefined;
}

function* allElements(blocks: unknown): Generator<Record<string, unknown>> {
  if (!Array.isArray(blocks)) return;
  for (const block of blocks as Record<string, unknown>[]) {
    if (Array.isArray(block.elements)) yield* block.elements as Record<string, unknown>[];
    if (block.accessory) yield block.accessory as Record<string, unknown>;
  }
}

/** Every visible text of a recorded message (fallback text and all block text), joined. */
export function messageText(call: RecordedSlackCall | undefined): string {
  if (!call) return '';
  return [String(call.params.text ?? ''), JSON.stringify(call.params.blocks ?? [])].join('\n');
}

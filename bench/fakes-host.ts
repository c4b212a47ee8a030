import { ACTIONS } from '../src/slack/ids.js';
import { buttonValue, VOLC_CREDENTIALS } from '../test/support/bot-harness.js';
import { type FakeEcsApi, startFakeEcsApi } from '../test/support/fake-ecs-api.js';
import { type FakeSlackApi, startFakeSlackApi } from '../test/support/fake-slack-api.js';
import type {
  EcsCallRecord,
  FakesCall,
  FakesReport,
  FakeUrls,
  SlackPost,
} from './host-protocol.js';
import { serveParent } from './host-protocol.js';
import { type SlackWatch, watchSlack } from './slack-watch.js';

// Child process that runs the test suite's fake Slack Web API and fake Volcengine API on loopback,
// so their work never runs on the load client's event loop (see host-protocol.ts).

let slack: FakeSlackApi | undefined;
let ecs: FakeEcsApi | undefined;
let watch: SlackWatch | undefined;

async function handle(call: FakesCall): Promise<unknown> {
  switch (call.op) {
    case 'startFakes': {
      await stopFakes();
      slack = await startFakeSlackApi();
      ecs = await startFakeEcsApi({
        credentials: VOLC_CREDENTIALS,
        ...(call.ecsLatencyMs > 0 ? { latencyMs: call.ecsLatencyMs } : {}),
        ...(call.rebootMs !== undefined ? { rebootMs: call.rebootMs } : {}),
        ...(call.commandMs !== undefined ? { commandMs: call.commandMs } : {}),
        ...(call.keyPairs ? { keyPairs: call.keyPairs } : {}),
      });
      for (const instance of call.inventory ?? []) ecs.addInstance({ ...instance });
      watch = watchSlack(slack);
      return { slackApiUrl: slack.apiUrl, slackUrl: slack.url, ecsUrl: ecs.url } as FakeUrls;
    }
    case 'waitForCards': {
      const w = started(watch);
      await w.waitForCards(call.count, call.timeoutMs);
      return w.cards;
    }
    case 'waitForThreads': {
      await started(watch).waitForThreads(call.count, call.timeoutMs);
      return null;
    }
    case 'report': {
      const s = started(slack);
      const prefix = call.ignoreResponsesTo;
      const responses = prefix ? s.responses.filter((r) => !r.id.startsWith(prefix)) : s.responses;
      const report: FakesReport = {
        responses: responses.length,
        ...(responses[0] ? { firstResponse: JSON.stringify(responses[0].body).slice(0, 300) } : {}),
        threads: [...started(watch).threads],
        ecsCalls: started(ecs)
          .callsFor('AttachKeyPair')
          .map((c) => ({ at: c.at, ...(c.status !== undefined ? { status: c.status } : {}) })),
      };
      return report;
    }
    case 'describeCalls':
      return started(ecs).callsFor('DescribeInstances').length;
    case 'waitForResponses': {
      const s = started(slack);
      const count = () => s.responses.filter((r) => r.id.startsWith(call.prefix)).length;
      await s.waitFor(() => count() >= call.count, `${call.count} responses`, 30_000);
      return null;
    }
    case 'ecsCalls':
      return started(ecs)
        .calls.slice(call.since ?? 0)
        .map(
          (c): EcsCallRecord => ({
            seq: c.seq,
            action: c.action ?? '',
            at: c.at,
            ...(c.answeredAt !== undefined ? { answeredAt: c.answeredAt } : {}),
            ...(c.status !== undefined ? { status: c.status } : {}),
            instanceIds: c.instanceIds,
            ...(c.query.InvocationId ? { invocationId: c.query.InvocationId } : {}),
          }),
        );
    case 'posts': {
      const s = started(slack);
      const since = call.since ?? 0;
      const count = () =>
        s.calls.slice(since).filter((c) => c.method === 'chat.postMessage').length;
      if (call.atLeast) {
        await s.waitFor(() => count() >= (call.atLeast ?? 0), 'posts', call.timeoutMs ?? 30_000);
      }
      return postsSince(s, since);
    }
    case 'stopFakes':
      await stopFakes();
      return null;
  }
}

function postsSince(s: FakeSlackApi, since: number): SlackPost[] {
  const posts: SlackPost[] = [];
  for (let index = since; index < s.calls.length; index++) {
    const c = s.calls[index];
    if (c?.method !== 'chat.postMessage') continue;
    const buttons: Record<string, string> = {};
    for (const actionId of Object.values(ACTIONS)) {
      const value = buttonValue(c, actionId);
      if (value !== undefined) buttons[actionId] = value;
    }
    const threadTs = c.params.thread_ts;
    posts.push({
      index,
      at: c.at,
      ...(typeof threadTs === 'string' ? { threadTs } : {}),
      buttons,
    });
  }
  return posts;
}

function started<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('the fakes are not started');
  return value;
}

async function stopFakes(): Promise<void> {
  await slack?.close();
  await ecs?.close();
  slack = undefined;
  ecs = undefined;
  watch = undefined;
}

serveParent(handle);

import { VOLC_CREDENTIALS } from '../test/support/bot-harness.js';
import { type FakeEcsApi, startFakeEcsApi } from '../test/support/fake-ecs-api.js';
import { type FakeSlackApi, startFakeSlackApi } from '../test/support/fake-slack-api.js';
import type { FakesCall, FakesReport, FakeUrls } from './host-protocol.js';
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
      });
      for (const instance of call.inventory ?? []) ecs.addInstance(instance);
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
      const report: FakesReport = {
        responses: s.responses.length,
        ...(s.responses[0]
          ? { firstResponse: JSON.stringify(s.responses[0].body).slice(0, 300) }
          : {}),
        threads: [...started(watch).threads],
        ecsCalls: started(ecs)
          .callsFor('AttachKeyPair')
          .map((c) => ({ at: c.at, ...(c.status !== undefined ? { status: c.status } : {}) })),
      };
      return report;
    }
    case 'describeCalls':
      return started(ecs).callsFor('DescribeInstances').length;
    case 'stopFakes':
      await stopFakes();
      return null;
  }
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

import { buttonValue } from '../test/support/bot-harness.js';
import type { FakeSlackApi } from '../test/support/fake-slack-api.js';

// Follows what the bot posted to the fake Slack without rescanning every recorded call on every
// check (the fake's own callsTo() filters the whole list, quadratic over a benchmark run).

export interface SlackWatch {
  /** Request ids of approval cards, in the order they were posted. */
  cards: string[];
  /** The first results-thread message per card ts, with its arrival time (Date.now()). */
  threads: Map<string, number>;
  waitForCards(count: number, timeoutMs?: number): Promise<void>;
  waitForThreads(count: number, timeoutMs?: number): Promise<void>;
}

export function watchSlack(slack: FakeSlackApi): SlackWatch {
  let scanned = 0;
  const cards: string[] = [];
  const threads = new Map<string, number>();
  const scan = () => {
    for (; scanned < slack.calls.length; scanned++) {
      const call = slack.calls[scanned];
      if (call?.method !== 'chat.postMessage') continue;
      const thread = call.params.thread_ts;
      if (typeof thread === 'string') {
        if (!threads.has(thread)) threads.set(thread, call.at);
        continue;
      }
      const requestId = buttonValue(call, 'approve_request');
      if (requestId) cards.push(requestId);
    }
  };
  return {
    cards,
    threads,
    waitForCards: (count, timeoutMs = 30_000) =>
      slack
        .waitFor(
          () => {
            scan();
            return cards.length >= count;
          },
          `${count} approval cards`,
          timeoutMs,
        )
        .then(() => {}),
    waitForThreads: (count, timeoutMs = 30_000) =>
      slack
        .waitFor(
          () => {
            scan();
            return threads.size >= count;
          },
          `${count} results threads`,
          timeoutMs,
        )
        .then(() => {}),
  };
}

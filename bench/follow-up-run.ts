import { ACTIONS } from '../src/slack/ids.js';
import { type Rig, responseUrl } from './bot-env.js';
import { type BotRun, nextPost } from './bot-run.js';
import type { EcsCallRecord, SlackPost, StoredCard, StoredState } from './host-protocol.js';
import { approveBody, clickBody, instanceIds, REQUESTER } from './load.js';

// The rows that time a follow-up (restart, apply now): an attach of N instances approved and run
// untimed, the follow-up its results offer asked for and its card stored, then the clock runs from
// the follow-up's approval to its results in the thread, with the ECS calls made meanwhile.

export interface TimedFollowUp {
  clickedAt: number;
  resultsAt: number;
  /** The ECS calls from the approval on. */
  calls: EcsCallRecord[];
}

export async function timeFollowUp(
  rig: Rig,
  bot: BotRun,
  instances: number,
  follow: { actionId: string; name: string },
): Promise<TimedFollowUp> {
  const { fakes, server } = rig;
  const click = (body: string) => bot.client.send(body);
  const parent = await bot.submit(instanceIds(instances));
  let since = ((await fakes.call<SlackPost[]>({ op: 'posts' })).at(-1)?.index ?? -1) + 1;
  await click(approveBody({ ...parent, responseUrl: responseUrl(bot.urls, 'approve-parent') }));
  const results = await nextPost(
    rig,
    since,
    (p) => p.buttons[follow.actionId] === parent.requestId,
    120_000,
  );
  since = results.index + 1;
  await server.call({ op: 'settle' });
  await click(
    clickBody({
      actionId: follow.actionId,
      value: parent.requestId,
      userId: REQUESTER,
      channel: parent.channel,
      ts: results.threadTs ?? parent.ts,
      responseUrl: responseUrl(bot.urls, follow.name),
    }),
  );
  const card = await nextPost(rig, since, (p) => p.buttons[ACTIONS.approve] !== undefined);
  since = card.index + 1;
  const id = card.buttons[ACTIONS.approve] as string;
  await server.call({ op: 'settle' });
  const [stored] = await server.call<StoredCard[]>({ op: 'cards', requestIds: [id] });
  if (!stored) throw new Error(`the ${follow.name} card was not stored`);
  const ecsBefore = (await fakes.call<EcsCallRecord[]>({ op: 'ecsCalls' })).length;

  const clickedAt = Date.now();
  await click(
    approveBody({ ...stored, responseUrl: responseUrl(bot.urls, `approve-${follow.name}`) }),
  );
  const done = await nextPost(rig, since, (p) => p.threadTs === parent.ts, 120_000);
  await server.call({ op: 'settle' });
  const [state] = await server.call<StoredState[]>({ op: 'requests', requestIds: [id] });
  if (state?.status !== 'done' || state.failedOutcomes > 0) {
    throw new Error(`the ${follow.name} ended ${state?.status} (${state?.failedOutcomes} failed)`);
  }
  const calls = await fakes.call<EcsCallRecord[]>({ op: 'ecsCalls', since: ecsBefore });
  return { clickedAt, resultsAt: done.at, calls };
}

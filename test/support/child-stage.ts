import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MutationRequest } from '../../src/domain/request.js';
import { readLiveState } from '../../src/store/change-log.js';
import { defaultChangeLogFile, defaultHistoryFile } from '../../src/store/lowdb-files.js';
import { VOLC_CREDENTIALS } from './bot-harness.js';
import { type ChildBot, childBotEnv, killLeftoverChildBots, startChildBot } from './child-bot.js';
import { type FakeEcsApi, startFakeEcsApi } from './fake-ecs-api.js';
import type { FakeEcsOptions } from './fake-ecs-types.js';
import { type FakeSlackApi, startFakeSlackApi } from './fake-slack-api.js';

// The stage of the tests that run the bot as a real process (kill -9, restarts): a fake Slack and
// a fake ECS that outlive the children, and a temporary directory with DATA_FILE, so a second
// child on the same file talks to the same "Slack" and "Volcengine" the first one did.

export interface ChildStage {
  slack: FakeSlackApi;
  ecs: FakeEcsApi;
  dir: string;
  dataFile: string;
}

export async function openChildStage(
  name: string,
  ecs: Partial<FakeEcsOptions> = {},
): Promise<ChildStage> {
  const slack = await startFakeSlackApi();
  const fakeEcs = await startFakeEcsApi({ credentials: VOLC_CREDENTIALS, ...ecs });
  const dir = await mkdtemp(join(tmpdir(), `attach-key-bot-${name}-`));
  return { slack, ecs: fakeEcs, dir, dataFile: join(dir, 'data', 'db.json') };
}

/** Kills what a test left running, closes the fakes and removes the directory. */
export async function closeChildStage(stage: ChildStage | undefined): Promise<void> {
  await killLeftoverChildBots();
  await stage?.slack.close();
  await stage?.ecs.close();
  if (stage) await rm(stage.dir, { recursive: true, force: true });
}

/** A bot process on the stage's fakes and DATA_FILE, with `extra` in its environment. */
export function startStageBot(stage: ChildStage, extra: Record<string, string> = {}): ChildBot {
  const { slack, ecs, dir, dataFile } = stage;
  return startChildBot({
    cwd: dir,
    env: childBotEnv({ slackApiUrl: slack.apiUrl, ecsUrl: ecs.url, dataFile, extra }),
  });
}

/** The request as a process left it: in DATA_FILE (its change log replayed) while live, else the
 * last line of its history. */
export function storedRequest(dataFile: string, requestId: string): MutationRequest {
  const live = readLiveState(dataFile, defaultChangeLogFile(dataFile)).requests[requestId];
  if (live) return live;
  const history = readFileSync(defaultHistoryFile(dataFile), 'utf8').split('\n').filter(Boolean);
  const found = history
    .map((line) => JSON.parse(line) as MutationRequest)
    .filter((r) => r.id === requestId)
    .at(-1);
  if (!found) throw new Error(`request ${requestId} is neither in ${dataFile} nor in its history`);
  return found;
}

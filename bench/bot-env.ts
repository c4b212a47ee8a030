import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BOT_TOKEN, SIGNING_SECRET, VOLC_CREDENTIALS } from '../test/support/bot-harness.js';
import type { Child } from './children.js';
import type { FakesCall, FakeUrls, ServerCall } from './host-protocol.js';

// What every benchmark phase shares: the two child processes and the bot's environment.

export interface Rig {
  server: Child<ServerCall>;
  fakes: Child<FakesCall>;
}

/**
 * The environment the bot reads: production defaults (log level info, text logs,
 * VOLC_MAX_CONCURRENCY 4, ...) except where the fakes live, who may approve, and how many
 * requests one person may have waiting.
 */
export function botEnv(
  fakes: FakeUrls,
  dataDir: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fakes.slackApiUrl,
    VOLC_ACCESS_KEY_ID: VOLC_CREDENTIALS.accessKeyId,
    VOLC_SECRET_ACCESS_KEY: VOLC_CREDENTIALS.secretAccessKey,
    VOLC_ENDPOINT: fakes.ecsUrl,
    APPROVER_USER_IDS: 'UAPP1,UAPP2,UAPP3',
    // One requester posts every benchmark request: the per-user limit must not refuse them.
    MAX_OPEN_REQUESTS_PER_USER: '1000',
    DATA_FILE: join(dataDir, 'db.json'),
    HOST: '127.0.0.1',
    PORT: '0',
    METRICS_HOST: '127.0.0.1',
    METRICS_PORT: '0',
    ...extra,
  };
}

export const responseUrl = (fakes: FakeUrls, id: string) => `${fakes.slackUrl}/response_url/${id}`;
export const makeDataDir = () => mkdtemp(join(tmpdir(), 'attach-key-bench-'));
export const removeDir = (dir: string) => rm(dir, { recursive: true, force: true });

export { BOT_TOKEN, SIGNING_SECRET };

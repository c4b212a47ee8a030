import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { BOT_TOKEN, SIGNING_SECRET } from '../support/bot-harness.js';
import { type ChildBot, killLeftoverChildBots, startChildBot } from '../support/child-bot.js';
import { renderKustomize } from '../support/deploy-files.js';
import { execForm, healthcheck, last, readDockerfile, stage } from '../support/dockerfile.js';
import { type FakeSlackApi, startFakeSlackApi } from '../support/fake-slack-api.js';
import { Rendered } from '../support/kubernetes.js';
import { buildProductionLayout, type ProductionLayout } from '../support/production-layout.js';

// The image's final stage, as far as this machine can make it without Docker: its files (the
// production dependencies, dist/ built by `npm run build`, package.json) in a read-only tree, its
// CMD started as its USER (the tests run as root here, so the uid is set on spawn), in sandbox and
// HTTP mode against a loopback Slack. It must answer its own HEALTHCHECK and the probes'
// /healthz, serve the Service's scrape path on METRICS_PORT, and stop cleanly on SIGTERM.

const runtime = stage(readDockerfile(), 'runtime');
const [uid, gid] = last(runtime, 'USER').args.split(':').map(Number) as [number, number];
const cmd = execForm(last(runtime, 'CMD').args);
const healthScript = healthcheck(last(runtime, 'HEALTHCHECK').args).command;
// As root, become the image's user; otherwise the tests already run as a non-root user.
const user = process.getuid?.() === 0 ? { uid, gid } : undefined;

let layout: ProductionLayout;
let slack: FakeSlackApi;
let bot: ChildBot;
let port: number;
let metricsPort: number;
let env: Record<string, string>;

beforeAll(async () => {
  layout = await buildProductionLayout(user);
  slack = await startFakeSlackApi();
  metricsPort = await freePort();
  env = {
    LOG_FORMAT: 'json',
    HOST: '127.0.0.1',
    PORT: '0',
    METRICS_HOST: '127.0.0.1',
    METRICS_PORT: String(metricsPort),
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    VOLC_SANDBOX: 'true',
    APPROVER_USER_IDS: 'UAPP1',
  };
  expect(cmd[0]).toBe('node');
  bot = startChildBot({
    cwd: layout.app,
    args: cmd.slice(1),
    env,
    ...(user ? { user } : {}),
  });
  port = await bot.started;
}, 180_000);

afterAll(async () => {
  await killLeftoverChildBots();
  await slack?.close();
  await layout?.remove();
});

describe("the image's final stage, started as the image starts it", () => {
  it('holds only production packages, and runs as a non-root user', async () => {
    expect(layout.packages).toContain('node_modules/@slack/bolt');
    expect(layout.packages).not.toContain('node_modules/vitest');
    expect(layout.packages).not.toContain('node_modules/typescript');
    const status = await readFile(`/proc/${bot.pid}/status`, 'utf8');
    const running = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
    expect(running).not.toBe(0);
    if (user) expect(running).toBe(uid);
  });

  it('answers /healthz, and its HEALTHCHECK passes', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, store: 'ok' });
    const [program, ...args] = healthScript;
    expect(program).toBe('node');
    expect(await exitCodeOf(args, { PORT: String(port) })).toBe(0);
  });

  it("answers the Deployment's probe paths on PORT", async () => {
    const { container } = new Rendered(renderKustomize('base'));
    for (const probe of [
      container.startupProbe,
      container.readinessProbe,
      container.livenessProbe,
    ]) {
      const path = probe?.httpGet?.path;
      expect((await fetch(`http://127.0.0.1:${port}${path}`)).status).toBe(200);
    }
  });

  it("serves the Service's Prometheus scrape path on METRICS_PORT", async () => {
    const service = renderKustomize('base').find((o) => o.kind === 'Service');
    const path = service?.metadata.annotations?.['prometheus.io/path'];
    const response = await fetch(`http://127.0.0.1:${metricsPort}${path}`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('attach_key_bot_');
  });

  it('stops on SIGTERM with exit code 0, having written only its data directory', async () => {
    expect(bot.kill('SIGTERM')).toBe(true);
    expect(await bot.exited).toEqual({ code: 0, signal: null });
    expect(bot.stderr()).toBe('');
    expect(bot.lines.filter((l) => l.level === 'error')).toEqual([]);
    // The read-only tree would have refused any other write; the store opened its files (the
    // audit trail, the history) in the image's data volume, where its default DATA_FILE points.
    expect(dirname(resolve(layout.app, loadConfig(env).storage.dataFile))).toBe(layout.data);
    expect((await readdir(layout.data)).length).toBeGreaterThan(0);
  });
});

/** Runs the HEALTHCHECK's node arguments as the image's user; resolves with the exit code. */
function exitCodeOf(args: string[], extra: Record<string, string>): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { PATH: process.env.PATH ?? '', ...extra },
      stdio: 'ignore',
      ...(user ? user : {}),
    });
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
}

/** A port nothing listens on right now (METRICS_PORT must be known before the bot starts). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BOT_TOKEN, SIGNING_SECRET, VOLC_CREDENTIALS } from './bot-harness.js';

// The bot as a separate process, started the way a container starts it: `node --import tsx
// src/main.ts` (node itself, so signals reach the bot; npm does not pass SIGTERM on). The cwd is a
// temp directory so a developer's .env in the repo root is never loaded, and the environment is
// built from scratch. Log lines (LOG_FORMAT=json) are parsed from stdout as they arrive.

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
// tsx's "." export is its loader (dist/loader.mjs); --import needs it as an absolute file URL.
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** A LOG_FORMAT=json line: level, time, event (the message) and the fields logged with it. */
export interface ChildLogLine {
  level: string;
  time: string;
  event: string;
  [field: string]: unknown;
}

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ChildBot {
  pid: number;
  /** Resolves with the HTTP port from the "attach-key-bot started" line; rejects if it exits first. */
  started: Promise<number>;
  /** Resolves once the process has exited and its output is fully read. */
  exited: Promise<ChildExit>;
  /** Parsed JSON log lines from stdout, in order. */
  lines: ChildLogLine[];
  /** Every stdout line, raw (including any that are not JSON). */
  stdout: string[];
  stderr(): string;
  /** False when the process had already exited. */
  kill(signal: NodeJS.Signals): boolean;
  /** The first log line (seen or still to come) with this event, or matching the predicate. */
  waitForLog(
    match: string | ((line: ChildLogLine) => boolean),
    timeoutMs?: number,
  ): Promise<ChildLogLine>;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** The bot's variables for a child wired to the fakes; `extra` overrides or adds (use '' to blank). */
export function childBotEnv(input: {
  slackApiUrl: string;
  ecsUrl: string;
  dataFile: string;
  extra?: Record<string, string>;
}): Record<string, string> {
  return {
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'info',
    HOST: '127.0.0.1',
    PORT: '0',
    METRICS_HOST: '127.0.0.1',
    METRICS_PORT: '0',
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: input.slackApiUrl,
    VOLC_ACCESS_KEY_ID: VOLC_CREDENTIALS.accessKeyId,
    VOLC_SECRET_ACCESS_KEY: VOLC_CREDENTIALS.secretAccessKey,
    VOLC_ENDPOINT: input.ecsUrl,
    APPROVER_USER_IDS: 'UAPP1,UAPP2',
    DATA_FILE: input.dataFile,
    ...input.extra,
  };
}

/**
 * Spawns the bot with exactly PATH plus `env`, in `cwd` (a temp directory). `args` replaces the
 * default `--import tsx src/main.ts` (a built layout: `dist/main.js`); `user` runs it as that uid
 * and gid.
 */
export function startChildBot(options: {
  env: Record<string, string>;
  cwd: string;
  args?: string[];
  user?: { uid: number; gid: number };
}): ChildBot {
  installExitHook();
  const child = spawn(process.execPath, options.args ?? ['--import', TSX_LOADER, MAIN], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...options.user,
  });
  running.add(child);

  const lines: ChildLogLine[] = [];
  const stdout: string[] = [];
  let stderr = '';
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const listener of [...listeners]) listener();
  };
  let exit: ChildExit | undefined;

  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });
  createInterface({ input: child.stdout }).on('line', (text) => {
    stdout.push(text);
    try {
      const parsed = JSON.parse(text) as unknown;
      if (parsed && typeof parsed === 'object') lines.push(parsed as ChildLogLine);
    } catch {
      // Kept in `stdout` only.
    }
    notify();
  });

  const exited = new Promise<ChildExit>((resolve) => {
    child.once('close', (code, signal) => {
      running.delete(child);
      exit = { code, signal };
      resolve(exit);
      notify();
    });
  });

  const describe = () =>
    `child ${child.pid} (exit ${JSON.stringify(exit)}); stderr: ${stderr.slice(0, 2000) || '(empty)'}; last stdout: ${stdout.slice(-5).join('\n')}`;

  const waitForLog = (
    match: string | ((line: ChildLogLine) => boolean),
    timeoutMs = 10_000,
  ): Promise<ChildLogLine> => {
    const test = typeof match === 'string' ? (l: ChildLogLine) => l.event === match : match;
    const what = typeof match === 'string' ? `log "${match}"` : 'a matching log line';
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = lines.find(test);
        if (found) {
          finish();
          resolve(found);
        } else if (exit) {
          finish();
          reject(new Error(`${what} never came: ${describe()}`));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${describe()}`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      check();
    });
  };

  const started = waitForLog('attach-key-bot started').then((line) => {
    if (typeof line.port !== 'number') throw new Error(`no port in the start line: ${describe()}`);
    return line.port;
  });
  // A test that never awaits `started` (a child meant to fail) must not see an unhandled rejection.
  started.catch(() => {});

  return {
    pid: child.pid ?? -1,
    started,
    exited,
    lines,
    stdout,
    stderr: () => stderr,
    kill: (signal) => exit === undefined && child.kill(signal),
    waitForLog,
  };
}

/** Kills every child still running (SIGKILL) and waits for them: call it in afterEach. */
export async function killLeftoverChildBots(): Promise<void> {
  const left = [...running];
  await Promise.all(
    left.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('close', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort if the test process itself goes away: no orphaned bots.
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

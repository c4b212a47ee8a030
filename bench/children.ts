import { type ChildProcess, execFile, fork } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ChildResponse } from './host-protocol.js';

// The children (server host, store probe) run as compiled JavaScript under plain node, as
// production runs dist/main.js: tsx would add its loader thread (~35 MB RSS) and hooks to the
// very process being measured. tsc (a devDependency) compiles them with their src imports.

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT_DIR = join(REPO_ROOT, 'node_modules', '.cache', 'attach-key-bot-bench');
const CHILD_ENTRIES = ['bench/server-host.ts', 'bench/fakes-host.ts', 'bench/store-probe.ts'];

export interface CompiledChildren {
  serverHost: string;
  fakesHost: string;
  storeProbe: string;
}

export async function compileChildren(): Promise<CompiledChildren> {
  await rm(OUT_DIR, { recursive: true, force: true });
  await mkdir(OUT_DIR, { recursive: true });
  const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  // Type checking is `npm run typecheck`'s job; here we only need the JavaScript.
  const args = [
    tsc,
    '--noCheck',
    '--skipLibCheck',
    '--module',
    'nodenext',
    '--moduleResolution',
    'nodenext',
    '--target',
    'es2022',
    '--types',
    'node',
    '--rootDir',
    REPO_ROOT,
    '--outDir',
    OUT_DIR,
    ...CHILD_ENTRIES.map((entry) => join(REPO_ROOT, entry)),
  ];
  await promisify(execFile)(process.execPath, args, { cwd: REPO_ROOT });
  // node_modules/ ends a package scope: say explicitly that these files are ES modules.
  await writeFile(join(OUT_DIR, 'package.json'), '{ "type": "module" }\n');
  return {
    serverHost: join(OUT_DIR, 'bench', 'server-host.js'),
    fakesHost: join(OUT_DIR, 'bench', 'fakes-host.js'),
    storeProbe: join(OUT_DIR, 'bench', 'store-probe.js'),
  };
}

export async function removeCompiled(): Promise<void> {
  await rm(OUT_DIR, { recursive: true, force: true });
}

export interface Child<C> {
  call<T>(request: C): Promise<T>;
  close(): Promise<void>;
}

/** Forks a compiled child that answers over IPC; `profileDir` writes its V8 CPU profile. */
export function startChild<C extends { op: string }>(path: string, profileDir?: string): Child<C> {
  const child: ChildProcess = fork(path, [], {
    execArgv: [
      '--expose-gc',
      ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 0;
  child.on('message', (response: ChildResponse) => {
    const waiter = waiting.get(response.id);
    if (!waiter) return;
    waiting.delete(response.id);
    if (response.ok) waiter.resolve(response.value);
    else waiter.reject(new Error(`${path}: ${response.error}`));
  });
  child.on('exit', (code) => {
    for (const waiter of waiting.values()) waiter.reject(new Error(`${path} exited (${code})`));
    waiting.clear();
  });
  return {
    call: <T>(request: C) =>
      new Promise<T>((resolve, reject) => {
        const id = ++next;
        waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ ...request, id });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.disconnect();
      }),
  };
}

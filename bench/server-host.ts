import { setTimeout as sleep } from 'node:timers/promises';
import type { App } from '@slack/bolt';
import { type Bot, createBot } from '../src/app/bot.js';
import { loadConfig } from '../src/config/config.js';
import { createBareBolt } from './bare-bolt.js';
import {
  type CpuTime,
  type ServerCall,
  type Settled,
  type StartedServer,
  type StoredCard,
  type StoredState,
  serveParent,
} from './host-protocol.js';

// Child process that runs the server under test: the bot, built exactly as main.ts builds it, or
// the bare Bolt app. Compiled with tsc and run by plain node, as production runs dist/main.js.
// One server at a time; the parent drives it over IPC.

let bot: Bot | undefined;
let bare: App | undefined;
let logLines = 0;
let warnings: string[] = [];

async function handle(call: ServerCall): Promise<unknown> {
  switch (call.op) {
    case 'startBot': {
      const config = loadConfig(call.env);
      // The only override keeps log lines off stdout (counted, WARN/ERROR kept for the report).
      bot = await createBot(config, { logWrite: keepLine });
      const { port } = await bot.start();
      return { port: port as number, maxConcurrency: config.volc.maxConcurrency } as StartedServer;
    }
    case 'startBare': {
      bare = createBareBolt(call);
      const server = (await bare.start({ port: 0, host: '127.0.0.1' })) as {
        address(): { port: number };
      };
      return { port: server.address().port } as StartedServer;
    }
    case 'settle': {
      // Both servers get the same idle pause, so both meet each burst equally "cold" (on this VM
      // a process woken from idle answers ~1 ms slower than one kept busy). For the bot it also
      // covers a submit's last store write and audit line, which follow its card post untracked.
      await bot?.service.idle();
      await sleep(call.pauseMs ?? 5);
      await bot?.service.idle();
      const settled: Settled = { logLines, warnings };
      logLines = 0;
      warnings = [];
      return settled;
    }
    case 'cpu': {
      const usage = process.cpuUsage();
      return { userMicros: usage.user, systemMicros: usage.system } as CpuTime;
    }
    case 'cards': {
      const cards: StoredCard[] = [];
      for (const requestId of call.requestIds) {
        const card = (await bot?.service.get(requestId))?.card;
        if (card) cards.push({ requestId, ...card });
      }
      return cards;
    }
    case 'requests': {
      const states: StoredState[] = [];
      for (const requestId of call.requestIds) {
        const request = await bot?.service.get(requestId);
        if (!request) continue;
        const steps = request.steps;
        states.push({
          requestId,
          status: request.status,
          steps: steps.length,
          failedSteps: steps.filter((s) => s.state === 'failed').length,
          failedOutcomes: steps.reduce(
            (n, s) => n + (s.outcomes ?? []).filter((o) => !o.ok).length,
            0,
          ),
        });
      }
      return states;
    }
    case 'stop': {
      await bot?.stop();
      await bare?.stop();
      bot = undefined;
      bare = undefined;
      // Every cell starts from a collected heap, so one cell's garbage is not the next one's pause.
      (globalThis as { gc?: () => void }).gc?.();
      return null;
    }
  }
}

function keepLine(line: string): void {
  logLines++;
  // Text format: "<ISO time> LEVEL message"; the level starts at column 25.
  if ((line.startsWith('WARN', 25) || line.startsWith('ERROR', 25)) && warnings.length < 20) {
    warnings.push(line.slice(0, 400));
  }
}

serveParent(handle);

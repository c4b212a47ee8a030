import type { Logger } from '../service/ports.js';
import type { Service } from '../service/service.js';

// The service's periodic work: expiry and reminders, the takeover of requests whose executor
// died, and the retention sweep. Each task runs at most once at a time, and a failure is logged,
// never thrown: the next tick tries again.

export interface Timers {
  every(ms: number, task: () => Promise<unknown>, what: string): void;
  clear(): void;
}

export function createTimers(logger: Logger): Timers {
  const timers: NodeJS.Timeout[] = [];
  return {
    every(ms, task, what) {
      let busy = false;
      const timer = setInterval(() => {
        if (busy) return; // a slow store must not stack sweeps up
        busy = true;
        task()
          .catch((error) => logger.error(`${what} failed`, { error }))
          .finally(() => {
            busy = false;
          });
      }, ms);
      timer.unref();
      timers.push(timer);
    },
    clear() {
      for (const timer of timers.splice(0)) clearInterval(timer);
    },
  };
}

export interface ServiceWorkSettings {
  logger: Logger;
  requestTtlMinutes: number;
  leaseSeconds: number;
}

/** At start: the sweeps once, then the resume of unfinished work, then the periodic timers. */
export async function startServiceWork(
  service: Service,
  timers: Timers,
  { logger, requestTtlMinutes, leaseSeconds }: ServiceWorkSettings,
): Promise<void> {
  // Close what the other mode left, expire what went stale while we were down, then finish
  // what a previous process began.
  await service
    .voidOtherMode()
    .catch((error) => logger.error('other-mode sweep failed', { error }));
  await service.expireDue().catch((error) => logger.error('expiry sweep failed', { error }));
  await service
    .archiveFinished()
    .catch((error) => logger.error('retention sweep failed', { error }));
  void service.resume().catch((error) => logger.error('resume failed', { error }));
  const ttlMs = requestTtlMinutes * 60_000;
  const sweepMs = Math.min(30_000, Math.max(200, ttlMs / 8));
  timers.every(sweepMs, () => service.expireDue(), 'expiry sweep');
  timers.every(sweepMs, () => service.remindDue(), 'reminder sweep');
  // A replica that died leaves its leases to lapse; this picks their requests up.
  timers.every(Math.max(1_000, (leaseSeconds * 1000) / 2), () => service.resume(), 'takeover scan');
  timers.every(60 * 60_000, () => service.archiveFinished(), 'retention sweep');
}

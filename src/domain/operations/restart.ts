import type { MutationRequest, Step } from '../request.js';
import { chunk, toSteps } from './steps.js';

// Restart: a rolling reboot in waves. Each wave is RebootInstances (one call per 100 ids, its own
// ClientToken) followed by waiting until the wave is RUNNING again or its timeout passes. A wave
// with any failure halts the roll: later waves never start (the executor skips them).

export interface RestartSettings {
  waveSize: number;
  waveTimeoutMs: number;
}

export function planRestart(
  request: Pick<MutationRequest, 'id' | 'instanceIds'>,
  settings: RestartSettings,
): Step[] {
  const waveSize = Math.max(1, Math.floor(settings.waveSize));
  const waves = chunk(request.instanceIds, Number.MAX_SAFE_INTEGER).flatMap((all) =>
    chunk(all, waveSize),
  );
  return toSteps(
    request.id,
    waves.flatMap((wave, w) => [
      ...chunk(wave).map((instanceIds) => ({
        phase: 2 * w,
        wave: w,
        action: 'RebootInstances' as const,
        instanceIds,
      })),
      {
        phase: 2 * w + 1,
        wave: w,
        action: 'WaitRunning' as const,
        instanceIds: wave,
        timeoutMs: settings.waveTimeoutMs,
      },
    ]),
  );
}

/** Restarts halt on a failed wave; attach and undo run every step whatever happens. */
export function haltsOnFailure(kind: MutationRequest['kind']): boolean {
  return kind === 'restart';
}

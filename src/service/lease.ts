import type { ServiceContext } from './context.js';

// An execution lease (EXECUTION_LEASE_SECONDS): held while a replica works on a request, renewed
// by a timer and before every call, released when done. A replica that cannot renew in time has
// lost it and stops before its next call; another replica then takes the request over.

export interface Lease {
  /** True while the last successful renewal has not lapsed. */
  stillValid(): boolean;
  /** Renews when a third of the lease has passed; false once it is lost. */
  renewIfDue(): Promise<boolean>;
  release(): Promise<void>;
}

export async function claimLease(
  ctx: ServiceContext,
  requestId: string,
): Promise<Lease | undefined> {
  const { store, replicaId, settings, logger } = ctx.deps;
  const lengthMs = settings.leaseSeconds * 1000;
  let heldUntil = 0;
  let lost = false;
  let renewing: Promise<boolean> | undefined;

  const acquire = async (): Promise<boolean> => {
    const now = ctx.now();
    const until = new Date(now.getTime() + lengthMs);
    try {
      if (await store.acquireLease(requestId, replicaId, until, now)) {
        heldUntil = until.getTime();
        return true;
      }
      lost = true;
      return false;
    } catch (error) {
      // Unreachable store: keep what we have until it lapses.
      logger.warn('execution lease not renewed', { requestId, error });
      return ctx.now().getTime() < heldUntil;
    }
  };

  if (!(await acquire())) return undefined;
  const valid = () => !lost && ctx.now().getTime() < heldUntil;
  const renew = (): Promise<boolean> => {
    renewing ??= acquire().finally(() => {
      renewing = undefined;
    });
    return renewing;
  };
  const timer = setInterval(() => void renew(), Math.max(1_000, lengthMs / 3));
  timer.unref();

  return {
    stillValid: valid,
    async renewIfDue() {
      if (!valid()) return false;
      if (heldUntil - ctx.now().getTime() < (2 * lengthMs) / 3) await renew();
      return valid();
    },
    async release() {
      clearInterval(timer);
      await renewing?.catch(() => {});
      if (lost) return;
      await store.releaseLease(requestId, replicaId).catch((error: unknown) => {
        logger.warn('execution lease not released; it lapses by itself', { requestId, error });
      });
    },
  };
}

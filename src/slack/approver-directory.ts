import type { webApi } from '@slack/bolt';
import type { ApproverDirectory } from '../service/context.js';
import type { Logger } from '../service/ports.js';
import { singleFlight } from './single-flight.js';
import { slackErrorCode } from './slack-error.js';

// User-group membership from Slack (usergroups.users.list, scope usergroups:read, Tier 2: cached).
// Members are kept for a short while and refreshed; when Slack cannot be asked, the last known
// members are used for at most MAX_STALE_MS after they were read; with none known (or only older
// ones) the group is unknown and the click is refused (fail closed), saying which.

/** How long members read once may stand in while Slack cannot be asked. */
export const MAX_STALE_MS = 30 * 60_000;

export function createApproverDirectory(options: {
  client: webApi.WebClient;
  logger: Logger;
  /** How long a membership answer is fresh. */
  ttlMs?: number;
  /** How long a last known answer is used when Slack cannot be asked (default 30 min). */
  maxStaleMs?: number;
  /** The clock (ms), injected so the limits are testable. */
  now?: () => number;
}): ApproverDirectory {
  const ttlMs = options.ttlMs ?? 5 * 60_000;
  const maxStaleMs = options.maxStaleMs ?? MAX_STALE_MS;
  const now = options.now ?? Date.now;
  const known = new Map<string, { members: ReadonlySet<string>; at: number }>();

  async function fetchGroup(groupId: string): Promise<ReadonlySet<string> | undefined> {
    try {
      const answer = await options.client.usergroups.users.list({ usergroup: groupId });
      const members = new Set(
        (answer.users ?? []).filter((u): u is string => typeof u === 'string'),
      );
      known.set(groupId, { members, at: now() });
      return members;
    } catch (error) {
      const last = known.get(groupId);
      const usable = last && now() - last.at <= maxStaleMs;
      options.logger.warn('user group not refreshed', {
        group: groupId,
        slackError: slackErrorCode(error),
        fallback: usable
          ? 'last known members'
          : last
            ? 'last known members too old: refusing'
            : 'none known: refusing',
      });
      return usable ? last.members : undefined;
    }
  }

  const fetchShared = singleFlight(fetchGroup);

  function membersOne(groupId: string): Promise<ReadonlySet<string> | undefined> {
    const cached = known.get(groupId);
    if (cached && now() - cached.at < ttlMs) return Promise.resolve(cached.members);
    return fetchShared(groupId);
  }

  return {
    async membersOf(groupIds) {
      const entries = await Promise.all(
        groupIds.map(async (id) => [id, await membersOne(id)] as const),
      );
      return new Map(entries);
    },
    stale(groupIds) {
      const groups = groupIds.filter((id) => {
        const last = known.get(id);
        return last !== undefined && now() - last.at > maxStaleMs;
      });
      return groups.length ? { groups, afterMinutes: Math.round(maxStaleMs / 60_000) } : undefined;
    },
  };
}

import type { webApi } from '@slack/bolt';
import type { ApproverDirectory } from '../service/context.js';
import type { Logger } from '../service/ports.js';
import { singleFlight } from './single-flight.js';
import { slackErrorCode } from './slack-error.js';

// User-group membership from Slack (usergroups.users.list, scope usergroups:read, Tier 2: cached).
// Members are kept for a short while and refreshed; when Slack cannot be asked, the last known
// members are used; with none known the group is unknown and the click is refused (fail closed).

export function createApproverDirectory(options: {
  client: webApi.WebClient;
  logger: Logger;
  /** How long a membership answer is fresh. */
  ttlMs?: number;
  now?: () => number;
}): ApproverDirectory {
  const ttlMs = options.ttlMs ?? 5 * 60_000;
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
      options.logger.warn('user group not refreshed', {
        group: groupId,
        slackError: slackErrorCode(error),
        fallback: last ? 'last known members' : 'none known: refusing',
      });
      return last?.members;
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
  };
}

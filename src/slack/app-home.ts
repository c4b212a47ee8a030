import type { webApi } from '@slack/bolt';
import { approverLists, groupsIn, mayApprove } from '../domain/policy.js';
import type { MutationRequest } from '../domain/request.js';
import type { ApproverDirectory } from '../service/context.js';
import type { Logger } from '../service/ports.js';
import { createCoalescer } from '../service/run-limited.js';
import type { Service } from '../service/service.js';
import { renderHome } from './render/home.js';
import type { UserTexts } from './user-texts.js';

// App Home (app_home_opened → views.publish). A user's tab is published when they open it, and
// again whenever a request they take part in changes (as requester, approver or possible
// approver), for users who opened it lately. Publishing is idempotent, so an Events API retry
// landing on another replica does no harm.

const RECENT_VIEWERS_MS = 24 * 3_600_000;

export function createAppHome(options: {
  client: webApi.WebClient;
  service: Service;
  directory: ApproverDirectory;
  texts: UserTexts;
  logger: Logger;
  approvers: readonly string[];
  allowSelfApproval: boolean;
  now?: () => Date;
}) {
  const now = options.now ?? (() => new Date());
  const viewers = new Map<string, number>();
  const publishes = createCoalescer(async (userId) => publish(userId));

  async function publish(userId: string): Promise<void> {
    try {
      const pending = await options.service.pending();
      const lists = new Map(
        pending.map((r) => [r.id, approverLists(r.approval.rules, options.approvers)]),
      );
      const groups = groupsIn([...lists.values()].flat());
      const members = groups.length ? await options.directory.membersOf(groups) : new Map();
      // Not yet approved by this user, and theirs to approve (a requester only with self-approval).
      const waiting = pending.filter(
        (r) =>
          !r.approval.approvals.some((a) => a.by === userId) &&
          (options.allowSelfApproval || r.requesterId !== userId) &&
          mayApprove(lists.get(r.id) ?? [], userId, (g) => members.get(g)).ok,
      );
      const mine = await options.service.recent({ limit: 10, requesterId: userId });
      const t = await options.texts.forUser(userId);
      await options.client.views.publish({
        user_id: userId,
        view: renderHome({ waiting, mine, t, now: now() }),
      });
    } catch (error) {
      options.logger.warn('app home not published', { user: userId, error });
    }
  }

  /** Everyone a change of this request may concern, among recent viewers. */
  async function concerned(request: MutationRequest): Promise<string[]> {
    const lists = approverLists(request.approval.rules, options.approvers);
    const direct = new Set([
      request.requesterId,
      ...request.approval.approvals.map((a) => a.by),
      ...lists.flat(),
    ]);
    const groups = groupsIn(lists);
    const members = groups.length ? await options.directory.membersOf(groups) : new Map();
    const horizon = now().getTime() - RECENT_VIEWERS_MS;
    return [...viewers]
      .filter(([, at]) => at >= horizon)
      .map(([user]) => user)
      .filter((user) => direct.has(user) || groups.some((g) => members.get(g)?.has(user)));
  }

  return {
    opened(userId: string): Promise<void> {
      viewers.set(userId, now().getTime());
      return publishes.schedule(userId);
    },
    requestChanged(request: MutationRequest): void {
      void concerned(request)
        .then((users) => Promise.all(users.map((u) => publishes.schedule(u))))
        .catch((error: unknown) =>
          options.logger.warn('app home refresh failed', { requestId: request.id, error }),
        );
    },
    idle: () => publishes.idle(),
  };
}

import type { webApi } from '@slack/bolt';
import { approverLists, groupsIn } from '../domain/policy.js';
import type { MutationRequest } from '../domain/request.js';
import type { ApproverDirectory } from '../service/context.js';
import type { Logger } from '../service/ports.js';
import { createCoalescer } from '../service/run-limited.js';
import type { Service } from '../service/service.js';
import { renderHome } from './render/home.js';
import type { UserTexts } from './user-texts.js';

// App Home (app_home_opened → views.publish). A user's tab is published when they open it, and
// again when a request they take part in (as requester, approver or possible approver) changes
// status or gains an approval — not on every step of its execution — for users who opened it
// lately. Publishing is idempotent, so an Events API retry landing on another replica does no harm.

const RECENT_VIEWERS_MS = 24 * 3_600_000;
const MAX_REMEMBERED = 5_000;
/** Waiting items Home shows (render/home.ts MAX_WAITING): only these need their card's link. */
const LINKED = 30;

export function createAppHome(options: {
  client: webApi.WebClient;
  service: Service;
  directory: ApproverDirectory;
  texts: UserTexts;
  logger: Logger;
  approvers: readonly string[];
  now?: () => Date;
}) {
  const now = options.now ?? (() => new Date());
  const viewers = new Map<string, number>();
  const publishes = createCoalescer(async (userId) => publish(userId));
  // A card's link never changes: asked once per request (chat.getPermalink), kept in order of use.
  const permalinks = new Map<string, string>();

  async function linkOf(request: MutationRequest): Promise<string | undefined> {
    const card = request.card;
    if (!card) return undefined;
    const kept = permalinks.get(request.id);
    if (kept) return kept;
    try {
      const answer = await options.client.chat.getPermalink({
        channel: card.channel,
        message_ts: card.ts,
      });
      if (!answer.permalink) return undefined;
      permalinks.set(request.id, answer.permalink);
      const oldest = permalinks.keys().next();
      if (permalinks.size > MAX_REMEMBERED && !oldest.done) permalinks.delete(oldest.value);
      return answer.permalink;
    } catch (error) {
      options.logger.debug('no link to the card', { requestId: request.id, error });
      return undefined;
    }
  }

  async function publish(userId: string): Promise<void> {
    try {
      const [waiting, mine, t] = await Promise.all([
        options.service.waitingFor(userId),
        options.service.recent({ limit: 10, requesterId: userId }),
        options.texts.forUser(userId),
      ]);
      const links = new Map<string, string>();
      await Promise.all(
        waiting.slice(0, LINKED).map(async (r) => {
          const link = await linkOf(r);
          if (link) links.set(r.id, link);
        }),
      );
      await options.client.views.publish({
        user_id: userId,
        view: renderHome({ waiting, mine, t, now: now(), permalinks: links }),
      });
    } catch (error) {
      options.logger.warn('app home not published', { user: userId, error });
    }
  }

  /** Recent viewers a change of this request may concern; the directory only when needed. */
  async function concerned(request: MutationRequest): Promise<string[]> {
    const horizon = now().getTime() - RECENT_VIEWERS_MS;
    const recent = [...viewers].filter(([, at]) => at >= horizon).map(([user]) => user);
    if (!recent.length) return [];
    const lists = approverLists(request.approval.rules, options.approvers);
    const direct = new Set([
      request.requesterId,
      ...request.approval.approvals.map((a) => a.by),
      ...lists.flat(),
    ]);
    const rest = recent.filter((user) => !direct.has(user));
    const groups = groupsIn(lists);
    if (!rest.length || !groups.length) return recent.filter((user) => direct.has(user));
    const members = await options.directory.membersOf(groups);
    return recent.filter(
      (user) => direct.has(user) || groups.some((g) => members.get(g)?.has(user)),
    );
  }

  /** What Home shows of a request: its status and its approvals, not its execution's progress. */
  const shown = new Map<string, string>();
  const seenChange = (request: MutationRequest): boolean => {
    const key = `${request.status}:${request.approval.approvals.length}`;
    if (shown.get(request.id) === key) return false;
    shown.delete(request.id);
    shown.set(request.id, key);
    // Oldest first: forgetting one costs at most one extra publish.
    const oldest = shown.keys().next();
    if (shown.size > MAX_REMEMBERED && !oldest.done) shown.delete(oldest.value);
    return true;
  };

  return {
    opened(userId: string): Promise<void> {
      viewers.set(userId, now().getTime());
      return publishes.schedule(userId);
    },
    requestChanged(request: MutationRequest): void {
      if (!seenChange(request)) return;
      void concerned(request)
        .then((users) => Promise.all(users.map((u) => publishes.schedule(u))))
        .catch((error: unknown) =>
          options.logger.warn('app home refresh failed', { requestId: request.id, error }),
        );
    },
    idle: () => publishes.idle(),
  };
}

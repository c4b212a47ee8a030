import type { App, RespondFn } from '@slack/bolt';
import { parseCommandText, parseModalValues } from '../domain/parse.js';
import { knownRegionsWith } from '../domain/regions.js';
import type { Logger } from '../service/ports.js';
import type { Service } from '../service/service.js';
import { ACTIONS, BLOCKS, COMMAND, MODAL } from './ids.js';
import type { SlackReply } from './render/limits.js';
import {
  type Refusal,
  renderHistory,
  renderNotes,
  renderParseError,
  renderRefusal,
  renderStatus,
  renderUsage,
} from './render/messages.js';
import { renderModal } from './render/modal.js';
import { describeModalErrors } from './render/parse-problems.js';
import { slackErrorCode } from './slack-error.js';
import type { UserTexts } from './user-texts.js';

// Every Slack id binds to one listener here. Listeners ack first (Slack allows 3 seconds), then
// translate the payload into one service call and its answer into a private reply in the
// clicker's language.

export interface ListenerOptions {
  service: Service;
  logger: Logger;
  texts: UserTexts;
  defaultRegion: string;
  regions: readonly string[];
  maxInstances: number;
  sandbox: boolean;
  /** Appended to `/attach-key help` (the sandbox's triggers, in sandbox mode). */
  helpAppendix?: string;
  /** App Home: the user opened the bot's Home tab. */
  onHomeOpened?: (userId: string) => Promise<void>;
}

const ephemeral = (reply: SlackReply) => ({
  response_type: 'ephemeral' as const,
  replace_original: false,
  text: reply.text,
  ...(reply.blocks ? { blocks: reply.blocks } : {}),
});

export function registerListeners(app: App, options: ListenerOptions): void {
  const { service, logger, texts } = options;
  const parseOptions = {
    defaultRegion: options.defaultRegion,
    maxInstances: options.maxInstances,
    knownRegions: options.regions,
  };
  // What help says region= accepts: exactly what the parser accepts.
  const regions = knownRegionsWith(options.defaultRegion, options.regions);
  /** A private answer; a failure to deliver it is logged, never thrown at Bolt. */
  const tell = async (respond: RespondFn, reply: SlackReply, what: string) => {
    await respond(ephemeral(reply)).catch((error: unknown) =>
      logger.warn(`${what}: reply failed`, { error }),
    );
  };

  app.command(COMMAND, async ({ command, ack, respond, client, context }) => {
    const parsed = parseCommandText(command.text ?? '', parseOptions);
    const user = command.user_id;
    if (parsed.kind === 'open_modal') {
      const refusal = service.checkRequester(user, command.channel_id);
      if (refusal) {
        await ack();
        return tell(respond, renderRefusal(refusal, await texts.forUser(user)), 'modal refusal');
      }
      await ack();
      // The trigger id lives 3 seconds: open the view before anything else.
      try {
        await client.views.open({
          trigger_id: command.trigger_id,
          view: renderModal({
            channelId: command.channel_id,
            defaultRegion: options.defaultRegion,
            regions: options.regions,
            sandbox: options.sandbox,
          }),
        });
      } catch (error) {
        logger.warn('modal did not open', { user, error });
        const t = await texts.forUser(user);
        await tell(
          respond,
          { text: t.messages.modalFailed(slackErrorCode(error), renderUsage(t, { regions }).text) },
          'modal failure',
        );
      }
      return;
    }
    // Ack at once, with nothing: the answer needs the user's language (and maybe the store).
    await ack();
    await afterAck();
    const t = await texts.forUser(user);
    try {
      switch (parsed.kind) {
        case 'help':
          return await tell(
            respond,
            renderUsage(t, { regions, appendix: options.helpAppendix }),
            'help',
          );
        case 'error':
          return await tell(respond, renderParseError(parsed, t, { regions }), 'parse error');
        case 'history':
          return await tell(
            respond,
            renderHistory(await service.recent({ limit: parsed.limit }), t),
            'history',
          );
        case 'status': {
          const found = await service.status(parsed.requestId);
          for (const reply of renderStatus(parsed.requestId, found, t))
            await tell(respond, reply, 'status');
          return;
        }
        case 'request': {
          const early = service.checkRequester(user, command.channel_id);
          if (early)
            return await tell(
              respond,
              renderRefusal(early, t, { botUserId: context.botUserId }),
              'refusal',
            );
          if (parsed.notes.length) await tell(respond, renderNotes(parsed.notes, t), 'notes');
          const submitted = await service.submit({
            draft: parsed.draft,
            requesterId: user,
            channelId: command.channel_id,
          });
          if (!submitted.ok) {
            await tell(
              respond,
              renderRefusal(submitted.refusal, t, { botUserId: context.botUserId }),
              'refusal',
            );
          }
          return;
        }
      }
    } catch (error) {
      logger.error('command failed', { user, kind: parsed.kind, error });
      await tell(respond, { text: t.messages.unexpected }, 'unexpected error');
    }
  });

  const clicked = (action: unknown) =>
    typeof action === 'object' &&
    action !== null &&
    'value' in action &&
    typeof action.value === 'string'
      ? action.value
      : '';

  for (const [actionId, kind] of [
    [ACTIONS.approve, 'approve'],
    [ACTIONS.reject, 'reject'],
  ] as const) {
    app.action(actionId, async ({ ack, body, action, respond, client }) => {
      await ack();
      await afterAck();
      const requestId = clicked(action);
      const user = body.user.id;
      const t = await texts.forUser(user);
      const result = await service
        .decide({ requestId, userId: user, kind })
        .catch((error: unknown) => {
          logger.error('decision failed', { requestId, user, error });
          return undefined;
        });
      const reply = !result
        ? { text: t.messages.unexpected }
        : !result.ok
          ? renderRefusal(result.refusal as Refusal, t)
          : undefined;
      if (!reply) return;
      // A click on a message answers through its response_url; one on App Home has none: DM.
      if (hasResponseUrl(body)) await tell(respond, reply, 'decision refusal');
      else await dm(client, user, reply.text, logger);
    });
  }

  for (const [actionId, kind] of [
    [ACTIONS.restart, 'restart'],
    [ACTIONS.undo, 'undo'],
  ] as const) {
    app.action(actionId, async ({ ack, body, action, respond }) => {
      await ack();
      await afterAck();
      const parentId = clicked(action);
      const user = body.user.id;
      const t = await texts.forUser(user);
      const result = await service
        .requestFollowUp({ kind, parentId, userId: user })
        .catch((error: unknown) => {
          logger.error('follow-up failed', { parentId, kind, user, error });
          return undefined;
        });
      if (!result) await tell(respond, { text: t.messages.unexpected }, 'follow-up');
      else if (!result.ok)
        await tell(respond, renderRefusal(result.refusal, t), 'follow-up refusal');
    });
  }

  if (options.onHomeOpened) {
    const opened = options.onHomeOpened;
    app.event('app_home_opened', async ({ event }) => {
      if (event.tab === 'home') await opened(event.user);
    });
  }

  app.view(MODAL.callbackId, async ({ ack, body, view, client, context }) => {
    const values = view.state.values;
    const userId = body.user.id;
    const t = texts.peek(userId);
    const parsed = parseModalValues(
      {
        instances: values[BLOCKS.instances]?.[MODAL.instancesAction]?.value,
        keyPair: values[BLOCKS.keyPair]?.[MODAL.keyPairAction]?.value,
        region: values[BLOCKS.region]?.[MODAL.regionAction]?.selected_option?.value,
      },
      parseOptions,
    );
    if (!parsed.ok)
      return ack({ response_action: 'errors', errors: describeModalErrors(parsed.errors, t) });

    const channelId = readChannel(view.private_metadata);
    const early = channelId
      ? service.checkRequester(userId, channelId)
      : { reason: 'post_failed' as const, detail: 'missing channel' };
    if (early || !channelId) {
      const refusal = early ?? { reason: 'post_failed' as const };
      return ack({
        response_action: 'errors',
        errors: { [BLOCKS.instances]: renderRefusal(refusal, t).text },
      });
    }
    await ack();
    const submitted = await service
      .submit({ draft: parsed.draft, requesterId: userId, channelId })
      .catch((error: unknown) => {
        logger.error('request could not be submitted', { user: userId, error });
        return undefined;
      });
    if (!submitted?.ok)
      await dm(
        client,
        userId,
        submitted
          ? renderRefusal(submitted.refusal, t, { botUserId: context.botUserId }).text
          : t.messages.unexpected,
        logger,
      );
  });
}

/**
 * The work after an ack waits for the event loop's next turn: requests that arrived meanwhile
 * get their acks out first, rather than queueing behind every earlier request's background work.
 */
function afterAck(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** No response_url for a modal: say it in the user's DM with the app. */
async function dm(
  client: App['client'],
  userId: string,
  text: string,
  logger: Logger,
): Promise<void> {
  await client.chat
    .postMessage({ channel: userId, text })
    .catch((error: unknown) =>
      logger.warn('could not tell the requester', { user: userId, error }),
    );
}

function hasResponseUrl(body: unknown): boolean {
  return typeof (body as { response_url?: unknown }).response_url === 'string';
}

function readChannel(metadata: string | undefined): string | undefined {
  try {
    const parsed = JSON.parse(metadata ?? '{}') as { channelId?: unknown };
    return typeof parsed.channelId === 'string' ? parsed.channelId : undefined;
  } catch {
    return undefined;
  }
}

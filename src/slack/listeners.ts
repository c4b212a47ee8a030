import type { App } from '@slack/bolt';
import { parseCommandText, parseModalValues, USAGE } from '../domain/parse.js';
import type { AttachService } from '../service/attach-service.js';
import type { Logger } from '../service/ports.js';
import { ACTIONS, BLOCKS, COMMAND, MODAL } from './ids.js';
import {
  renderHistory,
  renderNotes,
  renderParseError,
  renderRefusal,
  renderStatus,
  renderUsage,
} from './render/messages.js';
import { renderModal } from './render/modal.js';
import { slackErrorCode } from './slack-error.js';

// Every Slack id binds to one listener here. Listeners ack first (Slack allows 3 seconds), then
// translate the payload into one service call and its answer into an ephemeral reply.

export interface ListenerOptions {
  service: AttachService;
  logger: Logger;
  defaultRegion: string;
  regions: readonly string[];
  maxInstances: number;
  sandbox: boolean;
  /** Appended to `/attach-key help` (the sandbox's triggers, in sandbox mode). */
  helpAppendix?: string;
}

type Reply = { text: string; blocks?: unknown[] };

const UNEXPECTED =
  ':x: The bot hit an unexpected error and could not finish this. It is logged; `/attach-key history` shows what was recorded.';

export function registerListeners(app: App, options: ListenerOptions): void {
  const { service, logger } = options;
  const parseOptions = {
    defaultRegion: options.defaultRegion,
    maxInstances: options.maxInstances,
    knownRegions: options.regions,
  };
  const ephemeral = (reply: Reply) => ({
    response_type: 'ephemeral' as const,
    text: reply.text,
    ...(reply.blocks ? { blocks: reply.blocks as never } : {}),
  });

  app.command(COMMAND, async ({ command, ack, respond, client, context }) => {
    const answer = (refusal: Parameters<typeof renderRefusal>[0]) =>
      ephemeral(renderRefusal(refusal, { botUserId: context.botUserId }));
    const parsed = parseCommandText(command.text ?? '', parseOptions);
    switch (parsed.kind) {
      case 'help':
        return ack(
          ephemeral(
            renderUsage(options.helpAppendix ? `${USAGE}\n\n${options.helpAppendix}` : USAGE),
          ),
        );
      case 'error':
        return ack(ephemeral(renderParseError(parsed.message, USAGE)));
      case 'history':
        return ack(ephemeral(renderHistory(service.recent(parsed.limit))));
      case 'status': {
        await ack();
        const found = await service.status(parsed.requestId);
        return void (await respond(ephemeral(renderStatus(parsed.requestId, found))));
      }
      case 'open_modal': {
        const refusal = service.checkRequester(command.user_id, command.channel_id);
        if (refusal) return ack(answer(refusal));
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
            }) as never,
          });
        } catch (error) {
          logger.warn('modal did not open', { user: command.user_id, error });
          await respond(
            ephemeral({
              text: `I could not open the form (${slackErrorCode(error)}). Type the request on one line instead:\n${USAGE}`,
            }),
          );
        }
        return;
      }
      case 'request': {
        const early = service.checkRequester(command.user_id, command.channel_id);
        if (early) return ack(answer(early));
        await ack(parsed.notes.length ? ephemeral(renderNotes(parsed.notes)) : undefined);
        try {
          const submitted = await service.submit({
            draft: parsed.draft,
            requesterId: command.user_id,
            channelId: command.channel_id,
          });
          if (!submitted.ok) await respond(answer(submitted.refusal));
        } catch (error) {
          logger.error('request could not be submitted', { user: command.user_id, error });
          await respond(ephemeral({ text: UNEXPECTED }));
        }
        return;
      }
    }
  });

  for (const [actionId, kind] of [
    [ACTIONS.approve, 'approve'],
    [ACTIONS.reject, 'reject'],
  ] as const) {
    app.action(actionId, async ({ ack, body, action, respond }) => {
      await ack();
      const requestId = 'value' in action && typeof action.value === 'string' ? action.value : '';
      const result = await service
        .decide({ requestId, userId: body.user.id, kind })
        .catch((error: unknown) => {
          logger.error('decision failed', { requestId, user: body.user.id, error });
          return undefined;
        });
      if (!result) {
        await respond({ response_type: 'ephemeral', replace_original: false, text: UNEXPECTED });
      } else if (!result.ok) {
        await respond({
          response_type: 'ephemeral',
          replace_original: false,
          ...renderRefusal(result.refusal),
        } as never);
      }
    });
  }

  app.view(MODAL.callbackId, async ({ ack, body, view, client, context }) => {
    const values = view.state.values;
    const parsed = parseModalValues(
      {
        instances: values[BLOCKS.instances]?.[MODAL.instancesAction]?.value,
        keyPair: values[BLOCKS.keyPair]?.[MODAL.keyPairAction]?.value,
        region: values[BLOCKS.region]?.[MODAL.regionAction]?.selected_option?.value,
      },
      parseOptions,
    );
    if (!parsed.ok) return ack({ response_action: 'errors', errors: parsed.errors as never });

    const channelId = readChannel(view.private_metadata);
    const userId = body.user.id;
    const early = channelId
      ? service.checkRequester(userId, channelId)
      : { reason: 'post_failed' as const, detail: 'missing channel' };
    if (early) {
      return ack({
        response_action: 'errors',
        errors: { [BLOCKS.instances]: renderRefusal(early).text },
      });
    }
    await ack();
    const submitted = await service
      .submit({ draft: parsed.draft, requesterId: userId, channelId: channelId as string })
      .catch((error: unknown) => {
        logger.error('request could not be submitted', { user: userId, error });
        return undefined;
      });
    if (!submitted?.ok) {
      // No response_url for a modal: say it in the user's DM with the app.
      const text = submitted
        ? renderRefusal(submitted.refusal, { botUserId: context.botUserId }).text
        : UNEXPECTED;
      await client.chat
        .postMessage({ channel: userId, text })
        .catch((error) => logger.warn('could not tell the requester', { user: userId, error }));
    }
  });
}

function readChannel(metadata: string | undefined): string | undefined {
  try {
    const parsed = JSON.parse(metadata ?? '{}') as { channelId?: unknown };
    return typeof parsed.channelId === 'string' ? parsed.channelId : undefined;
  } catch {
    return undefined;
  }
}

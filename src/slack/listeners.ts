import type { App } from '@slack/bolt';
import type { AccountView } from '../domain/accounts.js';
import { parseCommandText } from '../domain/parse.js';
import { knownRegionsWith } from '../domain/regions.js';
import type { SandboxFacts } from '../sandbox/transport.js';
import type { Logger } from '../service/ports.js';
import type { Service } from '../service/service.js';
import type { Channels } from './channels.js';
import { buttonValue, hasResponseUrl, tellByDm, tellPrivately } from './dm.js';
import { ACTIONS, COMMAND } from './ids.js';
import { type ModalDeps, openModal, registerModalListeners } from './modal-listeners.js';
import { registerAccountSwitch, registerPickerListeners } from './picker-listeners.js';
import type { Pickers } from './pickers/pickers.js';
import { renderImportResult, renderPrivateKeyWarning } from './render/import-reply.js';
import type { SlackReply } from './render/limits.js';
import { renderNotes, renderParseError, renderUsage } from './render/messages.js';
import { type Refusal, renderRefusal } from './render/refusals.js';
import { renderHistory, renderStatus } from './render/status.js';
import { slackErrorCode } from './slack-error.js';
import type { UserTexts } from './user-texts.js';
import { commandOrigin, type HomeWorkspace, interactionOrigin, isExternal } from './workspace.js';

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
  /** In sandbox mode: what the sandbox does, worded after `/attach-key help` per reader. */
  helpAppendix?: SandboxFacts;
  /** App Home: the user opened the bot's Home tab. */
  onHomeOpened?: (userId: string) => Promise<void>;
  /** The modal's instance and key pair searches. */
  pickers: Pickers;
  /** ACCOUNTS_FILE: the accounts (the parser's account rules), and each one's pickers. */
  accounts?: readonly AccountView[];
  pickersFor?: (account: string) => Pickers | undefined;
  /** How long an options answer may wait for the cloud (default ANSWER_WITHIN_MS). */
  answerWithinMs?: number;
  /** The workspace the bot is installed in: people of others are refused unless listed by id. */
  home: HomeWorkspace;
  /** Channel names and the bot's membership, for the form's channel. */
  channels: Channels;
  /** ALLOWED_CHANNEL_IDS: the only channels the shortcut's form offers, when set. */
  allowedChannelIds: readonly string[];
  /** The bot's name in Slack, for "invite me" in the form. */
  botName?: string;
}

export function registerListeners(app: App, options: ListenerOptions): void {
  const { service, logger, texts } = options;
  const parseOptions = {
    defaultRegion: options.defaultRegion,
    maxInstances: options.maxInstances,
    knownRegions: options.regions,
    ...(options.accounts ? { accounts: options.accounts } : {}),
  };
  // What help says region= (and account=) accepts: exactly what the parser accepts.
  const regions = knownRegionsWith(options.defaultRegion, options.regions);
  const accountNames = options.accounts?.map((a) => a.name);
  const usageOf = { regions, ...(accountNames ? { accounts: accountNames } : {}) };
  const modal: ModalDeps = {
    service,
    logger,
    texts,
    pickers: options.pickers,
    ...(options.accounts ? { accounts: options.accounts } : {}),
    ...(options.pickersFor ? { pickersFor: options.pickersFor } : {}),
    parseOptions,
    regions,
    sandbox: options.sandbox,
    home: options.home,
    channels: options.channels,
    allowedChannelIds: options.allowedChannelIds,
    ...(options.botName ? { botName: options.botName } : {}),
  };
  registerModalListeners(app, modal);
  registerPickerListeners(app, {
    ...modal,
    ...(options.answerWithinMs !== undefined ? { answerWithinMs: options.answerWithinMs } : {}),
  });
  if (options.accounts) registerAccountSwitch(app, modal);
  app.command(COMMAND, async ({ command, ack, respond, client, context }) => {
    const parsed = parseCommandText(command.text ?? '', {
      ...parseOptions,
      channelId: command.channel_id,
    });
    const user = command.user_id;
    const external = isExternal(options.home, commandOrigin(command));
    const reader = { userId: user, channelId: command.channel_id, external };
    const tell = (reply: SlackReply, what: string) => tellPrivately(respond, reply, logger, what);
    if (parsed.kind === 'open_modal') {
      const refusal = service.checkRequester(user, command.channel_id, { external });
      if (refusal) {
        await ack();
        return tell(renderRefusal(refusal, await texts.forUser(user)), 'modal refusal');
      }
      await ack();
      // The trigger id lives 3 seconds: open the view before anything else.
      try {
        await openModal(modal, client, command.trigger_id, user, { channelId: command.channel_id });
      } catch (error) {
        logger.warn('modal did not open', { user, error });
        const t = await texts.forUser(user);
        await tell(
          { text: t.messages.modalFailed(slackErrorCode(error), renderUsage(t, usageOf).text) },
          'modal failure',
        );
      }
      return;
    }
    // Ack at once, with nothing: the answer needs the user's language (and maybe the store).
    await ack();
    await afterAck();
    // The language is looked up while the service works; only a reply waits for it.
    const language = texts.forUser(user);
    try {
      switch (parsed.kind) {
        case 'help':
          return await tell(
            renderUsage(await language, { ...usageOf, appendix: options.helpAppendix }),
            'help',
          );
        case 'error':
          return await tell(renderParseError(parsed, await language, usageOf), 'parse error');
        case 'private_key':
          // Nothing of the text goes anywhere: not the log, not the reply.
          logger.warn('private key pasted into the command: refused', { user });
          return await tell(renderPrivateKeyWarning(await language), 'private key warning');
        case 'import': {
          const imported = await service.importPublicKey({
            userId: user,
            channelId: command.channel_id,
            region: parsed.region,
            keyPairName: parsed.keyPairName,
            key: parsed.key,
            ...(parsed.account !== undefined ? { account: parsed.account } : {}),
            external,
          });
          return await tell(renderImportResult(imported, await language), 'import');
        }
        case 'history': {
          const [read, t] = await Promise.all([
            service.history({ ...reader, limit: parsed.limit }),
            language,
          ]);
          if (!read.ok) return await tell(renderRefusal(read.refusal, t), 'history refusal');
          return await tell(renderHistory(read.value, t), 'history');
        }
        case 'status': {
          const [read, t] = await Promise.all([
            service.status({ ...reader, requestId: parsed.requestId }),
            language,
          ]);
          if (!read.ok) return await tell(renderRefusal(read.refusal, t), 'status refusal');
          // An id this reader may not see is answered exactly like an unknown one.
          for (const reply of renderStatus(parsed.requestId, read.value, t)) {
            await tell(reply, 'status');
          }
          return;
        }
        case 'request': {
          const botUserId = context.botUserId;
          const early = service.checkRequester(user, command.channel_id, { external });
          if (early)
            return await tell(renderRefusal(early, await language, { botUserId }), 'refusal');
          if (parsed.notes.length) await tell(renderNotes(parsed.notes, await language), 'notes');
          const submitted = await service.submit({
            draft: parsed.draft,
            requesterId: user,
            channelId: command.channel_id,
            external,
          });
          if (!submitted.ok) {
            await tell(renderRefusal(submitted.refusal, await language, { botUserId }), 'refusal');
          }
          return;
        }
      }
    } catch (error) {
      logger.error('command failed', { user, kind: parsed.kind, error });
      await tell({ text: (await language).messages.unexpected }, 'unexpected error');
    }
  });

  /**
   * A button click: ack, then one service call; a refusal (or a failure) is answered privately,
   * through the click's response_url, or by DM for a click on App Home, which has none.
   */
  const onClick = (
    actionId: string,
    what: string,
    run: (
      value: string,
      userId: string,
      external: boolean,
    ) => Promise<{ ok: true } | { ok: false; refusal: Refusal }>,
  ) =>
    app.action(actionId, async ({ ack, body, action, respond, client }) => {
      await ack();
      await afterAck();
      const value = buttonValue(action);
      const user = body.user.id;
      // Looked up alongside the service call: a cold lookup must not delay the decision.
      const language = texts.forUser(user);
      const external = isExternal(options.home, interactionOrigin(body));
      const result = await run(value, user, external).catch((error: unknown) => {
        logger.error(`${what} failed`, { value, user, error });
        return undefined;
      });
      if (result?.ok) return;
      const t = await language;
      const reply = result ? renderRefusal(result.refusal, t) : { text: t.messages.unexpected };
      if (hasResponseUrl(body)) await tellPrivately(respond, reply, logger, `${what} refusal`);
      else await tellByDm(client, user, reply.text, logger);
    });

  onClick(ACTIONS.approve, 'decision', (requestId, userId, external) =>
    service.decide({ requestId, userId, kind: 'approve', external }),
  );
  onClick(ACTIONS.reject, 'decision', (requestId, userId, external) =>
    service.decide({ requestId, userId, kind: 'reject', external }),
  );
  // Only the request's own requester may cancel it: their workspace changes nothing.
  onClick(ACTIONS.cancel, 'cancel', (requestId, userId) => service.cancel({ requestId, userId }));
  onClick(ACTIONS.restart, 'follow-up', (parentId, userId, external) =>
    service.requestFollowUp({ kind: 'restart', parentId, userId, external }),
  );
  onClick(ACTIONS.undo, 'follow-up', (parentId, userId, external) =>
    service.requestFollowUp({ kind: 'undo', parentId, userId, external }),
  );
  onClick(ACTIONS.applyNow, 'follow-up', (parentId, userId, external) =>
    service.requestFollowUp({ kind: 'apply', parentId, userId, external }),
  );

  if (options.onHomeOpened) {
    const opened = options.onHomeOpened;
    app.event('app_home_opened', async ({ event }) => {
      if (event.tab === 'home') await opened(event.user);
    });
  }
}

/**
 * The work after an ack waits for the event loop's next turn: requests that arrived meanwhile
 * get their acks out first, rather than queueing behind every earlier request's background work.
 */
function afterAck(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

import type { App } from '@slack/bolt';
import type { Logger } from '../service/ports.js';
import { BLOCKS, MODAL, pickerRegion, readPickerScope } from './ids.js';
import { formAccount, type ModalDeps, modalFor, pickersOf } from './modal-listeners.js';
import { ANSWER_WITHIN_MS, type Pickers } from './pickers/pickers.js';
import { readModalMetadata } from './render/modal.js';
import { renderInstanceOptions, renderKeyPairOptions } from './render/picker-options.js';
import { interactionOrigin, isExternal } from './workspace.js';

// The modal while it is open: options requests for the two pickers (block_suggestion, answered
// within Slack's 3 seconds: the search waits at most ANSWER_WITHIN_MS and says what it could not
// cover), and the region select, whose change re-renders the form for the new region. Both answer
// only someone who may ask: anyone else gets no options, and their keystrokes read no cloud and
// start no listing (the form itself never opens for them; this guards a replayed or stale one).

export interface PickerListenerOptions extends ModalDeps {
  /** How long an options answer may wait for the cloud (tests shorten it). */
  answerWithinMs?: number;
}

export function registerPickerListeners(app: App, options: PickerListenerOptions): void {
  const { texts, logger } = options;
  const waitMs = options.answerWithinMs ?? ANSWER_WITHIN_MS;
  // Only the regions the form offers are ever searched, whatever an action id says.
  const known = (region: string | undefined) =>
    region !== undefined && options.regions.includes(region) ? region : undefined;
  /**
   * The pickers and region a picker's scope names: with ACCOUNTS_FILE only a configured account
   * the form's channel may use (the one it maps to, when it maps to one), and one of its regions;
   * the channel rules are checked again when the form is sent.
   */
  const scoped = (
    scope: string | undefined,
    view: { private_metadata?: string } | undefined,
  ): { pickers: Pickers; region: string } | undefined => {
    if (scope === undefined) return undefined;
    const { account, region } = readPickerScope(scope);
    if (options.accounts && account === undefined) return undefined;
    if (!options.accounts && account !== undefined) return undefined;
    const channelId = readModalMetadata(view?.private_metadata)?.channelId;
    const own = options.accounts
      ? formAccount(options, { account, ...(channelId ? { channelId } : {}) })
      : undefined;
    if (own && own.account !== account) return undefined;
    const allowed = own ? (own.regions.includes(region) ? region : undefined) : known(region);
    const pickers = pickersOf(options, account);
    return allowed && pickers ? { pickers, region: allowed } : undefined;
  };
  const mayAsk = (body: { user: { id: string } }) =>
    options.service.checkRequester(body.user.id, undefined, {
      external: isExternal(options.home, interactionOrigin(body)),
    }) === undefined;

  app.options<'block_suggestion'>({ block_id: BLOCKS.instances }, async ({ ack, body }) => {
    if (!mayAsk(body)) return ack({ options: [] });
    const at = scoped(pickerRegion(MODAL.instancesAction, body.action_id), body.view);
    const t = texts.peek(body.user.id);
    await answer(logger, 'instances', ack, async () =>
      at
        ? renderInstanceOptions(
            await at.pickers.instances.search(at.region, body.value ?? '', waitMs),
            t,
          )
        : { options: [] },
    );
  });

  app.options<'block_suggestion'>({ block_id: BLOCKS.keyPair }, async ({ ack, body }) => {
    if (!mayAsk(body)) return ack({ options: [] });
    const at = scoped(pickerRegion(MODAL.keyPairAction, body.action_id), body.view);
    const t = texts.peek(body.user.id);
    await answer(logger, 'key pairs', ack, async () =>
      at
        ? renderKeyPairOptions(
            await at.pickers.keyPairs.search(at.region, body.value ?? '', waitMs),
            t,
          )
        : { options: [] },
    );
  });

  app.action(
    { block_id: BLOCKS.region, action_id: MODAL.regionAction },
    async ({ ack, body, action, client }) => {
      await ack();
      if (body.type !== 'block_actions' || !body.view || !mayAsk(body)) return;
      const selected = 'selected_option' in action ? action.selected_option?.value : undefined;
      const metadata = readModalMetadata(body.view.private_metadata);
      const own = metadata && formAccount(options, metadata);
      const region = own?.regions.includes(selected ?? '') ? selected : undefined;
      if (!region || !metadata || region === metadata.region) return;
      const user = body.user.id;
      const view = modalFor(options, user, {
        region,
        ...(metadata.channelId !== undefined ? { channelId: metadata.channelId } : {}),
        ...(metadata.account !== undefined ? { account: metadata.account } : {}),
      });
      pickersOf(options, metadata.account)?.warm(region);
      // The hash makes Slack refuse this update if the view changed since this click was sent.
      await client.views
        .update({ view_id: body.view.id, hash: body.view.hash, view })
        .catch((error: unknown) => logger.warn('region change: view not updated', { user, error }));
    },
  );
}

/**
 * ACCOUNTS_FILE: the form's account select. A change redraws the form for that account: its
 * regions, its default region, pickers reading with its credentials (their picks cleared).
 */
export function registerAccountSwitch(app: App, options: PickerListenerOptions): void {
  const { logger } = options;
  app.action(
    { block_id: BLOCKS.account, action_id: MODAL.accountAction },
    async ({ ack, body, action, client }) => {
      await ack();
      if (body.type !== 'block_actions' || !body.view || !options.accounts) return;
      const mayAsk =
        options.service.checkRequester(body.user.id, undefined, {
          external: isExternal(options.home, interactionOrigin(body)),
        }) === undefined;
      if (!mayAsk) return;
      const selected = 'selected_option' in action ? action.selected_option?.value : undefined;
      const metadata = readModalMetadata(body.view.private_metadata);
      if (!metadata || selected === undefined || selected === metadata.account) return;
      const own = formAccount(options, { ...metadata, account: selected });
      if (own.account !== selected) return;
      const user = body.user.id;
      const view = modalFor(options, user, {
        account: selected,
        region: own.defaultRegion,
        ...(metadata.channelId !== undefined ? { channelId: metadata.channelId } : {}),
      });
      pickersOf(options, selected)?.warm(own.defaultRegion);
      await client.views
        .update({ view_id: body.view.id, hash: body.view.hash, view })
        .catch((error: unknown) =>
          logger.warn('account change: view not updated', { user, error }),
        );
    },
  );
}

/** Acks once, with the options or (on a bug) with none, never leaving Slack waiting. */
async function answer(
  logger: Logger,
  what: string,
  ack: (answer: { options: never[] } | ReturnType<typeof renderInstanceOptions>) => Promise<void>,
  build: () => Promise<ReturnType<typeof renderInstanceOptions>>,
): Promise<void> {
  let options: ReturnType<typeof renderInstanceOptions> | undefined;
  try {
    options = await build();
  } catch (error) {
    logger.error(`${what} options failed`, { error });
  }
  await ack(options ?? { options: [] });
}

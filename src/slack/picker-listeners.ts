import type { App } from '@slack/bolt';
import type { Logger } from '../service/ports.js';
import { BLOCKS, MODAL, pickerRegion } from './ids.js';
import { type ModalDeps, modalFor } from './modal-listeners.js';
import { ANSWER_WITHIN_MS } from './pickers/pickers.js';
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
  const { pickers, texts, logger } = options;
  const waitMs = options.answerWithinMs ?? ANSWER_WITHIN_MS;
  // Only the regions the form offers are ever searched, whatever an action id says.
  const known = (region: string | undefined) =>
    region !== undefined && options.regions.includes(region) ? region : undefined;
  const mayAsk = (body: { user: { id: string } }) =>
    options.service.checkRequester(body.user.id, undefined, {
      external: isExternal(options.home, interactionOrigin(body)),
    }) === undefined;

  app.options<'block_suggestion'>({ block_id: BLOCKS.instances }, async ({ ack, body }) => {
    if (!mayAsk(body)) return ack({ options: [] });
    const region = known(pickerRegion(MODAL.instancesAction, body.action_id));
    const t = texts.peek(body.user.id);
    await answer(logger, 'instances', ack, async () =>
      region
        ? renderInstanceOptions(await pickers.instances.search(region, body.value ?? '', waitMs), t)
        : { options: [] },
    );
  });

  app.options<'block_suggestion'>({ block_id: BLOCKS.keyPair }, async ({ ack, body }) => {
    if (!mayAsk(body)) return ack({ options: [] });
    const region = known(pickerRegion(MODAL.keyPairAction, body.action_id));
    const t = texts.peek(body.user.id);
    await answer(logger, 'key pairs', ack, async () =>
      region
        ? renderKeyPairOptions(await pickers.keyPairs.search(region, body.value ?? '', waitMs), t)
        : { options: [] },
    );
  });

  app.action(
    { block_id: BLOCKS.region, action_id: MODAL.regionAction },
    async ({ ack, body, action, client }) => {
      await ack();
      if (body.type !== 'block_actions' || !body.view || !mayAsk(body)) return;
      const selected = 'selected_option' in action ? action.selected_option?.value : undefined;
      const region = known(selected);
      const metadata = readModalMetadata(body.view.private_metadata);
      if (!region || !metadata || region === metadata.region) return;
      const user = body.user.id;
      const view = modalFor(options, user, {
        region,
        ...(metadata.channelId !== undefined ? { channelId: metadata.channelId } : {}),
      });
      pickers.warm(region);
      // The hash makes Slack refuse this update if the view changed since this click was sent.
      await client.views
        .update({ view_id: body.view.id, hash: body.view.hash, view })
        .catch((error: unknown) => logger.warn('region change: view not updated', { user, error }));
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

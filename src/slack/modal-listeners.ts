import type { App, RespondFn } from '@slack/bolt';
import { otherMode } from '../domain/guards.js';
import type { ParseOptions } from '../domain/parse.js';
import type { MutationRequest } from '../domain/request.js';
import type { Logger } from '../service/ports.js';
import type { Service } from '../service/service.js';
import { tellByDm } from './dm.js';
import { ACTIONS, BLOCKS, MODAL, SHORTCUT } from './ids.js';
import { readModalSubmission } from './modal-state.js';
import type { Pickers } from './pickers/pickers.js';
import { type ModalOptions, readModalMetadata, renderModal } from './render/modal.js';
import { renderRefusal } from './render/refusals.js';
import { retryForm } from './retry-prefill.js';
import type { UserTexts } from './user-texts.js';

// The request modal's ways in and out: the global shortcut, the results thread's "Ask again for
// the failed…" button, and the submission. A trigger id lives 3 seconds, so every way in opens
// the view first (in the language already known for the user) and does slow work afterwards.

export interface ModalDeps {
  service: Service;
  logger: Logger;
  texts: UserTexts;
  pickers: Pickers;
  parseOptions: ParseOptions;
  regions: readonly string[];
  sandbox: boolean;
  /** How long "Ask again" waits for the stored request before opening an empty form. */
  retryReadWithinMs?: number;
}

type Client = App['client'];
type OpenInput = Pick<ModalOptions, 'channelId' | 'region' | 'prefill'>;

/** Everything but the per-opening parts of the form, in this user's language. */
export function modalFor(deps: ModalDeps, userId: string, input: OpenInput) {
  return renderModal({
    t: deps.texts.peek(userId),
    defaultRegion: deps.parseOptions.defaultRegion,
    regions: deps.regions,
    sandbox: deps.sandbox,
    ...input,
  });
}

/** Opens the form, then starts loading its region's lists; resolves with the view's id and hash. */
export async function openModal(
  deps: ModalDeps,
  client: Client,
  triggerId: string,
  userId: string,
  input: OpenInput,
): Promise<{ id?: string; hash?: string }> {
  const view = modalFor(deps, userId, input);
  const opened = await client.views.open({ trigger_id: triggerId, view });
  deps.pickers.warm(
    readModalMetadata(view.private_metadata)?.region ?? deps.parseOptions.defaultRegion,
  );
  return {
    ...(opened.view?.id ? { id: opened.view.id } : {}),
    ...(opened.view?.hash ? { hash: opened.view.hash } : {}),
  };
}

export function registerModalListeners(app: App, deps: ModalDeps): void {
  const { service, logger, texts } = deps;
  const retryWithin = deps.retryReadWithinMs ?? 1_000;
  const tell = async (respond: RespondFn, text: string) => {
    await respond({ response_type: 'ephemeral', replace_original: false, text }).catch(
      (error: unknown) => logger.warn('modal reply failed', { error }),
    );
  };

  // No channel in a shortcut: the form asks where the card goes. Requester rules apply on submit.
  app.shortcut(SHORTCUT, async ({ ack, shortcut, client }) => {
    await ack();
    const user = shortcut.user.id;
    await openModal(deps, client, shortcut.trigger_id, user, {}).catch((error: unknown) =>
      logger.warn('shortcut modal did not open', { user, error }),
    );
  });

  app.action(ACTIONS.retryFailed, async ({ ack, body, action, client, respond }) => {
    await ack();
    if (body.type !== 'block_actions') return;
    const requestId = 'value' in action && typeof action.value === 'string' ? action.value : '';
    const user = body.user.id;
    const here = body.channel?.id ?? '';
    const refusal = here ? service.checkRequester(user, here) : undefined;
    if (refusal) return tell(respond, renderRefusal(refusal, await texts.forUser(user)).text);
    // A fast store answers before the trigger expires; a slow one gets an empty form, filled later.
    const reading = service.get(requestId);
    const quick = await Promise.race([
      reading.then((request) => ({ request })),
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), retryWithin)),
    ]).catch((error: unknown) => {
      logger.error('retry: the request could not be read', { requestId, error });
      return { request: undefined };
    });
    const tellMissing = async (request: MutationRequest | undefined) => {
      const t = await texts.forUser(user);
      await tell(respond, request ? t.modal.retryNothing : t.modal.retryUnknown(requestId));
    };
    // A request of the other mode (sandbox or live) is never followed up, not even prefilled.
    const tellOtherMode = async (request: MutationRequest | undefined) => {
      const mode = request && otherMode(request, deps.sandbox);
      if (!mode) return false;
      const t = await texts.forUser(user);
      await tell(respond, renderRefusal({ reason: 'other_mode', mode }, t).text);
      return true;
    };
    try {
      if (quick) {
        if (await tellOtherMode(quick.request)) return;
        const form = quick.request && retryForm(quick.request);
        if (!form) return await tellMissing(quick.request);
        await openModal(deps, client, body.trigger_id, user, form);
        return;
      }
      const opened = await openModal(deps, client, body.trigger_id, user, { channelId: here });
      const late = await reading;
      if (await tellOtherMode(late)) return;
      const form = retryForm(late as MutationRequest);
      if (!form || !opened.id) return;
      await client.views.update({
        view_id: opened.id,
        ...(opened.hash ? { hash: opened.hash } : {}),
        view: modalFor(deps, user, form),
      });
    } catch (error) {
      logger.warn('retry modal did not open', { requestId, user, error });
    }
  });

  app.view(MODAL.callbackId, async ({ ack, body, view, client, context }) => {
    const userId = body.user.id;
    const t = texts.peek(userId);
    const read = readModalSubmission(view, t, deps.parseOptions);
    if (!read.ok) return ack({ response_action: 'errors', errors: read.errors });
    const early = service.checkRequester(userId, read.channelId);
    if (early) {
      const where = read.asked ? BLOCKS.channel : BLOCKS.instances;
      return ack({ response_action: 'errors', errors: { [where]: renderRefusal(early, t).text } });
    }
    await ack();
    const submitted = await service
      .submit({ draft: read.draft, requesterId: userId, channelId: read.channelId })
      .catch((error: unknown) => {
        logger.error('request could not be submitted', { user: userId, error });
        return undefined;
      });
    if (submitted?.ok) return;
    const text = submitted
      ? renderRefusal(submitted.refusal, t, { botUserId: context.botUserId }).text
      : t.messages.unexpected;
    // No response_url for a modal: say it in the user's DM with the app.
    await tellByDm(client, userId, text, logger);
  });
}

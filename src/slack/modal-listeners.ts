import type { App, RespondFn } from '@slack/bolt';
import { type AccountView, accountOfChannel, regionsOf } from '../domain/accounts.js';
import { otherMode } from '../domain/guards.js';
import type { ParseOptions } from '../domain/parse.js';
import type { MutationRequest } from '../domain/request.js';
import type { Logger } from '../service/ports.js';
import type { Service } from '../service/service.js';
import type { Channels } from './channels.js';
import { tellByDm } from './dm.js';
import type { Catalogue } from './i18n/en.js';
import { ACTIONS, BLOCKS, MODAL, SHORTCUT } from './ids.js';
import { readModalSubmission } from './modal-state.js';
import type { Pickers } from './pickers/pickers.js';
import { renderRefusalView } from './render/access.js';
import { type ModalOptions, readModalMetadata, renderModal } from './render/modal.js';
import { renderRefusal } from './render/refusals.js';
import { retryForm } from './retry-prefill.js';
import type { UserTexts } from './user-texts.js';
import { type HomeWorkspace, interactionOrigin, isExternal } from './workspace.js';

// The request modal's ways in and out: the global shortcut, the results thread's "Ask again for
// the failed…" button, and the submission. A trigger id lives 3 seconds: every way in waits at
// most LOCALE_WITHIN_MS for what the view needs (the user's language, the allowed channels'
// names), opens it, and updates it if the language arrives later. Only someone who may ask sees
// the form: anyone else gets a short view saying why, with no pickers behind it.

export interface ModalDeps {
  service: Service;
  logger: Logger;
  texts: UserTexts;
  pickers: Pickers;
  /** ACCOUNTS_FILE: the accounts, and each one's pickers (reading with its own client). */
  accounts?: readonly AccountView[];
  pickersFor?: (account: string) => Pickers | undefined;
  parseOptions: ParseOptions;
  regions: readonly string[];
  sandbox: boolean;
  home: HomeWorkspace;
  channels: Channels;
  allowedChannelIds: readonly string[];
  botName?: string;
  /** How long "Ask again" waits for the stored request before opening an empty form. */
  retryReadWithinMs?: number;
  /** How long an opening waits for the user's language before using the default (then updates). */
  localeWithinMs?: number;
}

const LOCALE_WITHIN_MS = 800;
/** How long a submission waits to learn whether the bot is in the chosen channel. */
const MEMBERSHIP_WITHIN_MS = 1_500;

type Client = App['client'];
type OpenInput = Pick<ModalOptions, 'channelId' | 'region' | 'prefill' | 'account'>;

/**
 * ACCOUNTS_FILE: the account the form shows (asked for, else the channel's, else the only one),
 * the accounts it offers (a mapped channel: its own only) and that account's regions.
 */
export function formAccount(
  deps: Pick<ModalDeps, 'accounts' | 'parseOptions' | 'regions'>,
  input: Pick<OpenInput, 'channelId' | 'account'>,
): { account?: string; offered?: string[]; defaultRegion: string; regions: readonly string[] } {
  const fallback = { defaultRegion: deps.parseOptions.defaultRegion, regions: deps.regions };
  const accounts = deps.accounts;
  if (!accounts) return fallback;
  const mapped = accountOfChannel(accounts, input.channelId);
  const offered = mapped ? [mapped] : accounts;
  const view =
    offered.find((a) => a.name === input.account) ??
    mapped ??
    (offered.length === 1 ? offered[0] : undefined);
  return {
    ...(view ? { account: view.name } : {}),
    offered: offered.map((a) => a.name),
    ...regionsOf(view, fallback),
  };
}

/** The pickers of the form's account (the only pickers without ACCOUNTS_FILE). */
export function pickersOf(deps: ModalDeps, account: string | undefined): Pickers | undefined {
  if (!deps.accounts) return deps.pickers;
  return account === undefined ? undefined : deps.pickersFor?.(account);
}

/** Everything but the per-opening parts of the form, in this user's language. */
export function modalFor(deps: ModalDeps, userId: string, input: OpenInput, t?: Catalogue) {
  const allowed = deps.allowedChannelIds;
  const chosen = formAccount(deps, input);
  return renderModal({
    t: t ?? deps.texts.peek(userId),
    defaultRegion: chosen.defaultRegion,
    regions: chosen.regions,
    ...(chosen.offered ? { accounts: chosen.offered } : {}),
    sandbox: deps.sandbox,
    ...(allowed.length
      ? {
          allowedChannels: allowed.map((id) => {
            const name = deps.channels.peekName(id);
            return name ? { id, name } : { id };
          }),
        }
      : {}),
    ...input,
    ...(chosen.account ? { account: chosen.account } : {}),
  });
}

/** The user's language if known within the budget, else undefined (the default is shown). */
function languageWithin(deps: ModalDeps, userId: string): Promise<Catalogue | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), deps.localeWithinMs ?? LOCALE_WITHIN_MS);
  });
  return Promise.race([deps.texts.forUser(userId), late]).finally(() => clearTimeout(timer));
}

/** Opens the form, then starts loading its region's lists; resolves with the view's id and hash. */
export async function openModal(
  deps: ModalDeps,
  client: Client,
  triggerId: string,
  userId: string,
  input: OpenInput,
): Promise<{ id?: string; hash?: string }> {
  const budget = deps.localeWithinMs ?? LOCALE_WITHIN_MS;
  const asksChannel = input.channelId === undefined && deps.allowedChannelIds.length > 0;
  const [t] = await Promise.all([
    languageWithin(deps, userId),
    asksChannel ? deps.channels.loadNames(deps.allowedChannelIds, budget) : undefined,
  ]);
  const shownIn = t ?? deps.texts.peek(userId);
  const view = modalFor(deps, userId, input, shownIn);
  const opened = await client.views.open({ trigger_id: triggerId, view });
  const drawn = readModalMetadata(view.private_metadata);
  pickersOf(deps, drawn?.account)?.warm(drawn?.region ?? deps.parseOptions.defaultRegion);
  const shown = { id: opened.view?.id, hash: opened.view?.hash };
  if (!t && shown.id) void showInLanguage(deps, client, userId, input, shown, shownIn);
  return {
    ...(shown.id ? { id: shown.id } : {}),
    ...(shown.hash ? { hash: shown.hash } : {}),
  };
}

/** The language arrived after the view opened: draw it again in that language, if it differs. */
async function showInLanguage(
  deps: ModalDeps,
  client: Client,
  userId: string,
  input: OpenInput,
  shown: { id?: string | undefined; hash?: string | undefined },
  shownIn: Catalogue,
): Promise<void> {
  const t = await deps.texts.forUser(userId);
  if (t === shownIn || !shown.id) return;
  // The hash makes Slack refuse this update if the user changed the view (a region) meanwhile.
  await client.views
    .update({
      view_id: shown.id,
      ...(shown.hash ? { hash: shown.hash } : {}),
      view: modalFor(deps, userId, input, t),
    })
    .catch((error: unknown) =>
      deps.logger.debug('form not redrawn in the user language', { error }),
    );
}

export function registerModalListeners(app: App, deps: ModalDeps): void {
  const { service, logger, texts } = deps;
  const retryWithin = deps.retryReadWithinMs ?? 1_000;
  const tell = async (respond: RespondFn, text: string) => {
    await respond({ response_type: 'ephemeral', replace_original: false, text }).catch(
      (error: unknown) => logger.warn('modal reply failed', { error }),
    );
  };

  // No channel in a shortcut: the form asks where the card goes (only ALLOWED_CHANNEL_IDS when
  // set). Who may ask is checked before anything with pickers opens.
  app.shortcut(SHORTCUT, async ({ ack, shortcut, client }) => {
    await ack();
    const user = shortcut.user.id;
    const external = isExternal(deps.home, interactionOrigin(shortcut));
    const refusal = service.checkRequester(user, undefined, { external });
    try {
      if (refusal) {
        const t = (await languageWithin(deps, user)) ?? texts.peek(user);
        const view = renderRefusalView(renderRefusal(refusal, t).text, t);
        await client.views.open({ trigger_id: shortcut.trigger_id, view });
        return;
      }
      await openModal(deps, client, shortcut.trigger_id, user, {});
    } catch (error) {
      logger.warn('shortcut view did not open', { user, error });
    }
  });

  app.action(ACTIONS.retryFailed, async ({ ack, body, action, client, respond }) => {
    await ack();
    if (body.type !== 'block_actions') return;
    const requestId = 'value' in action && typeof action.value === 'string' ? action.value : '';
    const user = body.user.id;
    const here = body.channel?.id;
    const external = isExternal(deps.home, interactionOrigin(body));
    const refusal = service.checkRequester(user, here, { external });
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
      const opened = await openModal(deps, client, body.trigger_id, user, {
        ...(here ? { channelId: here } : {}),
      });
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
    const external = isExternal(deps.home, interactionOrigin(body));
    const t = texts.peek(userId);
    const read = readModalSubmission(view, t, deps.parseOptions);
    if (!read.ok) return ack({ response_action: 'errors', errors: read.errors });
    const where = read.asked ? BLOCKS.channel : BLOCKS.instances;
    const early = service.checkRequester(userId, read.channelId, { external });
    if (early) {
      return ack({ response_action: 'errors', errors: { [where]: renderRefusal(early, t).text } });
    }
    // A card the bot cannot post is refused here, in the form, before anything is stored.
    if ((await deps.channels.membership(read.channelId, MEMBERSHIP_WITHIN_MS)) === 'not_member') {
      const c = t.access.channel;
      const me = deps.botName ? c.me(`@${deps.botName}`) : c.meAlone;
      return ack({ response_action: 'errors', errors: { [where]: c.inviteFirst(me) } });
    }
    await ack();
    const submitted = await service
      .submit({ draft: read.draft, requesterId: userId, channelId: read.channelId, external })
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

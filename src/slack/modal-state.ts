import type { ViewOutput } from '@slack/bolt';
import { chooseAccount } from '../domain/accounts.js';
import { type ModalValues, type ParseOptions, parseModalValues } from '../domain/parse.js';
import type { RequestDraft } from '../domain/request.js';
import type { Catalogue } from './i18n/en.js';
import { BLOCKS, HINT_VALUE, MODAL, pickerRegion, readPickerScope } from './ids.js';
import { readModalMetadata } from './render/modal.js';
import {
  describeModalErrors,
  describeParseProblem,
  PLAIN_FORMAT,
} from './render/parse-problems.js';

// A submitted request modal, read: what was picked and pasted, in which region, for which
// channel; the parser's problems and the form's own (picked in another region, no channel) as
// Slack's `response_action: errors`, keyed by block id.

type StateValues = ViewOutput['state']['values'];

const CHANNEL_ID = /^[CG][A-Z0-9]{2,}$/;

export type ModalSubmission =
  | { ok: true; draft: RequestDraft; channelId: string; asked: boolean }
  | { ok: false; errors: Record<string, string> };

/** The one element of an input block, whatever its action id (the pickers' carry a region). */
function element(values: StateValues, blockId: string) {
  const entry = Object.entries(values[blockId] ?? {})[0];
  return entry ? { actionId: entry[0], state: entry[1] } : undefined;
}

export function readModalSubmission(
  view: Pick<ViewOutput, 'state' | 'private_metadata'>,
  t: Catalogue,
  options: ParseOptions,
): ModalSubmission {
  const values = view.state.values;
  const metadata = readModalMetadata(view.private_metadata);
  const instances = element(values, BLOCKS.instances);
  const keyPair = element(values, BLOCKS.keyPair);
  const picked = (instances?.state.selected_options ?? []).map((o) => o.value);
  const chosenKey = keyPair?.state.selected_option?.value ?? '';
  // A hint is not a key pair: as if none was chosen.
  const keyValue = chosenKey.startsWith(HINT_VALUE) ? '' : chosenKey;
  const region = values[BLOCKS.region]?.[MODAL.regionAction]?.selected_option?.value;
  const input: ModalValues = {
    picked,
    instances: values[BLOCKS.instanceIds]?.[MODAL.instanceIdsAction]?.value ?? '',
    keyPair: keyValue,
    region: region ?? metadata?.region ?? null,
    selector: values[BLOCKS.selector]?.[MODAL.selectorAction]?.value ?? '',
    next: (values[BLOCKS.next]?.[MODAL.thenAction]?.selected_options ?? []).map((o) => o.value),
  };
  const parsed = parseModalValues(input, options);
  const errors = parsed.ok ? {} : describeModalErrors(parsed.errors, t);
  // One phase follows the attach: a restart, or the key applied now.
  const then = input.next ?? [];
  if (then.includes('restart') && then.includes('apply-now')) {
    errors[BLOCKS.next] = t.fleet.form.next.both;
  }

  // Picked before a region change had updated the pickers: those ids belong to another region.
  const chosen = parsed.ok ? parsed.draft.region : (region ?? options.defaultRegion);
  // With ACCOUNTS_FILE a picker's scope is ACCOUNT/REGION (ids.ts): its region part counts here.
  const scopeOf = (base: Parameters<typeof pickerRegion>[0], actionId: string | undefined) => {
    const scope = actionId === undefined ? undefined : pickerRegion(base, actionId);
    return scope === undefined ? undefined : readPickerScope(scope);
  };
  const pickedIn = scopeOf(MODAL.instancesAction, instances?.actionId);
  if (picked.length && pickedIn && pickedIn.region !== chosen) {
    errors[BLOCKS.instances] = t.modal.errors.regionChanged(pickedIn.region, chosen);
  }
  const keyIn = scopeOf(MODAL.keyPairAction, keyPair?.actionId);
  if (keyValue && keyIn && keyIn.region !== chosen) {
    errors[BLOCKS.keyPair] = t.modal.errors.regionChanged(keyIn.region, chosen);
  }
  // The form asks for a channel exactly when it was opened without one (the global shortcut).
  const asked = metadata !== undefined && metadata.channelId === undefined;
  // A conversations_select, or a static_select of ALLOWED_CHANNEL_IDS.
  const where = values[BLOCKS.channel]?.[MODAL.channelAction];
  const channelId = asked
    ? (where?.selected_conversation ?? where?.selected_option?.value ?? undefined)
    : metadata?.channelId;
  if (asked && !channelId) errors[BLOCKS.channel] = t.modal.errors.noChannel;
  // The card goes to a channel (public or private, C… or G…): never to a person or a DM.
  if (asked && channelId && !CHANNEL_ID.test(channelId)) {
    errors[BLOCKS.channel] = t.access.channel.notAChannel;
  }
  // ACCOUNTS_FILE: the account select (or the one the form was drawn for), under the account rules.
  let account: string | undefined;
  if (options.accounts) {
    const selected =
      values[BLOCKS.account]?.[MODAL.accountAction]?.selected_option?.value ?? metadata?.account;
    const choice = chooseAccount(options.accounts, channelId, selected);
    if (!choice.ok) {
      errors[BLOCKS.account] = describeParseProblem(choice.problem, t, PLAIN_FORMAT);
    } else {
      account = choice.account.name;
      const own = choice.account.regions;
      if (parsed.ok && own?.length && !own.includes(parsed.draft.region)) {
        errors[BLOCKS.region] = describeParseProblem(
          {
            kind: 'region_not_in_account',
            token: parsed.draft.region,
            account: account,
            regions: own,
          },
          t,
          PLAIN_FORMAT,
        );
      }
      // Picked for another account before the form was redrawn: those are not this account's.
      if (picked.length && pickedIn && pickedIn.account !== account) {
        errors[BLOCKS.instances] = t.modal.errors.regionChanged(
          `${pickedIn.account ?? '?'}/${pickedIn.region}`,
          `${account}/${chosen}`,
        );
      }
      if (keyValue && keyIn && keyIn.account !== account) {
        errors[BLOCKS.keyPair] = t.modal.errors.regionChanged(
          `${keyIn.account ?? '?'}/${keyIn.region}`,
          `${account}/${chosen}`,
        );
      }
    }
  }
  if (Object.keys(errors).length || !parsed.ok || !channelId) {
    return { ok: false, errors: Object.keys(errors).length ? errors : missingChannel(t) };
  }
  const draft = account === undefined ? parsed.draft : { ...parsed.draft, account };
  return { ok: true, draft, channelId, asked };
}

/** No channel and no channel block: the metadata was lost; say so where it is seen. */
const missingChannel = (t: Catalogue) => ({ [BLOCKS.instances]: t.modal.errors.noChannel });

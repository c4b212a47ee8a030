import type { ViewOutput } from '@slack/bolt';
import { type ModalValues, type ParseOptions, parseModalValues } from '../domain/parse.js';
import type { RequestDraft } from '../domain/request.js';
import type { Catalogue } from './i18n/en.js';
import { BLOCKS, HINT_VALUE, MODAL, pickerRegion } from './ids.js';
import { readModalMetadata } from './render/modal.js';
import { describeModalErrors } from './render/parse-problems.js';

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

  // Picked before a region change had updated the pickers: those ids belong to another region.
  const chosen = parsed.ok ? parsed.draft.region : (region ?? options.defaultRegion);
  const pickedIn = instances && pickerRegion(MODAL.instancesAction, instances.actionId);
  if (picked.length && pickedIn && pickedIn !== chosen) {
    errors[BLOCKS.instances] = t.modal.errors.regionChanged(pickedIn, chosen);
  }
  const keyIn = keyPair && pickerRegion(MODAL.keyPairAction, keyPair.actionId);
  if (keyValue && keyIn && keyIn !== chosen) {
    errors[BLOCKS.keyPair] = t.modal.errors.regionChanged(keyIn, chosen);
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
  if (Object.keys(errors).length || !parsed.ok || !channelId) {
    return { ok: false, errors: Object.keys(errors).length ? errors : missingChannel(t) };
  }
  return { ok: true, draft: parsed.draft, channelId, asked };
}

/** No channel and no channel block: the metadata was lost; say so where it is seen. */
const missingChannel = (t: Catalogue) => ({ [BLOCKS.instances]: t.modal.errors.noChannel });

// The request form: opened by `/attach-key` alone, by the global shortcut (which adds a channel
// picker: a shortcut carries no channel) and by "Ask again for the failed…" (prefilled). The
// region select comes first and dispatches its changes, so the pickers below it always search
// the region shown; their action ids end in that region (see ids.ts MODAL).

import type { types } from '@slack/bolt';
import type { InstanceSnapshot, KeyPairInfo } from '../../domain/request.js';
import type { Catalogue } from '../i18n/en.js';
import { BLOCKS, MODAL, pickerActionId, pickerScope } from '../ids.js';
import { MAX_OPTIONS } from '../pickers/matches.js';
import { channelBlock } from './access.js';
import { context, plain, section } from './blocks.js';
import { codeSpan, truncateText } from './escape.js';
import { SLACK_LIMITS } from './limits.js';
import { instanceOption, keyPairOption } from './picker-options.js';

export interface ModalPrefill {
  /** Snapshots give the options their words; an id alone is shown as it is. */
  instances: ReadonlyArray<InstanceSnapshot | { instanceId: string }>;
  keyPair?: Pick<KeyPairInfo, 'keyPairId' | 'keyPairName' | 'fingerprint'>;
  /** The request whose failed instances these are. */
  retryOf?: string;
  /** Its `then=restart`, ticked again (the requester may untick it). */
  next?: 'restart';
}

export interface ModalOptions {
  t: Catalogue;
  /** Where the card goes; absent, the form asks (the global shortcut). */
  channelId?: string;
  /** The region the pickers search; the default region when absent or unknown. */
  region?: string;
  defaultRegion: string;
  regions: readonly string[];
  sandbox: boolean;
  prefill?: ModalPrefill;
  /** ALLOWED_CHANNEL_IDS (with their names when known): the only channels the form offers. */
  allowedChannels?: ReadonlyArray<{ id: string; name?: string }>;
  /** ACCOUNTS_FILE: the account names the select offers (first block), and the one chosen. */
  accounts?: readonly string[];
  account?: string;
}

/** What rides in private_metadata: a submission carries no channel of its own. */
export interface ModalMetadata {
  channelId?: string;
  region: string;
  /** ACCOUNTS_FILE: the account chosen when the form was drawn. */
  account?: string;
}

export function readModalMetadata(metadata: string | undefined): ModalMetadata | undefined {
  try {
    const parsed = JSON.parse(metadata ?? '') as {
      channelId?: unknown;
      region?: unknown;
      account?: unknown;
    };
    if (typeof parsed.region !== 'string') return undefined;
    return {
      ...(typeof parsed.channelId === 'string' ? { channelId: parsed.channelId } : {}),
      region: parsed.region,
      ...(typeof parsed.account === 'string' ? { account: parsed.account } : {}),
    };
  } catch {
    return undefined;
  }
}

/**
 * The select's regions: no repeats, values Slack accepts, at most 100, and always the default
 * (moved first when it would otherwise be missing or cut off).
 */
function selectableRegions(defaultRegion: string, regions: readonly string[]): string[] {
  const fits = (r: string) => r.length > 0 && r.length <= SLACK_LIMITS.optionValue;
  const unique = [...new Set(regions)].filter(fits);
  const index = unique.indexOf(defaultRegion);
  if (fits(defaultRegion) && (index < 0 || index >= SLACK_LIMITS.selectOptions)) {
    unique.splice(Math.max(index, 0), index < 0 ? 0 : 1);
    unique.unshift(defaultRegion);
  }
  return unique.slice(0, SLACK_LIMITS.selectOptions);
}

/** Prefilled instances: the first 100 as picked options, the rest as pasted ids while they fit. */
function splitPrefill(instances: ModalPrefill['instances'], t: Catalogue) {
  const picked = instances.slice(0, MAX_OPTIONS).map((i) => instanceOption(i, t));
  const pasted: string[] = [];
  let length = 0;
  for (const { instanceId } of instances.slice(MAX_OPTIONS)) {
    if (length + instanceId.length + 1 > SLACK_LIMITS.inputMaxLength) break;
    pasted.push(instanceId);
    length += instanceId.length + 1;
  }
  return { picked, pasted, cut: instances.length - picked.length - pasted.length };
}

/** Selecting by tag or key pair instead of instances, and what follows the attach (issue 21). */
function fleetBlocks(t: Catalogue, prefill: ModalPrefill | undefined): types.InputBlock[] {
  const f = t.fleet.form;
  const restart: types.PlainTextOption = {
    text: plain(f.next.restart),
    value: 'restart',
    description: plain(truncateText(f.next.restartDescription, SLACK_LIMITS.optionText)),
  };
  const applyNow: types.PlainTextOption = {
    text: plain(f.next.applyNow),
    value: 'apply-now',
    description: plain(truncateText(f.next.applyNowDescription, SLACK_LIMITS.optionText)),
  };
  return [
    {
      type: 'input',
      block_id: BLOCKS.selector,
      optional: true,
      label: plain(f.selector.label),
      hint: plain(f.selector.hint),
      element: {
        type: 'plain_text_input',
        action_id: MODAL.selectorAction,
        max_length: SLACK_LIMITS.inputMaxLength,
        placeholder: plain(f.selector.placeholder),
      },
    },
    {
      type: 'input',
      block_id: BLOCKS.next,
      optional: true,
      label: plain(f.next.label),
      element: {
        type: 'checkboxes',
        action_id: MODAL.thenAction,
        options: [restart, applyNow],
        ...(prefill?.next === 'restart' ? { initial_options: [restart] } : {}),
      },
    },
  ];
}

/** ACCOUNTS_FILE: the account select; a change redraws the form (regions, pickers). */
function accountBlock(
  t: Catalogue,
  accounts: readonly string[],
  account: string | undefined,
): types.InputBlock {
  const option = (name: string): types.PlainTextOption => ({ text: plain(name), value: name });
  const select: types.StaticSelect = {
    type: 'static_select',
    action_id: MODAL.accountAction,
    placeholder: plain(t.modal.account.placeholder),
    options: accounts.slice(0, SLACK_LIMITS.selectOptions).map(option),
  };
  if (account !== undefined) select.initial_option = option(account);
  return {
    type: 'input',
    block_id: BLOCKS.account,
    dispatch_action: true,
    label: plain(t.modal.account.label),
    hint: plain(t.modal.account.hint),
    element: select,
  };
}

export function renderModal(options: ModalOptions): types.ModalView {
  const { t, prefill } = options;
  const m = t.modal;
  const regions = selectableRegions(options.defaultRegion, options.regions);
  const region =
    [options.region, options.defaultRegion].find((r) => r !== undefined && regions.includes(r)) ??
    regions[0] ??
    options.defaultRegion;
  const regionOption = (r: string): types.PlainTextOption => ({ text: plain(r), value: r });
  const fill = splitPrefill(prefill?.instances ?? [], t);

  const blocks: types.KnownBlock[] = [];
  if (options.sandbox) blocks.push(context('sandbox', m.sandbox));
  const retryOf = prefill?.retryOf;
  const intro = retryOf
    ? [
        m.retryIntro(prefill?.instances.length ?? 0, codeSpan(retryOf, 80)),
        fill.cut ? m.retryCut(fill.cut) : '',
      ]
    : [m.intro];
  blocks.push(section('intro', intro.filter(Boolean).join('\n')));
  if (options.channelId === undefined) blocks.push(channelBlock(t, options.allowedChannels));
  const account =
    options.account !== undefined && options.accounts?.includes(options.account)
      ? options.account
      : undefined;
  if (options.accounts?.length) blocks.push(accountBlock(t, options.accounts, account));
  const scope = pickerScope(account, region);

  const regionSelect: types.StaticSelect = {
    type: 'static_select',
    action_id: MODAL.regionAction,
    placeholder: plain(m.region.placeholder),
    options: regions.map(regionOption),
  };
  if (regions.includes(region)) regionSelect.initial_option = regionOption(region);
  const instances: types.MultiExternalSelect = {
    type: 'multi_external_select',
    action_id: pickerActionId(MODAL.instancesAction, scope),
    placeholder: plain(m.instances.placeholder),
    // Opening the list already shows the region's instances; every keystroke narrows it.
    min_query_length: 0,
  };
  if (fill.picked.length) instances.initial_options = fill.picked;
  const pasted: types.PlainTextInput = {
    type: 'plain_text_input',
    action_id: MODAL.instanceIdsAction,
    multiline: true,
    max_length: SLACK_LIMITS.inputMaxLength,
    placeholder: plain(m.instanceIds.placeholder),
  };
  if (fill.pasted.length) pasted.initial_value = fill.pasted.join('\n');
  const keyPair: types.ExternalSelect = {
    type: 'external_select',
    action_id: pickerActionId(MODAL.keyPairAction, scope),
    placeholder: plain(m.keyPair.placeholder),
    min_query_length: 0,
  };
  if (prefill?.keyPair) keyPair.initial_option = keyPairOption(prefill.keyPair, t);

  blocks.push(
    {
      type: 'input',
      block_id: BLOCKS.region,
      dispatch_action: true,
      label: plain(m.region.label),
      hint: plain(m.region.hint),
      element: regionSelect,
    },
    {
      type: 'input',
      block_id: BLOCKS.instances,
      optional: true,
      label: plain(m.instances.label),
      hint: plain(m.instances.hint),
      element: instances,
    },
    {
      type: 'input',
      block_id: BLOCKS.instanceIds,
      optional: true,
      label: plain(m.instanceIds.label),
      hint: plain(m.instanceIds.hint),
      element: pasted,
    },
    { type: 'input', block_id: BLOCKS.keyPair, label: plain(m.keyPair.label), element: keyPair },
    ...fleetBlocks(t, prefill),
  );

  const metadata: ModalMetadata = { region };
  if (options.channelId !== undefined) metadata.channelId = options.channelId;
  if (account !== undefined) metadata.account = account;
  return {
    type: 'modal',
    callback_id: MODAL.callbackId,
    private_metadata: JSON.stringify(metadata),
    title: plain(options.sandbox ? m.titleSandbox : m.title),
    submit: plain(m.submit),
    close: plain(m.close),
    blocks,
  };
}

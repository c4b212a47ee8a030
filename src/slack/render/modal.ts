// The request form `/attach-key` opens when it is typed without arguments.

import type { types } from '@slack/bolt';
import { BLOCKS, MODAL } from '../ids.js';
import { SLACK_LIMITS } from './limits.js';

export interface ModalOptions {
  /** Where the card goes: a view submission carries no channel, so it rides in private_metadata. */
  channelId: string;
  defaultRegion: string;
  regions: readonly string[];
  sandbox: boolean;
}

const plain = (text: string): types.PlainTextElement => ({ type: 'plain_text', text, emoji: true });

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

export function renderModal(options: ModalOptions): types.ModalView {
  const regions = selectableRegions(options.defaultRegion, options.regions);
  const option = (region: string): types.PlainTextOption => ({
    text: plain(region),
    value: region,
  });
  const initial = regions.includes(options.defaultRegion) ? options.defaultRegion : regions[0];

  const regionSelect: types.StaticSelect = {
    type: 'static_select',
    action_id: MODAL.regionAction,
    placeholder: plain('Choose a region'),
    options: regions.map(option),
  };
  if (initial !== undefined) regionSelect.initial_option = option(initial);

  const blocks: types.KnownBlock[] = [];
  if (options.sandbox) {
    blocks.push({
      type: 'context',
      block_id: 'sandbox',
      elements: [
        {
          type: 'mrkdwn',
          text: ':test_tube: *SANDBOX* — simulated ECS: nothing changes on real instances.',
        },
      ],
    });
  }
  blocks.push(
    {
      type: 'section',
      block_id: 'intro',
      text: {
        type: 'mrkdwn',
        text: 'An approver has to say yes before anything changes. Binding a key pair replaces one bound earlier in the console, turns off password login, and takes effect only after a restart.',
      },
    },
    {
      type: 'input',
      block_id: BLOCKS.instances,
      label: plain('Instance ids'),
      hint: plain('Separate ids with spaces, commas or new lines.'),
      element: {
        type: 'plain_text_input',
        action_id: MODAL.instancesAction,
        multiline: true,
        max_length: SLACK_LIMITS.inputMaxLength,
        placeholder: plain('i-abc123def456\ni-0123456789ab'),
      },
    },
    {
      type: 'input',
      block_id: BLOCKS.keyPair,
      label: plain('Key pair'),
      hint: plain('A key pair name, or an id starting with kp-.'),
      element: {
        type: 'plain_text_input',
        action_id: MODAL.keyPairAction,
        max_length: 255,
        placeholder: plain('ops-key or kp-abc123'),
      },
    },
    {
      type: 'input',
      block_id: BLOCKS.region,
      label: plain('Region'),
      element: regionSelect,
    },
  );

  return {
    type: 'modal',
    callback_id: MODAL.callbackId,
    private_metadata: JSON.stringify({ channelId: options.channelId }),
    title: plain(options.sandbox ? 'Attach key (sandbox)' : 'Attach key pair'),
    submit: plain('Ask for approval'),
    close: plain('Cancel'),
    blocks,
  };
}

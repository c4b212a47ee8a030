// What the form shows about who may use it and where (issue 18): the short view a shortcut opens
// for someone who may not ask, and the channel block restricted to ALLOWED_CHANNEL_IDS.

import type { types } from '@slack/bolt';
import type { Catalogue } from '../i18n/en.js';
import { BLOCKS, MODAL } from '../ids.js';
import { plain, section } from './blocks.js';
import { truncateText } from './escape.js';
import { SLACK_LIMITS } from './limits.js';

/** Instead of the form: why this user may not ask (no pickers, nothing to submit). */
export function renderRefusalView(text: string, t: Catalogue): types.ModalView {
  return {
    type: 'modal',
    title: plain(t.access.refusedView.title),
    close: plain(t.access.refusedView.close),
    blocks: [section('refusal', text)],
  };
}

/**
 * The shortcut's channel block: any conversation the user may pick, or, with ALLOWED_CHANNEL_IDS,
 * only those channels, by name when known (else by id).
 */
export function channelBlock(
  t: Catalogue,
  allowed: ReadonlyArray<{ id: string; name?: string }> | undefined,
): types.InputBlock {
  const m = t.modal.channel;
  if (!allowed?.length) {
    return {
      type: 'input',
      block_id: BLOCKS.channel,
      label: plain(m.label),
      hint: plain(m.hint),
      element: {
        type: 'conversations_select',
        action_id: MODAL.channelAction,
        default_to_current_conversation: true,
        filter: { include: ['public', 'private'], exclude_bot_users: true },
      },
    };
  }
  const options = allowed.slice(0, SLACK_LIMITS.selectOptions).map(
    (c): types.PlainTextOption => ({
      text: plain(truncateText(c.name ? `#${c.name}` : c.id, SLACK_LIMITS.optionText)),
      value: c.id,
    }),
  );
  return {
    type: 'input',
    block_id: BLOCKS.channel,
    label: plain(m.label),
    hint: plain(m.hint),
    element: {
      type: 'static_select',
      action_id: MODAL.channelAction,
      placeholder: plain(t.access.channel.placeholder),
      options,
      ...(options.length === 1 ? { initial_option: options[0] } : {}),
    },
  };
}

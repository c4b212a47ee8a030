// The buttons of a pending request: Approve (behind a confirm dialog) and Reject, on the card and
// on App Home, and on the card the requester's Cancel (behind its own). Each button's value is
// the request id.

import type { types } from '@slack/bolt';
import type { MutationRequest } from '../../domain/request.js';
import type { Catalogue } from '../i18n/en.js';
import { ACTIONS, BLOCKS } from '../ids.js';
import { plain } from './blocks.js';
import { escapeMrkdwn, truncateText } from './escape.js';
import { SLACK_LIMITS } from './limits.js';
import { runningForecast } from './rotation.js';

/**
 * Approve (behind a confirm dialog) and Reject; the card and App Home both use these. The card
 * adds Cancel (behind its own dialog), which only the requester may use.
 */
export function renderButtons(
  request: MutationRequest,
  t: Catalogue,
  blockId: string = BLOCKS.decision,
  options: { cancel?: boolean } = {},
): types.ActionsBlock {
  const count = request.instanceIds.length;
  const region = escapeMrkdwn(request.region);
  // then=: the dialog says both phases.
  const rotation =
    request.next?.kind === 'apply'
      ? {
          title: t.fleet.applyNext.confirmTitle,
          text: t.fleet.applyNext.confirmText(count, request.applyNow?.user ?? 'root', region),
        }
      : request.next
        ? {
            title: t.fleet.rotation.confirmTitle,
            text: t.fleet.rotation.confirmText(
              count,
              runningForecast(request),
              request.next.restart?.waveSize ?? 10,
              region,
            ),
          }
        : undefined;
  return {
    type: 'actions',
    block_id: blockId,
    elements: [
      {
        type: 'button',
        action_id: ACTIONS.approve,
        text: plain(t.card.buttons.approve),
        style: 'primary',
        value: request.id,
        confirm: {
          title: plain(rotation?.title ?? t.card.buttons.confirmTitle[request.kind]),
          text: plain(
            truncateText(
              rotation?.text ?? t.card.buttons.confirmText[request.kind](count, region),
              SLACK_LIMITS.confirmText,
            ),
          ),
          confirm: plain(t.card.buttons.approve),
          deny: plain(t.card.buttons.cancel),
          style: 'primary',
        },
      },
      {
        type: 'button',
        action_id: ACTIONS.reject,
        text: plain(t.card.buttons.reject),
        style: 'danger',
        value: request.id,
      },
      ...(options.cancel ? [cancelButton(request, t)] : []),
    ],
  };
}

function cancelButton(request: MutationRequest, t: Catalogue): types.Button {
  const c = t.guard.cancel;
  return {
    type: 'button',
    action_id: ACTIONS.cancel,
    text: plain(c.button),
    value: request.id,
    confirm: {
      title: plain(c.confirmTitle),
      text: plain(c.confirmText),
      confirm: plain(c.confirm),
      deny: plain(c.deny),
    },
  };
}

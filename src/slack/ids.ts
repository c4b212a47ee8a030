// Every string Slack and the bot must agree on, defined once. The app manifest, the listeners and
// the renderers all read them from here.

export const COMMAND = '/attach-key';

/** action_id of the approval card's buttons; each button's `value` is the request id. */
export const ACTIONS = {
  approve: 'approve_request',
  reject: 'reject_request',
  /** On a results message: ask for an approved rolling restart of what was bound. */
  restart: 'restart_request',
  /** On an attach's results message: ask for an approved undo of the binding. */
  undo: 'undo_request',
} as const;

/**
 * block_ids: the modal's three input blocks (validation errors are keyed by these) and the
 * approval card's actions block.
 */
export const BLOCKS = {
  instances: 'instances',
  keyPair: 'key_pair',
  region: 'region',
  decision: 'decision',
} as const;

/** The modal: its callback_id and the action_id of the element inside each input block. */
export const MODAL = {
  callbackId: 'attach_key_modal',
  instancesAction: 'instances_input',
  keyPairAction: 'key_pair_input',
  regionAction: 'region_select',
} as const;

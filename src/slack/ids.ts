// Every string Slack and the bot must agree on, defined once. The app manifest, the listeners and
// the renderers all read them from here.

export const COMMAND = '/attach-key';

/** The global shortcut ("Attach a key pair" in the shortcuts menu); opens the request modal. */
export const SHORTCUT = 'attach_key_shortcut';

/** action_id of the buttons; each button's `value` is the request id. */
export const ACTIONS = {
  approve: 'approve_request',
  reject: 'reject_request',
  /** On a pending card, for its requester only (with a confirm dialog): take the request back. */
  cancel: 'cancel_request',
  /** On a results message: ask for an approved rolling restart of what was bound. */
  restart: 'restart_request',
  /** On an attach's results message: ask for an approved undo of the binding. */
  undo: 'undo_request',
  /** On an attach's results message: open the modal prefilled with the instances that failed. */
  retryFailed: 'retry_failed',
  /**
   * On an attach's results message (when the bot knows the bound key's public key): ask for an
   * approved "apply now", the key written into authorized_keys through Cloud Assistant.
   */
  applyNow: 'apply_now_request',
} as const;

/**
 * block_ids: the modal's input blocks (validation errors are keyed by these) and the approval
 * card's actions block.
 */
export const BLOCKS = {
  instances: 'instances',
  instanceIds: 'instance_ids',
  keyPair: 'key_pair',
  region: 'region',
  /** ACCOUNTS_FILE: the form's account select (above the region). */
  account: 'account',
  channel: 'channel',
  /** The form's optional selectors (`env=prod`, `holding:NAME`) instead of instances. */
  selector: 'selector',
  /** The form's checkboxes of what follows the attach; option value `restart`. */
  next: 'then',
  decision: 'decision',
} as const;

/**
 * The modal: its callback_id and the action_id of the element inside each input block. The two
 * pickers' action ids end in the region they search (`instances_select:cn-beijing`): Slack keeps
 * what was picked across views.update only while block and action ids stay the same, so a new
 * region clears the picks, and an options request or a submission says which region it meant.
 */
export const MODAL = {
  callbackId: 'attach_key_modal',
  instancesAction: 'instances_select',
  instanceIdsAction: 'instance_ids_input',
  keyPairAction: 'key_pair_select',
  regionAction: 'region_select',
  accountAction: 'account_select',
  channelAction: 'channel_select',
  selectorAction: 'selector_input',
  thenAction: 'then_options',
} as const;

/** What an option's value starts with when it is a hint, not an instance or a key pair. */
export const HINT_VALUE = 'hint:';

const REGION_SEPARATOR = ':';

/** A picker's action id for this region. */
export const pickerActionId = (
  base: typeof MODAL.instancesAction | typeof MODAL.keyPairAction,
  region: string,
) => `${base}${REGION_SEPARATOR}${region}`;

/**
 * With ACCOUNTS_FILE a picker's scope is `ACCOUNT/REGION` (account names and regions have no
 * `/`): an account change clears the picks like a region change, and an options request says
 * whose cloud to read. Without the file the scope is the region alone.
 */
export const pickerScope = (account: string | undefined, region: string) =>
  account === undefined ? region : `${account}/${region}`;

export function readPickerScope(scope: string): { account?: string; region: string } {
  const slash = scope.indexOf('/');
  return slash < 0
    ? { region: scope }
    : { account: scope.slice(0, slash), region: scope.slice(slash + 1) };
}

/** The region a picker's action id names, or undefined when it is not that picker's. */
export function pickerRegion(
  base: typeof MODAL.instancesAction | typeof MODAL.keyPairAction,
  actionId: string,
): string | undefined {
  const prefix = `${base}${REGION_SEPARATOR}`;
  return actionId.startsWith(prefix) && actionId.length > prefix.length
    ? actionId.slice(prefix.length)
    : undefined;
}

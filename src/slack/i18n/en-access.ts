// English: who may use the bot, and where (issue 18): refusals of people of another workspace,
// the short view a shortcut opens for someone who may not ask, and the form's channel checks.

export const enAccess = {
  /** Someone of another workspace (Slack Connect) who is not listed by id. */
  external: {
    requester:
      ':no_entry: You are in another workspace than the one this bot is installed in. People from other workspaces may ask for key pairs only when REQUESTER_USER_IDS lists them by id. Nothing was changed.',
    approver:
      ':no_entry: You are in another workspace than the one this bot is installed in. People from other workspaces may approve only when the approver list names them by id (APPROVER_USER_IDS, or the approvers of the policy rule); a user group does not count. Nothing was changed.',
  },
  /** The view a shortcut opens instead of the form. */
  refusedView: {
    title: 'Attach key pair',
    close: 'Close',
  },
  channel: {
    /** The shortcut's channel block when ALLOWED_CHANNEL_IDS is set. */
    placeholder: 'Choose one of the allowed channels',
    notAChannel:
      'Choose a channel (public or private). A direct message or a person cannot hold the approval card.',
    /** The bot is not a member of the channel picked: nothing is stored. */
    inviteFirst: (me: string) =>
      `I am not in that channel yet. Invite ${me} there first (/invite), then send the form again. Nothing was stored.`,
    me: (name: string) => `me (${name})`,
    meAlone: 'me',
  },
};

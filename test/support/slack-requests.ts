import { createHmac } from 'node:crypto';

// Sends requests to the bot exactly as Slack does: a form body signed with the v0 scheme,
// Content-Type exactly application/x-www-form-urlencoded (Bolt 400s on a charset suffix).

export interface SlackSender {
  command(fields: CommandFields): Promise<SlackReply>;
  interaction(payload: Record<string, unknown>): Promise<SlackReply>;
  raw(body: string, headers: Record<string, string>): Promise<SlackReply>;
  sign(body: string, timestamp?: number): Record<string, string>;
}

export interface CommandFields {
  text: string;
  user_id?: string;
  channel_id?: string;
  trigger_id?: string;
  response_url?: string;
  command?: string;
  /** The workspace of the user (another one in a Slack Connect channel); default T0FAKE. */
  team_id?: string;
}

export interface SlackReply {
  status: number;
  body: string;
  json(): Record<string, unknown>;
}

export function slackSender(endpoint: string, signingSecret: string): SlackSender {
  const sign = (body: string, timestamp = Math.floor(Date.now() / 1000)) => ({
    'X-Slack-Request-Timestamp': String(timestamp),
    'X-Slack-Signature': `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`,
  });
  const raw = async (body: string, headers: Record<string, string>): Promise<SlackReply> => {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
      body,
    });
    const text = await response.text();
    return { status: response.status, body: text, json: () => (text ? JSON.parse(text) : {}) };
  };
  const post = (body: string) => raw(body, sign(body));

  return {
    sign,
    raw,
    command: (fields) =>
      post(
        new URLSearchParams({
          token: 'deprecated-verification-token',
          team_id: fields.team_id ?? 'T0FAKE',
          team_domain: 'fake',
          channel_id: fields.channel_id ?? 'C0OPS',
          channel_name: 'ops',
          user_id: fields.user_id ?? 'UREQ',
          user_name: 'requester',
          command: fields.command ?? '/attach-key',
          text: fields.text,
          api_app_id: 'A0FAKE',
          response_url: fields.response_url ?? 'http://127.0.0.1:1/unused',
          trigger_id: fields.trigger_id ?? '1234.5678.trigger',
        }).toString(),
      ),
    interaction: (payload) =>
      post(new URLSearchParams({ payload: JSON.stringify(payload) }).toString()),
  };
}

/** The fields every interactivity payload carries: who, from which workspace and app. */
function interactionBase(type: string, userId: string, teamId = 'T0FAKE'): Record<string, unknown> {
  return {
    type,
    // The workspace the app is installed in; the user's own may be another (Slack Connect).
    team: { id: 'T0FAKE', domain: 'fake' },
    user: { id: userId, username: userId.toLowerCase(), team_id: teamId },
    api_app_id: 'A0FAKE',
    token: 'deprecated-verification-token',
  };
}

/** A block_actions payload for a button on a message the bot posted. */
export function buttonClick(input: {
  actionId: string;
  value: string;
  userId: string;
  channelId: string;
  messageTs: string;
  responseUrl: string;
  teamId?: string;
}): Record<string, unknown> {
  return {
    ...interactionBase('block_actions', input.userId, input.teamId),
    container: {
      type: 'message',
      message_ts: input.messageTs,
      channel_id: input.channelId,
      is_ephemeral: false,
    },
    trigger_id: '1234.5678.click',
    channel: { id: input.channelId, name: 'ops' },
    message: { type: 'message', ts: input.messageTs, text: 'card', bot_id: 'BFAKE' },
    response_url: input.responseUrl,
    actions: [
      {
        type: 'button',
        action_id: input.actionId,
        block_id: 'actions',
        value: input.value,
        action_ts: String(Date.now() / 1000),
      },
    ],
  };
}

/** A view_submission payload for the modal the bot opened, filled with the given values. */
export function viewSubmission(input: {
  view: Record<string, unknown>;
  userId: string;
  values: Record<string, Record<string, unknown>>;
  teamId?: string;
}): Record<string, unknown> {
  return {
    ...interactionBase('view_submission', input.userId, input.teamId),
    trigger_id: '1234.5678.submit',
    view: {
      id: 'V0MODAL',
      team_id: 'T0FAKE',
      type: 'modal',
      hash: 'h',
      ...input.view,
      state: { values: input.values },
    },
    response_urls: [],
  };
}

/** The view part of a payload sent from inside an open modal the bot rendered. */
function openView(view: Record<string, unknown>, values: Record<string, Record<string, unknown>>) {
  return {
    id: 'V0MODAL',
    team_id: 'T0FAKE',
    type: 'modal',
    hash: 'h',
    ...view,
    state: { values },
  };
}

/** A block_suggestion: the user typed `value` into an external select of the open modal. */
export function blockSuggestion(input: {
  view: Record<string, unknown>;
  userId: string;
  blockId: string;
  actionId: string;
  value: string;
  values?: Record<string, Record<string, unknown>>;
  teamId?: string;
}): Record<string, unknown> {
  return {
    ...interactionBase('block_suggestion', input.userId, input.teamId),
    block_id: input.blockId,
    action_id: input.actionId,
    value: input.value,
    container: { type: 'view', view_id: 'V0MODAL' },
    view: openView(input.view, input.values ?? {}),
  };
}

/** A block_actions from a static select inside the open modal (dispatch_action). */
export function viewSelectChange(input: {
  view: Record<string, unknown>;
  userId: string;
  blockId: string;
  actionId: string;
  value: string;
  teamId?: string;
}): Record<string, unknown> {
  const selected = { text: { type: 'plain_text', text: input.value }, value: input.value };
  return {
    ...interactionBase('block_actions', input.userId, input.teamId),
    container: { type: 'view', view_id: 'V0MODAL' },
    trigger_id: '1234.5678.select',
    view: openView(input.view, {
      [input.blockId]: { [input.actionId]: { type: 'static_select', selected_option: selected } },
    }),
    actions: [
      {
        type: 'static_select',
        action_id: input.actionId,
        block_id: input.blockId,
        selected_option: selected,
        action_ts: String(Date.now() / 1000),
      },
    ],
  };
}

/** A global shortcut chosen from the shortcuts menu: no channel in it. */
export function globalShortcut(input: {
  callbackId: string;
  userId: string;
  triggerId: string;
  teamId?: string;
}): Record<string, unknown> {
  return {
    type: 'shortcut',
    callback_id: input.callbackId,
    trigger_id: input.triggerId,
    user: {
      id: input.userId,
      username: input.userId.toLowerCase(),
      team_id: input.teamId ?? 'T0FAKE',
    },
    team: { id: 'T0FAKE', domain: 'fake' },
    token: 'deprecated-verification-token',
    action_ts: String(Date.now() / 1000),
  };
}

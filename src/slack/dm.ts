import type { App, RespondFn } from '@slack/bolt';
import type { Logger } from '../service/ports.js';
import type { SlackReply } from './render/limits.js';

// Private answers to one user. A failure to deliver one is logged, never thrown at Bolt.

/** An ephemeral reply through the interaction's response_url (a command or a message click). */
export async function tellPrivately(
  respond: RespondFn,
  reply: SlackReply,
  logger: Logger,
  what: string,
): Promise<void> {
  await respond({
    response_type: 'ephemeral',
    replace_original: false,
    text: reply.text,
    ...(reply.blocks ? { blocks: reply.blocks } : {}),
  }).catch((error: unknown) => logger.warn(`${what}: reply failed`, { error }));
}

/** A note in the user's DM with the app, for answers with no response_url (a modal, App Home). */
export async function tellByDm(
  client: App['client'],
  userId: string,
  text: string,
  logger: Logger,
): Promise<void> {
  await client.chat
    .postMessage({ channel: userId, text })
    .catch((error: unknown) => logger.warn('could not tell the user', { user: userId, error }));
}

/** Whether an interaction came with a response_url (a message click does; App Home does not). */
export function hasResponseUrl(body: unknown): boolean {
  return typeof (body as { response_url?: unknown }).response_url === 'string';
}

/** A button's value, or '' when the action carries none. */
export function buttonValue(action: unknown): string {
  return typeof action === 'object' &&
    action !== null &&
    'value' in action &&
    typeof action.value === 'string'
    ? action.value
    : '';
}

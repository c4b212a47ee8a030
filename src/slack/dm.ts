import type { App } from '@slack/bolt';
import type { Logger } from '../service/ports.js';

// A private note in the user's DM with the app, for answers that have no response_url (a modal
// submission, a click on App Home). A failure is logged, never thrown at Bolt.

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

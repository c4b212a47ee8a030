import type { webApi } from '@slack/bolt';
import { slackErrorCode, TOKEN_REJECTED } from './slack-error.js';

/**
 * auth.test before anything listens: a rejected token stops the start with a fix; an unreachable
 * Slack (after the client's retries) stops it too, so a supervisor restarts the bot later.
 */
export async function verifyBotToken(
  client: webApi.WebClient,
  apiUrl: string,
): Promise<{
  botId: string;
  botUserId: string;
  botName?: string;
  teamId?: string;
  enterpriseId?: string;
}> {
  try {
    const result = await client.auth.test();
    if (result.bot_id && result.user_id) {
      return {
        botId: result.bot_id,
        botUserId: result.user_id,
        ...(result.user ? { botName: result.user } : {}),
        // The workspace it is installed in: people of others are "external" (workspace.ts).
        ...(result.team_id ? { teamId: result.team_id } : {}),
        ...(result.enterprise_id ? { enterpriseId: result.enterprise_id } : {}),
      };
    }
    throw new Error('auth.test did not name a bot user');
  } catch (error) {
    const code = slackErrorCode(error);
    if (TOKEN_REJECTED.has(code)) {
      throw Object.assign(
        new Error(
          `Slack rejected SLACK_BOT_TOKEN (${code}). Copy the Bot User OAuth Token (xoxb-…) from the app's OAuth & Permissions page; reinstall the app if it was revoked.`,
        ),
        { code: 'slack_token_rejected' },
      );
    }
    throw Object.assign(
      new Error(
        `Could not verify SLACK_BOT_TOKEN with Slack at ${apiUrl} (${(error as Error).message}). Check the network or proxy and SLACK_API_URL; npm run doctor shows details.`,
      ),
      { code: 'slack_unreachable' },
    );
  }
}

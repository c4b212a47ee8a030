import { z } from 'zod';
import {
  emptyAsUndefined,
  oneOf,
  optionalText,
  type Problems,
  secretCarryingUrl,
} from './fields.js';

// Slack: the tokens, HTTP mode or Socket Mode, the Web API's address, and the language of
// channel messages.

export const slackFields = {
  SLACK_BOT_TOKEN: z
    .string({ error: 'required: the bot token (starts with xoxb-)' })
    .trim()
    .startsWith('xoxb-', { error: 'expected a bot token starting with xoxb-' }),
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_APP_TOKEN: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .trim()
      .startsWith('xapp-', { error: 'expected an app-level token starting with xapp-' })
      .optional(),
  ),
  SLACK_API_URL: secretCarryingUrl('https://slack.com/api/', 'the bot token'),
  DEFAULT_LOCALE: oneOf(['en', 'zh-CN'], 'en', { error: 'expected en or zh-CN', lowerCase: false }),
};

type Env = z.infer<z.ZodObject<typeof slackFields>>;

export interface SlackConfig {
  botToken: string;
  signingSecret?: string;
  appToken?: string;
  apiUrl: string;
  socketMode: boolean;
}

export function checkSlack(env: Readonly<Record<string, unknown>>, problems: Problems): void {
  if (!env.SLACK_APP_TOKEN && !env.SLACK_SIGNING_SECRET) {
    problems.add(
      'SLACK_SIGNING_SECRET',
      'required in HTTP mode (Basic Information > Signing Secret), or set SLACK_APP_TOKEN for Socket Mode',
    );
  }
}

export function toSlackConfig(env: Env): {
  slack: SlackConfig;
  /** The language of channel messages, and of private ones when a user's locale is unknown. */
  defaultLocale: 'en' | 'zh-CN';
} {
  return {
    slack: {
      botToken: env.SLACK_BOT_TOKEN,
      ...(env.SLACK_SIGNING_SECRET ? { signingSecret: env.SLACK_SIGNING_SECRET } : {}),
      ...(env.SLACK_APP_TOKEN ? { appToken: env.SLACK_APP_TOKEN } : {}),
      apiUrl: env.SLACK_API_URL,
      socketMode: Boolean(env.SLACK_APP_TOKEN),
    },
    defaultLocale: env.DEFAULT_LOCALE,
  };
}

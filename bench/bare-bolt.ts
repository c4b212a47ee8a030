import { App, LogLevel } from '@slack/bolt';
import { ACTIONS, COMMAND } from '../src/slack/ids.js';

// The floor for ack latency: the same Bolt version and HTTP receiver, the same signing check and
// the same ids as the bot, but listeners that only ack.

export interface BareBoltOptions {
  botToken: string;
  signingSecret: string;
  slackApiUrl: string;
}

const quietLogger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.INFO,
  setName: () => {},
};

export function createBareBolt(options: BareBoltOptions): App {
  const app = new App({
    token: options.botToken,
    signingSecret: options.signingSecret,
    logger: quietLogger,
    logLevel: LogLevel.INFO,
    clientOptions: { slackApiUrl: options.slackApiUrl },
  });
  app.command(COMMAND, async ({ ack }) => {
    await ack();
  });
  for (const actionId of [ACTIONS.approve, ACTIONS.reject]) {
    app.action(actionId, async ({ ack }) => {
      await ack();
    });
  }
  return app;
}

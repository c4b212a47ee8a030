import { config as loadDotenv } from 'dotenv';
import { createBot } from './app/bot.js';
import { createRedactor, describeError } from './app/logger.js';
import { loadConfig } from './config/config.js';

// Entry point: .env -> validated config -> bot. Stops gracefully on SIGTERM/SIGINT (run `node`
// directly in containers: npm does not forward signals to the program it started).

loadDotenv({ quiet: true });

let secrets: readonly string[] = [];

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  secrets = config.secrets;
  const bot = await createBot(config);

  // A bug that escapes every handler: log it (redacted, no stack) and exit non-zero so the
  // supervisor restarts the bot; the journal resumes whatever was running.
  const crash = (kind: string) => (error: unknown) => {
    bot.logger.error(`${kind}: stopping`, { error });
    process.exit(1);
  };
  process.on('uncaughtException', crash('uncaught exception'));
  process.on('unhandledRejection', crash('unhandled rejection'));

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    bot.logger.info('stopping', { signal });
    bot.stop().then(
      () => process.exit(0),
      (error) => {
        bot.logger.error('stop failed', { error });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  try {
    await bot.start();
  } catch (error) {
    // Stopped before it had started (Socket Mode still connecting): stop() exits, cleanly.
    if (stopping) return;
    throw error;
  }
}

main().catch((error: unknown) => {
  // Config, store and Slack start-up errors are written for people: the message alone, no stack.
  const described = describeError(error);
  const message =
    typeof described === 'string'
      ? described
      : String(described.message || described.code || described.name || 'an unknown error');
  process.stderr.write(`attach-key-bot cannot start: ${createRedactor(secrets)(message)}\n`);
  process.exit(1);
});

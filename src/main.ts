import { config as loadDotenv } from 'dotenv';
import { createBot } from './bot.js';
import { ConfigError, loadConfig } from './config.js';

// Entry point: .env -> validated config -> bot. Stops gracefully on SIGTERM/SIGINT (run `node`
// directly in containers: npm does not forward signals to the program it started).

loadDotenv({ quiet: true });

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const bot = await createBot(config);
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
  await bot.start();
}

main().catch((error: unknown) => {
  // Config and store errors are written for people: print the message alone, no stack.
  const coded = error as { code?: unknown; message?: unknown };
  if (error instanceof ConfigError || typeof coded?.code === 'string') {
    process.stderr.write(`attach-key-bot cannot start: ${String(coded.message)}\n`);
  } else {
    process.stderr.write(`attach-key-bot cannot start: ${String(error)}\n`);
  }
  process.exit(1);
});

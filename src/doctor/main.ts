import { config as loadDotenv } from 'dotenv';
import { runDoctor } from './doctor.js';
import { doctorTexts, localeFromEnv } from './i18n/index.js';

// Entry point of `npm run doctor`: .env -> every check, one line each -> exit status 0 only when
// all of them passed. The summary speaks the lines' language (DEFAULT_LOCALE).

loadDotenv({ quiet: true });

try {
  const report = await runDoctor(process.env, {
    write: (line) => process.stdout.write(`${line}\n`),
  });
  const { summary } = doctorTexts(report.locale);
  const failed = report.checks.filter((c) => c.ok === false).length;
  const skipped = report.checks.filter((c) => c.ok === 'skipped').length;
  process.stdout.write(
    `\n${report.ok ? summary.passed(report.checks.length) : summary.failed(failed, skipped)}\n`,
  );
  process.exitCode = report.ok ? 0 : 1;
} catch (error) {
  // runDoctor turns every failure into a line; reaching here is a bug. Name only: no message.
  const t = doctorTexts(localeFromEnv(process.env));
  process.stderr.write(`${t.crashed(String((error as Error)?.name))}\n`);
  process.exitCode = 2;
}

import { config as loadDotenv } from 'dotenv';
import { runDoctor } from './doctor.js';

// Entry point of `npm run doctor`: .env -> every check, one line each -> exit status 0 only when
// all of them passed.

loadDotenv({ quiet: true });

try {
  const report = await runDoctor(process.env, {
    write: (line) => process.stdout.write(`${line}\n`),
  });
  const failed = report.checks.filter((c) => c.ok === false).length;
  const skipped = report.checks.filter((c) => c.ok === 'skipped').length;
  process.stdout.write(
    report.ok
      ? `\nAll ${report.checks.length} checks passed.\n`
      : `\n${failed} failed, ${skipped} skipped: fix the FAIL lines first, then run npm run doctor again.\n`,
  );
  process.exitCode = report.ok ? 0 : 1;
} catch (error) {
  // runDoctor turns every failure into a line; reaching here is a bug. Name only: no message.
  process.stderr.write(`doctor crashed (a bug, please report it): ${(error as Error)?.name}\n`);
  process.exitCode = 2;
}

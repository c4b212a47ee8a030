import { randomBytes } from 'node:crypto';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { inspectLowdbStore } from '../store/lowdb-store.js';
import { type PgProbe, probePostgres } from '../store/pg-doctor.js';
import type { DoctorTexts, Words } from './i18n/en.js';
import { codeOf, errorText, fail, pass, type Result, skip } from './lines.js';

// The doctor's storage lines: the data directory can be written, and the request store (the
// lowdb file, or PostgreSQL when DATABASE_URL is set) can be read as the bot would read it.

export async function checkDataDirectory(dataFile: string, t: DoctorTexts): Promise<Result> {
  const d = t.storage;
  const dir = dirname(resolve(dataFile));
  let created: string | undefined;
  try {
    created = await mkdir(dir, { recursive: true });
  } catch (error) {
    return fail(d.cannotCreate(dir, codeOf(error) ?? t.common.unknownError), d.cannotCreateFix);
  }
  const probe = join(dir, `.doctor-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(probe, 'probe\n', { flag: 'wx' });
    await rm(probe);
  } catch (error) {
    await rm(probe, { force: true }).catch(() => {});
    return fail(d.cannotWrite(dir, codeOf(error) ?? t.common.unknownError), d.cannotWriteFix(dir));
  }
  return pass(d.writable(dir, created !== undefined));
}

export async function checkRequestStore(
  dataFile: string,
  directoryOk: boolean,
  t: DoctorTexts,
): Promise<Result> {
  const d = t.storage;
  const file = resolve(dataFile);
  const missing = await stat(file).then(
    () => false,
    (error: unknown) => ['ENOENT', 'ENOTDIR'].includes(codeOf(error) ?? ''),
  );
  if (missing) return directoryOk ? pass(d.notYet(file)) : skip(d.waitsForDirectory(file));
  try {
    // The store's own reading, so a bad file is reported with the store's own words; it writes
    // nothing (an older format is upgraded by the bot, not here).
    return pass(d.readsFine(file, await inspectLowdbStore(file)));
  } catch (error) {
    // StoreError messages already say what to do.
    return fail(d.storeError(errorText(error)));
  }
}

export async function checkPostgres(
  url: string,
  timeoutMs: number,
  t: DoctorTexts,
): Promise<Result> {
  const probe = await probePostgres(url, timeoutMs);
  const words = describePgProbe(probe, t);
  return probe.ok ? pass(words.text) : fail(words.text, words.fix);
}

// The catalogue types each entry by its own kind; called through the union, one cast says so.
function describePgProbe(probe: PgProbe, t: DoctorTexts): Words {
  return (t.storage.pg[probe.kind] as (p: PgProbe) => Words)(probe);
}

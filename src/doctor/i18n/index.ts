import { type Locale, localeFromSlack } from '../../slack/i18n/locale.js';
import { type DoctorTexts, enDoctor } from './en.js';
import { zhDoctor } from './zh.js';

// The doctor's catalogues by locale. It speaks DEFAULT_LOCALE, as channel messages do.

export type { DoctorTexts } from './en.js';

const CATALOGUES: Record<Locale, DoctorTexts> = { en: enDoctor, 'zh-CN': zhDoctor };

export function doctorTexts(locale: Locale): DoctorTexts {
  return CATALOGUES[locale];
}

/**
 * DEFAULT_LOCALE from the raw environment, for when the config does not parse (that variable
 * may be the bad one): `zh`, `zh-*` → Chinese, anything else → English.
 */
export function localeFromEnv(env: Record<string, string | undefined>): Locale {
  return localeFromSlack(env.DEFAULT_LOCALE?.trim(), 'en');
}

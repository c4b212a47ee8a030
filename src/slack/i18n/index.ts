import { type Catalogue, en } from './en.js';
import type { Locale } from './locale.js';

// Every catalogue by locale.

export type { Catalogue } from './en.js';
export { LOCALES, type Locale, localeFromSlack } from './locale.js';

const CATALOGUES: Record<Locale, Catalogue> = {
  en,
  // Replaced by the Chinese catalogue (issue 13); until then Chinese readers get English.
  'zh-CN': en,
};

export function catalogue(locale: Locale): Catalogue {
  return CATALOGUES[locale];
}

import { type Catalogue, en } from './en.js';
import type { Locale } from './locale.js';
import { zh } from './zh.js';

// Every catalogue by locale.

export type { Catalogue } from './en.js';
export { LOCALES, type Locale, localeFromSlack } from './locale.js';

const CATALOGUES: Record<Locale, Catalogue> = {
  en,
  'zh-CN': zh,
};

export function catalogue(locale: Locale): Catalogue {
  return CATALOGUES[locale];
}

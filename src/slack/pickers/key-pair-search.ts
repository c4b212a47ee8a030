import type { KeyPairInfo } from '../../domain/request.js';
import type { EcsApi } from '../../service/ports.js';
import { cloudHint } from './answers.js';
import type { Lookups } from './lookups.js';
import { type KeyPairMatches, MAX_OPTIONS } from './matches.js';

// Key pair search: a region has few key pairs, so the first answer without text (up to 100) is
// kept, and while it holds the whole region every search is answered from it without a call.
// Otherwise the text goes to DescribeKeyPairs' KeyPairName filter (fuzzy). When the cloud is slow
// or refuses, the kept list is searched instead and a hint says so.

export interface KeyPairSearch {
  search(region: string, text: string, waitMs: number): Promise<KeyPairMatches>;
  warm(region: string): void;
}

export function createKeyPairSearch(options: {
  ecs: Pick<EcsApi, 'suggestKeyPairs'>;
  lookups: Lookups;
}): KeyPairSearch {
  const { ecs, lookups } = options;
  const key = (region: string, lower: string) => `key-pairs\n${region}\n${lower}`;
  const ask = (region: string, text: string) => () =>
    ecs.suggestKeyPairs({ region, text, limit: MAX_OPTIONS });
  const matching = (all: readonly KeyPairInfo[], lower: string) =>
    all.filter((k) => k.keyPairName.toLowerCase().includes(lower) || k.keyPairId === lower);

  return {
    warm(region) {
      void lookups.get(key(region, ''), ask(region, ''), 0);
    },
    async search(region, text, waitMs) {
      const query = text.trim();
      const lower = query.toLowerCase();
      const all = lookups.peek<KeyPairInfo[]>(key(region, ''));
      if (all && all.length < MAX_OPTIONS) return { keyPairs: matching(all, lower), hints: [] };
      const found = await lookups.get(key(region, lower), ask(region, query), waitMs);
      if (found.state === 'ok') {
        const more = found.value.length >= MAX_OPTIONS;
        return {
          keyPairs: found.value,
          hints: more ? [{ kind: 'more', shown: MAX_OPTIONS - 1 }] : [],
        };
      }
      return { keyPairs: matching(all ?? [], lower), hints: [cloudHint(found)] };
    },
  };
}

// Chinese segmentation with jieba (its dictionary ships in the package). Loaded once per process,
// on first use (~0.3 s), so processes that never segment never pay for it.
import { createRequire } from 'node:module';
import type { Jieba } from '@node-rs/jieba';
import { normalize } from './normalize.ts';

const require = createRequire(import.meta.url);
let jieba: Jieba | undefined;

function instance(): Jieba {
  if (!jieba) {
    const { Jieba: J } = require('@node-rs/jieba') as typeof import('@node-rs/jieba');
    const { dict } = require('@node-rs/jieba/dict') as { dict: Uint8Array };
    jieba = J.withDict(dict);
  }
  return jieba;
}

const WORDISH = /[\p{L}\p{N}]/u;

/** Words of a text (punctuation and spaces dropped). */
export function segment(text: string): string[] {
  return instance().cut(normalize(text), false).filter((w) => WORDISH.test(w));
}

/** Index terms for search: fine-grained (search mode), lower-cased, unique. */
export function searchTerms(text: string): string[] {
  return [...new Set(instance().cutForSearch(normalize(text), false).filter((w) => WORDISH.test(w)).map((w) => w.toLowerCase()))];
}

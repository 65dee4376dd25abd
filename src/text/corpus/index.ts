// The built-in labelled opinion corpus (src/text/corpus/*.jsonl, one JSON object a line) and the
// classifier shipped trained on it.
//
// The split is by claim group, never by post: a claim's near-duplicate variants are all in train or all
// in test (FNV-1a of `claim`, mod 4 == 0 → test, about a quarter), so the held-out figures are not
// inflated by a variant of a test post sitting in train.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Category } from '../classifier.ts';
import { OpinionClassifier } from '../classifier.ts';

export interface CorpusExample {
  id: string;
  text: string;
  relevant: boolean;
  category: Category;
  style: string;
  /** Shared by the near-duplicate variants of one post. */
  claim: string;
  /** The file it came from (e.g. "opinion-a.jsonl"). */
  source: string;
}

const DIR = path.dirname(fileURLToPath(import.meta.url));
const CATEGORIES = new Set(['rumor', 'price_gouging', 'concern', 'positive', 'other']);

export function claimHash(claim: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < claim.length; i++) h = Math.imul(h ^ claim.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Whether a claim group is in the held-out split. */
export const isTestClaim = (claim: string) => claimHash(claim) % 4 === 0;

let cached: { train: CorpusExample[]; test: CorpusExample[]; all: CorpusExample[] } | undefined;

/** Reads every *.jsonl of the corpus folder (sorted by name), validates each line, splits by claim. */
export function loadCorpus(dir = DIR): { train: CorpusExample[]; test: CorpusExample[]; all: CorpusExample[] } {
  if (dir === DIR && cached) return cached;
  const all: CorpusExample[] = [];
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort() : [];
  for (const file of files) {
    const lines = fs.readFileSync(path.join(dir, file), 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (!line.trim()) return;
      let row: Record<string, unknown>;
      try {
        row = JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`${file}:${i + 1}: not JSON`);
      }
      const { id, text, relevant, category, style, claim } = row;
      if (typeof id !== 'string' || typeof text !== 'string' || typeof relevant !== 'boolean' || typeof category !== 'string' || !CATEGORIES.has(category)) {
        throw new Error(`${file}:${i + 1}: needs id, text, relevant (boolean) and category (${[...CATEGORIES].join('/')})`);
      }
      all.push({
        id,
        text,
        relevant,
        // Irrelevant posts are "other" whatever the line says.
        category: relevant ? (category as Category) : 'other',
        style: typeof style === 'string' ? style : '',
        claim: typeof claim === 'string' && claim ? claim : id,
        source: file,
      });
    });
  }
  const result = { train: all.filter((e) => !isTestClaim(e.claim)), test: all.filter((e) => isTestClaim(e.claim)), all };
  if (dir === DIR) cached = result;
  return result;
}

let memo: OpinionClassifier | undefined;

/** The classifier trained on the corpus's train split (memoised per process; deterministic). */
export function defaultClassifier(): OpinionClassifier {
  memo ??= OpinionClassifier.train(loadCorpus().train);
  return memo;
}

/**
 * Pair counts of a clustering against the corpus's claims: tp = same claim and clustered together,
 * fp = clustered together across claims, fn = same claim split apart. Recall tp/(tp+fn), precision tp/(tp+fp).
 */
export function pairCounts(claims: readonly string[], clusters: readonly string[]): { tp: number; fp: number; fn: number } {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < claims.length; i++) {
    for (let j = i + 1; j < claims.length; j++) {
      const same = claims[i] === claims[j];
      const together = clusters[i] === clusters[j];
      if (same && together) tp++;
      else if (together) fp++;
      else if (same) fn++;
    }
  }
  return { tp, fp, fn };
}

// Keyword groups for opinion monitoring: an Aho–Corasick automaton over every term of every group (one
// pass over a post finds all of them), and the rule language analysts write groups in:
//
//   (疫情|肺炎|新冠) AND (涨价|哄抬) NOT (股价)
//
// Grammar (whitespace-insensitive; full-width symbols such as （）｜＆！ are accepted):
//   rule    := or
//   or      := and  ( ("|" | "||" | OR | 或) and )*
//   and     := unary ( ("&" | "&&" | AND | 且)? unary            -- juxtaposition is AND
//                    | (NOT | 非 | "!") unary )*                  -- "A NOT B" is A AND NOT B
//   unary   := (NOT | 非 | "!") unary | primary
//   primary := term | '"' phrase '"' | '“' phrase '”' | "(" rule ")"
// Precedence NOT > AND > OR. AND/OR/NOT are operators in any letter case when they stand alone; the
// Chinese 且/或/非 only when they stand alone between spaces or brackets (so 非法, 或者, 并且 stay terms).
// A term is a run of anything else: 疫情, covid-19, 口罩. Terms are normalised like posts (normalizePost:
// traditional → simplified, lower case, full-width → half-width), so they match normalised text. A term
// that starts or ends with a Latin letter or a digit matches only where the text changes class there
// ("sars" not inside "sarsaparilla", but "covid" in "covid19").
// A rule must need at least one term to be present: a rule that is true for a post with none of its terms
// (e.g. `NOT 股价`) is refused, since it would match almost every post.
import { normalizePost } from './normalize.ts';

// ---- a trie over UTF-16 code units, transitions in one open-addressing hash table ------------------

/**
 * A character trie whose transitions live in typed arrays (no per-node objects): the root's 65,536
 * transitions are a direct table, the rest an open-addressing hash keyed by (node, code unit). Used to
 * build the keyword automaton and the dictionary segmenter's tables (segment.ts).
 */
export class CharTrie {
  size = 1; // nodes; the root is 0
  readonly root = new Int32Array(65536).fill(-1);
  /** Slots of 3 int32: node + 1 (0 = empty), code unit, child. */
  table: Int32Array;
  mask: number;
  private used = 0;

  constructor(expectedEdges = 1024) {
    let cap = 1024;
    while (cap < expectedEdges * 2) cap *= 2;
    this.mask = cap - 1;
    this.table = new Int32Array(cap * 3);
  }

  /** The child of `node` by code unit `c`, or -1. */
  child(node: number, c: number): number {
    return node === 0 ? this.root[c]! : childOf(this.table, this.mask, node, c);
  }

  /** The child of `node` by `c`, created if missing. */
  add(node: number, c: number): number {
    const existing = this.child(node, c);
    if (existing >= 0) return existing;
    const id = this.size++;
    if (node === 0) {
      this.root[c] = id;
      return id;
    }
    if ((this.used + 1) * 2 > this.mask + 1) this.grow();
    this.put(node, c, id);
    return id;
  }

  private put(node: number, c: number, id: number) {
    const t = this.table;
    let h = slot(node, c) & this.mask;
    while (t[h * 3] !== 0) h = (h + 1) & this.mask;
    t[h * 3] = node + 1;
    t[h * 3 + 1] = c;
    t[h * 3 + 2] = id;
    this.used++;
  }

  private grow() {
    const old = this.table;
    this.mask = (this.mask + 1) * 2 - 1;
    this.table = new Int32Array((this.mask + 1) * 3);
    this.used = 0;
    for (let i = 0; i < old.length; i += 3) if (old[i] !== 0) this.put(old[i]! - 1, old[i + 1]!, old[i + 2]!);
  }
}

/** The child of a non-root `node` by code unit `c` in a CharTrie's table, or -1. */
function childOf(t: Int32Array, mask: number, node: number, c: number): number {
  const kn = node + 1;
  let h = slot(node, c) & mask;
  for (;;) {
    const i = h * 3;
    const k = t[i]!;
    if (k === 0) return -1;
    if (k === kn && t[i + 1] === c) return t[i + 2]!;
    h = (h + 1) & mask;
  }
}

/** The hash of an edge (node, code unit) that places it in a CharTrie's table. */
export function slot(node: number, c: number): number {
  let h = Math.imul(node, 0x9e3779b1) ^ Math.imul(c + 0x7f4a7c15, 0x85ebca6b);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 12);
}

// ---- Aho–Corasick -------------------------------------------------------------------------------

/** Rows longer than this (in transitions) are not completed from the failure chain (see KeywordAutomaton). */
const MAX_INHERITED_ROW = 8;

const cls = (c: number) => (c >= 0x30 && c <= 0x39 ? 1 : (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) ? 2 : 0);

/**
 * All of many terms in one pass over a text. Terms are normalised with normalizePost (so match on
 * normalised text); ids are indexes into the constructor's array. Terms that are empty after
 * normalisation never match.
 */
export class KeywordAutomaton {
  readonly size: number;
  // The automaton is scanned over an alphabet of the code units that occur in terms (`alpha`: class
  // 1…, 0 for every other code unit). Each state has a row of transitions, packed into `cells` by row
  // displacement: the transition of state s by class x is cells[2(base[s] + x) + 1] when
  // cells[2(base[s] + x)] is s. A missing transition continues at `next[s]`'s row, and at the root
  // with `rootNext[x]`. Most states' rows are *complete* (next is the root): besides the state's own
  // trie edges they hold every transition its failure chain would give other than the root's, so a
  // character costs one row lookup and the failure chain is not walked. A state whose complete row
  // would be long (its failure target has many children) keeps its own edges only and next is its
  // failure target, which bounds the memory of large lexicons.
  private readonly alpha: Uint16Array;
  private readonly rootNext: Int32Array;
  private readonly base: Int32Array;
  private readonly next: Int32Array;
  private readonly cells: Int32Array;
  /** First term ending at a node (-1), further ones through `sameNext`. */
  private readonly termAt: Int32Array;
  private readonly sameNext: Int32Array;
  /** Nearest proper suffix node at which some term ends (-1). */
  private readonly outLink: Int32Array;
  /** The first node whose terms end at a node: the node itself if a term ends there, else outLink (-1). */
  private readonly outAt: Int32Array;
  private readonly termLen: Int32Array;
  /** Class (1 digit, 2 letter, 0 other) of a term's first and last code unit, for boundary checks. */
  private readonly headCls: Uint8Array;
  private readonly tailCls: Uint8Array;
  private stamp: Int32Array;
  private gen = 0;

  constructor(terms: readonly string[]) {
    this.size = terms.length;
    const norm = terms.map((t) => normalizePost(t));
    const total = norm.reduce((a, t) => a + t.length, 0);
    const trie = new CharTrie(total + 16);
    const ends: number[] = [];
    const children: number[][] = [[]];
    for (const t of norm) {
      let s = 0;
      for (let i = 0; i < t.length; i++) {
        const before = trie.size;
        const next = trie.add(s, t.charCodeAt(i));
        if (trie.size > before) {
          children[s]!.push(next);
          children.push([]);
        }
        s = next;
      }
      ends.push(t.length ? s : -1);
    }
    const n = trie.size;
    this.termAt = new Int32Array(n).fill(-1);
    this.sameNext = new Int32Array(Math.max(1, terms.length)).fill(-1);
    this.termLen = new Int32Array(Math.max(1, terms.length));
    this.headCls = new Uint8Array(Math.max(1, terms.length));
    this.tailCls = new Uint8Array(Math.max(1, terms.length));
    for (let id = terms.length - 1; id >= 0; id--) {
      const node = ends[id]!;
      const t = norm[id]!;
      this.termLen[id] = t.length;
      if (node < 0) continue;
      this.headCls[id] = cls(t.charCodeAt(0));
      this.tailCls[id] = cls(t.charCodeAt(t.length - 1));
      this.sameNext[id] = this.termAt[node]!;
      this.termAt[node] = id;
    }
    // Failure and output links, breadth first. The character of each edge is needed: recover it from
    // the node by remembering it while walking.
    const fail = new Int32Array(n);
    this.outLink = new Int32Array(n).fill(-1);
    const edgeChar = new Uint16Array(n);
    for (const t of norm) {
      let s = 0;
      for (let i = 0; i < t.length; i++) {
        s = trie.child(s, t.charCodeAt(i));
        edgeChar[s] = t.charCodeAt(i);
      }
    }
    const queue = new Int32Array(n);
    let head = 0;
    let tail = 0;
    for (const c of children[0]!) queue[tail++] = c;
    while (head < tail) {
      const s = queue[head++]!;
      for (const u of children[s]!) {
        const c = edgeChar[u]!;
        let f = fail[s]!;
        let g = trie.child(f, c);
        while (g < 0 && f !== 0) {
          f = fail[f]!;
          g = trie.child(f, c);
        }
        const fu = g >= 0 && g !== u ? g : 0;
        fail[u] = fu;
        this.outLink[u] = this.termAt[fu]! >= 0 ? fu : this.outLink[fu]!;
        queue[tail++] = u;
      }
    }
    this.outAt = this.termAt.map((id, s) => (id >= 0 ? s : this.outLink[s]!));
    this.stamp = new Int32Array(Math.max(1, terms.length));
    this.found = new Int32Array(Math.max(16, Math.min(terms.length, 1024)));

    // The alphabet, and the root's transitions by class (0: stay at the root). 16-bit classes keep the
    // table at 128 KiB (its lines stay cached better); they fit, as normalised terms never contain the
    // code units normalizePost drops (controls among them), so there are fewer than 65,536 classes.
    const alpha = new Uint16Array(65536);
    let classes = 1;
    for (const t of norm) for (let i = 0; i < t.length; i++) if (alpha[t.charCodeAt(i)] === 0) alpha[t.charCodeAt(i)] = classes++;
    const rootNext = new Int32Array(classes);
    for (let c = 0; c < 65536; c++) if (trie.root[c]! >= 0) rootNext[alpha[c]!] = trie.root[c]!;
    // Rows as pairs (class, target), breadth first (a failure target is shallower, so done first): own
    // edges, then — when the failure target's row is complete and the result stays short — its
    // transitions by the classes the state has no edge for (an inherited target is never the root's
    // transition: it is deeper).
    const rows: number[][] = new Array(n);
    const next = new Int32Array(n);
    const complete = new Uint8Array(n);
    complete[0] = 1;
    rows[0] = [];
    for (let q = 0; q < tail; q++) {
      const u = queue[q]!;
      const row = children[u]!.flatMap((v) => [alpha[edgeChar[v]!]!, v]);
      const f = fail[u]!;
      const inherited = rows[f]!;
      if (complete[f] && row.length + inherited.length <= 2 * MAX_INHERITED_ROW) {
        const own = new Set(row.filter((_, k) => k % 2 === 0));
        for (let k = 0; k < inherited.length; k += 2) if (!own.has(inherited[k]!)) row.push(inherited[k]!, inherited[k + 1]!);
        complete[u] = 1;
      } else next[u] = f;
      rows[u] = row;
    }
    // Row displacement, longest rows first: each row goes at a pseudo-random base in [0, span) whose
    // cells are free (span is four times the number of transitions, so most cells stay free and few
    // tries are needed), else just past every used cell. Rows are short (MAX_INHERITED_ROW), so the
    // default lexicon's table is about 50 KB and stays in cache.
    let entries = 0;
    for (const row of rows) entries += row.length / 2;
    const span = 4 * entries + 64;
    const base = new Int32Array(n);
    let cells = new Int32Array(2 * (span + classes)).fill(-1);
    let top = span; // cells from here on are free
    let seed = 0x9e3779b9;
    const order = Array.from({ length: n }, (_, s) => s).filter((s) => rows[s]!.length > 0).sort((a, b) => rows[b]!.length - rows[a]!.length);
    for (const u of order) {
      const row = rows[u]!;
      const fits = (b: number) => {
        for (let k = 0; k < row.length; k += 2) if (cells[2 * (b + row[k]!)] !== -1) return false;
        return true;
      };
      let b = -1;
      for (let tries = 0; tries < 64 && b < 0; tries++) {
        seed = Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5;
        const at = (seed >>> 0) % span;
        if (fits(at)) b = at;
      }
      if (b < 0) {
        let lo = classes;
        let hi = 0;
        for (let k = 0; k < row.length; k += 2) {
          lo = Math.min(lo, row[k]!);
          hi = Math.max(hi, row[k]!);
        }
        b = top - lo;
        top += hi - lo + 1;
        if (2 * (b + classes) > cells.length) {
          const bigger = new Int32Array(Math.max(2 * cells.length, 2 * (b + classes))).fill(-1);
          bigger.set(cells);
          cells = bigger;
        }
      }
      base[u] = b;
      for (let k = 0; k < row.length; k += 2) {
        cells[2 * (b + row[k]!)] = u;
        cells[2 * (b + row[k]!) + 1] = row[k + 1]!;
      }
    }
    this.alpha = alpha;
    this.rootNext = rootNext;
    this.base = base;
    this.next = next;
    this.cells = cells;
  }

  /** Ids of the terms found in `text` (each once, in order of first occurrence). */
  matchIds(text: string): number[] {
    const n = this.scanInto(text);
    return Array.from(this.found.subarray(0, n));
  }

  /** Calls `found(id)` once per distinct term present in `text`. */
  scan(text: string, found: (id: number) => void): void {
    const n = this.scanInto(text);
    for (let i = 0; i < n; i++) found(this.found[i]!);
  }

  /** Ids found by the last scanInto (the first `n` entries). */
  found: Int32Array;

  /**
   * Scans `text`, writing the ids of the distinct terms present into `this.found` (in order of first
   * occurrence); returns how many. The hot path: no allocation, no callbacks.
   */
  scanInto(text: string): number {
    if (++this.gen === 0x7fffffff) {
      this.stamp.fill(0);
      this.gen = 1;
    }
    const gen = this.gen;
    const { termAt, outLink, outAt, stamp, sameNext, alpha, rootNext, base, next, cells } = this;
    let out = this.found;
    let count = 0;
    const n = text.length;
    let s = 0;
    for (let i = 0; i < n; i++) {
      const x = alpha[text.charCodeAt(i)]!;
      for (;;) {
        const j = (base[s]! + x) << 1;
        if (cells[j] === s) {
          s = cells[j + 1]!;
          break;
        }
        s = next[s]!;
        if (s === 0) {
          s = rootNext[x]!;
          break;
        }
      }
      let o = outAt[s]!;
      while (o >= 0) {
        for (let id = termAt[o]!; id >= 0; id = sameNext[id]!) {
          if (stamp[id] === gen) continue;
          if (this.boundaryOk(text, i, id)) {
            stamp[id] = gen;
            if (count === out.length) {
              const bigger = new Int32Array(out.length * 2);
              bigger.set(out);
              this.found = out = bigger;
            }
            out[count++] = id;
          }
        }
        o = outLink[o]!;
      }
    }
    this.lastCount = count;
    return count;
  }

  /** How many ids the last scanInto found. */
  lastCount = 0;

  private boundaryOk(text: string, end: number, id: number): boolean {
    const h = this.headCls[id]!;
    const t = this.tailCls[id]!;
    if (h !== 0) {
      const start = end - this.termLen[id]! + 1;
      if (start > 0 && cls(text.charCodeAt(start - 1)) === h) return false;
    }
    if (t !== 0 && end + 1 < text.length && cls(text.charCodeAt(end + 1)) === t) return false;
    return true;
  }
}

// ---- rules --------------------------------------------------------------------------------------

export type RuleNode =
  | { type: 'term'; term: string; position: number }
  | { type: 'and'; children: RuleNode[] }
  | { type: 'or'; children: RuleNode[] }
  | { type: 'not'; child: RuleNode };

/** A rule that does not parse. `position` is the 0-based offset in the rule; the message (zh-CN) gives it 1-based. */
export class RuleSyntaxError extends Error {
  readonly position: number;
  constructor(message: string, position: number) {
    super(message);
    this.name = 'RuleSyntaxError';
    this.position = position;
  }
}

type Tok = { kind: 'term' | 'and' | 'or' | 'not' | 'lp' | 'rp' | 'end'; text: string; pos: number };

export const MAX_TERM_LENGTH = 64;
const OPS: Record<string, Tok['kind']> = { and: 'and', or: 'or', not: 'not', 且: 'and', 或: 'or', 非: 'not' };
const at = (pos: number) => `第 ${pos + 1} 个字符处`;

function lex(expr: string): Tok[] {
  const toks: Tok[] = [];
  // Full-width → half-width keeps offsets (one code unit for one), so positions refer to the original.
  const s = expr.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ');
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(') {
      toks.push({ kind: 'lp', text: c, pos: i++ });
    } else if (c === ')') {
      toks.push({ kind: 'rp', text: c, pos: i++ });
    } else if (c === '|' || c === '&') {
      const two = s[i + 1] === c;
      toks.push({ kind: c === '|' ? 'or' : 'and', text: two ? c + c : c, pos: i });
      i += two ? 2 : 1;
    } else if (c === '!') {
      toks.push({ kind: 'not', text: c, pos: i++ });
    } else if (c === '"' || c === '“') {
      const close = c === '"' ? '"' : '”';
      const j = s.indexOf(close, i + 1);
      if (j < 0) throw new RuleSyntaxError(`${at(i)}的引号没有闭合`, i);
      const phrase = s.slice(i + 1, j);
      if (!phrase.trim()) throw new RuleSyntaxError(`${at(i)}的引号中没有内容`, i);
      toks.push({ kind: 'term', text: phrase, pos: i });
      i = j + 1;
    } else if (c === '”') {
      throw new RuleSyntaxError(`${at(i)}多了一个右引号“””`, i);
    } else {
      let j = i;
      while (j < s.length && !/[\s()|&!"“”]/.test(s[j]!)) j++;
      const word = s.slice(i, j);
      const op = OPS[word.toLowerCase()];
      toks.push(op ? { kind: op, text: word, pos: i } : { kind: 'term', text: word, pos: i });
      i = j;
    }
  }
  toks.push({ kind: 'end', text: '', pos: s.length });
  return toks;
}

/** Parses a rule into its syntax tree; throws RuleSyntaxError (message in Chinese, with the position). */
export function parseRule(expr: string): RuleNode {
  if (!expr.trim()) throw new RuleSyntaxError('规则为空：请至少写一个关键词', 0);
  const toks = lex(expr);
  let k = 0;
  const peek = () => toks[k]!;
  const opName = (t: Tok) => `“${t.text}”`;

  const primary = (after?: Tok): RuleNode => {
    const t = peek();
    if (t.kind === 'term') {
      k++;
      const norm = normalizePost(t.text);
      if (!norm) throw new RuleSyntaxError(`${at(t.pos)}的关键词“${t.text}”只含符号或表情，规范化后为空`, t.pos);
      if (norm.length > MAX_TERM_LENGTH) throw new RuleSyntaxError(`${at(t.pos)}的关键词过长（超过 ${MAX_TERM_LENGTH} 个字）`, t.pos);
      return { type: 'term', term: norm, position: t.pos };
    }
    if (t.kind === 'lp') {
      k++;
      if (peek().kind === 'rp') throw new RuleSyntaxError(`${at(t.pos)}的括号中没有内容`, t.pos);
      const inner = or();
      if (peek().kind !== 'rp') {
        const u = peek();
        if (u.kind === 'end') throw new RuleSyntaxError(`${at(t.pos)}的左括号“(”没有对应的右括号`, t.pos);
        throw new RuleSyntaxError(`${at(u.pos)}出现了意外的${opName(u)}`, u.pos);
      }
      k++;
      return inner;
    }
    if (t.kind === 'rp') {
      if (after) throw new RuleSyntaxError(`${at(after.pos)}的${opName(after)}后面缺少关键词或括号`, after.pos);
      throw new RuleSyntaxError(`${at(t.pos)}多了一个右括号“)”`, t.pos);
    }
    if (t.kind === 'end') {
      if (after) throw new RuleSyntaxError(`${at(after.pos)}的${opName(after)}后面缺少关键词或括号`, after.pos);
      throw new RuleSyntaxError('规则为空：请至少写一个关键词', t.pos);
    }
    // and / or at a place where an operand is expected
    if (after) throw new RuleSyntaxError(`${at(after.pos)}的${opName(after)}后面缺少关键词或括号`, after.pos);
    throw new RuleSyntaxError(`${at(t.pos)}的${opName(t)}前面缺少关键词或括号`, t.pos);
  };

  const unary = (after?: Tok): RuleNode => {
    const t = peek();
    if (t.kind === 'not') {
      k++;
      return { type: 'not', child: unary(t) };
    }
    return primary(after);
  };

  const and = (after?: Tok): RuleNode => {
    const items = [unary(after)];
    for (;;) {
      const t = peek();
      if (t.kind === 'and') {
        k++;
        items.push(unary(t));
      } else if (t.kind === 'not') {
        k++;
        items.push({ type: 'not', child: unary(t) });
      } else if (t.kind === 'term' || t.kind === 'lp') {
        items.push(unary());
      } else break;
    }
    return items.length === 1 ? items[0]! : { type: 'and', children: items };
  };

  const or = (): RuleNode => {
    const items = [and()];
    while (peek().kind === 'or') {
      const t = toks[k++]!;
      items.push(and(t));
    }
    return items.length === 1 ? items[0]! : { type: 'or', children: items };
  };

  const tree = or();
  const rest = peek();
  if (rest.kind === 'rp') throw new RuleSyntaxError(`${at(rest.pos)}多了一个右括号“)”`, rest.pos);
  if (rest.kind !== 'end') throw new RuleSyntaxError(`${at(rest.pos)}出现了意外的${opName(rest)}`, rest.pos);
  if (evaluateRule(tree, () => false)) {
    throw new RuleSyntaxError('规则不能只有排除条件（NOT/非）：至少要有一个必须出现的关键词', 0);
  }
  return tree;
}

/** Evaluates a rule given which terms (normalised) are present. */
export function evaluateRule(node: RuleNode, has: (term: string) => boolean): boolean {
  switch (node.type) {
    case 'term':
      return has(node.term);
    case 'and':
      return node.children.every((c) => evaluateRule(c, has));
    case 'or':
      return node.children.some((c) => evaluateRule(c, has));
    case 'not':
      return !evaluateRule(node.child, has);
  }
}

/** Every term of a rule (normalised), once each. */
export function ruleTerms(node: RuleNode, into: Set<string> = new Set()): Set<string> {
  if (node.type === 'term') into.add(node.term);
  else if (node.type === 'not') ruleTerms(node.child, into);
  else for (const c of node.children) ruleTerms(c, into);
  return into;
}

/** The rule written back in canonical form (for display and round-trip tests). */
export function formatRule(node: RuleNode): string {
  const term = (t: string) => (/^[^\s()|&!"“”]+$/.test(t) && !OPS[t.toLowerCase()] ? t : `"${t}"`);
  const wrap = (n: RuleNode) => (n.type === 'term' || n.type === 'not' ? formatRule(n) : `(${formatRule(n)})`);
  switch (node.type) {
    case 'term':
      return term(node.term);
    case 'not':
      return `NOT ${wrap(node.child)}`;
    case 'and':
      return node.children.map((c) => (c.type === 'or' ? `(${formatRule(c)})` : formatRule(c))).join(' AND ');
    case 'or':
      return node.children.map((c) => formatRule(c)).join(' OR ');
  }
}

// ---- compiled groups ---------------------------------------------------------------------------

export interface KeywordGroupDef {
  id: string;
  name: string;
  rule: string;
}

export interface CompiledGroups {
  /** Ids of the groups whose rule holds for a normalised text, in definition order. */
  match(normalizedText: string): string[];
  /** Like match, with the terms of each matching group that were found (for highlighting and "why"). */
  explain(normalizedText: string): Array<{ id: string; terms: string[] }>;
  /** Number of distinct terms in the automaton. */
  readonly terms: number;
  readonly groups: readonly KeywordGroupDef[];
}

/**
 * A compiled rule, evaluated on the terms found in a post: `found[id] === gen` for a found term, and
 * `hits[2k] === gen` with `hits[2k + 1]` the number of found term children of and/or node k (counted
 * while the found terms are listed, so a long OR of terms is one comparison, not a loop over its terms).
 */
type Eval = (found: Int32Array, hits: Int32Array, gen: number) => boolean;

/** Numbers the and/or nodes of rules and lists, per term id, the nodes that have it as a child. */
interface EvalContext {
  idOf: Map<string, number>;
  nodesOfTerm: number[][];
  nodes: number;
}

function compileEval(node: RuleNode, cx: EvalContext): Eval {
  switch (node.type) {
    case 'term': {
      const id = cx.idOf.get(node.term)!;
      return (f, _h, g) => f[id] === g;
    }
    case 'not': {
      const c = compileEval(node.child, cx);
      return (f, h, g) => !c(f, h, g);
    }
    case 'and':
    case 'or': {
      const k = 2 * cx.nodes++;
      const ids = new Set(node.children.filter((c) => c.type === 'term').map((c) => cx.idOf.get(c.term)!));
      for (const id of ids) cx.nodesOfTerm[id]!.push(k);
      const terms = ids.size;
      const rest = node.children.filter((c) => c.type !== 'term').map((c) => compileEval(c, cx));
      if (node.type === 'or') {
        return (f, h, g) => {
          if (h[k] === g) return true; // some term child was found
          for (let i = 0; i < rest.length; i++) if (rest[i]!(f, h, g)) return true;
          return false;
        };
      }
      return (f, h, g) => {
        if (terms > 0 && (h[k] !== g || h[k + 1] !== terms)) return false; // not all term children found
        for (let i = 0; i < rest.length; i++) if (!rest[i]!(f, h, g)) return false;
        return true;
      };
    }
  }
}

/** A group whose rule does not parse: names the group, keeps the position. */
export class GroupRuleError extends RuleSyntaxError {
  readonly groupId: string;
  constructor(groupId: string, name: string, cause: RuleSyntaxError) {
    super(`关键词组“${name}”的规则有误：${cause.message}`, cause.position);
    this.groupId = groupId;
  }
}

/**
 * One automaton over the terms of all groups; a post is scanned once and each group whose terms
 * occur is evaluated on the set of found terms. Throws GroupRuleError for a rule that does not parse.
 */
export function compileGroups(groups: readonly KeywordGroupDef[]): CompiledGroups {
  const idOf = new Map<string, number>();
  const termList: string[] = [];
  const trees: RuleNode[] = [];
  for (const g of groups) {
    let tree: RuleNode;
    try {
      tree = parseRule(g.rule);
    } catch (err) {
      if (err instanceof RuleSyntaxError) throw new GroupRuleError(g.id, g.name, err);
      throw err;
    }
    trees.push(tree);
    for (const t of ruleTerms(tree)) {
      if (!idOf.has(t)) {
        idOf.set(t, termList.length);
        termList.push(t);
      }
    }
  }
  const automaton = new KeywordAutomaton(termList);
  const cx: EvalContext = { idOf, nodesOfTerm: termList.map(() => []), nodes: 0 };
  const evals = trees.map((t) => compileEval(t, cx));
  const { nodesOfTerm } = cx;
  // Groups to evaluate when a term is found (a rule false without any of its terms is false whenever
  // none of them occurs, so only groups with a found term need evaluating).
  const groupsOfTerm: number[][] = termList.map(() => []);
  trees.forEach((t, gi) => {
    for (const term of ruleTerms(t)) groupsOfTerm[idOf.get(term)!]!.push(gi);
  });
  const found = new Int32Array(Math.max(1, termList.length));
  const hits = new Int32Array(Math.max(2, 2 * cx.nodes));
  const candidate = new Int32Array(Math.max(1, groups.length));
  let gen = 0;
  const cands: number[] = [];

  const run = (text: string) => {
    if (++gen === 0x7fffffff) {
      found.fill(0);
      hits.fill(0);
      candidate.fill(0);
      gen = 1;
    }
    const g = gen;
    cands.length = 0;
    const n = automaton.scanInto(text);
    const ids = automaton.found;
    for (let k = 0; k < n; k++) {
      const id = ids[k]!;
      found[id] = g;
      const ns = nodesOfTerm[id]!;
      for (let j = 0; j < ns.length; j++) {
        const k = ns[j]!;
        if (hits[k] !== g) {
          hits[k] = g;
          hits[k + 1] = 1;
        } else hits[k + 1]!++;
      }
      const gs = groupsOfTerm[id]!;
      for (let j = 0; j < gs.length; j++) {
        const gi = gs[j]!;
        if (candidate[gi] !== g) {
          candidate[gi] = g;
          // Kept in definition order (insertion: a post has few candidate groups).
          let at = cands.length;
          cands.push(gi);
          while (at > 0 && cands[at - 1]! > gi) {
            cands[at] = cands[at - 1]!;
            at--;
          }
          cands[at] = gi;
        }
      }
    }
    return g;
  };

  return {
    terms: termList.length,
    groups,
    match(text) {
      const g = run(text);
      const out: string[] = [];
      for (const gi of cands) if (evals[gi]!(found, hits, g)) out.push(groups[gi]!.id);
      return out;
    },
    explain(text) {
      const g = run(text);
      const out: Array<{ id: string; terms: string[] }> = [];
      const foundIds = Array.from(automaton.found.subarray(0, automaton.lastCount));
      for (const gi of cands) {
        if (!evals[gi]!(found, hits, g)) continue;
        const mine = ruleTerms(trees[gi]!);
        out.push({ id: groups[gi]!.id, terms: foundIds.map((id) => termList[id]!).filter((t) => mine.has(t)) });
      }
      return out;
    },
  };
}

// The records of a previewed import, as the confirmation writes them: each with its derived
// clientId — imp:SHA-256(org, date, indicator, value, note):n, n counting identical tuples earlier
// in the file — and its review decision, serialised in chunks of JSON for the bulk insert. Pure:
// no database, no kernel. (Preparing the chunks on a helper thread while the main thread writes
// was tried: on the shared 2-core machine the thread slowed the SQLite writes more than it saved.)
import { hash } from 'node:crypto';

/** A data row of a stored preview: [org index, date, note, ...values (null = empty)]. */
export type DataRow = [number, string, string | null, ...Array<number | null>];

export interface PreviewData {
  /** Indicator codes, in the order of the value slots of a row. */
  indicators: string[];
  orgs: string[];
  data?: DataRow[];
}

/**
 * The occurrence number n of each record's tuple (org, date, indicator, value, note) among
 * identical tuples earlier in the file, per data row and value slot; undefined for a row whose
 * (org, date, note) appeared in no earlier row, the usual case (all its records are n = 0). Two
 * cells of one row never share a tuple (their indicators differ), so rows are the unit of the search.
 */
function occurrences(data: DataRow[], slots: number): Array<number[] | undefined> {
  const out: Array<number[] | undefined> = new Array(data.length);
  const seen = new Map<string, number | Map<number, number>>();
  const count = (m: Map<number, number>, row: DataRow, into?: number[]) => {
    for (let i = 0; i < slots; i++) {
      const v = row[3 + i] as number | null;
      if (v === null || v === undefined) continue;
      const k = Math.round(v * 100) * 4096 + i;
      const n = m.get(k) ?? 0;
      m.set(k, n + 1);
      if (into) into[i] = n;
    }
  };
  for (let r = 0; r < data.length; r++) {
    const row = data[r]!;
    const key = `${row[0]}\u0000${row[1]}\u0000${row[2] ?? ''}`;
    let m = seen.get(key);
    if (m === undefined) {
      seen.set(key, r);
      continue;
    }
    if (typeof m === 'number') {
      const first = m;
      seen.set(key, (m = new Map()));
      count(m, data[first]!);
    }
    count(m, row, (out[r] = new Array(slots).fill(0)));
  }
  return out;
}

/**
 * A function that visits the records of one data row with their clientIds, indicators in code
 * order (the occurrence numbers are worked out once, for the whole file, in file order).
 */
function rowRecords(p: PreviewData): (row: number, visit: (slot: number, valueC: number, clientId: string) => void) => void {
  const data = p.data ?? [];
  const slots = p.indicators.map((code, i) => ({ code, i })).sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  const occ = occurrences(data, p.indicators.length);
  return (r, visit) => {
    const row = data[r]!;
    const prefix = `${p.orgs[row[0]]}\u001f${row[1]}\u001f`;
    const suffix = `\u001f${row[2] ?? ''}`;
    const n = occ[r];
    for (const { code, i } of slots) {
      const value = row[3 + i] as number | null | undefined;
      if (value === null || value === undefined) continue;
      const valueC = Math.round(value * 100);
      visit(i, valueC, `imp:${hash('sha256', `${prefix}${code}\u001f${valueC}${suffix}`, 'hex')}:${n ? n[i] : 0}`);
    }
  };
}

/** Visit every record with its clientId, rows in file order. */
export function eachRecord(p: PreviewData, visit: (row: number, slot: number, valueC: number, clientId: string) => void) {
  const each = rowRecords(p);
  const rows = p.data?.length ?? 0;
  for (let r = 0; r < rows; r++) each(r, (i, valueC, clientId) => visit(r, i, valueC, clientId));
}

export interface ChunkInput extends PreviewData {
  /** Rows in the order to write them. */
  order: number[];
  /** Review reasons of the records held for review, keyed row × indicators + slot. */
  reasons: Array<[number, string]>;
  chunkSize: number;
}

export interface Chunk {
  /** A JSON array of ImportedRecord tuples (outreach.imports.queries.ts). */
  json: string;
  count: number;
}

/** The records in `order`, as chunks of at most chunkSize; at least one (possibly empty) chunk. */
export function* recordChunks(input: ChunkInput): Generator<Chunk> {
  const data = input.data ?? [];
  const nSlots = input.indicators.length;
  const reasons = new Map(input.reasons);
  const orgJson = input.orgs.map((o) => JSON.stringify(o));
  const codeJson = input.indicators.map((c) => JSON.stringify(c));
  const each = rowRecords(input);
  let parts: string[] = [];
  let emitted = 0;
  for (const r of input.order) {
    const row = data[r]!;
    const rowJson = `,${orgJson[row[0]]},"${row[1]}",`;
    const note = row[2] === null ? 'null' : JSON.stringify(row[2]);
    each(r, (i, valueC, clientId) => {
      const reason = reasons.get(r * nSlots + i);
      const tail = reason ? `"pending_review",${JSON.stringify(reason)}]` : '"counted",null]';
      parts.push(`["${clientId}"${rowJson}${codeJson[i]},${valueC},${note},${tail}`);
    });
    if (parts.length >= input.chunkSize) {
      emitted++;
      yield { json: `[${parts.slice(0, input.chunkSize).join(',')}]`, count: input.chunkSize };
      parts = parts.slice(input.chunkSize);
    }
  }
  if (parts.length || emitted === 0) yield { json: `[${parts.join(',')}]`, count: parts.length };
}

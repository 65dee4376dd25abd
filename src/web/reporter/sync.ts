// Sends the outbox to POST /api/outreach/records in batches of at most 100. Acknowledged records
// leave the outbox; a refused record (4xx) keeps the server's reason and waits for the person; a
// network failure or 5xx leaves everything for the next try (online event, timer, page open).
// Resending is safe: the server counts a clientId once.
import { api, ApiError, currentSession, saveSession, type RecordInput, type SubmitResult } from './api';
import { outbox, type Queued } from './queue';

export const BATCH = 100;

export type SyncOutcome =
  | { kind: 'idle' }
  | { kind: 'done'; sent: SubmitResult[] }
  | { kind: 'offline' }
  | { kind: 'server' }
  | { kind: 'unauthenticated' };

const toInput = (r: Queued): RecordInput => ({ clientId: r.clientId, orgId: r.orgId, date: r.date, indicator: r.indicator, value: r.value, note: r.note || undefined });

/** Per-record reasons from a 400: the service's { index, clientId, message } or zod's { path, message }. */
function problems(err: ApiError, batch: Queued[]): Map<string, string> {
  const out = new Map<string, string>();
  if (Array.isArray(err.details)) {
    for (const d of err.details as Array<{ index?: number; clientId?: string; path?: string; message?: string }>) {
      const index = typeof d.index === 'number' ? d.index : Number(/records\.(\d+)/.exec(d.path ?? '')?.[1] ?? NaN);
      const id = d.clientId ?? batch[index]?.clientId;
      if (id && batch.some((r) => r.clientId === id)) out.set(id, [out.get(id), d.message].filter(Boolean).join('；'));
    }
  }
  return out;
}

let running: Promise<SyncOutcome> | null = null;

/** One flush at a time; a call during a flush waits for it. */
export function flush(onProgress?: (sending: number) => void): Promise<SyncOutcome> {
  running ??= run(onProgress).finally(() => (running = null));
  return running;
}

export const isFlushing = () => running !== null;

async function run(onProgress?: (sending: number) => void): Promise<SyncOutcome> {
  const session = currentSession();
  if (!session) return { kind: 'unauthenticated' };
  if (!navigator.onLine) return { kind: 'offline' };
  const sent: SubmitResult[] = [];
  let csrfRefreshed = false;
  for (let round = 0; round < 1000; round++) {
    const ready = (await outbox.all()).filter((r) => r.userId === session.user.id && !r.error);
    if (!ready.length) return { kind: 'done', sent };
    const batch = ready.slice(0, BATCH);
    onProgress?.(ready.length);
    try {
      const results = await api.submit(batch.map(toInput));
      await outbox.remove(results.map((r) => r.clientId));
      sent.push(...results);
    } catch (e) {
      const err = e instanceof ApiError ? e : new ApiError(0, 'network_error', '');
      if (err.status === 0) return { kind: 'offline' };
      if (err.status >= 500 || err.status === 429 || err.status === 408) return { kind: 'server' };
      if (err.status === 401) {
        saveSession(null);
        return { kind: 'unauthenticated' };
      }
      if (err.status === 403 && !csrfRefreshed) {
        // A stale CSRF token (the session was renewed elsewhere) looks like this: refresh it once.
        csrfRefreshed = true;
        try {
          const me = await api.me();
          if (me.csrfToken) saveSession({ user: me.user, csrfToken: me.csrfToken });
          continue;
        } catch {
          return { kind: 'server' };
        }
      }
      const found = err.status === 400 ? problems(err, batch) : new Map<string, string>();
      if (found.size === 0) {
        // The refusal names no record: send one at a time to find the one refused.
        if (batch.length > 1) {
          for (const r of batch) {
            try {
              const [result] = await api.submit([toInput(r)]);
              await outbox.remove([r.clientId]);
              if (result) sent.push(result);
            } catch (one) {
              const e1 = one instanceof ApiError ? one : new ApiError(0, 'network_error', '');
              if (e1.status === 0 || e1.status >= 500 || e1.status === 401) return { kind: e1.status === 0 ? 'offline' : e1.status === 401 ? 'unauthenticated' : 'server' };
              await outbox.markErrors(new Map([[r.clientId, e1.message || e1.code]]));
            }
          }
          continue;
        }
        found.set(batch[0]!.clientId, err.message || err.code);
      }
      // All-or-nothing: the other records of the batch were not stored; they go again next round.
      await outbox.markErrors(found);
    }
  }
  return { kind: 'done', sent };
}

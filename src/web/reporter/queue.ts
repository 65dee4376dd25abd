// The outbox: every record goes into IndexedDB before any attempt to send it, and leaves only when
// the server has acknowledged it. A record the server refused keeps its error for correction.
export type Queued = {
  clientId: string;
  userId: string;
  orgId: string;
  orgName: string;
  date: string;
  indicator: string;
  value: number;
  note: string | null;
  queuedAt: string;
  /** The server's reason, when it refused the record (4xx); such records wait for the person. */
  error?: string;
};

const DB = 'frontline-reporter';
const STORE = 'outbox';
let opening: Promise<IDBDatabase> | null = null;

function db(): Promise<IDBDatabase> {
  opening ??= new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => {
      if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE, { keyPath: 'clientId' });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => {
      opening = null;
      reject(req.error);
    };
  });
  return opening;
}

async function tx<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T> | void): Promise<T> {
  const store = (await db()).transaction(STORE, mode).objectStore(STORE);
  return new Promise<T>((resolve, reject) => {
    const req = work(store);
    const t = store.transaction;
    let result: T;
    if (req) req.onsuccess = () => (result = req.result);
    // Resolve on commit, not on request success: only then is the record durably stored.
    t.oncomplete = () => resolve(result);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error);
  });
}

export const outbox = {
  put: (r: Queued) => tx('readwrite', (s) => s.put(r)).then(() => undefined),
  all: () => tx<Queued[]>('readonly', (s) => s.getAll()).then((rows) => rows.sort((a, b) => a.queuedAt.localeCompare(b.queuedAt))),
  remove: (clientIds: string[]) =>
    tx('readwrite', (s) => {
      for (const id of clientIds) s.delete(id);
    }).then(() => undefined),
  markErrors: (errors: Map<string, string>) =>
    tx('readwrite', (s) => {
      for (const [clientId, message] of errors) {
        const get = s.get(clientId);
        get.onsuccess = () => {
          if (get.result) s.put({ ...(get.result as Queued), error: message });
        };
      }
    }).then(() => undefined),
};

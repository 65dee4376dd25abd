// Worker threads that run the server's TypeScript modules. The server runs its TypeScript through
// tsx; a worker thread starts without it, so it registers tsx first and then imports the module.
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** A worker running `entry` (a module URL, e.g. new URL('./x.worker.ts', import.meta.url)). */
export function startTsWorker(entry: URL, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(boot, { ...options, eval: true });
}

// An analysis worker (see opinion.analysis.ts): texts in, PostAnalysis out, in order.
import { parentPort } from 'node:worker_threads';
import { analysePost } from './opinion.analysis.ts';

parentPort!.on('message', (m: { id: number; texts: string[] }) => {
  try {
    parentPort!.postMessage({ id: m.id, out: m.texts.map(analysePost) });
  } catch (err) {
    parentPort!.postMessage({ id: m.id, error: (err as Error).message });
  }
});

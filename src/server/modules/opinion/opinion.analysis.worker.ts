// An analysis worker (see opinion.analysis.ts): texts in, their analyses out, in order, packed.
import { parentPort } from 'node:worker_threads';
import { analysePost, pack } from './opinion.analysis.ts';

parentPort!.on('message', (m: { id: number; texts: string[] }) => {
  try {
    const { packed, transfer } = pack(m.texts.map(analysePost));
    parentPort!.postMessage({ id: m.id, out: packed }, transfer);
  } catch (err) {
    parentPort!.postMessage({ id: m.id, error: (err as Error).message });
  }
});

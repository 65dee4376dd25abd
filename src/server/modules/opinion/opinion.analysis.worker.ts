// An analysis worker (see opinion.analysis.ts): posts in, their analyses out, in order, packed.
import { parentPort } from 'node:worker_threads';
import { OpinionClassifier } from '../../../text/classifier.ts';
import { analysePost, pack, type AnalysisRequest, type IngestRules } from './opinion.analysis.ts';

let last: IngestRules | undefined;
let model: { version: string; clf: OpinionClassifier } | undefined;

parentPort!.on('message', (m: AnalysisRequest) => {
  try {
    if (m.rules) last = m.rules;
    if (m.rulesVersion !== undefined && last?.version !== m.rulesVersion) throw new Error(`analysis rules ${m.rulesVersion} never received`);
    if (m.model && m.modelVersion !== undefined) model = { version: m.modelVersion, clf: OpinionClassifier.fromJSON(m.model) };
    if (m.modelVersion !== undefined && model?.version !== m.modelVersion) throw new Error(`classifier ${m.modelVersion} never received`);
    const rules = m.rulesVersion === undefined ? undefined : last;
    const clf = m.modelVersion === undefined ? undefined : model!.clf;
    const { packed, transfer } = pack(m.texts.map((t, i) => analysePost(t, rules, m.sources[i], m.authors[i], clf)));
    parentPort!.postMessage({ id: m.id, out: packed }, transfer);
  } catch (err) {
    parentPort!.postMessage({ id: m.id, error: (err as Error).message });
  }
});

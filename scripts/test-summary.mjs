// A node:test reporter that prints nothing and keeps the run's totals (tests, pass, fail, …) in the
// file named by FRONTLINE_TEST_SUMMARY_FILE, for scripts/test.mjs's closing line. It writes
// synchronously on every total, because --test-force-exit ends the process without flushing streams.

import fs from 'node:fs';

export default async function* summaryReporter(source) {
  const file = process.env.FRONTLINE_TEST_SUMMARY_FILE;
  const counts = {};
  for await (const event of source) {
    if (event.type !== 'test:diagnostic' || event.data.nesting !== 0) continue;
    const m = /^(tests|suites|pass|fail|cancelled|skipped|todo) (\d+)$/.exec(event.data.message);
    if (!m) continue;
    counts[m[1]] = Number(m[2]);
    if (file) fs.writeFileSync(file, JSON.stringify(counts));
  }
  yield '';
}

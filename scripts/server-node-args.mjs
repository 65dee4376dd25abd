// Node options the server process runs with (npm start, npm run demo, and the benchmarks' servers).
//
// --max-semi-space-size=64: an ingest batch (a thousand posts, their analyses and rows) lives for
// the half second or so it takes to analyse, assign and write it, longer than V8's default young
// generation (16 MiB semi-spaces) holds it, so each batch was promoted to the old generation and
// collected there. With 64 MiB semi-spaces it dies young. Measured on the opinion ingest benchmark,
// interleaved runs on the 2-core VM: 3,533–4,494 posts/s with it, 2,901–4,015 without
// (docs/benchmarks.md). It costs at most ~190 MiB more memory when the server is busy.
export const SERVER_NODE_ARGS = ['--max-semi-space-size=64'];

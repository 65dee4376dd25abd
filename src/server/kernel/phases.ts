// Server-Timing phases of long requests.
/**
 * Wall and CPU time of the phases of a long request (an Excel import, an ingest batch), for the
 * Server-Timing header and the benchmarks' breakdowns. CPU is the process's (all threads), and
 * requests running at the same time share the event loop: figures are exact for a request alone.
 */
export class Phases {
  readonly list: Array<{ name: string; ms: number; cpuMs: number }> = [];
  private at = performance.now();
  private cpu = process.cpuUsage();
  /** Close the phase running since the last mark; a name marked again adds to its phase. */
  mark(name: string) {
    const now = performance.now();
    const cpu = process.cpuUsage();
    const ms = now - this.at;
    const cpuMs = (cpu.user - this.cpu.user + cpu.system - this.cpu.system) / 1000;
    const p = this.list.find((x) => x.name === name);
    if (p) {
      p.ms += ms;
      p.cpuMs += cpuMs;
    } else this.list.push({ name, ms, cpuMs });
    this.at = now;
    this.cpu = cpu;
  }
  /** `read;dur=812.4;desc="cpu 790.1"`: wall and process CPU milliseconds per phase. */
  header(): string {
    return this.list.map((p) => `${p.name};dur=${p.ms.toFixed(1)};desc="cpu ${p.cpuMs.toFixed(1)}"`).join(', ');
  }
}

// Large typed arrays backed by 2 MiB pages where the platform allows it (Linux transparent huge pages,
// through the small native addon in native/hugepages, built by `npm ci`'s postinstall). For arrays
// read at random across hundreds of MiB — the opinion module's candidate index at a million posts —
// a 4 KiB page makes nearly every access a TLB miss as well as a cache miss, and in a virtual machine
// a TLB miss is a two-level page walk: with 2 MiB pages the lookups at a million posts measured about
// a third faster (docs/opinion.md). Where the addon did not build (no compiler, not Linux) or the
// kernel has THP off, hugeArray is a plain typed array and nothing else changes.
import { createRequire } from 'node:module';
import fs from 'node:fs';

interface Addon {
  advise(buffer: ArrayBuffer): number;
  where(buffer: ArrayBuffer): number;
}

/** Arrays smaller than this are not advised (a 2 MiB page needs a 2 MiB-aligned interior). */
export const HUGE_MIN_BYTES = 4 << 20;

let addon: Addon | null | undefined;

/** The native addon, or null where it was not built (loaded once). */
export function hugePagesAddon(): Addon | null {
  if (addon !== undefined) return addon;
  addon = null;
  if (process.platform !== 'linux') return addon;
  try {
    addon = createRequire(import.meta.url)('../../../native/hugepages/build/Release/hugepages.node') as Addon;
  } catch {
    addon = null;
  }
  return addon;
}

/** The kernel's THP mode ("always", "madvise" or "never"), or null where there is none. */
export function transparentHugePages(): string | null {
  try {
    return /\[(\w+)\]/.exec(fs.readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8'))?.[1] ?? null;
  } catch {
    return null;
  }
}

let advisedBytes = 0;
/** Bytes this process has advised so far, in all (arrays freed since included). */
export const hugePagesAdvised = () => advisedBytes;

/**
 * Whether huge pages are in use, for the logs: the addon built, the kernel's THP mode, and the
 * process's memory on huge pages now (AnonHugePages of /proc/self/smaps_rollup; null where unknown).
 */
export function hugePagesStatus(): { addon: boolean; thp: string | null; inUseMiB: number | null } {
  let inUseMiB: number | null = null;
  try {
    const kb = /^AnonHugePages:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/self/smaps_rollup', 'utf8'))?.[1];
    if (kb !== undefined) inUseMiB = Math.round(Number(kb) / 1024);
  } catch {
    // not Linux
  }
  return { addon: hugePagesAddon() !== null, thp: transparentHugePages(), inUseMiB };
}

type TypedArrayOf<T> = { new (buffer: ArrayBuffer, byteOffset?: number, length?: number): T; BYTES_PER_ELEMENT: number };

/**
 * A zeroed typed array of `length` elements; when it is large, its memory is advised for huge pages
 * before anything is written to it (pages touched before the advice are not converted at once).
 */
export function hugeArray<T>(Type: TypedArrayOf<T>, length: number): T {
  const buffer = new ArrayBuffer(length * Type.BYTES_PER_ELEMENT);
  if (buffer.byteLength >= HUGE_MIN_BYTES) {
    const a = hugePagesAddon();
    if (a) {
      const n = a.advise(buffer);
      if (n > 0) advisedBytes += n;
    }
  }
  return new Type(buffer, 0, length);
}

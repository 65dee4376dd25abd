import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { HUGE_MIN_BYTES, hugeArray, hugePagesAddon, hugePagesAdvised, hugePagesStatus, transparentHugePages } from './hugepages.ts';

/** The /proc/self/smaps entry of the mapping that holds `address`: its fields. */
function mappingAt(address: number): Map<string, string> | null {
  let found: Map<string, string> | null = null;
  for (const line of fs.readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const range = /^([0-9a-f]+)-([0-9a-f]+) /.exec(line);
    if (range) {
      if (found) return found;
      if (parseInt(range[1]!, 16) <= address && address < parseInt(range[2]!, 16)) found = new Map();
    } else if (found) {
      const f = /^(\w+):\s+(.*)$/.exec(line);
      if (f) found.set(f[1]!, f[2]!);
    }
  }
  return found;
}

test('hugeArray: a zeroed typed array of the type and length asked for, small or large', () => {
  const cases = [
    { Type: Uint32Array, length: 0 },
    { Type: Uint32Array, length: 10 },
    { Type: Int32Array, length: 1 << 20 }, // exactly HUGE_MIN_BYTES
    { Type: Uint8Array, length: (HUGE_MIN_BYTES * 3) / 2 + 7 }, // not a multiple of 2 MiB
    { Type: Uint16Array, length: 3 << 20 },
  ] as const;
  for (const { Type, length } of cases) {
    const a = hugeArray(Type as Uint32ArrayConstructor, length);
    assert.equal(a.constructor, Type, Type.name);
    assert.equal(a.length, length);
    assert.equal(a.byteOffset, 0);
    assert.ok(a.every((x) => x === 0), `${Type.name}(${length}) zeroed`);
    if (length) {
      a[length - 1] = 7;
      assert.equal(a[length - 1], 7);
    }
  }
});

test('hugeArray: on Linux the addon is built (by npm ci) and a large array is advised for huge pages', (t) => {
  if (process.platform !== 'linux') return t.skip('huge pages: Linux only');
  const addon = hugePagesAddon();
  if (!addon) {
    // CI builds it (.ci/run runs npm ci on a machine with a C compiler): a broken build must show.
    if (process.env.CI) assert.fail('native/hugepages did not build: run `npm run postinstall` and read its output');
    console.warn('!!! native/hugepages is not built here (npm run postinstall): huge-page test skipped');
    return t.skip('addon not built');
  }
  const mode = transparentHugePages();
  const before = hugePagesAdvised();
  const a = hugeArray(Uint32Array, 12 << 20); // 48 MiB
  const advised = hugePagesAdvised() - before;
  if (mode === 'never' || mode === null) return t.skip(`transparent huge pages are ${mode ?? 'absent'}: nothing to check`);
  // The 2 MiB-aligned interior of the buffer, at least 44 MiB of 48.
  assert.ok(advised >= 44 << 20 && advised <= 48 << 20, `advised ${advised}`);
  for (let i = 0; i < a.length; i += 1024) a[i] = i; // touch every page
  const base = addon.where(a.buffer as ArrayBuffer);
  const m = mappingAt(base + (4 << 20)); // inside the advised interior
  assert.ok(m, 'mapping found');
  assert.equal(m.get('THPeligible'), '1', 'the advised range may use huge pages');
  // The status the warm-up logs: the process's memory on huge pages as the kernel counts it.
  const status = hugePagesStatus();
  assert.equal(status.addon, true);
  assert.equal(status.thp, mode);
  assert.equal(typeof status.inUseMiB, 'number');
  // Small arrays are not advised.
  const small = hugePagesAdvised();
  hugeArray(Uint32Array, 1000);
  assert.equal(hugePagesAdvised(), small);
  // A bad argument is a TypeError, not a crash.
  assert.throws(() => addon.advise(42 as unknown as ArrayBuffer), TypeError);
});

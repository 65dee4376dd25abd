// Demo outreach ledger: 45 days of records from the demo villages whose district totals match the
// order of magnitude of the seed's work summary (52 billboards, 657 banners, 20万余 leaflets, …),
// a few villages gone quiet for the coverage view, and two implausible values awaiting review.
import { randomUUID } from 'node:crypto';
import type { Actor } from '../kernel/index.ts';
import { localDate } from '../kernel/time.ts';
import { writerOf } from '../modules/outreach/outreach.service.ts';
import type { PreparedRecord } from '../modules/outreach/outreach.writer.ts';
import type { DemoContext } from './index.ts';

/** Seed-like district totals per indicator (hundredths for decimals handled below). */
const TARGETS: Record<string, number> = {
  billboards: 52,
  screens: 152,
  banners: 657,
  leaflets: 200_150,
  household_visits: 183_020,
  group_messages: 114_300,
  vehicle_trips: 639,
  loudspeakers: 697,
  broadcast_hours: 5_420,
  guides_printed: 100_000,
};
/** How many records carry each indicator (small counts come in few records). */
const RECORDS: Record<string, number> = {
  billboards: 30, screens: 90, banners: 400, leaflets: 900, household_visits: 2200, group_messages: 1800,
  vehicle_trips: 350, loudspeakers: 300, broadcast_hours: 2600, guides_printed: 150,
};
const DAYS = 45;

function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function seedOutreach(ctx: DemoContext) {
  const { kernel } = ctx;
  const rand = prng(20200124);
  const units = [...ctx.orgs.entries()].filter(([code]) => /^T\d+V\d+$/.test(code)).map(([code, id]) => ({ code, id }));
  // Three villages never reported; eight stopped ten or more days ago: the "最后一公里" gaps.
  const never = new Set(units.filter((_, i) => i % 50 === 7).map((u) => u.id));
  const quiet = new Set(units.filter((_, i) => i % 19 === 11).map((u) => u.id));
  const active = units.filter((u) => !never.has(u.id));
  const today = Date.now();
  const dateOf = (daysAgo: number) => localDate(new Date(today - daysAgo * 86_400_000), kernel.config.timeZone);

  const records: PreparedRecord[] = [];
  for (const [indicator, target] of Object.entries(TARGETS)) {
    const n = RECORDS[indicator]!;
    const scale = indicator === 'broadcast_hours' ? 10 : 1; // one decimal
    const weights = Array.from({ length: n }, () => 0.2 + rand());
    const sum = weights.reduce((a, b) => a + b, 0);
    let left = target * scale;
    weights.forEach((w, i) => {
      const units10 = i === n - 1 ? left : Math.max(1, Math.min(left - (n - i - 1), Math.round((w / sum) * target * scale)));
      left -= units10;
      const unit = active[Math.floor(rand() * active.length)]!;
      const daysAgo = quiet.has(unit.id) ? 10 + Math.floor(rand() * (DAYS - 10)) : Math.floor(rand() * DAYS);
      records.push({
        clientId: randomUUID(),
        orgId: unit.id,
        date: dateOf(daysAgo),
        indicator,
        valueC: (units10 * 100) / scale,
        note: null,
        status: 'counted',
        reviewReason: null,
        source: 'entry',
      });
    });
  }
  const first = active[0]!.id;
  for (const [indicator, value, reason] of [
    ['billboards', 500, '超过单条合理上限 50块'],
    ['leaflets', 80_000, '超过单条合理上限 50000张'],
  ] as const) {
    records.push({ clientId: randomUUID(), orgId: first, date: dateOf(1), indicator, valueC: value * 100, note: '（演示）疑似多填一个零', status: 'pending_review', reviewReason: reason, source: 'entry' });
  }

  const reporterId = ctx.users.get('reporter')!;
  const publicityId = ctx.users.get('publicity')!;
  const actorOf = (userId: string, username: string, orgId: string): Actor => ({ userId, username, displayName: username, orgId, roles: [], via: 'session', ip: null });
  const reporter = actorOf(reporterId, 'reporter', ctx.orgs.get('T01V01')!);
  const publicity = actorOf(publicityId, 'publicity', ctx.orgs.get('D')!);
  const mine = records.filter((r) => r.orgId === reporter.orgId);
  const others = records.filter((r) => r.orgId !== reporter.orgId);
  await kernel.db.transaction().execute(async (trx) => {
    await writerOf(kernel).apply(trx, [
      { actor: reporter, records: mine, audit: { action: 'demo.outreach.seed' } },
      { actor: publicity, records: others, audit: { action: 'demo.outreach.seed' } },
    ]);
  });
}

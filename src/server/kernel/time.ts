// Time helpers. Stored times are ISO-8601 UTC strings of fixed width, so they sort as text.
export type Clock = () => Date;
export const systemClock: Clock = () => new Date();

export const iso = (d: Date) => d.toISOString();
export const addMs = (d: Date, ms: number) => new Date(d.getTime() + ms);
export const MINUTE = 60_000;

// Building an Intl.DateTimeFormat costs tens of microseconds (more than formatting); every record
// submission asks for today's date, so keep one formatter per time zone.
const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** Calendar date (YYYY-MM-DD) of an instant in the district's time zone. */
export function localDate(d: Date, timeZone: string): string {
  let f = dateFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dateFormats.set(timeZone, f);
  }
  return f.format(d);
}

/** Whether a YYYY-MM-DD string names a real calendar day (2026-02-30 does not). */
export function isCalendarDate(d: string): boolean {
  const t = Date.parse(`${d}T00:00:00Z`);
  return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === d;
}

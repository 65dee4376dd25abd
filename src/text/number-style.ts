// Official number style of Chinese work summaries (as in the seed document):
//   counts below 10,000 are exact digits ("657条", "5420小时");
//   from 10,000 they are written in 万 (from 100,000,000 in 亿) with at most one decimal,
//   truncated, and 余 where something was cut ("20万余张", "18.3万余次", "10万份").
// Integer arithmetic throughout, so 183,020 never becomes 18.30000001.

export interface StyleOptions {
  /** Decimals kept for exact values below 10,000 (hour-type indicators); default 0. */
  decimals?: number;
}

/** Style a non-negative quantity, e.g. styleCount(200150) → "20万余". */
export function styleCount(value: number, opts: StyleOptions = {}): string {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`不是有效的数量：${value}`);
  // Work in hundredths so one or two decimals stay exact.
  const hundredths = Math.round(value * 100);
  if (hundredths < 1_000_000) {
    const d = opts.decimals ?? 0;
    const scaled = Math.trunc(hundredths / 10 ** (2 - d));
    const exact = scaled * 10 ** (2 - d) === hundredths;
    const text = d === 0 ? String(scaled) : trimZeros((scaled / 10 ** d).toFixed(d));
    return exact ? text : `${text}余`;
  }
  const [unitValue, unitName] = hundredths >= 100_000_000 * 100 ? [100_000_000 * 100, '亿'] : [10_000 * 100, '万'];
  const tenths = Math.floor((hundredths * 10) / unitValue);
  const cut = tenths * unitValue !== hundredths * 10;
  const text = tenths % 10 === 0 ? String(tenths / 10) : `${Math.floor(tenths / 10)}.${tenths % 10}`;
  return `${text}${unitName}${cut ? '余' : ''}`;
}

/** With the unit after 余, as the seed writes it: styleQuantity(200150, '张') → "20万余张". */
export const styleQuantity = (value: number, unit: string, opts: StyleOptions = {}) => `${styleCount(value, opts)}${unit}`;

function trimZeros(s: string) {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

const DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/** 1 → 一, 10 → 十, 12 → 十二, 21 → 二十一, 99 → 九十九 (section numbering). */
export function chineseNumeral(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 99) throw new RangeError(`序号超出范围：${n}`);
  if (n < 10) return DIGITS[n]!;
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return `${tens === 1 ? '' : DIGITS[tens]}十${ones ? DIGITS[ones] : ''}`;
}

/** Section heading number: "一、" */
export const sectionNumber = (n: number) => `${chineseNumeral(n)}、`;
/** Enumerated point inside a section: "一是" */
export const pointNumber = (n: number) => `${chineseNumeral(n)}是`;

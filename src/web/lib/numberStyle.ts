// The official number style (20万余张) shared with the server's reports: src/text/number-style.ts
// is pure TypeScript, so the web app uses the very same rules rather than a copy.
import { styleCount, styleQuantity } from '../../text/number-style';

export { styleCount, styleQuantity };

/** The styled form only when it differs from plain digits, i.e. from 10,000 up (else null). */
export function officialStyle(value: number, unit: string, decimals = 0): string | null {
  if (!Number.isFinite(value) || value < 10_000) return null;
  return styleQuantity(value, unit, { decimals });
}

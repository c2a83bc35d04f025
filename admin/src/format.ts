const currencyFormat = (currency: string) =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency });
/** Digits after the decimal point of `currency` (2 for USD, 0 for JPY). */
const digitsOf = (currency: string): number =>
  currencyFormat(currency).resolvedOptions().maximumFractionDigits ?? 2;

/** Minor units as money: 1234 USD -> "$12.34". */
export function money(cents: number, currency: string): string {
  return currencyFormat(currency).format(cents / 10 ** digitsOf(currency));
}

/** The minor units of an amount typed in major units ("12.34" -> 1234); NaN if not one. */
export function parseMoney(text: string, currency: string): number {
  const digits = digitsOf(currency);
  if (!/^\d+(\.\d+)?$/.test(text.trim())) return NaN;
  const value = Math.round(Number(text.trim()) * 10 ** digits);
  return Number.isSafeInteger(value) ? value : NaN;
}

const dateTime = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'medium',
  timeStyle: 'medium',
});

/** An ISO timestamp in the reader's time zone. */
export const when = (iso: string): string => dateTime.format(new Date(iso));

/** The first block of a UUID, enough to tell orders apart on a screen. */
export const shortId = (id: string): string => id.slice(0, 8);

/** Whole seconds as "1 h 02 min", "14:05", "0:09". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h} h ${String(m).padStart(2, '0')} min` : `${m}:${rest}`;
}

/** The value of an `<input type="datetime-local">` as an ISO timestamp; undefined if empty. */
export function localToIso(value: string): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Minor units in major units, for an input: 1234 USD -> "12.34". */
export function toMajor(cents: number, currency: string): string {
  const digits = digitsOf(currency);
  return (cents / 10 ** digits).toFixed(digits);
}

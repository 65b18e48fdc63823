/** Small statistics and number formats for the benchmark reports. */

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
export const min = (xs: number[]): number => Math.min(...xs);
export const max = (xs: number[]): number => Math.max(...xs);
/** `x` with `digits` decimals; "n/a" for NaN and infinities (a figure that was not measured). */
export const fmt = (x: number, digits = 1): string => (Number.isFinite(x) ? x.toFixed(digits) : "n/a");
export const mb = (kb: number): string => `${fmt(kb / 1024, 1)} MB`;

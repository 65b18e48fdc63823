/**
 * `logs --since WHEN`, pure: a duration back from now (`90s`, `10m`, `1h30m`,
 * `2d`, `500ms`) or a point in time: ISO 8601 (`2024-05-01T12:00:00Z`, with or
 * without zone; a space may stand for the `T`), a date (`2024-05-01`, local
 * midnight), or a time of day today, local (`12:30`, `12:30:15`).
 */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** The moment `text` names, as epoch milliseconds, or undefined when it is neither form. */
export function parseSince(text: string, nowMs: number): number | undefined {
  const t = text.trim();
  const duration = parseDuration(t);
  if (duration !== undefined) return nowMs - duration;
  const clock = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(t);
  if (clock) {
    const [h, m, s] = [Number(clock[1]), Number(clock[2]), Number(clock[3] ?? 0)];
    if (h > 23 || m > 59 || s > 59) return undefined;
    const d = new Date(nowMs);
    d.setHours(h, m, s, 0);
    return d.getTime();
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) {
    const [y, mo, da] = t.split("-").map(Number) as [number, number, number];
    const d = new Date(y, mo - 1, da);
    return d.getMonth() === mo - 1 ? d.getTime() : undefined;
  }
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}/.test(t)) {
    const ms = Date.parse(t.replace(" ", "T"));
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

/** `1h30m` -> 5_400_000; undefined unless the whole text is number-unit pairs. */
export function parseDuration(text: string): number | undefined {
  if (!/^(\d+(?:\.\d+)?(ms|s|m|h|d))+$/.test(text)) return undefined;
  let total = 0;
  for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) total += Number(n) * UNIT_MS[unit!]!;
  return total;
}

/**
 * Equal sections of different units, shared. Services are mostly written alike:
 * 1,000 of them with the default [dependencies], [lifecycle] and [logging] and no
 * env kept a copy of each of those tables, with their empty lists, per service
 * (~300 B of JS heap each). Here a section equal to one seen before is replaced
 * by that one. Shared sections are frozen, so a stray write fails loudly instead
 * of changing every unit that shares it.
 *
 * Only for the server's own units, as they come from disk: the SDK's parseUnit
 * still hands its callers tables of their own to do with as they like.
 */
import type { Unit } from "../sdk/config/types.ts";

/**
 * Bounded so that a server reloaded many times over changing files cannot grow
 * it without end; a section not kept here is simply not shared.
 */
const MAX_KEPT = 256;
const kept = new Map<string, object>();

/** The units, with their equal sections shared (in place: they are freshly parsed). */
export function shareAlikeSections(units: Unit[]): Unit[] {
  for (const unit of units) {
    const c = unit.config;
    c.dependencies = shared("dependencies", c.dependencies);
    if (unit.kind !== "service") continue;
    const config = unit.config;
    config.lifecycle = shared("lifecycle", config.lifecycle);
    config.logging = shared("logging", config.logging);
    config.service.env = shared("env", config.service.env);
    config.service.env_file = shared("env_file", config.service.env_file);
  }
  return units;
}

function shared<T extends object>(section: string, value: T): T {
  // JSON is exact for these sections: strings, numbers, booleans, null and lists of them.
  const key = `${section}\0${JSON.stringify(value)}`;
  const found = kept.get(key);
  if (found !== undefined) return found as T;
  if (kept.size < MAX_KEPT) kept.set(key, deepFreeze(value));
  return value;
}

function deepFreeze<T extends object>(value: T): T {
  for (const v of Object.values(value)) if (typeof v === "object" && v !== null) deepFreeze(v);
  return Object.freeze(value);
}

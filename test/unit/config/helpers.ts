import { parseUnit } from "../../../src/sdk/config/parse.ts";
import { formatIssue, type ServiceConfig, type TargetConfig } from "../../../src/sdk/config/types.ts";

/** The formatted issues of a file that must fail; throws if it parses. */
export function errorsOf(text: string, file = "web.toml"): string[] {
  const result = parseUnit(text, file);
  if (!("errors" in result)) throw new Error(`expected errors, got a unit: ${JSON.stringify(result.unit)}`);
  return result.errors.map(formatIssue);
}

/** The config of a service file that must parse; throws with its issues otherwise. */
export function serviceOf(text: string, file = "web.toml"): ServiceConfig {
  const result = parseUnit(text, file);
  if ("errors" in result) throw new Error(result.errors.map(formatIssue).join("\n"));
  if (result.unit.kind !== "service") throw new Error("expected a service");
  return result.unit.config;
}

export function targetOf(text: string, file = "multi-user.toml"): TargetConfig {
  const result = parseUnit(text, file);
  if ("errors" in result) throw new Error(result.errors.map(formatIssue).join("\n"));
  if (result.unit.kind !== "target") throw new Error("expected a target");
  return result.unit.config;
}

/** A minimal valid service file with `extra` TOML appended. */
export const svc = (extra = "") => `[service]\nexec = "/bin/true"\n${extra}`;

/** Names an object lookup would find on Object.prototype, or that reach it when assigned. */
export const PROTO_NAMES = [
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "valueOf",
  "hasOwnProperty",
  "isPrototypeOf",
  "propertyIsEnumerable",
  "toLocaleString",
  "__defineGetter__",
  "__lookupGetter__",
];

/**
 * Checks a value against the JSON Schemas of the method table, the same ones
 * the OpenRPC document publishes. Pure. Used to hold every implementation of
 * the socket API (the server, test fakes) to the documented result shapes, so
 * the document cannot describe one thing while a server answers another.
 *
 * Only the keywords the table uses are understood; any other keyword is an
 * error of the schema, not a silent pass. Objects that list `properties` are
 * closed: a key the schema does not document is reported, because an
 * undocumented field is drift too.
 */
import { METHOD_TABLE, NOTIFICATIONS, SCHEMAS, type JsonSchema, type NotificationName } from "./methods.ts";
import type { MethodName } from "./types.ts";

/** The JSON Schema keywords the checker understands. */
export const SCHEMA_KEYWORDS: ReadonlySet<string> = new Set([
  "$ref",
  "type",
  "enum",
  "properties",
  "required",
  "items",
  "oneOf",
  "minimum",
  "minLength",
  "format",
  "description",
]);

// RFC 3339 date-time, as `Date.prototype.toISOString` writes it and more.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function matchesType(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  return actual === type || (type === "number" && actual === "integer");
}

function resolve(schema: JsonSchema, components: Readonly<Record<string, JsonSchema>>): JsonSchema {
  const ref = schema.$ref;
  if (typeof ref !== "string") return schema;
  const name = /^#\/components\/schemas\/(.+)$/.exec(ref)?.[1];
  const target = name === undefined ? undefined : components[name];
  if (!target) throw new Error(`schema: dangling $ref ${ref}`);
  return target;
}

/**
 * The ways `value` departs from `schema`, one line each, each naming the path
 * (`$.nodes[0].state: expected one of ...`); empty when it conforms. `$ref`s
 * are resolved in `components` (default: the table's shared schemas).
 */
export function checkSchema(
  value: unknown,
  schema: JsonSchema,
  components: Readonly<Record<string, JsonSchema>> = SCHEMAS,
  path = "$",
): string[] {
  const s = resolve(schema, components);
  for (const key of Object.keys(s)) {
    if (!SCHEMA_KEYWORDS.has(key)) throw new Error(`schema at ${path}: keyword "${key}" is not understood by the checker`);
  }
  const problems: string[] = [];

  if (s.oneOf !== undefined) {
    const branches = s.oneOf as JsonSchema[];
    const matching = branches.filter((b) => checkSchema(value, b, components, path).length === 0).length;
    if (matching !== 1) problems.push(`${path}: expected exactly one of ${branches.length} shapes to match, ${matching} did`);
    return problems;
  }

  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
    if (!types.some((t) => matchesType(value, t))) {
      problems.push(`${path}: expected ${types.join(" or ")}, got ${typeOf(value)}`);
      return problems;
    }
  }
  if (s.enum !== undefined && !(s.enum as unknown[]).includes(value)) {
    problems.push(`${path}: expected one of ${JSON.stringify(s.enum)}, got ${JSON.stringify(value)}`);
  }
  if (typeof value === "number" && s.minimum !== undefined && value < (s.minimum as number)) {
    problems.push(`${path}: expected at least ${s.minimum}, got ${value}`);
  }
  if (typeof value === "string") {
    if (s.minLength !== undefined && value.length < (s.minLength as number)) {
      problems.push(`${path}: expected at least ${s.minLength} characters`);
    }
    if (s.format === "date-time" && !DATE_TIME.test(value)) {
      problems.push(`${path}: expected an ISO 8601 date-time, got ${JSON.stringify(value)}`);
    }
  }
  if (Array.isArray(value) && s.items !== undefined) {
    for (const [i, item] of value.entries()) {
      problems.push(...checkSchema(item, s.items as JsonSchema, components, `${path}[${i}]`));
    }
  }
  if (typeOf(value) === "object" && s.properties !== undefined) {
    const obj = value as Record<string, unknown>;
    const properties = s.properties as Record<string, JsonSchema>;
    for (const key of (s.required as string[] | undefined) ?? []) {
      if (!Object.hasOwn(obj, key)) problems.push(`${path}: missing "${key}"`);
    }
    for (const [key, item] of Object.entries(obj)) {
      const sub = properties[key];
      if (sub === undefined) problems.push(`${path}: "${key}" is not documented`);
      else problems.push(...checkSchema(item, sub, components, `${path}.${key}`));
    }
  }
  return problems;
}

/** The ways a result of `method` departs from the table's result schema; empty when it conforms. */
export function checkResult(method: MethodName, result: unknown): string[] {
  return checkSchema(result, METHOD_TABLE[method].result.schema);
}

/** The ways the params of a `name` notification depart from the table; empty when they conform. */
export function checkNotification(name: NotificationName, params: unknown): string[] {
  return checkSchema(params, NOTIFICATIONS[name].schema);
}

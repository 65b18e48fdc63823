/**
 * The checker that holds server and fakes to the published result schemas:
 * it must reject each kind of departure, and it must understand every keyword
 * the method table uses, or a schema would pass unchecked.
 */
import { describe, expect, test } from "bun:test";
import { checkNotification, checkResult, checkSchema, SCHEMA_KEYWORDS } from "../../../src/sdk/protocol/check-schema.ts";
import { METHOD_TABLE, METHOD_NAMES, NOTIFICATIONS, SCHEMAS, type JsonSchema } from "../../../src/sdk/protocol/methods.ts";

const event = { name: "web", from: "starting", to: "running", at: "2024-01-01T00:00:00.000Z", reason: "started", pid: 1 };

function keywordsOf(schema: unknown, into: Set<string>): void {
  if (Array.isArray(schema)) for (const s of schema) keywordsOf(s, into);
  else if (typeof schema === "object" && schema !== null) {
    for (const [key, value] of Object.entries(schema)) {
      into.add(key);
      if (key === "properties") for (const sub of Object.values(value as object)) keywordsOf(sub, into);
      else if (key === "items" || key === "oneOf") keywordsOf(value, into);
    }
  }
}

describe("checkSchema", () => {
  test("every keyword of the table's schemas is understood", () => {
    const used = new Set<string>();
    for (const s of Object.values(SCHEMAS)) keywordsOf(s, used);
    for (const name of METHOD_NAMES) keywordsOf(METHOD_TABLE[name].result.schema, used);
    for (const n of Object.values(NOTIFICATIONS)) keywordsOf(n.schema, used);
    expect([...used].filter((k) => !SCHEMA_KEYWORDS.has(k))).toEqual([]);
  });

  test("an unknown keyword or a dangling $ref is an error of the schema", () => {
    expect(() => checkSchema(1, { type: "integer", maximum: 3 })).toThrow('keyword "maximum"');
    expect(() => checkSchema(1, { $ref: "#/components/schemas/Nope" })).toThrow("dangling $ref");
  });

  test("a conforming value has no problems", () => {
    expect(checkNotification("event", event)).toEqual([]);
    expect(checkResult("service.start_all", ["a", "b"])).toEqual([]);
    expect(checkResult("service.start", null)).toEqual([]);
  });

  test("each departure is named with its path", () => {
    expect(checkNotification("event", { ...event, to: "flying" })).toEqual([
      '$.to: expected one of ["inactive","blocked","starting","running","stopping","exited","failed"], got "flying"',
    ]);
    expect(checkNotification("event", { ...event, pid: 1.5 })).toEqual(["$.pid: expected integer or null, got number"]);
    expect(checkNotification("event", { ...event, at: "yesterday" })).toEqual([
      '$.at: expected an ISO 8601 date-time, got "yesterday"',
    ]);
    const { reason: _, ...noReason } = event;
    expect(checkNotification("event", noReason)).toEqual(['$: missing "reason"']);
    expect(checkNotification("event", { ...event, extra: 1 })).toEqual(['$: "extra" is not documented']);
    expect(checkResult("service.stop_all", ["a", 2])).toEqual(["$[1]: expected string, got integer"]);
    expect(checkResult("service.start", {})).toEqual(["$: expected null, got object"]);
  });

  test("minimum, minLength and oneOf", () => {
    expect(checkSchema(-1, { type: "integer", minimum: 0 })).toEqual(["$: expected at least 0, got -1"]);
    expect(checkSchema("", { type: "string", minLength: 1 })).toEqual(["$: expected at least 1 characters"]);
    const health: JsonSchema = (SCHEMAS.ServiceStatus!.properties as Record<string, JsonSchema>).health!;
    expect(checkSchema(null, health)).toEqual([]);
    expect(checkSchema({ status: "passing", checked_at: null, error: null }, health)).toEqual([]);
    expect(checkSchema("passing", health)).toEqual(["$: expected exactly one of 2 shapes to match, 0 did"]);
  });
});

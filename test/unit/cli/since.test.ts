/** `logs --since`: durations back from now and points in time. */
import { expect, test } from "bun:test";
import { parseDuration, parseSince } from "../../../src/cli/since.ts";

const NOW = Date.parse("2024-05-01T12:00:00Z");

test("durations: units ms s m h d, combined, decimals", () => {
  expect(parseDuration("500ms")).toBe(500);
  expect(parseDuration("90s")).toBe(90_000);
  expect(parseDuration("10m")).toBe(600_000);
  expect(parseDuration("1h30m")).toBe(5_400_000);
  expect(parseDuration("2d")).toBe(172_800_000);
  expect(parseDuration("1.5h")).toBe(5_400_000);
  for (const bad of ["", "10", "m", "10x", "-5m", "10 m"]) expect(parseDuration(bad)).toBeUndefined();
});

test("a duration is that long before now", () => {
  expect(parseSince("10m", NOW)).toBe(NOW - 600_000);
});

test("ISO times with a zone are exact; a space may stand for T", () => {
  expect(parseSince("2024-05-01T11:30:00Z", NOW)).toBe(Date.parse("2024-05-01T11:30:00Z"));
  expect(parseSince("2024-05-01 11:30:00Z", NOW)).toBe(Date.parse("2024-05-01T11:30:00Z"));
  expect(parseSince("2024-05-01T13:30:00+02:00", NOW)).toBe(Date.parse("2024-05-01T11:30:00Z"));
});

test("a time of day is today, local; a date is its local midnight", () => {
  const local = new Date(NOW);
  local.setHours(9, 15, 0, 0);
  expect(parseSince("09:15", NOW)).toBe(local.getTime());
  local.setHours(9, 15, 30, 0);
  expect(parseSince("9:15:30", NOW)).toBe(local.getTime());
  expect(parseSince("2024-04-30", NOW)).toBe(new Date(2024, 3, 30).getTime());
});

test("anything else is not a time", () => {
  for (const bad of ["yesterday", "25:00", "12:60", "2024-13-01", "2024-02-30", "now"]) expect(parseSince(bad, NOW)).toBeUndefined();
});

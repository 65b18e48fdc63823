/**
 * A health result is a fact about a live process: once the process is gone,
 * list shows "-" and status shows the last result marked as old, with its time.
 */
import { expect, test } from "bun:test";
import { renderList } from "../../../src/cli/render/list.ts";
import { renderStatus } from "../../../src/cli/render/status.ts";
import type { ServiceStatusResult, ServiceSummary } from "../../../src/sdk/protocol/types.ts";

const NOW = Date.parse("2024-05-01T12:00:00.000Z");
const CHECKED = "2024-05-01T11:55:00.000Z";

const summary = (over: Partial<ServiceSummary>): ServiceSummary => ({
  name: "web",
  kind: "service",
  state: "running",
  reason: "",
  pid: 10,
  class: "user",
  status: "start",
  since: "2024-05-01T11:50:00.000Z",
  restarts: 0,
  health: null,
  ...over,
});

const status = (over: Partial<ServiceStatusResult>): ServiceStatusResult => ({
  ...summary({}),
  health: null,
  exit: null,
  config: {},
  dependencies: { requires: [], after: [], wants: [], conflicts: [] },
  dependents: [],
  file: "/x/web.toml",
  ...over,
});

const healthLine = (s: ServiceStatusResult) => renderStatus(s, { nowMs: NOW, color: false }).split("\n").find((l) => l.startsWith("health:"));
const listRow = (s: ServiceSummary) => renderList([s], { nowMs: NOW, color: false }).split("\n")[1]!;

test("list: health while running; '-' once stopped, even from a server that still sends the old result", () => {
  expect(listRow(summary({ health: "passing" }))).toMatch(/ passing/);
  expect(listRow(summary({ state: "inactive", pid: null, health: null }))).not.toMatch(/passing/);
  expect(listRow(summary({ state: "inactive", pid: null, health: "passing" }))).not.toMatch(/passing/);
  expect(listRow(summary({ state: "failed", pid: null, health: "failing" }))).not.toMatch(/failing/);
});

test("status: the current result while running", () => {
  expect(healthLine(status({ health: { status: "passing", checked_at: CHECKED, error: null } }))).toBe(`health:     passing, checked ${CHECKED}`);
});

test("status: stopped, the last result is marked as from before the process ended, with its time and age", () => {
  const s = status({ state: "inactive", pid: null, health: null, last_health: { status: "passing", checked_at: CHECKED, error: null } });
  expect(healthLine(s)).toBe(`health:     - (last check before the process ended: passing, at ${CHECKED}, 5m00s ago)`);
  const failing = status({ state: "failed", pid: null, health: null, last_health: { status: "failing", checked_at: CHECKED, error: "connection refused" } });
  expect(healthLine(failing)).toBe(`health:     - (last check before the process ended: failing, connection refused, at ${CHECKED}, 5m00s ago)`);
});

test("status: an older server's stale health object is shown the same way; never checked is '-'", () => {
  const old = status({ state: "inactive", pid: null, health: { status: "passing", checked_at: CHECKED, error: null } });
  expect(healthLine(old)).toBe(`health:     - (last check before the process ended: passing, at ${CHECKED}, 5m00s ago)`);
  expect(healthLine(status({ state: "inactive", pid: null }))).toBe("health:     -");
});

import { describe, expect, test } from "bun:test";
import { stripAnsi } from "../../../src/cli/render/color.ts";
import { renderList } from "../../../src/cli/render/list.ts";
import { renderStatus, renderStatuses } from "../../../src/cli/render/status.ts";
import type { ServiceStatusResult, ServiceSummary } from "../../../src/sdk/protocol/types.ts";

const NOW = Date.parse("2024-05-01T12:00:00.000Z");

function summary(over: Partial<ServiceSummary>): ServiceSummary {
  return {
    name: "svc",
    kind: "service",
    state: "inactive",
    reason: "",
    pid: null,
    class: "user",
    status: "start",
    since: "2024-05-01T11:56:48.000Z",
    restarts: 0,
    health: null,
    ...over,
  };
}

function status(over: Partial<ServiceStatusResult>): ServiceStatusResult {
  return {
    ...summary({}),
    health: null,
    exit: null,
    config: { service: { exec: ["/usr/bin/web", "--port", "80 80"] } },
    dependencies: { requires: ["db"], after: [], wants: ["metrics", "cache"], conflicts: [] },
    dependents: ["api"],
    file: "/etc/zinit/services/web.toml",
    ...over,
  };
}

describe("renderList", () => {
  const items = [
    summary({ name: "web", state: "running", pid: 4242, restarts: 2, health: "passing", memory_bytes: 12_900_000 }),
    summary({ name: "db", state: "failed", restarts: 5 }),
    summary({ name: "a-very-long-name", state: "inactive" }),
  ];

  // Sorted by name, columns aligned, uptime only for running services.
  test("plain table", () => {
    expect(renderList(items, { nowMs: NOW, color: false }).split("\n")).toEqual([
      "NAME              STATE     PID   UPTIME  RESTARTS  HEALTH   MEM",
      "a-very-long-name  inactive  -     -       0         -        -",
      "db                failed    -     -       5         -        -",
      "web               running   4242  3m12s   2         passing  12.3 MiB",
    ]);
  });

  test("coloured states on a terminal, same layout", () => {
    const coloured = renderList(items, { nowMs: NOW, color: true });
    expect(coloured).toContain("\u001b[32mrunning\u001b[39m");
    expect(coloured).toContain("\u001b[31mfailed\u001b[39m");
    expect(coloured).toContain("\u001b[2minactive\u001b[22m");
    expect(stripAnsi(coloured)).toBe(renderList(items, { nowMs: NOW, color: false }));
  });

  test("blocked, starting and stopping are yellow", () => {
    for (const state of ["blocked", "starting", "stopping"] as const) {
      expect(renderList([summary({ state })], { nowMs: NOW, color: true })).toContain(`\u001b[33m${state}\u001b[39m`);
    }
  });

  test("no colour codes at all when plain", () => {
    expect(renderList(items, { nowMs: NOW, color: false })).not.toContain("\u001b");
  });
});

describe("renderStatus", () => {
  test("a key/value block with state, reason, last exit and dependencies", () => {
    const text = renderStatus(
      status({ name: "web", state: "failed", reason: "gave up after 5 restarts", exit: { code: 3, signal: null }, restarts: 5 }),
      { nowMs: NOW, color: false },
    );
    const lines = text.split("\n");
    expect(lines).toContain("name:       web");
    expect(lines).toContain("state:      failed (gave up after 5 restarts)");
    expect(lines).toContain("last exit:  exit code 3");
    expect(lines).toContain("restarts:   5");
    expect(lines).toContain("since:      2024-05-01T11:56:48.000Z (3m12s ago)");
    expect(lines).toContain("exec:       /usr/bin/web --port '80 80'");
    expect(lines).toContain("requires:   db");
    expect(lines).toContain("wants:      metrics, cache");
    expect(lines).toContain("after:      -");
    expect(lines).toContain("dependents: api");
    expect(lines).toContain("pid:        -");
  });

  test("a death by signal and a health check", () => {
    const text = renderStatus(
      status({
        state: "running",
        pid: 7,
        exit: { code: null, signal: "SIGKILL" },
        health: { status: "failing", checked_at: "2024-05-01T11:59:59.000Z", error: "connection refused" },
      }),
      { nowMs: NOW, color: false },
    );
    expect(text).toContain("last exit:  killed by SIGKILL");
    expect(text).toContain("health:     failing (connection refused), checked 2024-05-01T11:59:59.000Z");
    expect(text).toContain("pid:        7");
  });

  test("several blocks are separated by a blank line", () => {
    const text = renderStatuses([status({ name: "a" }), status({ name: "b" })], { nowMs: NOW, color: false });
    expect(text).toContain("\n\nname:       b");
  });
});

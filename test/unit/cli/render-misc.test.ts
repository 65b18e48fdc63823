import { describe, expect, test } from "bun:test";
import { renderReload } from "../../../src/cli/render/reload.ts";
import { renderLogLine } from "../../../src/cli/render/logs.ts";
import { renderInfo } from "../../../src/cli/render/info.ts";
import { outcomesExitCode, renderOutcomes } from "../../../src/cli/render/settle.ts";
import { ZinitError } from "../../../src/sdk/errors.ts";

describe("renderReload", () => {
  test("each group on its own line; errors one per line", () => {
    const text = renderReload(
      {
        added: ["new"],
        removed: [],
        changed: [
          { name: "web", restarted: true },
          { name: "db", restarted: false },
        ],
        unchanged: ["a", "b"],
        errors: ["web.toml: lifecycle.restart: expected ...", "x.toml: TOML syntax error"],
      },
      { color: false },
    );
    expect(text.split("\n")).toEqual([
      "added:     new",
      "removed:   -",
      "restarted: web",
      "changed:   db",
      "unchanged: 2",
      "errors:    2 (previous definitions kept)",
      "  web.toml: lifecycle.restart: expected ...",
      "  x.toml: TOML syntax error",
    ]);
  });

  test("a clean reload says errors: 0", () => {
    const text = renderReload({ added: [], removed: ["old"], changed: [], unchanged: [], errors: [] }, { color: false });
    expect(text).toContain("removed:   old");
    expect(text.endsWith("errors:    0")).toBe(true);
  });
});

describe("renderLogLine", () => {
  test("TIME NAME stream| text", () => {
    expect(renderLogLine({ name: "web", stream: "stdout", line: "hello  world", at: "2024-05-01T12:00:00.123Z" }, { color: false })).toBe(
      "2024-05-01T12:00:00.123Z web stdout| hello  world",
    );
    expect(renderLogLine({ name: "web", stream: "stderr", line: "oops", at: "2024-05-01T12:00:00.123Z" }, { color: true })).toContain(
      "\u001b[31mstderr|\u001b[39m oops",
    );
  });
});

describe("renderInfo", () => {
  const info = {
    version: "0.1.0",
    mode: "container" as const,
    pid: 1,
    uptime_ms: 3_723_000,
    started_at: "2024-05-01T11:00:00.000Z",
    paths: { config_dir: "/etc/zinit/services", system_dir: null, socket: "/run/zinit.sock" },
    reaped_orphans: 7,
    cgroups: { enabled: true, path: "/sys/fs/cgroup", reason: null, controllers: ["cpu", "io", "memory", "pids"] },
  };
  test("key/value block", () => {
    const text = renderInfo(info);
    expect(text).toContain("mode:       container");
    expect(text).toContain("orphans:    7 reaped");
    expect(text).toContain("uptime:     1h02m");
    expect(text).toContain("system dir: -");
    expect(text).toContain("cgroups:    enabled (/sys/fs/cgroup)");
  });

  test("cgroups: unavailable with the reason; enabled naming the controllers when some are missing", () => {
    const off = renderInfo({ ...info, cgroups: { enabled: false, path: null, reason: "/sys/fs/cgroup is mounted read-only", controllers: [] } });
    expect(off).toContain("cgroups:    unavailable (/sys/fs/cgroup is mounted read-only)");
    const some = renderInfo({ ...info, cgroups: { enabled: true, path: "/sys/fs/cgroup/app", reason: null, controllers: ["memory", "pids"] } });
    expect(some).toContain("cgroups:    enabled (/sys/fs/cgroup/app; controllers: memory pids)");
  });
});

describe("renderOutcomes", () => {
  const opts = { color: false, timeoutS: 60, waited: true, action: "start" };
  test("settled services on stdout, failures and timeouts on stderr naming state and reason", () => {
    const r = renderOutcomes(
      [
        { name: "web", state: "running", reason: "", settled: true, ok: true },
        { name: "job", state: "failed", reason: "exit code 3", settled: true, ok: false },
        { name: "app", state: "blocked", reason: "requires db (starting)", settled: false, ok: false },
        { name: "nope", state: null, reason: "", settled: false, ok: false, error: new ZinitError("not_found", 'unknown service "nope"') },
      ],
      opts,
    );
    expect(r.stdout).toEqual(["web: running"]);
    expect(r.stderr).toEqual([
      "zinit: job failed: exit code 3",
      "zinit: app did not settle within 60s: still blocked (requires db (starting))",
      'zinit: unknown service "nope"',
    ]);
  });

  test("exit code: request errors first, then any failure, else 0", () => {
    const ok = { name: "a", state: "running" as const, reason: "", settled: true, ok: true };
    const bad = { name: "b", state: "failed" as const, reason: "", settled: true, ok: false };
    const missing = { name: "c", state: null, reason: "", settled: false, ok: false, error: new ZinitError("not_found", "x") };
    expect(outcomesExitCode([ok])).toBe(0);
    expect(outcomesExitCode([ok, bad])).toBe(1);
    expect(outcomesExitCode([bad, missing])).toBe(3);
  });

  test("--no-wait reports the request only", () => {
    const r = renderOutcomes([{ name: "web", state: null, reason: "", settled: false, ok: true }], { ...opts, waited: false });
    expect(r.stdout).toEqual(["web: start requested"]);
  });
});

/** The figures in `zinit status` and `zinit list`: memory, CPU, processes, the log file; sizes in binary units. */
import { describe, expect, test } from "bun:test";
import { renderStatus } from "../../../src/cli/render/status.ts";
import { formatBytes, formatCpu } from "../../../src/cli/render/units.ts";
import type { ServiceStatusResult } from "../../../src/sdk/protocol/types.ts";

const base: ServiceStatusResult = {
  name: "web",
  kind: "service",
  state: "running",
  reason: "started (pid 42)",
  pid: 42,
  class: "user",
  status: "start",
  since: "2024-05-01T12:00:00.000Z",
  restarts: 0,
  health: null,
  exit: null,
  config: { service: { exec: ["web"] } },
  dependencies: { requires: [], after: [], wants: [], conflicts: [] },
  dependents: [],
  file: "/etc/zinit/services/web.toml",
};
const render = (over: Partial<ServiceStatusResult>) => renderStatus({ ...base, ...over }, { nowMs: Date.parse("2024-05-01T12:00:10.000Z"), color: false });

describe("formatBytes and formatCpu", () => {
  test("binary units, one decimal below 100", () => {
    expect([0, 1023, 1024, 1536, 10 * 1048576 + 1, 150 * 1048576, 3 * 1073741824].map(formatBytes)).toEqual([
      "0 B",
      "1023 B",
      "1.0 KiB",
      "1.5 KiB",
      "10.0 MiB",
      "150 MiB",
      "3.0 GiB",
    ]);
  });

  test("ms, then seconds, then minutes", () => {
    expect([0, 999, 1000, 12_345, 192_000].map(formatCpu)).toEqual(["0 ms", "999 ms", "1.0 s", "12.3 s", "3m12s"]);
  });
});

describe("renderStatus figures", () => {
  test("memory, cpu and each process on a line of its own, after restarts", () => {
    const lines = render({
      memory_bytes: 12_900_000,
      cpu_ms: 1234,
      pids: 2,
      processes: [
        { pid: 42, cmd: "sh -c web & worker" },
        { pid: 43, cmd: "worker\u001b[31m\nfake: line" },
      ],
    }).split("\n");
    const at = lines.findIndex((l) => l.startsWith("restarts:"));
    expect(lines.slice(at + 1, at + 6)).toEqual([
      "memory:     12.3 MiB",
      "cpu:        1.2 s",
      "processes:  2",
      "  42 sh -c web & worker",
      // Control characters of a command line never reach the terminal.
      "  43 worker?[31m?fake: line",
    ]);
  });

  test("no process: dashes and 0; the log file with its error", () => {
    const text = render({
      pid: null,
      memory_bytes: null,
      cpu_ms: null,
      pids: null,
      processes: [],
      log_file: { path: "/var/log/web.log", size: 2048, dropped: 7, errors: 1, error: "cannot write /var/log/web.log: EROFS: read-only file system" },
    });
    expect(text).toContain("\nmemory:     -\ncpu:        -\nprocesses:  0\n");
    expect(text).toContain("\nlog file:   /var/log/web.log (2.0 KiB, 7 dropped, error: cannot write /var/log/web.log: EROFS: read-only file system)\n");
  });

  test("an older server without the fields: no such lines", () => {
    const text = render({});
    expect(text).not.toContain("memory:");
    expect(text).not.toContain("processes:");
    expect(text).not.toContain("log file:");
  });
});

/**
 * The Prometheus exposition (src/server/metrics.ts) and the --metrics address
 * (src/server/metrics-address.ts), pure: every family once, in one block; one
 * state series per state with exactly one 1; the optional series only where they
 * mean something; label values escaped; the address forms accepted and refused.
 */
import { describe, expect, test } from "bun:test";
import { ZinitError } from "../../../src/sdk/errors.ts";
import { SERVICE_STATES } from "../../../src/sdk/states.ts";
import { newRecord, type ServiceRecord } from "../../../src/server/engine/model.ts";
import { parseListenAddress } from "../../../src/server/metrics-address.ts";
import { escapeLabelValue, renderMetrics } from "../../../src/server/metrics.ts";
import { unit } from "../engine/world.ts";

function rec(name: string, toml: string, patch: Partial<ServiceRecord> = {}): ServiceRecord {
  return Object.assign(newRecord(unit(name, toml), 0), patch);
}
const HEALTH = '[health]\ntype = "exec"\ntarget = "true"\n';

const records = [
  rec("web", '[service]\nexec = "sleep 1"\n', { state: "running", pid: 42, startedAt: 1_700_000_000_500, totalRestarts: 3 }),
  rec("db", `[service]\nexec = "sleep 1"\n${HEALTH}`, {
    state: "running",
    pid: 41,
    startedAt: 1_700_000_000_000,
    health: { status: "passing", checkedAt: 1, error: null, consecutiveFailures: 0 },
  }),
  rec("cache", `[service]\nexec = "sleep 1"\n${HEALTH}`, { state: "starting", pid: 40, startedAt: 1_700_000_000_000 }),
  rec("migrate", '[service]\nexec = "true"\noneshot = true\n', { state: "exited" }),
  rec("multi-user", '[target]\n[dependencies]\nrequires = ["web"]\n', { state: "blocked" }),
];
const figures = new Map([
  ["web", { memory_bytes: 1_048_576, cpu_ms: 1_500 }],
  ["db", { memory_bytes: 2_000_000, cpu_ms: 0 }],
  // read a moment ago, but the unit has no process now: no sample
  ["migrate", { memory_bytes: 5, cpu_ms: 5 }],
]);
const text = renderMetrics({ version: "1.2.3", mode: "container", records, reapedOrphans: 7, figures });
const lines = text.split("\n");
const samples = (metric: string) => lines.filter((l) => l.startsWith(`${metric}{`) || l.startsWith(`${metric} `));

describe("renderMetrics", () => {
  test("every family has one HELP and one TYPE line, before its samples, and the text ends with a newline", () => {
    expect(text.endsWith("\n")).toBe(true);
    const families = lines.filter((l) => l.startsWith("# TYPE ")).map((l) => l.split(" ")[2]);
    expect(families).toEqual([
      "zinit_info",
      "zinit_service_state",
      "zinit_service_up",
      "zinit_service_restarts_total",
      "zinit_service_health_ok",
      "zinit_service_start_time_seconds",
      "zinit_service_memory_bytes",
      "zinit_service_cpu_seconds_total",
      "zinit_orphans_reaped_total",
    ]);
    for (const f of families) {
      const type = lines.indexOf(lines.find((l) => l.startsWith(`# TYPE ${f} `))!);
      expect(lines[type - 1]!.startsWith(`# HELP ${f} `)).toBe(true);
      // the family's samples follow its TYPE line without interruption
      const idx = lines.map((l, i) => (l.startsWith(`${f}{`) || l.startsWith(`${f} `) ? i : -1)).filter((i) => i >= 0);
      expect(idx[0]).toBe(type + 1);
      expect(idx[idx.length - 1]! - idx[0]!).toBe(idx.length - 1);
    }
  });

  test("zinit_info and zinit_orphans_reaped_total", () => {
    expect(samples("zinit_info")).toEqual(['zinit_info{version="1.2.3",mode="container"} 1']);
    expect(samples("zinit_orphans_reaped_total")).toEqual(["zinit_orphans_reaped_total 7"]);
  });

  test("seven state series per unit, sorted by name, exactly one of them 1", () => {
    const state = samples("zinit_service_state");
    expect(state.length).toBe(7 * records.length);
    expect(state.slice(0, 7)).toEqual(SERVICE_STATES.map((s) => `zinit_service_state{service="cache",state="${s}"} ${s === "starting" ? 1 : 0}`));
    for (const r of records) {
      const ones = state.filter((l) => l.includes(`service="${r.name}"`) && l.endsWith(" 1"));
      expect(ones).toEqual([`zinit_service_state{service="${r.name}",state="${r.state}"} 1`]);
    }
  });

  test("up, restarts for every unit; health only with a check; start time only with a process", () => {
    expect(samples("zinit_service_up")).toEqual([
      'zinit_service_up{service="cache"} 0',
      'zinit_service_up{service="db"} 1',
      'zinit_service_up{service="migrate"} 0',
      'zinit_service_up{service="multi-user"} 0',
      'zinit_service_up{service="web"} 1',
    ]);
    expect(samples("zinit_service_restarts_total")).toContain('zinit_service_restarts_total{service="web"} 3');
    expect(samples("zinit_service_health_ok")).toEqual(['zinit_service_health_ok{service="cache"} 0', 'zinit_service_health_ok{service="db"} 1']);
    expect(samples("zinit_service_start_time_seconds")).toEqual([
      'zinit_service_start_time_seconds{service="cache"} 1700000000',
      'zinit_service_start_time_seconds{service="db"} 1700000000',
      'zinit_service_start_time_seconds{service="web"} 1700000000.5',
    ]);
  });

  test("memory and CPU only for units with a process and figures read for them; CPU in seconds", () => {
    expect(samples("zinit_service_memory_bytes")).toEqual(['zinit_service_memory_bytes{service="db"} 2000000', 'zinit_service_memory_bytes{service="web"} 1048576']);
    expect(samples("zinit_service_cpu_seconds_total")).toEqual(['zinit_service_cpu_seconds_total{service="db"} 0', 'zinit_service_cpu_seconds_total{service="web"} 1.5']);
  });

  test("label values are escaped: backslash, double quote, newline", () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    const odd = renderMetrics({ version: 'v"1\\\n', mode: "vm", records: [], reapedOrphans: 0 });
    expect(odd).toContain('zinit_info{version="v\\"1\\\\\\n",mode="vm"} 1\n');
  });

  test("no units: the families are still declared", () => {
    const empty = renderMetrics({ version: "1", mode: "standalone", records: [], reapedOrphans: 0 });
    expect(empty).toContain("# TYPE zinit_service_state gauge\n");
    expect(empty.split("\n").filter((l) => l.startsWith("zinit_service"))).toEqual([]);
  });
});

describe("parseListenAddress", () => {
  test("IPv4, localhost, every interface, IPv6 in brackets", () => {
    expect(parseListenAddress("127.0.0.1:9100")).toEqual({ hostname: "127.0.0.1", port: 9100, text: "127.0.0.1:9100" });
    expect(parseListenAddress("localhost:80").hostname).toBe("127.0.0.1");
    expect(parseListenAddress(":9100").hostname).toBe("0.0.0.0");
    expect(parseListenAddress("[::1]:9100")).toEqual({ hostname: "::1", port: 9100, text: "[::1]:9100" });
    expect(parseListenAddress("[::]:0").port).toBe(0);
  });

  const refused: [string, string][] = [
    ["9100", "no port"],
    ["127.0.0.1", "no port"],
    ["127.0.0.1:", "the port must be a number from 0 to 65535"],
    ["127.0.0.1:65536", "the port must be a number from 0 to 65535"],
    ["127.0.0.1:http", "the port must be a number from 0 to 65535"],
    ["example.com:9100", '"example.com" is not an IP address; host names are not resolved'],
    ["256.1.1.1:9100", '"256.1.1.1" is not an IP address'],
    ["::1:9100", "write an IPv6 address in brackets"],
    ["[zz]:9100", '"zz" is not an IPv6 address'],
  ];
  for (const [value, why] of refused) {
    test(`refuses ${JSON.stringify(value)}: ${why}`, () => {
      let err: unknown;
      try {
        parseListenAddress(value, "ZINIT_METRICS");
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ZinitError);
      expect((err as ZinitError).code).toBe("usage");
      expect((err as ZinitError).message).toStartWith(`ZINIT_METRICS ${JSON.stringify(value)}: ${why}`);
    });
  }
});

/**
 * The verdict of `zinit health` (src/server/health-report.ts), on records in every
 * situation a probe meets: up, on its way, failed, a oneshot done or not, a health
 * check passing, failing or not yet run, and names the server does not know.
 */
import { describe, expect, test } from "bun:test";
import { ZinitError } from "../../../src/sdk/errors.ts";
import { newRecord, type ServiceRecord } from "../../../src/server/engine/model.ts";
import { healthReport, verdictOf } from "../../../src/server/health-report.ts";
import { unit } from "../engine/world.ts";

const NOW = 1_000;
const HEALTH = '[health]\ntype = "exec"\ntarget = "true"\n';

function rec(name: string, toml: string, patch: Partial<ServiceRecord> = {}): ServiceRecord {
  return Object.assign(newRecord(unit(name, toml), NOW), patch);
}
const service = (extra = "") => `[service]\nexec = "sleep 1000"\n${extra}`;
const oneshot = '[service]\nexec = "true"\noneshot = true\n';

describe("verdictOf", () => {
  test("a running service without a health check passes", () => {
    expect(verdictOf(rec("web", service(), { state: "running", reason: "pid 5" }))).toEqual({
      name: "web",
      kind: "service",
      state: "running",
      healthy: true,
      problem: null,
    });
  });

  test("any other state fails, with the state and its reason", () => {
    const v = verdictOf(rec("web", service(), { state: "blocked", reason: "requires db (starting)" }));
    expect(v.healthy).toBe(false);
    expect(v.problem).toBe("blocked: requires db (starting)");
    expect(verdictOf(rec("web", service(), { state: "failed", reason: "exit code 3" })).problem).toBe("failed: exit code 3");
  });

  test("a running service with a health check passes only while the check passes", () => {
    const r = rec("db", `${service()}${HEALTH}`, { state: "running" });
    r.health = { status: "passing", checkedAt: NOW, error: null, consecutiveFailures: 0 };
    expect(verdictOf(r).healthy).toBe(true);
    r.health = { status: "failing", checkedAt: NOW, error: "exit code 1", consecutiveFailures: 1 };
    expect(verdictOf(r).problem).toBe("running, but its health check is failing: exit code 1");
    r.health = { status: "unknown", checkedAt: null, error: null, consecutiveFailures: 0 };
    expect(verdictOf(r).problem).toBe("running, but its health check has not passed yet");
  });

  test("a oneshot passes once exited (exit 0), not while it runs or after failing", () => {
    expect(verdictOf(rec("migrate", oneshot, { state: "exited" })).healthy).toBe(true);
    expect(verdictOf(rec("migrate", oneshot, { state: "running", reason: "pid 9" })).problem).toBe(
      "running (a oneshot must have exited 0): pid 9",
    );
    expect(verdictOf(rec("migrate", oneshot, { state: "failed", reason: "exit code 2" })).healthy).toBe(false);
  });

  test("a long-running service that exited does not pass", () => {
    expect(verdictOf(rec("web", service(), { state: "exited", reason: "exit code 0" })).healthy).toBe(false);
  });

  test("a target passes when running", () => {
    const t = '[target]\n[dependencies]\nrequires = ["web"]\n';
    expect(verdictOf(rec("multi-user", t, { state: "running" })).healthy).toBe(true);
    expect(verdictOf(rec("multi-user", t, { state: "blocked", reason: "requires web" })).healthy).toBe(false);
  });
});

describe("healthReport", () => {
  const records = new Map<string, ServiceRecord>([
    ["web", rec("web", service(), { state: "running" })],
    ["db", rec("db", service(), { state: "starting", reason: "waiting for health check (pid 3)" })],
    ["off", rec("off", service('status = "stop"'), { state: "inactive" })],
    ["ign", rec("ign", service('status = "ignore"'), { state: "inactive" })],
  ]);

  test('without names: every unit with status = "start", sorted; healthy only if all pass', () => {
    const r = healthReport(records);
    expect(r.units.map((u) => u.name)).toEqual(["db", "web"]);
    expect(r.healthy).toBe(false);
    expect(healthReport(records, []).units.length).toBe(2);
  });

  test("with names: exactly those (stop units included when named), duplicates once", () => {
    expect(healthReport(records, ["web", "web"])).toEqual({ healthy: true, units: [verdictOf(records.get("web")!)] });
    expect(healthReport(records, ["off"]).healthy).toBe(false);
  });

  test("unknown names are refused together as not_found", () => {
    let err: unknown;
    try {
      healthReport(records, ["web", "nope", "gone"]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ZinitError);
    expect((err as ZinitError).code).toBe("not_found");
    expect((err as ZinitError).message).toBe('unknown services "nope", "gone"');
  });

  test("no units at all is healthy (nothing should be up)", () => {
    expect(healthReport(new Map())).toEqual({ healthy: true, units: [] });
  });
});

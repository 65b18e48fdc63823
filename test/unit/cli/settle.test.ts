import { describe, expect, test } from "bun:test";
import { actAndSettle, type SettleClient } from "../../../src/cli/settle.ts";
import { ZinitError } from "../../../src/sdk/errors.ts";
import type { ServiceStatusResult, StateEvent } from "../../../src/sdk/protocol/types.ts";
import type { ServiceState } from "../../../src/sdk/states.ts";

/**
 * An in-memory server: a state per service, a script of transitions each request
 * triggers (applied after `delayMs`), events pushed to every subscriber.
 */
class FakeServer implements SettleClient {
  states = new Map<string, { state: ServiceState; reason: string; since: string }>();
  scripts = new Map<string, [ServiceState, string][]>();
  subscribers: ((e: StateEvent) => void)[] = [];
  emitEvents = true;
  delayMs = 5;
  calls: string[] = [];
  private clock = Date.parse("2024-01-01T00:00:00.000Z");

  set(name: string, state: ServiceState, reason = "") {
    this.clock += 1;
    this.states.set(name, { state, reason, since: new Date(this.clock).toISOString() });
  }
  private transition(name: string, to: ServiceState, reason: string) {
    const from = this.states.get(name)!.state;
    this.set(name, to, reason);
    const at = this.states.get(name)!.since;
    if (this.emitEvents) for (const s of this.subscribers) s({ name, from, to, at, reason, pid: null });
  }
  async status(name: string): Promise<ServiceStatusResult> {
    const s = this.states.get(name);
    if (!s) throw new ZinitError("not_found", `unknown service "${name}"`);
    return { name, state: s.state, reason: s.reason, since: s.since } as ServiceStatusResult;
  }
  events(): AsyncIterable<StateEvent> {
    const queue: StateEvent[] = [];
    let wake: (() => void) | null = null;
    this.subscribers.push((e) => {
      queue.push(e);
      wake?.();
    });
    return {
      [Symbol.asyncIterator]: () => ({
        next: async () => {
          while (queue.length === 0) await new Promise<void>((r) => (wake = r));
          return { done: false, value: queue.shift()! };
        },
        return: async () => ({ done: true, value: undefined }),
      }),
    };
  }
  private async act(kind: string, name: string) {
    this.calls.push(`${kind} ${name}`);
    if (!this.states.has(name)) throw new ZinitError("not_found", `unknown service "${name}"`);
    const steps = this.scripts.get(`${kind} ${name}`) ?? [];
    void (async () => {
      for (const [to, reason] of steps) {
        await Bun.sleep(this.delayMs);
        this.transition(name, to, reason);
      }
    })();
    return null;
  }
  start(name: string) {
    return this.act("start", name);
  }
  stop(name: string) {
    return this.act("stop", name);
  }
  restart(name: string) {
    return this.act("restart", name);
  }
}

const FAST = { wait: true, timeoutMs: 2000, pollMs: 50, graceMs: 300 };

describe("actAndSettle", () => {
  // The normal path: events carry the service from inactive to running.
  test("start waits for running", async () => {
    const s = new FakeServer();
    s.set("web", "inactive");
    s.scripts.set("start web", [["blocked", "requires db"], ["starting", ""], ["running", "started"]]);
    const [o] = await actAndSettle(s, "start", ["web"], FAST);
    expect(o).toMatchObject({ name: "web", state: "running", settled: true, ok: true });
  });

  // A restart of a running service must not be taken as settled by its old "running".
  test("restart waits for the new running, not the old one", async () => {
    const s = new FakeServer();
    s.set("web", "running", "old");
    s.delayMs = 30;
    s.scripts.set("restart web", [["stopping", ""], ["starting", ""], ["running", "new"]]);
    const [o] = await actAndSettle(s, "restart", ["web"], FAST);
    expect(o).toMatchObject({ state: "running", reason: "new", ok: true });
  });

  test("a start that ends failed is settled but not ok", async () => {
    const s = new FakeServer();
    s.set("job", "inactive");
    s.scripts.set("start job", [["starting", ""], ["failed", "exit code 3"]]);
    const [o] = await actAndSettle(s, "start", ["job"], FAST);
    expect(o).toMatchObject({ state: "failed", reason: "exit code 3", settled: true, ok: false });
  });

  test("stop waits for inactive", async () => {
    const s = new FakeServer();
    s.set("web", "running");
    s.scripts.set("stop web", [["stopping", "SIGTERM sent"], ["inactive", "stopped by user"]]);
    const [o] = await actAndSettle(s, "stop", ["web"], FAST);
    expect(o).toMatchObject({ state: "inactive", ok: true });
  });

  test("a no-op start of a running service returns at once", async () => {
    const s = new FakeServer();
    s.set("web", "running");
    const t0 = Date.now();
    const [o] = await actAndSettle(s, "start", ["web"], FAST);
    expect(o).toMatchObject({ state: "running", ok: true });
    expect(Date.now() - t0).toBeLessThan(250);
  });

  // Without events (a lost subscription), the status polls still see the change.
  test("settles by polling when no event arrives", async () => {
    const s = new FakeServer();
    s.emitEvents = false;
    s.set("web", "inactive");
    s.scripts.set("start web", [["starting", ""], ["running", "started"]]);
    const [o] = await actAndSettle(s, "start", ["web"], FAST);
    expect(o).toMatchObject({ state: "running", ok: true });
  });

  test("times out naming the state and reason it is stuck in", async () => {
    const s = new FakeServer();
    s.set("app", "inactive");
    s.scripts.set("start app", [["blocked", "requires unknown service ghost"]]);
    const t0 = Date.now();
    const [o] = await actAndSettle(s, "start", ["app"], { ...FAST, timeoutMs: 300 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(o).toMatchObject({ state: "blocked", reason: "requires unknown service ghost", settled: false, ok: false });
  });

  test("an unknown name is an error for that name; the others still proceed", async () => {
    const s = new FakeServer();
    s.set("web", "inactive");
    s.scripts.set("start web", [["running", ""]]);
    const [a, b] = await actAndSettle(s, "start", ["nope", "web"], FAST);
    expect(a!.error?.code).toBe("not_found");
    expect(b).toMatchObject({ state: "running", ok: true });
  });

  test("--no-wait sends the requests and returns", async () => {
    const s = new FakeServer();
    s.set("a", "inactive");
    s.set("b", "inactive");
    const out = await actAndSettle(s, "start", ["a", "b"], { ...FAST, wait: false });
    expect(s.calls).toEqual(["start a", "start b"]);
    expect(out.every((o) => o.ok)).toBe(true);
  });
});

/**
 * The probe loop of every service with a health check (SPEC section 7). One timer
 * per service; the next probe is armed only when the previous one has ended, so
 * probes never overlap. A verdict about a process that changed, or is going down,
 * meanwhile is dropped. The monitor decides nothing about states itself: it tells
 * its host "healthy" (first pass while starting) or "unhealthy" (retries failures
 * in a row while running).
 */
import type { ServiceConfig } from "../sdk/config/types.ts";
import { probe, type ProbeSpawner } from "./effects/health.ts";
import type { ServiceRecord } from "./engine/model.ts";

/** While starting, probe often so a service is running soon after it is healthy. */
export const STARTING_PROBE_MAX_MS = 250;

export interface HealthHost {
  now(): number;
  /** the first probe passed while starting */
  healthy(rec: ServiceRecord): void;
  /** `retries` failures in a row while running; `why` is the reason to record */
  unhealthy(rec: ServiceRecord, why: string): void;
}

const isLive = (rec: ServiceRecord) =>
  rec.pid !== null && rec.stopCause === null && (rec.state === "starting" || rec.state === "running");

export class HealthMonitor {
  private timers = new Map<string, Timer>();

  constructor(
    private readonly host: HealthHost,
    private readonly spawn: ProbeSpawner,
  ) {}

  /** A process was spawned for a service with a health check: probe it at once. */
  begin(rec: ServiceRecord): void {
    rec.health = { status: "unknown", checkedAt: null, error: null, consecutiveFailures: 0 };
    this.arm(rec, 0);
  }

  end(name: string): void {
    const t = this.timers.get(name);
    if (t !== undefined) {
      clearTimeout(t);
      this.timers.delete(name);
    }
  }

  /**
   * A reload changed the health check in place. Returns true when the check was
   * removed from a service still starting: it is then running at once.
   */
  reconfigure(rec: ServiceRecord, before: ServiceConfig["health"]): boolean {
    if (rec.unit.kind !== "service") return false;
    const after = rec.unit.config.health;
    if (JSON.stringify(before) === JSON.stringify(after)) return false;
    this.end(rec.name);
    if (after === null) {
      rec.health = null;
      return isLive(rec) && rec.state === "starting" && !rec.unit.config.service.oneshot;
    }
    rec.health ??= { status: "unknown", checkedAt: null, error: null, consecutiveFailures: 0 };
    rec.health.consecutiveFailures = 0;
    if (isLive(rec)) this.arm(rec, 0);
    return false;
  }

  private arm(rec: ServiceRecord, delayMs: number): void {
    this.end(rec.name);
    this.timers.set(
      rec.name,
      setTimeout(() => {
        this.timers.delete(rec.name);
        void this.run(rec);
      }, delayMs),
    );
  }

  private async run(rec: ServiceRecord): Promise<void> {
    if (rec.unit.kind !== "service" || rec.unit.config.health === null || !isLive(rec)) return;
    const pid = rec.pid;
    const config = rec.unit.config;
    const health = config.health!;
    const result = await probe(health, config, this.spawn);
    if (rec.pid !== pid || !isLive(rec) || !rec.health) return;
    const h = rec.health;
    h.checkedAt = this.host.now();
    h.error = result.error;
    h.status = result.ok ? "passing" : "failing";
    if (result.ok) {
      h.consecutiveFailures = 0;
      if (rec.state === "starting") this.host.healthy(rec);
      this.arm(rec, health.interval_ms);
      return;
    }
    // Failures while starting do not count: start_timeout_ms bounds that phase.
    if (rec.state === "starting") return this.arm(rec, Math.min(health.interval_ms, STARTING_PROBE_MAX_MS));
    h.consecutiveFailures++;
    if (h.consecutiveFailures >= health.retries) {
      this.host.unhealthy(rec, `health check failed ${h.consecutiveFailures} times: ${result.error}`);
      return;
    }
    this.arm(rec, health.interval_ms);
  }
}

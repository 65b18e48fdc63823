/**
 * Gives memory back after a burst of work. JavaScriptCore collects as the heap
 * grows, not when the work stops: after 100 clients had sent 1,000 requests each,
 * the server stayed ~10 MB over its start for as long as nothing else happened.
 * So once a burst has passed (enough bytes handled, then a quiet moment) one full
 * collection runs. Nothing is armed while nothing happens: the timer exists only
 * between activity and the quiet that follows it, so an idle server stays idle.
 *
 * The collection is followed by `Bun.shrink()` (JavaScriptCore's "shrink footprint
 * when idle": the compiled code of the burst is dropped, another full collection
 * runs and the allocator's free pages go back to the system). A full collection
 * alone left the server's private memory ~3 MB over its start after that load;
 * with the shrink it is back within 0.1 MB. The price is paid by the next
 * request, whose code runs in the interpreter again until it is hot, which is
 * why this only follows a burst and never runs on a timer of its own.
 */

export interface AfterBurstOptions {
  /** Less than this since the last collection is not worth one (a few `zinit status` calls). */
  burstBytes?: number;
  /** How long without activity counts as "the burst is over". */
  quietMs?: number;
  collect?: () => void;
}

export class AfterBurst {
  private bytes = 0;
  private active = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly burstBytes: number;
  private readonly quietMs: number;
  private readonly collect: () => void;

  constructor(opts: AfterBurstOptions = {}) {
    this.burstBytes = opts.burstBytes ?? 1 << 20;
    this.quietMs = opts.quietMs ?? 2_000;
    this.collect = opts.collect ?? collectAndShrink;
  }

  /**
   * Work that leaves garbage whatever its size in bytes (start-up, a reload):
   * a collection follows the quiet after it.
   */
  burst(): void {
    this.note(this.burstBytes);
  }

  /** Some work was done: `bytes` of requests read, output captured, ... */
  note(bytes: number): void {
    this.bytes += bytes;
    this.active = true;
    if (this.timer === null && this.bytes >= this.burstBytes) this.arm();
  }

  private arm(): void {
    this.active = false;
    this.timer = setTimeout(() => this.check(), this.quietMs);
    this.timer.unref?.();
  }

  private check(): void {
    this.timer = null;
    // Still busy: look again later rather than collect in the middle of it.
    if (this.active) return this.arm();
    this.bytes = 0;
    this.collect();
  }
}

function collectAndShrink(): void {
  Bun.gc(true);
  // Not in every Bun: a runtime without it still got the full collection.
  const shrink = (Bun as { shrink?: () => void }).shrink;
  if (typeof shrink === "function") shrink();
}

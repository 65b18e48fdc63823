/**
 * start/stop/restart NAME... and wait until each service has settled.
 *
 * The model: subscribe to state events before asking for anything, then issue the
 * requests, then read each service's status once (it may have settled before the
 * subscription saw it), and from then on follow events, with a status poll as a
 * safety net against a lost event. A service counts as settled when its state is in
 * the action's settled set AND the request visibly took effect: a state change was
 * seen after it was sent, or the request was a no-op (start of a running service,
 * stop of an inactive one), or a short grace period passed without any change (a
 * request the server chose to ignore must not hang the CLI until the timeout).
 */
import type { ServiceStatusResult, StateEvent } from "../sdk/protocol/types.ts";
import type { ServiceState } from "../sdk/states.ts";
import { ZinitError } from "../sdk/errors.ts";

export type LifecycleAction = "start" | "stop" | "restart";

/** The states in which each action has nothing more to do. */
export const SETTLED_FOR: Readonly<Record<LifecycleAction, readonly ServiceState[]>> = {
  start: ["running", "exited", "failed"],
  restart: ["running", "exited", "failed"],
  stop: ["inactive", "exited", "failed"],
};

/** The part of ZinitClient this needs, so tests can drive it with a fake. */
export interface SettleClient {
  status(name: string): Promise<ServiceStatusResult>;
  events(): AsyncIterable<StateEvent>;
  start(name: string): Promise<unknown>;
  stop(name: string): Promise<unknown>;
  restart(name: string): Promise<unknown>;
}

export interface SettleOptions {
  wait: boolean;
  timeoutMs: number;
  /** how often to re-read the status while waiting */
  pollMs?: number;
  /** how long a settled-looking state with no visible change is trusted only after */
  graceMs?: number;
  now?: () => number;
}

export interface Outcome {
  name: string;
  /** the last state seen (null when the request failed or --no-wait) */
  state: ServiceState | null;
  reason: string;
  /** reached a settled state within the timeout */
  settled: boolean;
  /** settled, and not failed; or requested without waiting */
  ok: boolean;
  error?: ZinitError;
}

interface Track {
  name: string;
  before?: { state: ServiceState; since: string };
  current?: { state: ServiceState; reason: string; atMs: number };
  sent: boolean;
  changed: boolean;
  answeredAt: number;
  error?: ZinitError;
}

export async function actAndSettle(
  client: SettleClient,
  action: LifecycleAction,
  names: readonly string[],
  opts: SettleOptions,
): Promise<Outcome[]> {
  const now = opts.now ?? Date.now;
  const pollMs = opts.pollMs ?? 500;
  const graceMs = opts.graceMs ?? 1500;
  const tracks = new Map<string, Track>();
  for (const name of names) if (!tracks.has(name)) tracks.set(name, { name, sent: false, changed: false, answeredAt: 0 });

  let wake: () => void = () => undefined;
  let stream: AsyncIterator<StateEvent> | undefined;
  if (opts.wait) {
    stream = client.events()[Symbol.asyncIterator]();
    void pump(stream, (ev) => {
      const t = tracks.get(ev.name);
      if (!t?.sent) return;
      t.changed = true;
      observe(t, ev.to, ev.reason, Date.parse(ev.at));
      wake();
    });
  }

  try {
    for (const t of tracks.values()) {
      try {
        if (opts.wait) {
          const s = await client.status(t.name);
          t.before = { state: s.state, since: s.since };
          observe(t, s.state, s.reason, Date.parse(s.since));
        }
        t.sent = true;
        await client[action](t.name);
        t.answeredAt = now();
      } catch (error) {
        t.error = asZinitError(error);
      }
    }
    if (!opts.wait) return [...tracks.values()].map((t) => outcome(t, false));

    const isDone = (t: Track): boolean => {
      if (t.error) return true;
      if (!t.current || !SETTLED_FOR[action].includes(t.current.state)) return false;
      return t.changed || isNoop(action, t.before?.state) || now() - t.answeredAt >= graceMs;
    };
    const poll = async () => {
      for (const t of tracks.values()) {
        if (isDone(t)) continue;
        try {
          const s = await client.status(t.name);
          if (t.before && (s.since !== t.before.since || s.state !== t.before.state)) t.changed = true;
          observe(t, s.state, s.reason, Date.parse(s.since));
        } catch (error) {
          t.error = asZinitError(error);
        }
      }
    };

    const deadline = now() + opts.timeoutMs;
    await poll();
    let lastPoll = now();
    for (;;) {
      if ([...tracks.values()].every(isDone)) break;
      const left = deadline - now();
      if (left <= 0) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(pollMs, left));
        wake = done;
        function done() {
          clearTimeout(timer);
          wake = () => undefined;
          resolve();
        }
      });
      if (now() - lastPoll >= pollMs) {
        await poll();
        lastPoll = now();
      }
    }
    return [...tracks.values()].map((t) => outcome(t, isDone(t)));
  } finally {
    // Not awaited: an async generator's return() waits for its pending next().
    if (stream?.return) void Promise.resolve(stream.return()).catch(() => undefined);
  }
}

/** Requests that change nothing from this state: no event will ever come. */
function isNoop(action: LifecycleAction, before: ServiceState | undefined): boolean {
  return (action === "start" && before === "running") || (action === "stop" && before === "inactive");
}

/** Takes a state if it is not older than the one already known. */
function observe(t: Track, state: ServiceState, reason: string, atMs: number): void {
  const at = Number.isNaN(atMs) ? 0 : atMs;
  if (t.current && at < t.current.atMs) return;
  t.current = { state, reason, atMs: at };
}

function outcome(t: Track, settled: boolean): Outcome {
  if (t.error) return { name: t.name, state: t.current?.state ?? null, reason: t.current?.reason ?? "", settled: false, ok: false, error: t.error };
  if (!t.current) return { name: t.name, state: null, reason: "", settled, ok: true };
  return {
    name: t.name,
    state: t.current.state,
    reason: t.current.reason,
    settled,
    ok: settled && t.current.state !== "failed",
  };
}

async function pump(stream: AsyncIterator<StateEvent>, onEvent: (ev: StateEvent) => void): Promise<void> {
  try {
    for (;;) {
      const r = await stream.next();
      if (r.done) return;
      onEvent(r.value);
    }
  } catch {
    // The event connection broke: the status polls carry on alone.
  }
}

function asZinitError(error: unknown): ZinitError {
  if (error instanceof ZinitError) return error;
  throw error;
}

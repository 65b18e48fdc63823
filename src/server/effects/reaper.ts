/**
 * ChildReaper: the one place that reaps processes zinit did not spawn through
 * Bun — double-forked service descendants re-parented to us as child subreaper,
 * and, when we are PID 1, every orphan of the PID namespace.
 *
 * The constraint (seen with strace on Bun 1.4): Bun waits for each child it spawned with its
 * own wait4(pid) when that child's pidfd becomes readable. If anyone reaps such
 * a child first, Bun gets ECHILD and `proc.exited` rejects — the exit status is
 * lost, node's child_process even emits an 'error' that can kill the process.
 * So the reaper must never reap a pid Bun is tracking, and every spawn must go
 * through `ChildReaper.spawn` (or `track`) so we know which pids those are.
 *
 * Design: "peek". On each SIGCHLD, `waitid(P_ALL, WEXITED|WNOHANG|WNOWAIT)`
 * names the child the kernel would reap next without reaping it. If it is ours
 * to take, `waitpid(thatPid, WNOHANG)` reaps it and we look again; if it is one
 * of Bun's children, we stop: Bun will reap it, and once it has, we untrack
 * it and run another pass for whatever waited behind it. Signals
 * coalesce (several exits, one SIGCHLD), hence the loop until nothing is left.
 *
 * Rejected alternatives, both also tried as PID 1 on 35 own children and
 * 10,000 orphans (every status right in all three designs):
 * - "proc": list /proc/self/task/<tid>/children and waitpid every pid not ours.
 *   Needs CONFIG_PROC_CHILDREN, allocates strings per pass and was ~1.7x
 *   slower on 5000 zombies; peek needs only two syscalls per orphan.
 * - "all": waitpid(-1) and stash the statuses of Bun's children, mapping
 *   the ECHILD rejection of `exited` back to the stash. It races with pid reuse,
 *   breaks node child_process and Bun.$, and leaves every caller of `exited`
 *   to handle a rejection.
 * The cost of peek is head-of-line blocking: an orphan queued behind one of
 * Bun's exited children waits until Bun's own wait for it has run, which is the
 * same event-loop turn or the next.
 *
 * A peek costs the kernel a walk over all our children when none is waitable
 * (with 1,000 services, 1,000 tasks looked at). So peeks are coalesced: at most
 * one per event-loop turn however many SIGCHLDs arrived, and Bun's reaping of a
 * child asks for one only if the last peek stopped at that child. Stopping a
 * layer of 100 services used to cost two full walks per exit, ~40 % of the
 * server's time in the stop.
 *
 * Allocation: the syscall buffers are reused (libc.ts); a pass allocates only
 * the small status object handed to `onOrphanExit` for each orphan.
 */
import {
  decodeWaitStatus,
  peekWaitable,
  waitpidNoHang,
  type WaitStatus,
} from "../../sys/libc.ts";

export type { WaitStatus };

// Any child's: the stdio types do not matter to an exit.
type OnExit = (child: { pid: number }, code: number | null, signal: NodeJS.Signals | number | null, error?: unknown) => void | Promise<void>;

export interface ChildReaperOptions {
  /** Called once per reaped process that zinit did not spawn itself. */
  onOrphanExit?: (pid: number, status: WaitStatus) => void;
}

export class ChildReaper {
  /** Bun's children, each with its spawner's own onExit (called after the untrack) if it gave one */
  private readonly own = new Map<number, OnExit | undefined>();
  private readonly onOrphanExit: ((pid: number, status: WaitStatus) => void) | undefined;
  private started = false;
  private inPass = false;
  private passAgain = false;
  private reapedTotal = 0;
  private passQueued = false;
  /** the pid of Bun's child the last peek stopped at, or 0 */
  private blockedOn = 0;
  private readonly onSigchld = (): void => {
    this.queuePass();
  };

  private readonly ownExited: OnExit = (child, code, signal, error) => {
    const theirs = this.own.get(child.pid);
    this.untrack(child.pid);
    return theirs?.(child, code, signal, error);
  };

  constructor(opts: ChildReaperOptions = {}) {
    this.onOrphanExit = opts.onOrphanExit;
  }

  /** Installs the SIGCHLD listener and reaps what is already waiting. */
  start(): void {
    if (this.started) return;
    this.started = true;
    process.on("SIGCHLD", this.onSigchld);
    // Orphans may have exited before the listener existed; their SIGCHLD is gone.
    this.reapNow();
  }

  stop(): void {
    if (!this.started) return;
    this.started = false;
    process.off("SIGCHLD", this.onSigchld);
  }

  /** Marks `pid` as a child Bun spawned and will reap itself. */
  track(pid: number): void {
    if (!this.own.has(pid)) this.own.set(pid, undefined);
  }

  /** Bun has reaped `pid`; orphans that queued behind it can be reaped now. */
  untrack(pid: number): void {
    this.own.delete(pid);
    if (this.started && pid === this.blockedOn) this.queuePass();
  }

  /** One pass in this event-loop turn, after whatever else the turn brings (more exits, Bun's own reaping). */
  private queuePass(): void {
    if (this.passQueued) return;
    this.passQueued = true;
    setImmediate(() => {
      this.passQueued = false;
      if (this.started) this.reapNow();
    });
  }

  /** Pids currently left to Bun. */
  get trackedCount(): number {
    return this.own.size;
  }

  /** Orphans reaped since construction. */
  get reapedCount(): number {
    return this.reapedTotal;
  }

  /**
   * Bun.spawn, with the child tracked from the same synchronous turn (so no
   * SIGCHLD pass can run in between) until Bun has reaped it: until its
   * `exited` settles, or, for a caller with an onExit, just before that runs.
   * Options are passed through untouched: services still need `detached: true`
   * for their own process group.
   */
  spawn<
    const In extends Bun.SpawnOptions.Writable = "ignore",
    const Out extends Bun.SpawnOptions.Readable = "pipe",
    const Err extends Bun.SpawnOptions.Readable = "inherit",
  >(cmd: string[], opts?: Bun.SpawnOptions.SpawnOptions<In, Out, Err>): Bun.Subprocess<In, Out, Err> {
    const theirs = opts?.onExit;
    if (theirs === undefined) {
      // Bun settles `exited` before it calls onExit: untracking on `exited` keeps
      // a caller that awaits it from seeing its child still tracked.
      const proc = Bun.spawn(cmd, opts);
      const pid = proc.pid;
      this.track(pid);
      const done = (): void => this.untrack(pid);
      proc.exited.then(done, done);
      return proc;
    }
    // A caller with an onExit of its own (every service) hears of the exit there,
    // after the untrack: no promise and reaction kept per child, and Bun makes
    // `exited` only for those who ask for it. One handler for all such children,
    // which finds the caller's by pid, rather than a wrapper closure each.
    const proc = Bun.spawn(cmd, { ...opts, onExit: this.ownExited } as Bun.SpawnOptions.SpawnOptions<In, Out, Err>);
    this.own.set(proc.pid, theirs as OnExit);
    return proc;
  }

  /**
   * One pass: reaps every waitable process that is not Bun's, until none is
   * left or one of Bun's is next in line. Returns how many it reaped.
   */
  reapNow(): number {
    // onOrphanExit may spawn or untrack, which asks for a pass: fold it into this one.
    if (this.inPass) {
      this.passAgain = true;
      return 0;
    }
    this.inPass = true;
    let reaped = 0;
    try {
      do {
        this.passAgain = false;
        reaped += this.pass();
      } while (this.passAgain);
    } finally {
      this.inPass = false;
    }
    return reaped;
  }

  private pass(): number {
    let reaped = 0;
    let vanished = 0;
    this.blockedOn = 0;
    for (;;) {
      const pid = peekWaitable();
      if (pid <= 0) break;
      if (this.own.has(pid)) {
        this.blockedOn = pid;
        break;
      }
      const got = waitpidNoHang(pid);
      if (got === null) {
        // Someone else reaped it between peek and wait (a child spawned outside
        // this wrapper). Retrying is right, but never spin on it.
        if (++vanished > 8) break;
        continue;
      }
      reaped++;
      this.reapedTotal++;
      if (this.onOrphanExit !== undefined) this.report(got.pid, decodeWaitStatus(got.status));
    }
    return reaped;
  }

  private report(pid: number, status: WaitStatus): void {
    try {
      this.onOrphanExit!(pid, status);
    } catch (e) {
      // A listener bug must not stop the reaping; surface it as an uncaught error.
      queueMicrotask(() => {
        throw e;
      });
    }
  }
}

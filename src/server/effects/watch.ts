/**
 * `--watch`: reload when a config directory changes, from inotify events (fs.watch),
 * debounced; never by polling.
 *
 * Each directory is watched itself, not its files: every change that matters is an
 * entry of the directory changing — a file written, renamed or removed, and the
 * Kubernetes ConfigMap update, where the kubelet writes the new files into a fresh
 * `..2026_…` directory and then renames a `..data_tmp` symlink over `..data` (the
 * `NAME.toml` entries are symlinks into `..data`, so they all change at once, with
 * that one rename).
 *
 * A directory that is deleted and made again is a new inode the old watch no longer
 * sees, so the parent directory is watched too, for entries of that one name: when
 * it changes, the directory's watch is re-armed on whatever inode is there now (or
 * dropped while there is none). The reload of a vanished directory keeps every
 * service as it is (an unreadable directory changes nothing), and the one after it
 * comes back applies what it holds.
 *
 * Debounce: the reload runs `debounceMs` after the last event, but no later than
 * `maxWaitMs` after the first of a burst, so a directory that never stops changing
 * is still reloaded.
 */
import { statSync, watch, type FSWatcher } from "node:fs";
import { basename, dirname } from "node:path";

export interface WatchOptions {
  /** quiet time after the last event before reloading (default 200 ms) */
  debounceMs?: number;
  /** bound on the wait during a continuous burst (default 2 s) */
  maxWaitMs?: number;
  /** run the reload; `why` names the entries that changed, for the log */
  onChange(why: string): void;
  onWarn(message: string): void;
}

export interface ConfigWatch {
  close(): void;
}

const DEFAULT_DEBOUNCE_MS = 200;
const DEFAULT_MAX_WAIT_MS = 2_000;
/** how many changed entries the log line names before "and N more" */
const NAMED_IN_LOG = 3;

/** Watches `dirs` (and their parents) and calls `onChange` once per burst of changes. */
export function watchConfigDirs(dirs: readonly string[], opts: WatchOptions): ConfigWatch {
  const debounceMs = opts.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  const maxWaitMs = opts.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let burstStart = 0;
  const changed = new Set<string>();
  let closed = false;

  const fire = () => {
    timer = null;
    const names = [...changed];
    changed.clear();
    const more = names.length > NAMED_IN_LOG ? ` and ${names.length - NAMED_IN_LOG} more` : "";
    opts.onChange(`${names.slice(0, NAMED_IN_LOG).join(", ")}${more} changed`);
  };
  const schedule = (what: string) => {
    if (closed) return;
    changed.add(what);
    const now = Date.now();
    if (timer === null) burstStart = now;
    else clearTimeout(timer);
    timer = setTimeout(fire, Math.max(0, Math.min(debounceMs, burstStart + maxWaitMs - now)));
  };

  const watches = dirs.map((dir) => new DirWatch(dir, schedule, opts.onWarn));
  return {
    close() {
      closed = true;
      if (timer !== null) clearTimeout(timer);
      for (const w of watches) w.close();
    },
  };
}

/** One config directory: a watch on it (while it exists) and one on its parent. */
class DirWatch {
  private dirWatcher: FSWatcher | null = null;
  /** inode the dir watcher is on; a different one under the same name needs a new watch */
  private ino: number | null = null;
  private readonly parentWatcher: FSWatcher | null = null;
  private readonly name: string;

  constructor(
    private readonly dir: string,
    private readonly schedule: (what: string) => void,
    private readonly warn: (message: string) => void,
  ) {
    this.name = basename(dir);
    const parent = dirname(dir);
    try {
      this.parentWatcher = watch(parent, { persistent: false }, (_event, entry) => {
        if (entry === null || entry === this.name) this.rearm();
      });
      this.parentWatcher.on("error", (err) => this.warn(`watch of ${parent} stopped: ${err.message}`));
    } catch (err) {
      this.warn(`cannot watch ${parent} (${(err as Error).message}): if ${dir} is deleted and made again, changes in it are not seen until a reload`);
    }
    this.arm();
    if (this.dirWatcher === null) this.warn(`${dir} does not exist (yet): it is watched for from ${parent}`);
  }

  /** Watches the directory's current inode; drops the watch when it is gone. True when that changed anything. */
  private arm(): boolean {
    let ino: number | null = null;
    try {
      const st = statSync(this.dir);
      if (st.isDirectory()) ino = st.ino;
    } catch {}
    if (ino !== null && ino === this.ino && this.dirWatcher !== null) return false;
    this.dirWatcher?.close();
    this.dirWatcher = null;
    this.ino = null;
    if (ino === null) return true;
    try {
      const w = watch(this.dir, { persistent: false }, (_event, entry) => {
        // An event for the directory's own name: it may be gone (IN_DELETE_SELF).
        if (entry === null || entry === this.name) this.rearm();
        this.schedule(entry ?? this.dir);
      });
      w.on("error", () => this.rearm());
      this.dirWatcher = w;
      this.ino = ino;
    } catch (err) {
      this.warn(`cannot watch ${this.dir}: ${(err as Error).message}`);
    }
    return true;
  }

  private rearm(): void {
    if (this.arm()) this.schedule(this.dir);
  }

  close(): void {
    this.dirWatcher?.close();
    this.parentWatcher?.close();
  }
}

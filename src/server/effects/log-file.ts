/**
 * File logging with rotation (`[logging] file`, `max_size`, `keep`): every line a
 * service writes is also appended to its file as `TIME STREAM TEXT`.
 *
 * The model: lines go into a bounded in-memory queue (at most QUEUE_BYTES per
 * file) and one asynchronous writer per file drains it, one write in flight at a
 * time, each write taking every queued line that fits. So the supervisor never
 * waits for the disk: when the disk is slower than the service, the queue fills
 * and further lines are dropped and counted, never blocking the pipe reader. While
 * the disk keeps up, nothing is lost.
 *
 * Rotation happens between two writes, before a write would take the file past
 * max_size: FILE.(keep-1) -> FILE.keep ... FILE -> FILE.1, then a new FILE. Files
 * numbered past `keep` are removed.
 *
 * A failure (the directory cannot be created, ENOSPC, EACCES, EROFS...) is never
 * fatal: the lines of the failed write are dropped and counted, the error is kept
 * for `status`, the file is closed, and the next line that arrives RETRY_MS or more
 * later tries again (reopening, so a remounted or freed disk is picked up). No
 * timer polls: a silent service costs nothing.
 */
import { mkdir, open, readdir, rename, unlink, type FileHandle } from "node:fs/promises";
import { constants } from "node:fs";
import { basename, dirname } from "node:path";
import type { Logging } from "../../sdk/config/types.ts";
import type { LogFileStatus } from "../../sdk/protocol/types.ts";

/** Lines waiting for the disk, per file: what a fast service can write in a moment. */
export const QUEUE_BYTES = 1 << 20;
/** After a failed write, the pause before the next attempt. */
export const RETRY_MS = 1_000;

export interface LogFileSettings {
  path: string;
  /** 0: never rotate */
  maxSize: number;
  keep: number;
}

/** The renames of one rotation, in order: oldest first, the live file last. */
export function rotationRenames(path: string, keep: number): [from: string, to: string][] {
  const out: [string, string][] = [];
  for (let n = keep - 1; n >= 1; n--) out.push([`${path}.${n}`, `${path}.${n + 1}`]);
  if (keep >= 1) out.push([path, `${path}.1`]);
  return out;
}

/** N of a rotated file name `BASE.N` in the log file's directory, or null. */
export function rotatedIndex(base: string, name: string): number | null {
  if (!name.startsWith(`${base}.`)) return null;
  const n = name.slice(base.length + 1);
  return /^[1-9][0-9]*$/.test(n) ? Number(n) : null;
}

const STREAM_WORD = { stdout: "out", stderr: "err" } as const;
/** `2024-05-01T12:00:00.000Z out ` and the newline: what every line adds to the text. */
const STAMP_BYTES = 30;

/** One line as written to the file: RFC 3339 UTC time with ms, the stream, the text. */
export function formatLogLine(time: string, stream: "stdout" | "stderr", line: string): string {
  return `${time} ${STREAM_WORD[stream]} ${line}\n`;
}

function describeError(what: string, err: unknown): string {
  const e = err as { code?: string; message?: string };
  return `${what}: ${e.message ?? String(err)}`;
}

export class LogFile {
  private settings: LogFileSettings;
  private readonly now: () => number;
  private queue: string[] = [];
  private queueSizes: number[] = [];
  private queuedBytes = 0;
  private fh: FileHandle | null = null;
  /** the path `fh` was opened at (a reload may change the setting meanwhile) */
  private openPath: string | null = null;
  private size = 0;
  private dropped = 0;
  private errors = 0;
  private lastError: string | null = null;
  private retryAt = 0;
  private writing: Promise<void> | null = null;
  private closed = false;
  /** the `keep` whose leftovers were last cleaned up (a directory listing per rotation is wasted) */
  private cleanedFor: number | null = null;
  // Lines of one millisecond share a time stamp: toISOString per line is a hot spot.
  private stampMs = -1;
  private stamp = "";

  constructor(settings: LogFileSettings, now: () => number = Date.now) {
    this.settings = { ...settings };
    this.now = now;
  }

  /** Queues a line; never waits. Drops (and counts) it when the queue is full. */
  write(at: number, stream: "stdout" | "stderr", line: string): void {
    if (this.closed) return;
    // The cheap test first: a full queue drops without formatting (a flood hits this path).
    if (this.queuedBytes + line.length + STAMP_BYTES > QUEUE_BYTES) {
      this.dropped++;
      return;
    }
    if (at !== this.stampMs) {
      this.stampMs = at;
      this.stamp = new Date(at).toISOString();
    }
    const text = formatLogLine(this.stamp, stream, line);
    const bytes = Buffer.byteLength(text);
    if (this.queuedBytes + bytes > QUEUE_BYTES) {
      this.dropped++;
      return;
    }
    this.queue.push(text);
    this.queueSizes.push(bytes);
    this.queuedBytes += bytes;
    this.kick();
  }

  /** New settings take effect at the next write; a new path closes the old file first. */
  configure(settings: LogFileSettings): void {
    this.settings = { ...settings };
    this.retryAt = 0;
  }

  get path(): string {
    return this.settings.path;
  }

  status(): LogFileStatus {
    return { path: this.settings.path, size: this.size, dropped: this.dropped, errors: this.errors, error: this.lastError };
  }

  /** Resolves once no write is in flight (what is queued meanwhile is written first). */
  async idle(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** Writes what is queued (bounded by `timeoutMs`), then closes the file. */
  async close(timeoutMs = 2_000): Promise<void> {
    this.retryAt = 0;
    this.kick();
    await Promise.race([this.idle(), Bun.sleep(timeoutMs)]);
    this.closed = true;
    this.queue = [];
    this.queueSizes = [];
    this.queuedBytes = 0;
    await this.closeHandle();
  }

  /** Starts the writer unless it runs already or a failure is too recent. */
  private kick(): void {
    if (this.writing !== null || this.queue.length === 0) return;
    if (this.retryAt !== 0 && this.now() < this.retryAt) return;
    this.writing = this.drain().finally(() => {
      this.writing = null;
      // Lines that came while the last write was out, unless it failed.
      if (this.retryAt === 0) this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && !this.closed) {
      let lines = 0;
      try {
        await this.ensureOpen();
        const max = this.settings.maxSize;
        if (max > 0 && this.size > 0 && this.size + this.queueSizes[0]! > max) await this.rotate();
        const batch = this.takeBatch(max > 0 ? max - this.size : Infinity);
        lines = batch.lines;
        await this.writeAll(batch.text);
        this.size += batch.bytes;
        this.retryAt = 0;
        this.lastError = null;
      } catch (err) {
        // Lines still queued wait for the retry; those of the failed write are lost.
        this.fail(err, lines);
        return;
      }
    }
  }

  /**
   * The queued lines that go into one write: those that fit in `room` bytes, at
   * least one (so a line longer than max_size still goes out, alone, into a fresh
   * file).
   */
  private takeBatch(room: number): { text: string; bytes: number; lines: number } {
    let n = 0;
    let bytes = 0;
    const sizes = this.queueSizes;
    while (n < sizes.length && (n === 0 || bytes + sizes[n]! <= room)) bytes += sizes[n++]!;
    let text: string;
    if (n === sizes.length) {
      text = this.queue.join("");
      this.queue = [];
      this.queueSizes = [];
    } else {
      text = this.queue.slice(0, n).join("");
      this.queue = this.queue.slice(n);
      this.queueSizes = sizes.slice(n);
    }
    this.queuedBytes -= bytes;
    return { text, bytes, lines: n };
  }

  private async ensureOpen(): Promise<void> {
    const path = this.settings.path;
    if (this.fh !== null && this.openPath === path) return;
    await this.closeHandle();
    try {
      await mkdir(dirname(path), { recursive: true, mode: 0o750 });
    } catch (err) {
      throw new Error(describeError(`cannot create directory ${dirname(path)}`, err));
    }
    this.fh = await openForAppend(path);
    this.openPath = path;
    this.size = (await this.fh.stat()).size;
  }

  private async rotate(): Promise<void> {
    const path = this.settings.path;
    const keep = this.settings.keep;
    await this.closeHandle();
    // The oldest goes first, so that no rename replaces a file: ext4 flushes the
    // data of a file renamed over another (auto_da_alloc), which costs a
    // millisecond or more per rename on every rotation.
    if (keep > 0) await unlink(`${path}.${keep}`).catch(() => {});
    for (const [from, to] of rotationRenames(path, keep)) {
      try {
        await rename(from, to);
      } catch (err) {
        // A gap in the numbering (FILE.2 never existed) is normal.
        if ((err as { code?: string }).code !== "ENOENT") throw new Error(describeError(`cannot rotate ${from}`, err));
      }
    }
    if (keep === 0) await unlink(path).catch(() => {});
    if (this.cleanedFor !== keep) {
      await this.removePastKeep(path, keep);
      this.cleanedFor = keep;
    }
    this.fh = await openForAppend(path);
    this.openPath = path;
    this.size = 0;
  }

  /** Rotated files numbered past `keep` (left over from a larger `keep`) are removed. */
  private async removePastKeep(path: string, keep: number): Promise<void> {
    const base = basename(path);
    let names: string[];
    try {
      names = await readdir(dirname(path));
    } catch {
      return;
    }
    for (const name of names) {
      const n = rotatedIndex(base, name);
      if (n !== null && n > keep) await unlink(`${dirname(path)}/${name}`).catch(() => {});
    }
  }

  private async writeAll(text: string): Promise<void> {
    const buf = Buffer.from(text);
    let off = 0;
    while (off < buf.length) {
      const { bytesWritten } = await this.fh!.write(buf, off, buf.length - off);
      off += bytesWritten;
    }
  }

  private fail(err: unknown, lostLines: number): void {
    this.errors++;
    this.dropped += lostLines;
    this.lastError = err instanceof Error && !(err as { code?: string }).code ? err.message : describeError(`cannot write ${this.settings.path}`, err);
    this.retryAt = this.now() + RETRY_MS;
    // Reopened at the next try: the disk may be remounted or the file replaced by then.
    void this.closeHandle();
  }

  private async closeHandle(): Promise<void> {
    const fh = this.fh;
    this.fh = null;
    this.openPath = null;
    if (fh) await fh.close().catch(() => {});
  }
}

/** Opens for append; a file created here gets mode 0640 whatever the umask. */
async function openForAppend(path: string): Promise<FileHandle> {
  // Opened close-on-exec by the runtime: a service never inherits it.
  const flags = constants.O_WRONLY | constants.O_APPEND;
  try {
    const fh = await open(path, flags | constants.O_CREAT | constants.O_EXCL, 0o640);
    await fh.chmod(0o640);
    return fh;
  } catch (err) {
    if ((err as { code?: string }).code !== "EEXIST") throw err;
  }
  return open(path, flags);
}

/** The log files of every service that has one, by service name. */
export class LogFiles {
  private readonly files = new Map<string, LogFile>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Opens, changes or ends the file logging of `name` to match its [logging] section. */
  fit(name: string, logging: Logging): void {
    const current = this.files.get(name);
    if (logging.file === null) {
      if (current) this.forget(name);
      return;
    }
    const settings = { path: logging.file, maxSize: logging.max_size, keep: logging.keep };
    if (current) current.configure(settings);
    else this.files.set(name, new LogFile(settings, this.now));
  }

  write(name: string, at: number, stream: "stdout" | "stderr", line: string): void {
    this.files.get(name)?.write(at, stream, line);
  }

  status(name: string): LogFileStatus | null {
    return this.files.get(name)?.status() ?? null;
  }

  forget(name: string): void {
    const file = this.files.get(name);
    this.files.delete(name);
    void file?.close();
  }

  /** Flushes and closes every file (at shutdown), each bounded by `timeoutMs`. */
  async closeAll(timeoutMs = 2_000): Promise<void> {
    const all = [...this.files.values()];
    this.files.clear();
    await Promise.all(all.map((f) => f.close(timeoutMs)));
  }
}

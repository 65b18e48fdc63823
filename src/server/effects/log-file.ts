/**
 * File logging with rotation (`[logging] file`, `max_size`, `keep`): every line a
 * service writes is also appended to its file as `TIME STREAM TEXT`.
 *
 * The model: lines are encoded into a bounded in-memory queue (at most
 * QUEUE_BYTES per file) and one asynchronous writer per file drains it, one write
 * in flight at a time, each taking the whole queue (cut at a line end where the
 * file must rotate). So the supervisor never
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
import type { FileHandle } from "node:fs/promises";

/**
 * node:fs/promises on first use: loading it is ~1 ms of every server start,
 * and most servers never open a log file.
 */
const fsp = (): typeof import("node:fs/promises") => require("node:fs/promises");
import { constants } from "node:fs";
import { basename, dirname } from "node:path";
import type { Logging } from "../../sdk/config/types.ts";
import type { LogFileStatus } from "../../sdk/protocol/types.ts";
import { cutLines, MAX_LINE_CHARS, measureLines } from "../engine/log-ring.ts";

/**
 * Bytes waiting for the disk, per file: what a fast service writes in a moment.
 * Room for one read (LOG_FILE_READ_BYTES of output, up to ~15x that once
 * stamped if every line is one character) above HOLD_BYTES, where the reader is
 * held off.
 */
export const QUEUE_BYTES = 4 << 20;
/** Queued bytes past which the service's output is left unread while a write is out (see holdsOff). */
const HOLD_BYTES = 1 << 20;
/**
 * Read size for a service with a log file: short lines grow ~5x once stamped
 * (`seq`: 7 bytes + 29), so one read must fit the room above HOLD_BYTES.
 */
export const LOG_FILE_READ_BYTES = 128 * 1024;
/** After a failed write, the pause before the next attempt. */
export const RETRY_MS = 1_000;
/** The longest a service's output is left unread at a time while its log file's writer catches up. */
export const HOLD_MAX_MS = 200;

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
/** A queue buffer starts this small and goes back to it when drained. */
const SMALL_BUFFER = 8 * 1024;

/** One line as written to the file: RFC 3339 UTC time with ms, the stream, the text (as `write` builds it). */
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
  /**
   * The queue: lines waiting for the writer, already encoded, in bytes [0, fill)
   * of `buf`. Written in place, so a line costs no allocation; grown by doubling
   * up to QUEUE_BYTES, and given back once drained (a quiet service holds none).
   */
  private buf: Buffer | null = null;
  private fill = 0;
  /** the buffer of the last write, reused as the next queue while lines keep coming */
  private spare: Buffer | null = null;
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
  // Lines of one millisecond share their prefix: toISOString per line is a hot spot.
  private stampMs = -1;
  private prefixOut = "";
  private prefixErr = "";
  /** when the reader was first held off, of the current stretch (0: not held) */
  private holdingSince = 0;

  constructor(settings: LogFileSettings, now: () => number = Date.now) {
    this.settings = { ...settings };
    this.now = now;
  }

  /** Queues a line; never waits. Drops (and counts) it when the queue is full. */
  write(at: number, stream: "stdout" | "stderr", line: string): void {
    if (this.closed) return;
    // UTF-8 takes at most 3 bytes per UTF-16 unit: when that fits, no need to measure.
    let buf = this.buf;
    if (buf === null || this.fill + line.length * 3 + STAMP_BYTES > buf.length) {
      const need = this.fill + Buffer.byteLength(line) + STAMP_BYTES;
      if (need > QUEUE_BYTES) {
        this.dropped++;
        return;
      }
      if (buf === null || need > buf.length) buf = this.grow(need);
    }
    this.stamp(at);
    // Encoded piece by piece: a concatenated line would be garbage for every line.
    this.fill += utf8Write(buf, stream === "stdout" ? this.prefixOut : this.prefixErr, this.fill);
    this.fill += utf8Write(buf, line, this.fill);
    buf[this.fill++] = 10;
    if (this.writing === null) this.kick();
  }

  /**
   * Queues the complete lines of one read as they came (`head`, or null, starts
   * the first line; `body` ends with a newline), all stamped `at`: bytes copied
   * after the stamp, no string per line. A line longer than the cut goes the
   * way of `write` (decoded and cut). Lines that do not fit in the queue are
   * dropped and counted, as `write` drops them.
   */
  writeChunk(at: number, stream: "stdout" | "stderr", head: Uint8Array | null, body: Uint8Array): void {
    if (this.closed) return;
    if (measureLines(head, body).longest > MAX_LINE_CHARS) {
      for (const line of cutLines(head, body)) this.write(at, stream, line);
      return;
    }
    this.stamp(at);
    const prefix = stream === "stdout" ? this.prefixOut : this.prefixErr;
    for (let start = 0, nl = body.indexOf(10); nl >= 0; start = nl + 1, nl = body.indexOf(10, start)) {
      const first = start === 0 && head !== null ? head : null;
      const need = this.fill + prefix.length + (first?.length ?? 0) + nl + 1 - start;
      if (need > QUEUE_BYTES) {
        this.dropped++;
        continue;
      }
      const buf = this.buf !== null && need <= this.buf.length ? this.buf : this.grow(need);
      this.fill += buf.write(prefix, this.fill, "latin1");
      if (first !== null) {
        buf.set(first, this.fill);
        this.fill += first.length;
      }
      buf.set(body.subarray(start, nl + 1), this.fill);
      this.fill += nl + 1 - start;
    }
    if (this.writing === null && this.fill > 0) this.kick();
  }

  /**
   * Whether the reader of this service's output should wait before it reads
   * more: HOLD_BYTES are queued while a write is out, and the reader has not
   * waited HOLD_MAX_MS in a row yet. The service's pipe then fills and the
   * service waits on its own writes, as with a plain file, and a burst reaches
   * the file whole: reading at full speed into a queue the writer drains one
   * write at a time dropped ~90 % of a 5 M-line burst. A disk that stays slower
   * than that gets the reader back, and lines are dropped and counted: the
   * service is never held longer than HOLD_MAX_MS at a time by its log file.
   */
  holdsOff(): boolean {
    if (this.closed || this.writing === null || this.fill < HOLD_BYTES) {
      this.holdingSince = 0;
      return false;
    }
    const now = this.now();
    if (this.holdingSince === 0) this.holdingSince = now;
    return now - this.holdingSince < HOLD_MAX_MS;
  }

  /** The stamp of lines read at `at`: the same for all lines of one millisecond. */
  private stamp(at: number): void {
    if (at === this.stampMs) return;
    this.stampMs = at;
    const time = new Date(at).toISOString();
    this.prefixOut = `${time} out `;
    this.prefixErr = `${time} err `;
  }

  /** A queue buffer of at least `need` bytes holding what is queued (doubling, at most QUEUE_BYTES). */
  private grow(need: number): Buffer {
    const old = this.buf;
    let size = Math.max(SMALL_BUFFER, old?.length ?? 0);
    while (size < need) size *= 2;
    const spare = this.spare;
    const buf = spare !== null && spare.length >= need ? spare : Buffer.allocUnsafe(Math.min(size, QUEUE_BYTES));
    if (buf === spare) this.spare = null;
    if (old !== null && this.fill > 0) old.copy(buf, 0, 0, this.fill);
    this.buf = buf;
    return buf;
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
    this.buf = null;
    this.spare = null;
    this.fill = 0;
    await this.closeHandle();
  }

  /** Starts the writer unless it runs already or a failure is too recent. */
  private kick(): void {
    if (this.writing !== null || this.fill === 0) return;
    if (this.retryAt !== 0 && this.now() < this.retryAt) return;
    this.writing = this.drain().finally(() => {
      this.writing = null;
      // Lines that came while the last write was out, unless it failed.
      if (this.retryAt === 0) this.kick();
    });
  }

  /**
   * Writes everything queued, in as few writes as rotation allows: the queue is
   * taken whole and encoded once, then cut at line ends where the file would pass
   * max_size. A line longer than max_size goes out alone into a fresh file.
   */
  private async drain(): Promise<void> {
    while (this.fill > 0 && !this.closed) {
      try {
        await this.ensureOpen();
      } catch (err) {
        // Nothing was taken: the queued lines wait for the retry.
        this.fail(err, 0);
        return;
      }
      // The writer takes the queue; new lines go to the spare buffer meanwhile.
      const taken = this.buf!;
      let rest = taken.subarray(0, this.fill);
      this.buf = this.spare;
      this.spare = null;
      this.fill = 0;
      try {
        while (rest.length > 0) {
          const max = this.settings.maxSize;
          let cut = rest.length;
          if (max > 0 && this.size + rest.length > max) {
            const room = max - this.size;
            cut = room > 0 ? rest.lastIndexOf(10, room - 1) + 1 : 0;
            if (cut === 0) {
              if (this.size > 0) {
                await this.rotate();
                continue;
              }
              cut = rest.indexOf(10) + 1 || rest.length;
            }
          }
          await this.writeAll(rest.subarray(0, cut));
          this.size += cut;
          rest = rest.subarray(cut);
        }
        this.retryAt = 0;
        this.lastError = null;
      } catch (err) {
        // What the failed write held is lost; lines queued meanwhile wait for the retry.
        this.fail(err, countLines(rest));
        return;
      } finally {
        // Lines that came meanwhile may have taken a spare of their own (TS cannot see that).
        const spare = this.spare as Buffer | null;
        if (spare === null || spare.length < taken.length) this.spare = taken;
      }
    }
    // Drained: a quiet service keeps no more than a small buffer.
    if (this.spare !== null && this.spare.length > SMALL_BUFFER) this.spare = null;
    if (this.fill === 0 && this.buf !== null && this.buf.length > SMALL_BUFFER) this.buf = null;
  }

  private async ensureOpen(): Promise<void> {
    const path = this.settings.path;
    if (this.fh !== null && this.openPath === path) return;
    await this.closeHandle();
    try {
      await fsp().mkdir(dirname(path), { recursive: true, mode: 0o750 });
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
    if (keep > 0) await fsp().unlink(`${path}.${keep}`).catch(() => {});
    for (const [from, to] of rotationRenames(path, keep)) {
      try {
        await fsp().rename(from, to);
      } catch (err) {
        // A gap in the numbering (FILE.2 never existed) is normal.
        if ((err as { code?: string }).code !== "ENOENT") throw new Error(describeError(`cannot rotate ${from}`, err));
      }
    }
    if (keep === 0) await fsp().unlink(path).catch(() => {});
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
      names = await fsp().readdir(dirname(path));
    } catch {
      return;
    }
    for (const name of names) {
      const n = rotatedIndex(base, name);
      if (n !== null && n > keep) await fsp().unlink(`${dirname(path)}/${name}`).catch(() => {});
    }
  }

  private async writeAll(buf: Buffer): Promise<void> {
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

/**
 * Buffer#utf8Write: what Buffer#write calls after parsing its arguments (Node and
 * Bun both have it; the type declarations do not). Four times faster per line.
 */
const utf8Write = (buf: Buffer, text: string, offset: number): number =>
  (buf as unknown as { utf8Write(text: string, offset: number): number }).utf8Write(text, offset);

function countLines(buf: Buffer): number {
  let n = 0;
  for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, i + 1)) n++;
  return n;
}

/** Opens for append; a file created here gets mode 0640 whatever the umask. */
async function openForAppend(path: string): Promise<FileHandle> {
  // Opened close-on-exec by the runtime: a service never inherits it.
  const flags = constants.O_WRONLY | constants.O_APPEND;
  try {
    const fh = await fsp().open(path, flags | constants.O_CREAT | constants.O_EXCL, 0o640);
    await fh.chmod(0o640);
    return fh;
  } catch (err) {
    if ((err as { code?: string }).code !== "EEXIST") throw err;
  }
  return fsp().open(path, flags);
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

  has(name: string): boolean {
    return this.files.has(name);
  }

  /** Whether the reader of `name`'s output should wait for its file's writer (see LogFile.holdsOff). */
  holdsOff(name: string): boolean {
    return this.files.get(name)?.holdsOff() ?? false;
  }

  /** The complete lines of one read, as bytes, stamped now (see LogFile.writeChunk); nothing without a file. */
  writeChunk(name: string, stream: "stdout" | "stderr", head: Uint8Array | null, body: Uint8Array): void {
    this.files.get(name)?.writeChunk(this.now(), stream, head, body);
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

/**
 * Reads a service's stdout or stderr line by line into its ring and, when asked,
 * forwards each line to zinit's stdout or stderr prefixed with the service name.
 * Reading goes on all the time, and forwarding drops (and counts) lines while our
 * own stdout is backed up, so a slow log consumer can never grow zinit's memory or
 * stall the service.
 */
import { flushBatchedLines } from "../../logger.ts";
import { backlogOf, whenWritten, writeTo } from "../../stdio.ts";
import { clampLine, cutLines, MAX_LINE_CHARS, measureLines } from "../engine/log-ring.ts";
import { type ChunkReader, pollOutput } from "./output-poller.ts";

/**
 * Where a reader's lines go, a chunk's worth at a time: one call, one clock read
 * and one write per chunk rather than per line.
 */
export interface LineSink {
  /**
   * How many of a chunk's newest lines are used. A service that floods a ring of
   * 1,000 lines with a 200 KB chunk (4,000 lines) would see 3,000 of them pushed
   * out by the same chunk: those are found but never decoded into strings.
   */
  wanted(): number;
  lines(stream: "stdout" | "stderr", lines: string[]): void;
  /**
   * The complete lines of each read as bytes, before any decoding, for what
   * copies them as they are (forwarding, a log file): `head` (or null) is the
   * start of the first line, carried from an earlier read; `body` ends with a
   * newline.
   */
  rawLines?(stream: "stdout" | "stderr", head: Uint8Array | null, body: Uint8Array): void;
  /** True while what takes the lines is behind (a log file's writer) and reading should wait. */
  holdsOff?(): boolean;
  /** At most this many bytes per read (see ChunkReader.readLimit). */
  readLimit?(): number;
}

const FORWARD_BACKLOG_BYTES = 1 << 20;
const droppedForward = { stdout: 0, stderr: 0 };

/**
 * Copies complete lines to zinit's stdout (or stderr, for a service's stderr:
 * `docker logs` and a journal keep the two apart as they would without zinit),
 * `prefix` (the service's `NAME| `, encoded) before each. Byte for byte: a flood
 * forwarded as decoded strings made a string per line and a string per chunk,
 * and the heap of a server forwarding 5 M lines/s to a reader that kept up
 * grew by ~75 MB. A line too long to be certain it fits (more bytes than the
 * cut allows characters) is decoded and cut as in the ring; `head` and `body`
 * are as LineSink.rawLines gives them.
 */
export function forwardChunk(prefix: Uint8Array, stream: "stdout" | "stderr", head: Uint8Array | null, body: Uint8Array): void {
  flushBatchedLines();
  const { lines, longest } = measureLines(head, body);
  if (backlogOf(stream) > FORWARD_BACKLOG_BYTES) {
    droppedForward[stream] += lines;
    noteDropsOnceWritten(stream);
    return;
  }
  const note = droppedNote(stream);
  if (longest > MAX_LINE_CHARS) {
    // Rare: decoded, cut where needed, written as text.
    const name = decoder.decode(prefix);
    let out = note;
    for (const line of cutLines(head, body)) out += `${name}${line}\n`;
    return writeTo(stream, out);
  }
  const noteBytes = note === "" ? null : encoder.encode(note);
  const size = (noteBytes?.length ?? 0) + (head?.length ?? 0) + body.length + lines * prefix.length;
  // One buffer reused from chunk to chunk: the writer copies what it cannot write at once.
  if (forwardBuffer.length < size) forwardBuffer = new Uint8Array(Math.max(size, 2 * forwardBuffer.length, 64 * 1024));
  const out = forwardBuffer;
  let at = 0;
  if (noteBytes !== null) {
    out.set(noteBytes);
    at = noteBytes.length;
  }
  for (let start = 0, nl = body.indexOf(10); nl >= 0; start = nl + 1, nl = body.indexOf(10, start)) {
    out.set(prefix, at);
    at += prefix.length;
    if (start === 0 && head !== null) {
      out.set(head, at);
      at += head.length;
    }
    out.set(body.subarray(start, nl + 1), at);
    at += nl + 1 - start;
  }
  writeTo(stream, out.subarray(0, at));
  // A chunk of many tiny lines can need several MB once; that is not kept.
  if (forwardBuffer.length > FORWARD_BUFFER_KEPT) forwardBuffer = new Uint8Array(0);
}

const FORWARD_BUFFER_KEPT = 4 << 20;
let forwardBuffer = new Uint8Array(0);

/**
 * Says how many lines were dropped as soon as the backlog is written, not only
 * before the next forwarded line: a service that floods and then goes quiet
 * would leave the loss unsaid.
 */
function noteDropsOnceWritten(stream: "stdout" | "stderr"): void {
  if (noteScheduled[stream]) return;
  noteScheduled[stream] = true;
  void whenWritten(stream).then(() => {
    noteScheduled[stream] = false;
    // More came meanwhile and is still behind: wait for that too (the next drop
    // would ask again anyway; a loop here would need a pending write to wait on).
    if (backlogOf(stream) > FORWARD_BACKLOG_BYTES) return;
    const note = droppedNote(stream);
    if (note !== "") writeTo(stream, note);
  });
}

const noteScheduled = { stdout: false, stderr: false };

/** The line that says how many lines were dropped while our output was backed up, once: "" if none. */
function droppedNote(stream: "stdout" | "stderr"): string {
  const n = droppedForward[stream];
  if (n === 0) return "";
  droppedForward[stream] = 0;
  return `zinit| dropped ${n} forwarded ${stream} lines while it was backed up\n`;
}

const encoder = new TextEncoder();

/** Complete lines are decoded whole: a newline byte never falls inside a UTF-8 sequence. */
const decoder = new TextDecoder();
/** A line that never ends is cut here rather than held without bound. */
const MAX_PENDING_BYTES = 64 * 1024;

/**
 * Reads `fd` (our end of a service's stdout or stderr pipe) line by line into
 * `sink` until the service's end is closed, then calls `onEnd`. The poller calls
 * back with each chunk from the event loop, so a flooding service never starves
 * timers or the control socket, and a quiet one costs this one small object.
 */
export function readLines(fd: number, stream: "stdout" | "stderr", sink: LineSink, onEnd?: () => void): void {
  pollOutput(fd, new LineReader(stream, sink, onEnd));
}

/**
 * Reads a service's stdout and stderr (our ends of its two pipes) into one sink,
 * the lines of both in the order they were read: lines one stream holds back (see
 * DECODE_EVERY_MS) go to the sink before any later line of the other. `onEnd`:
 * once both have ended.
 */
export function readServiceOutput(stdoutFd: number, stderrFd: number, sink: LineSink, onEnd?: () => void): void {
  let open = 2;
  const ended = onEnd === undefined ? undefined : () => --open === 0 && onEnd();
  const out = new LineReader("stdout", sink, ended);
  const err = new LineReader("stderr", sink, ended);
  out.sibling = err;
  err.sibling = out;
  pollOutput(stdoutFd, out);
  pollOutput(stderrFd, err);
}

/**
 * How often, at most, a reader decodes lines that only its ring wants. A
 * flooding service fills a ring of 1,000 lines every millisecond; decoding each
 * read made ~500,000 strings a second, of which the ring kept 1,000, and the
 * collector let the heap grow by 20-30 MB. So complete lines wait as bytes (the
 * newest `wanted` of them only) and are decoded at most this often: the first
 * read after a quiet spell at once, a flood's newest lines up to this much late.
 * A reader whose every line goes somewhere else too (forwarding, a log file,
 * `logs -f`) decodes every read at once, as those need each line.
 */
const DECODE_EVERY_MS = 50;

/** What one output pipe keeps between reads. */
class LineReader implements ChunkReader {
  /** bytes after the last newline seen, copied: the read buffer is reused */
  rest: Uint8Array | null = null;
  /** complete lines not yet decoded, newline-separated, no final newline: `pending[0, pendingBytes)` */
  pending: Uint8Array | null = null;
  pendingBytes = 0;
  pendingLines = 0;
  lastDecode = Number.NEGATIVE_INFINITY;
  decodeScheduled = false;
  /**
   * The service's other stream. Of the two, at most one holds lines back at a
   * time, and it gives them to the sink before the other gives any: what it holds
   * was read earlier than anything the other has yet to give.
   */
  sibling: LineReader | null = null;

  constructor(
    readonly stream: "stdout" | "stderr",
    readonly sink: LineSink,
    readonly onEnd: (() => void) | undefined,
  ) {}

  holdsOff(): boolean {
    return this.sink.holdsOff?.() ?? false;
  }

  readLimit(): number {
    return this.sink.readLimit?.() ?? Number.POSITIVE_INFINITY;
  }

  chunk(chunk: Uint8Array): void {
    const last = chunk.lastIndexOf(10);
    if (last < 0) return keep(this, chunk);
    this.sink.rawLines?.(this.stream, this.rest, chunk.subarray(0, last + 1));
    this.sibling?.decodePending(); // they came before this chunk
    const wanted = this.sink.wanted();
    if (!Number.isFinite(wanted)) {
      this.decodePending();
      const out: string[] = [];
      const lines = this.rest === null ? chunk.subarray(0, last) : concat(this.rest, chunk.subarray(0, last));
      splitInto(out, decoder.decode(lines));
      this.rest = null;
      if (last + 1 < chunk.length) keep(this, chunk.subarray(last + 1));
      this.sink.lines(this.stream, out);
      return;
    }
    const { from, count } = newestLines(chunk, last, wanted);
    if (from > 0) {
      // This chunk alone holds more lines than are wanted: what came before is pushed out.
      this.pendingBytes = this.pendingLines = 0;
      this.append(chunk.subarray(from, last), count);
    } else {
      if (this.rest === null) this.append(chunk.subarray(0, last), count);
      else {
        // The chunk's first line began in an earlier one: `rest` starts it.
        this.append(this.rest, 1);
        this.append(chunk.subarray(0, last), count - 1, true);
      }
      this.trimTo(wanted);
    }
    this.rest = null;
    if (last + 1 < chunk.length) keep(this, chunk.subarray(last + 1));
    const wait = this.lastDecode + DECODE_EVERY_MS - performance.now();
    if (wait <= 0) this.decodePending();
    else if (!this.decodeScheduled) {
      this.decodeScheduled = true;
      setTimeout(decodeLater, wait, this);
    }
  }

  /**
   * Adds `bytes` (complete lines, newline-separated, no final newline) after the
   * pending lines, counting `lines` more; with `joined`, `bytes` continues the
   * last pending line instead of starting one.
   */
  private append(bytes: Uint8Array, lines: number, joined = false): void {
    const separator = this.pendingLines > 0 && !joined ? 1 : 0;
    const need = this.pendingBytes + separator + bytes.length;
    if (this.pending === null || this.pending.length < need) {
      const grown = new Uint8Array(Math.max(need, 2 * (this.pending?.length ?? 0), 4096));
      if (this.pending !== null) grown.set(this.pending.subarray(0, this.pendingBytes));
      this.pending = grown;
    }
    if (separator) this.pending[this.pendingBytes] = 10;
    this.pending.set(bytes, this.pendingBytes + separator);
    this.pendingBytes = need;
    this.pendingLines += lines;
  }

  /** Drops the oldest pending lines beyond `wanted`. */
  private trimTo(wanted: number): void {
    const drop = this.pendingLines - Math.max(1, wanted);
    if (drop <= 0 || this.pending === null) return;
    let at = -1;
    for (let n = 0; n < drop; n++) at = this.pending.indexOf(10, at + 1);
    this.pending.copyWithin(0, at + 1, this.pendingBytes);
    this.pendingBytes -= at + 1;
    this.pendingLines -= drop;
  }

  decodePending(): void {
    if (this.pendingLines === 0 || this.pending === null) return;
    const out: string[] = [];
    splitInto(out, decoder.decode(this.pending.subarray(0, this.pendingBytes)));
    this.pendingBytes = this.pendingLines = 0;
    // A flood keeps its buffer from one decode to the next (allocating it anew
    // each time cost ~5 MB of RSS in a flood); decodeLater drops it at the end.
    if (!this.decodeScheduled && this.pending.length > 4096) this.pending = null;
    this.lastDecode = performance.now();
    this.sink.lines(this.stream, out);
  }

  end(): void {
    this.decodePending();
    if (this.rest !== null && this.rest.length > 0) line(this, decoder.decode(this.rest));
    this.rest = null;
    this.onEnd?.();
  }
}

/** Decodes every DECODE_EVERY_MS while lines keep coming; once none came, lets the buffer go. */
function decodeLater(r: LineReader): void {
  if (r.pendingLines === 0) {
    r.decodeScheduled = false;
    if (r.pending !== null && r.pending.length > 4096) r.pending = null;
    return;
  }
  r.decodePending();
  setTimeout(decodeLater, DECODE_EVERY_MS, r);
}

/**
 * The newest complete lines of the chunk (they end at `last`, the last newline),
 * at most `wanted` of them: where they begin (0 when the chunk holds no more) and
 * how many there are.
 */
function newestLines(chunk: Uint8Array, last: number, wanted: number): { from: number; count: number } {
  let start = last;
  for (let n = 0; n < Math.max(1, wanted); n++) {
    start = start === 0 ? -1 : chunk.lastIndexOf(10, start - 1);
    if (start < 0) return { from: 0, count: n + 1 };
  }
  return { from: start + 1, count: Math.max(1, wanted) };
}

function splitInto(out: string[], text: string): void {
  let start = 0;
  for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
    out.push(clampLine(text.slice(start, nl)));
    start = nl + 1;
  }
  out.push(clampLine(text.slice(start)));
}

/** A line that ends without a newline: the last of a stream, or one too long to wait for its end. */
function line(r: LineReader, text: string): void {
  r.sibling?.decodePending(); // they came before this one
  r.decodePending();
  r.sink.rawLines?.(r.stream, null, encoder.encode(`${text}\n`));
  r.sink.lines(r.stream, [clampLine(text)]);
}

function keep(r: LineReader, bytes: Uint8Array): void {
  r.rest = r.rest === null ? bytes.slice() : concat(r.rest, bytes);
  if (r.rest.length > MAX_PENDING_BYTES) {
    line(r, decoder.decode(r.rest));
    r.rest = null;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

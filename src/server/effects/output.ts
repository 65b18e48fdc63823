/**
 * Reads a service's stdout or stderr line by line into its ring and, when asked,
 * forwards each line to zinit's stdout or stderr prefixed with the service name.
 * Reading goes on all the time, and forwarding drops (and counts) lines while our
 * own stdout is backed up, so a slow log consumer can never grow zinit's memory or
 * stall the service.
 */
import { clampLine } from "../engine/log-ring.ts";
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
}

const FORWARD_BACKLOG_BYTES = 1 << 20;
const droppedForward = { stdout: 0, stderr: 0 };

/**
 * A service's stderr goes to our stderr and its stdout to our stdout, so
 * `docker logs` and a journal keep the two apart as they would without zinit.
 */
export function forwardLines(name: string, stream: "stdout" | "stderr", lines: string[]): void {
  const out = stream === "stderr" ? process.stderr : process.stdout;
  if (out.writableLength > FORWARD_BACKLOG_BYTES) {
    droppedForward[stream] += lines.length;
    return;
  }
  let text = "";
  if (droppedForward[stream] > 0) {
    text = `zinit| dropped ${droppedForward[stream]} forwarded ${stream} lines while it was backed up\n`;
    droppedForward[stream] = 0;
  }
  for (const line of lines) text += `${name}| ${line}\n`;
  out.write(text);
}

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

/** What one output pipe keeps between chunks. */
class LineReader implements ChunkReader {
  /** bytes after the last newline seen, copied: the chunk's buffer is reused */
  rest: Uint8Array | null = null;

  constructor(
    readonly stream: "stdout" | "stderr",
    readonly sink: LineSink,
    readonly onEnd: (() => void) | undefined,
  ) {}

  chunk(chunk: Uint8Array): void {
    const last = chunk.lastIndexOf(10);
    if (last < 0) return keep(this, chunk);
    const from = tailStart(chunk, last, this.sink.wanted());
    const out: string[] = [];
    if (from === 0 && this.rest !== null) {
      // The chunk's first line began in an earlier one: it is decoded with what came before.
      const first = chunk.indexOf(10);
      out.push(clampLine(decoder.decode(concat(this.rest, chunk.subarray(0, first)))));
      if (first < last) splitInto(out, decoder.decode(chunk.subarray(first + 1, last)));
    } else {
      splitInto(out, decoder.decode(chunk.subarray(from, last)));
    }
    this.rest = null;
    if (last + 1 < chunk.length) keep(this, chunk.subarray(last + 1));
    this.sink.lines(this.stream, out);
  }

  end(): void {
    if (this.rest !== null && this.rest.length > 0) line(this, decoder.decode(this.rest));
    this.rest = null;
    this.onEnd?.();
  }
}

/**
 * Where the newest `wanted` complete lines of the chunk begin (they end at `last`,
 * the last newline): 0 when the chunk holds no more lines than that.
 */
function tailStart(chunk: Uint8Array, last: number, wanted: number): number {
  if (!Number.isFinite(wanted)) return 0;
  let start = last;
  for (let n = 0; n < Math.max(1, wanted); n++) {
    start = start === 0 ? -1 : chunk.lastIndexOf(10, start - 1);
    if (start < 0) return 0;
  }
  return start + 1;
}

function splitInto(out: string[], text: string): void {
  let start = 0;
  for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
    out.push(clampLine(text.slice(start, nl)));
    start = nl + 1;
  }
  out.push(clampLine(text.slice(start)));
}

function line(r: LineReader, text: string): void {
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

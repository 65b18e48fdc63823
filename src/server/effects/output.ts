/**
 * Reads a service's stdout or stderr line by line into its ring and, when asked,
 * forwards each line to zinit's stdout or stderr prefixed with the service name.
 * Reading goes on all the time, and forwarding drops (and counts) lines while our
 * own stdout is backed up, so a slow log consumer can never grow zinit's memory or
 * stall the service.
 */
import { closeSync } from "node:fs";
import { clampLine } from "../engine/log-ring.ts";

export type LineSink = (stream: "stdout" | "stderr", line: string) => void;

const FORWARD_BACKLOG_BYTES = 1 << 20;
const droppedForward = { stdout: 0, stderr: 0 };

/**
 * A service's stderr goes to our stderr and its stdout to our stdout, so
 * `docker logs` and a journal keep the two apart as they would without zinit.
 */
export function forwardLine(name: string, stream: "stdout" | "stderr", line: string): void {
  const out = stream === "stderr" ? process.stderr : process.stdout;
  if (out.writableLength > FORWARD_BACKLOG_BYTES) {
    droppedForward[stream]++;
    return;
  }
  if (droppedForward[stream] > 0) {
    out.write(`zinit| dropped ${droppedForward[stream]} forwarded ${stream} lines while it was backed up\n`);
    droppedForward[stream] = 0;
  }
  out.write(`${name}| ${line}\n`);
}

/** Complete lines are decoded whole: a newline byte never falls inside a UTF-8 sequence. */
const decoder = new TextDecoder();
/** A line that never ends is cut here rather than held without bound. */
const MAX_PENDING_BYTES = 64 * 1024;

/** What one output socket keeps between chunks: the socket's own `data`. */
interface LineReader {
  stream: "stdout" | "stderr";
  sink: LineSink;
  /** bytes after the last newline seen, copied: the chunk's buffer is reused */
  rest: Uint8Array | null;
  done: () => void;
}

/**
 * Reads the socket `fd` (our end of a service's stdout or stderr) line by line
 * into `sink` until the service's end is closed; resolves then. Bun's own socket
 * calls back with each chunk from its event loop, one read per wake-up, so a
 * flooding service never starves timers or the control socket, and a quiet one
 * costs a few hundred bytes: the handlers are shared, and there is no stream,
 * reader, decoder or read buffer of its own (a ReadableStream over a pipe holds
 * ~7 KB of objects and a 256 KB buffer).
 */
export function readLines(fd: number, stream: "stdout" | "stderr", sink: LineSink): Promise<void> {
  return new Promise((done) => {
    const reader: LineReader = { stream, sink, rest: null, done };
    // Bun.connect takes an fd the types do not list: the socket Bun builds over it is its own.
    Bun.connect({ fd, socket: LINE_HANDLERS, data: reader } as unknown as Bun.UnixSocketOptions<LineReader>).catch(() => {
      try {
        closeSync(fd);
      } catch {}
      finish(reader);
    });
  });
}

const LINE_HANDLERS: Bun.SocketHandler<LineReader> = {
  data(socket, chunk: Uint8Array) {
    const r = socket.data;
    const first = chunk.indexOf(10);
    if (first < 0) return keep(r, chunk);
    let from = 0;
    if (r.rest !== null) {
      line(r, decoder.decode(concat(r.rest, chunk.subarray(0, first))));
      r.rest = null;
      from = first + 1;
    }
    const last = chunk.lastIndexOf(10);
    if (last >= from) {
      const text = decoder.decode(chunk.subarray(from, last));
      let start = 0;
      for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
        line(r, text.slice(start, nl));
        start = nl + 1;
      }
      line(r, text.slice(start));
    }
    if (last + 1 < chunk.length) keep(r, chunk.subarray(last + 1));
  },
  end: (socket) => void socket.end(),
  close: (socket) => finish(socket.data),
  error: () => {}, // the close that follows ends the read
};

function line(r: LineReader, text: string): void {
  r.sink(r.stream, clampLine(text));
}

function keep(r: LineReader, bytes: Uint8Array): void {
  r.rest = r.rest === null ? bytes.slice() : concat(r.rest, bytes);
  if (r.rest.length > MAX_PENDING_BYTES) {
    line(r, decoder.decode(r.rest));
    r.rest = null;
  }
}

function finish(r: LineReader): void {
  if (r.rest !== null && r.rest.length > 0) line(r, decoder.decode(r.rest));
  r.rest = null;
  r.done();
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

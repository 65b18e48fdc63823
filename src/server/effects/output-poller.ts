/**
 * Reads the server's end of every service's stdout and stderr pipe without any
 * timer while they are quiet, and in big bites while one floods.
 *
 * Why not Bun's own readers: a socket read with `Bun.connect({ fd })` arms Bun's
 * once-a-second socket timer for as long as it is open, so an idle server woke
 * ~3 times a second; a ReadableStream per pipe costs ~8 KB of objects and a
 * buffer of its own per service. Here the kernel tells us: each pipe is set
 * O_ASYNC, a write to a quiet pipe sends us SIGIO, and one epoll set (asked
 * without waiting) says which pipes have something. Nothing runs between writes.
 *
 * A service that writes faster than signals are worth (BUSY_BYTES or more found
 * in one read-out) leaves that scheme: its signals are turned off, its pipe grows
 * to BUSY_PIPE_BYTES and it is read every millisecond until a read-out finds less
 * than BUSY_BYTES; then it goes back to signals (and its pipe to its usual size).
 * One signal per write of a flood cost more than the reading itself.
 */
import { closeSync } from "node:fs";
import { EPOLL_EVENTS_PER_CALL, epollAdd, epollCreate, epollDelete, epollReadyNow, readNow, setPipeSize, setReadSignal } from "../../sys/libc.ts";

/** What is read from one fd: `chunk` gets a view of a shared buffer, valid during the call only. */
export interface ChunkReader {
  chunk(bytes: Uint8Array): void;
  /**
   * True while the reader wants no more for now (its log file's writer is behind):
   * the pipe is then left to fill, and polled until the reader takes again.
   */
  holdsOff?(): boolean;
  /**
   * At most this many bytes per read, when one full read (1 MiB) could be more
   * than the reader can take at once (a log file's queue: 1 MiB of short lines
   * is ~5 MiB once each is stamped).
   */
  readLimit?(): number;
  /** the writers have all closed (or the read failed); the fd is closed */
  end(): void;
}

const BUSY_BYTES = 16 * 1024;
const BUSY_PIPE_BYTES = 1 << 20;
/** Linux's default pipe size, which a pipe goes back to when it is quiet again. */
const QUIET_PIPE_BYTES = 64 * 1024;
/** At most this much from one pipe in one turn, so a flood never starves the event loop. */
const TURN_BYTES = 4 << 20;
const BUSY_POLL_MS = 1;

const readBuffer = new Uint8Array(1024 * 1024);
const readers = new Map<number, ChunkReader>();
const busy = new Set<number>();
const readyFds: number[] = [];
let epoll = -1;
let busyPollScheduled = false;
let checkScheduled = false;
let onRead: ((bytes: number) => void) | null = null;

/** Hears how many bytes each read-out took in (the server gives memory back after a flood). */
export function observeReads(fn: (bytes: number) => void): void {
  onRead = fn;
}

/**
 * Reads `fd` (non-blocking from now on) into `reader` until every writer has
 * closed it, then closes it. The first check runs on the next turn: a service
 * can write before its pipe is set to signal, and that write sends nothing.
 */
export function pollOutput(fd: number, reader: ChunkReader): void {
  if (epoll < 0) {
    epoll = epollCreate();
    process.on("SIGIO", readReady);
  }
  try {
    setReadSignal(fd, true);
    epollAdd(epoll, fd);
  } catch {
    // epoll refuses some fds (a regular file; a user over max_user_watches):
    // Bun's stream reader then, heavier but never leaving the output unread
    // (a closed read end would kill the service with SIGPIPE).
    void readWithStream(fd, reader);
    return;
  }
  readers.set(fd, reader);
  if (!checkScheduled) {
    checkScheduled = true;
    setImmediate(readReady);
  }
}

/**
 * Reads what `fd` holds now, if it is one of ours. For a service whose process
 * has just exited: its pipe's signal may be handled after the exit, and what it
 * wrote last must be taken in before its exit is (its last words come before
 * the line saying it stopped, and a shutdown that this exit completes cannot
 * leave them unread). A no-op for an fd that has ended or is read by a stream.
 */
export function readPolledNow(fd: number): void {
  if (readers.has(fd) && readOut(fd) === HELD) becomeBusy(fd);
}

/** Reads every pipe once, now, held off or not: the server's last act before it exits. */
export function readAllPolledNow(): void {
  // A copy: a pipe found at its end leaves the map while we go.
  for (const fd of [...readers.keys()]) readOut(fd, true);
}

/** How many fds are being read: for tests and the memory breakdown. */
export function polledCount(): number {
  return readers.size;
}

function readReady(): void {
  checkScheduled = false;
  // A flooding pipe is read every millisecond, not on signals: what it holds was
  // most likely written before whatever sent this signal, so it is read first
  // (a service's last stdout line before a stderr line written after it).
  for (const fd of busy) readOut(fd);
  do {
    epollReadyNow(epoll, readyFds);
    for (const fd of readyFds) {
      const got = readOut(fd);
      // Held off: no signal would come for what waits, so it is polled.
      if (got >= BUSY_BYTES || got === HELD) becomeBusy(fd);
    }
  } while (readyFds.length === EPOLL_EVENTS_PER_CALL);
}

/** readOut's answer for a reader that holds off before anything was read. */
const HELD = -2;

/**
 * Bytes read from `fd` until it had nothing more (or TURN_BYTES, or its reader
 * held off); -1 once it has ended; HELD if the reader held off at once.
 * `force`: read whatever the reader says (the server is about to exit).
 */
function readOut(fd: number, force = false): number {
  const reader = readers.get(fd);
  if (reader === undefined) return 0;
  let got = 0;
  let n = -1;
  const limit = reader.readLimit?.() ?? readBuffer.length;
  const into = limit < readBuffer.length ? readBuffer.subarray(0, limit) : readBuffer;
  while (got < TURN_BYTES) {
    if (!force && reader.holdsOff?.()) return got > 0 ? got : HELD;
    try {
      n = readNow(fd, into);
    } catch {
      n = 0; // a read error ends the output like EOF
    }
    if (n <= 0) break;
    got += n;
    reader.chunk(into.subarray(0, n));
  }
  if (got > 0) onRead?.(got);
  if (n !== 0) return got;
  ended(fd, reader);
  return -1;
}

async function readWithStream(fd: number, reader: ChunkReader): Promise<void> {
  try {
    setReadSignal(fd, false);
  } catch {}
  try {
    for await (const chunk of Bun.file(fd).stream()) reader.chunk(chunk);
  } catch {
    // a read error ends the output like EOF
  } finally {
    try {
      closeSync(fd);
    } catch {}
    reader.end();
  }
}

function ended(fd: number, reader: ChunkReader): void {
  readers.delete(fd);
  busy.delete(fd);
  try {
    closeSync(fd); // which also takes it out of the epoll set
  } catch {}
  reader.end();
}

function becomeBusy(fd: number): void {
  if (busy.has(fd)) return;
  busy.add(fd);
  setReadSignal(fd, false);
  epollDelete(epoll, fd);
  setPipeSize(fd, BUSY_PIPE_BYTES);
  if (!busyPollScheduled) {
    busyPollScheduled = true;
    setTimeout(readBusy, BUSY_POLL_MS);
  }
}

function readBusy(): void {
  busyPollScheduled = false;
  for (const fd of busy) {
    const got = readOut(fd);
    // Ended, still flooding, or held off (polled until its reader takes again).
    if (got < 0 || got >= BUSY_BYTES) continue;
    busy.delete(fd);
    setPipeSize(fd, QUIET_PIPE_BYTES);
    epollAdd(epoll, fd);
    setReadSignal(fd, true);
    // What came between the read-out and the signal being back on sent none.
    readOut(fd);
  }
  if (busy.size > 0) {
    busyPollScheduled = true;
    setTimeout(readBusy, BUSY_POLL_MS);
  }
}

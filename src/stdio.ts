/**
 * zinit's own stdout and stderr, for its log lines and the lines it forwards from
 * services: one writer per stream, so the two kinds keep their order, and a count
 * of what has been accepted but has not reached the fd yet.
 *
 * Why the count is ours: Bun's writers never block, they buffer, and the buffer has
 * no bound. `process.stdout.writableLength` stayed 0 while 2 MB waited behind a
 * reader that did not read, so a service flooding a stalled `docker logs` grew the
 * server to 370 MB. A FileSink's flush() returns a promise while bytes are pending
 * and settles once they are written; counting what each write added and what each
 * settled flush covered gives the backlog, which the forwarding keeps bounded.
 */

type Stream = "stdout" | "stderr";

interface Tracked {
  sink: Bun.FileSink | null;
  /** characters (of strings) and bytes handed to the sink so far */
  accepted: number;
  /** of those, how many are known to be written */
  written: number;
  /** the newest flush still pending, settled once everything before it is out */
  pending: Promise<void> | null;
}

const streams: Record<Stream, Tracked> = {
  stdout: { sink: null, accepted: 0, written: 0, pending: null },
  stderr: { sink: null, accepted: 0, written: 0, pending: null },
};

/** Writes `text` to our stdout or stderr; never throws (a closed stdout must not take us down). */
export function writeTo(stream: Stream, text: string | Uint8Array): void {
  const s = streams[stream];
  try {
    const sink = (s.sink ??= stream === "stdout" ? Bun.stdout.writer() : Bun.stderr.writer());
    sink.write(text);
    s.accepted += text.length;
    const upTo = s.accepted;
    const flushed = sink.flush();
    if (!(flushed instanceof Promise)) {
      s.written = upTo;
      return;
    }
    const settled = flushed.then(
      () => {
        if (s.written < upTo) s.written = upTo;
      },
      () => {
        // The reader is gone: nothing will ever be written, nor is anything pending.
        s.written = s.accepted;
      },
    );
    s.pending = settled;
    void settled.then(() => {
      if (s.pending === settled) s.pending = null;
    });
  } catch {
    s.written = s.accepted;
  }
}

/** Characters accepted for `stream` that have not reached its fd yet (about its bytes). */
export function backlogOf(stream: Stream): number {
  const s = streams[stream];
  return s.accepted - s.written;
}

/** Resolves once what `stream` has accepted so far has reached its fd (at once if it has). */
export function whenWritten(stream: Stream): Promise<void> {
  return streams[stream].pending ?? Promise.resolve();
}

/**
 * Waits until what was written has reached both fds, or `timeoutMs` has passed:
 * before exiting, since an exit drops what Bun still holds. Bounded, because the
 * reader of our output may never read again.
 */
export async function drainStdio(timeoutMs: number): Promise<void> {
  const waits = [streams.stdout.pending, streams.stderr.pending].filter((p): p is Promise<void> => p !== null);
  if (waits.length === 0) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([Promise.all(waits), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
}

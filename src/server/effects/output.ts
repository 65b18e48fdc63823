/**
 * Reads a service's stdout or stderr line by line into its ring and, when asked,
 * forwards each line to zinit's stdout or stderr prefixed with the service name. Reading
 * continuously is what keeps a pipe from buffering without bound inside Bun, and
 * forwarding drops (and counts) lines while our own stdout is backed up, so a slow
 * log consumer can never grow zinit's memory or stall the service.
 */
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

export async function pumpLines(
  source: ReadableStream<Uint8Array>,
  stream: "stdout" | "stderr",
  sink: LineSink,
): Promise<void> {
  const decoder = new TextDecoder();
  let rest = "";
  try {
    for await (const chunk of source) {
      const text = rest + decoder.decode(chunk, { stream: true });
      let start = 0;
      let nl: number;
      while ((nl = text.indexOf("\n", start)) >= 0) {
        sink(stream, clampLine(text.slice(start, nl)));
        start = nl + 1;
      }
      rest = text.slice(start);
      // A line that never ends is cut here rather than held without bound.
      if (rest.length > 64 * 1024) {
        sink(stream, clampLine(rest));
        rest = "";
      }
      // Back to the event loop after each chunk: while a service floods, the pipe
      // always has data and the reads resolve without it, starving everything
      // else (timers, the socket, log file writes, which then dropped most lines).
      await new Promise((resolve) => setImmediate(resolve));
    }
  } catch {
    // The pipe closes with the process; nothing to report beyond the exit itself.
  }
  rest += decoder.decode();
  if (rest.length > 0) sink(stream, clampLine(rest));
}

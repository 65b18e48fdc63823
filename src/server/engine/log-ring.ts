/**
 * A fixed-capacity ring of log lines per service: memory is bounded by
 * buffer_lines × MAX_LINE_BYTES whatever the service writes.
 */
export const MAX_LINE_CHARS = 16 * 1024;

export interface RingLine {
  at: number;
  stream: "stdout" | "stderr";
  line: string;
}

/**
 * The complete lines of one read, as bytes: how many there are and the longest
 * (in bytes, without its newline). `body` ends with a newline; `head`, if any, is
 * the start of its first line, carried from an earlier read. A line of no more
 * bytes than MAX_LINE_CHARS cannot need a cut, whatever its characters.
 */
export function measureLines(head: Uint8Array | null, body: Uint8Array): { lines: number; longest: number } {
  let lines = 0;
  let longest = 0;
  for (let start = 0, nl = body.indexOf(10); nl >= 0; start = nl + 1, nl = body.indexOf(10, start)) {
    const length = nl - start + (lines === 0 && head !== null ? head.length : 0);
    if (length > longest) longest = length;
    lines++;
  }
  return { lines, longest };
}

/**
 * The lines of one read (as measureLines takes them) as text, each cut as the
 * ring cuts it: the way for a read with a line too long to copy as bytes.
 */
export function cutLines(head: Uint8Array | null, body: Uint8Array): string[] {
  // `head` may end inside a character that `body` finishes: decoded as one stream.
  const start = head === null ? "" : lineDecoder.decode(head, { stream: true });
  return (start + lineDecoder.decode(body.subarray(0, body.length - 1))).split("\n").map(clampLine);
}

const lineDecoder = new TextDecoder();

/** Cuts an over-long line and says so, so a reader knows the line is not whole. */
export function clampLine(line: string): string {
  if (line.length <= MAX_LINE_CHARS) return line;
  return `${line.slice(0, MAX_LINE_CHARS)}… [cut ${line.length - MAX_LINE_CHARS} chars]`;
}

export class LogRing {
  // Grows up to capacity instead of being allocated whole: most services write a
  // few lines, and 1,000 services × buffer_lines empty slots is memory for nothing.
  private items: RingLine[] = [];
  private next = 0;

  private cap: number;

  constructor(capacity: number) {
    this.cap = Math.max(1, capacity);
  }

  get capacity(): number {
    return this.cap;
  }

  push(entry: RingLine): void {
    if (this.items.length < this.cap) {
      this.items.push(entry);
      return;
    }
    this.items[this.next] = entry;
    this.next = (this.next + 1) % this.cap;
  }

  get size(): number {
    return this.items.length;
  }

  /** The last `n` lines, oldest first. */
  tail(n: number = this.items.length): RingLine[] {
    const len = this.items.length;
    const take = Math.min(Math.max(0, n), len);
    const out: RingLine[] = new Array(take);
    // While growing, next is 0 and the oldest line is items[0]; once full, items[next].
    for (let i = 0; i < take; i++) {
      out[i] = this.items[(this.next + len - take + i) % len]!;
    }
    return out;
  }

  /** Keeps the newest lines that fit a new capacity (a reload may change buffer_lines). */
  resize(capacity: number): void {
    const kept = this.tail(Math.min(this.items.length, capacity));
    this.cap = Math.max(1, capacity);
    this.items = kept;
    this.next = 0;
  }
}

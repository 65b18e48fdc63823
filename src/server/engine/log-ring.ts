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

/** Cuts an over-long line and says so, so a reader knows the line is not whole. */
export function clampLine(line: string): string {
  if (line.length <= MAX_LINE_CHARS) return line;
  return `${line.slice(0, MAX_LINE_CHARS)}… [cut ${line.length - MAX_LINE_CHARS} chars]`;
}

export class LogRing {
  private items: (RingLine | undefined)[];
  private next = 0;
  private count = 0;

  constructor(private capacity: number) {
    this.items = new Array(Math.max(1, capacity));
  }

  push(entry: RingLine): void {
    this.items[this.next] = entry;
    this.next = (this.next + 1) % this.items.length;
    if (this.count < this.items.length) this.count++;
  }

  get size(): number {
    return this.count;
  }

  /** The last `n` lines, oldest first. */
  tail(n: number = this.count): RingLine[] {
    const take = Math.min(Math.max(0, n), this.count);
    const out: RingLine[] = new Array(take);
    const len = this.items.length;
    for (let i = 0; i < take; i++) {
      out[i] = this.items[(this.next - take + i + len * 2) % len]!;
    }
    return out;
  }

  /** Keeps the newest lines that fit a new capacity (a reload may change buffer_lines). */
  resize(capacity: number): void {
    const kept = this.tail(Math.min(this.count, capacity));
    this.capacity = capacity;
    this.items = new Array(Math.max(1, capacity));
    this.next = 0;
    this.count = 0;
    for (const e of kept) this.push(e);
  }
}

/**
 * Newline-delimited framing (docs/protocol.md). Pure: bytes in, lines out.
 *
 * Model: the decoder works on UTF-8 bytes, not on decoded text. A newline byte
 * (0x0A) never occurs inside a multibyte UTF-8 sequence, so every line boundary
 * is also a character boundary and each complete line can be decoded on its own;
 * a character split across two chunks is simply joined with the rest of its line.
 *
 * Invariant: the bytes held for the current line never exceed `maxLineBytes`.
 * As soon as a line is known to be longer, it is reported once as an overflow and
 * the rest of it is skipped up to its newline, so a peer sending a line that
 * never ends costs at most the bound plus the chunk being looked at.
 */

/** The protocol's bound: 1 MiB per line, newline excluded. */
export const MAX_LINE_BYTES = 1024 * 1024;

/** What one chunk produced: a complete line, or a line over the bound. */
export type LineEvent =
  | { type: "line"; line: string }
  /** `bytes`: how much of the oversized line had been seen when it was rejected. */
  | { type: "overflow"; bytes: number };

/** Options of {@link LineDecoder}. */
export interface LineDecoderOptions {
  /** Longest accepted line in bytes, newline excluded. Default {@link MAX_LINE_BYTES}. */
  maxLineBytes?: number;
}

const NEWLINE = 0x0a;

/**
 * Splits a byte or text stream into lines. Feed chunks with {@link push}; each
 * call returns the events the chunk completed, in order.
 */
export class LineDecoder {
  readonly maxLineBytes: number;
  // Pieces of the unfinished line: joined once when its newline arrives, so a long
  // line delivered in many small chunks is copied once instead of once per chunk.
  #parts: Uint8Array[] = [];
  #pendingBytes = 0;
  // True while skipping the tail of a line already reported as overflow.
  #discarding = false;
  #decoder = new TextDecoder("utf-8");
  #encoder = new TextEncoder();

  constructor(options: LineDecoderOptions = {}) {
    this.maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES;
  }

  /** Bytes currently held for the unfinished line (never more than `maxLineBytes`). */
  get bufferedBytes(): number {
    return this.#pendingBytes;
  }

  /** Consumes one chunk; returns the lines (and overflows) it completed. */
  push(chunk: string | Uint8Array): LineEvent[] {
    const bytes = typeof chunk === "string" ? this.#encoder.encode(chunk) : chunk;
    const events: LineEvent[] = [];
    let start = 0;
    while (start < bytes.length) {
      const nl = bytes.indexOf(NEWLINE, start);
      const end = nl === -1 ? bytes.length : nl;
      if (this.#discarding) {
        if (nl === -1) return events;
        this.#discarding = false;
        start = nl + 1;
        continue;
      }
      const size = this.#pendingBytes + (end - start);
      if (size > this.maxLineBytes) {
        events.push({ type: "overflow", bytes: size });
        this.#reset();
        if (nl === -1) {
          this.#discarding = true;
          return events;
        }
        start = nl + 1;
        continue;
      }
      if (nl === -1) {
        // Copied because callers (socket handlers) may reuse the chunk's memory.
        this.#parts.push(bytes.slice(start));
        this.#pendingBytes = size;
        return events;
      }
      events.push({ type: "line", line: this.#takeLine(bytes.subarray(start, nl)) });
      start = nl + 1;
    }
    return events;
  }

  /**
   * Ends the stream: returns the unterminated last line, if any. An overflowing
   * tail was already reported, so it yields nothing more.
   */
  end(): LineEvent[] {
    const wasDiscarding = this.#discarding;
    this.#discarding = false;
    if (wasDiscarding || this.#pendingBytes === 0) {
      this.#reset();
      return [];
    }
    return [{ type: "line", line: this.#takeLine(new Uint8Array(0)) }];
  }

  #takeLine(tail: Uint8Array): string {
    if (this.#parts.length === 0) return this.#decoder.decode(tail);
    const whole = new Uint8Array(this.#pendingBytes + tail.length);
    let offset = 0;
    for (const part of this.#parts) {
      whole.set(part, offset);
      offset += part.length;
    }
    whole.set(tail, offset);
    this.#reset();
    return this.#decoder.decode(whole);
  }

  #reset(): void {
    this.#parts = [];
    this.#pendingBytes = 0;
  }
}

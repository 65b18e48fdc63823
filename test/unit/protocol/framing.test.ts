import { describe, expect, test } from "bun:test";
import { LineDecoder, MAX_LINE_BYTES, type LineEvent } from "../../../src/sdk/protocol/framing.ts";

const lines = (events: LineEvent[]) => events.map((e) => (e.type === "line" ? e.line : `<overflow ${e.bytes}>`));

describe("LineDecoder", () => {
  // A chunk may end anywhere: lines are only emitted once their newline arrives.
  test("joins lines split across chunks and emits several per chunk", () => {
    const d = new LineDecoder();
    expect(lines(d.push("ab"))).toEqual([]);
    expect(lines(d.push("c\nde"))).toEqual(["abc"]);
    expect(lines(d.push("f\ng\n\nh"))).toEqual(["def", "g", ""]);
    expect(d.bufferedBytes).toBe(1);
    expect(lines(d.end())).toEqual(["h"]);
    expect(lines(d.end())).toEqual([]);
  });

  // A character whose bytes straddle two chunks must not turn into U+FFFD.
  test("decodes multibyte UTF-8 split across chunks", () => {
    const bytes = new TextEncoder().encode("héllo 🚀 wörld\n");
    for (let cut = 1; cut < bytes.length - 1; cut++) {
      const d = new LineDecoder();
      const events = [...d.push(bytes.subarray(0, cut)), ...d.push(bytes.subarray(cut))];
      expect(lines(events)).toEqual(["héllo 🚀 wörld"]);
    }
    const d = new LineDecoder();
    const out: LineEvent[] = [];
    for (const b of bytes) out.push(...d.push(new Uint8Array([b])));
    expect(lines(out)).toEqual(["héllo 🚀 wörld"]);
  });

  // The chunk may be reused by the socket layer after push() returns.
  test("does not keep references to the caller's buffer", () => {
    const d = new LineDecoder();
    const buf = new TextEncoder().encode("abc");
    d.push(buf);
    buf.fill(0x7a);
    expect(lines(d.push("\n"))).toEqual(["abc"]);
  });

  test("a line exactly at the bound passes, one byte more overflows", () => {
    const d = new LineDecoder({ maxLineBytes: 10 });
    expect(lines(d.push("0123456789\n"))).toEqual(["0123456789"]);
    expect(lines(d.push("0123456789A\nnext\n"))).toEqual(["<overflow 11>", "next"]);
  });

  // An overflow is reported once, the rest of that line skipped, the stream resumes after its newline.
  test("overflow across chunks is reported once and the next line survives", () => {
    const d = new LineDecoder({ maxLineBytes: 8 });
    expect(lines(d.push("12345"))).toEqual([]);
    expect(lines(d.push("6789"))).toEqual(["<overflow 9>"]);
    expect(lines(d.push("more and more"))).toEqual([]);
    expect(lines(d.push("tail\nok\n"))).toEqual(["ok"]);
  });

  // A peer that never sends a newline must not make the buffer grow past the bound.
  test("a line that never ends stays bounded", () => {
    const d = new LineDecoder();
    const chunk = new Uint8Array(64 * 1024).fill(0x61);
    const events: LineEvent[] = [];
    for (let i = 0; i < 64; i++) {
      events.push(...d.push(chunk));
      expect(d.bufferedBytes).toBeLessThanOrEqual(MAX_LINE_BYTES);
    }
    expect(events.length).toBe(1);
    expect(events[0]!.type).toBe("overflow");
    expect(lines(d.end())).toEqual([]);
  });

  // 1 MiB in 16-byte chunks: re-scanning the held bytes per chunk would take minutes; linear takes milliseconds.
  test("a long line in many small chunks is handled in linear time", () => {
    const d = new LineDecoder();
    const piece = new Uint8Array(16).fill(0x62);
    const count = (MAX_LINE_BYTES - 16) / 16;
    const started = performance.now();
    let early = 0;
    for (let i = 0; i < count; i++) early += d.push(piece).length;
    expect(early).toBe(0);
    const events = d.push("\n");
    const elapsed = performance.now() - started;
    expect(events.length).toBe(1);
    expect(events[0]!.type === "line" && events[0]!.line.length).toBe(MAX_LINE_BYTES - 16);
    expect(elapsed).toBeLessThan(2000);
  });
});

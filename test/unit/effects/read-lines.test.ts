/**
 * readLines: a service's output socket, cut into lines whatever the chunking — a
 * line across several writes, a UTF-8 character split between two writes, many
 * lines in one write, a last line without newline, a line that never ends.
 */
import { describe, expect, test } from "bun:test";
import { closeSync, writeSync } from "node:fs";
import { MAX_LINE_CHARS } from "../../../src/server/engine/log-ring.ts";
import { readLines } from "../../../src/server/effects/output.ts";
import { socketPair } from "../../../src/sys/libc.ts";

/** Writes each piece to the other end (a pause between, so each is its own chunk), then closes it. */
async function linesOf(pieces: (string | Uint8Array)[]): Promise<string[]> {
  const [ours, theirs] = socketPair();
  const lines: string[] = [];
  const done = readLines(ours, "stderr", (stream, line) => lines.push(`${stream}:${line}`));
  for (const p of pieces) {
    writeSync(theirs, typeof p === "string" ? Buffer.from(p) : p);
    await Bun.sleep(5);
  }
  closeSync(theirs);
  await done;
  return lines;
}

describe("readLines", () => {
  test("lines across writes, several per write, empty ones, and a last one without newline", async () => {
    expect(await linesOf(["a\n\nb", "c\nd\ne", "\n", "tail"])).toEqual(["stderr:a", "stderr:", "stderr:bc", "stderr:d", "stderr:e", "stderr:tail"]);
  });

  test("a UTF-8 character split between two writes comes out whole", async () => {
    const bytes = Buffer.from("é€😀\n");
    expect(await linesOf([bytes.subarray(0, 1), bytes.subarray(1, 4), bytes.subarray(4)])).toEqual(["stderr:é€😀"]);
  });

  test("a line that never ends is cut once 64 KiB are pending, then clamped like any line", async () => {
    const lines = await linesOf(["x".repeat(70_000), "\nz\n"]);
    expect(lines).toEqual([`stderr:${"x".repeat(MAX_LINE_CHARS)}… [cut ${70_000 - MAX_LINE_CHARS} chars]`, "stderr:", "stderr:z"]);
  });

  test("resolves when the writer closes without writing", async () => {
    expect(await linesOf([])).toEqual([]);
  });
});

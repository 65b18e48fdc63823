/**
 * readLines: a service's output pipe, cut into lines whatever the chunking — a
 * line across several writes, a UTF-8 character split between two writes, many
 * lines in one write, a last line without newline, a line that never ends.
 */
import { describe, expect, test } from "bun:test";
import { closeSync, writeSync } from "node:fs";
import { MAX_LINE_CHARS } from "../../../src/server/engine/log-ring.ts";
import { readLines, readServiceOutput } from "../../../src/server/effects/output.ts";
import { outputPipe, setPipeSize } from "../../../src/sys/libc.ts";

/**
 * Writes each piece to the other end (a pause between, so each is its own chunk),
 * then closes it. `wanted` is how many of a chunk's newest lines the sink takes.
 */
async function linesOf(pieces: (string | Uint8Array)[], wanted = Number.POSITIVE_INFINITY): Promise<string[]> {
  const [ours, theirs] = outputPipe();
  // The writes below block (this same thread reads): room for the 70 KB one.
  setPipeSize(theirs, 256 * 1024);
  const lines: string[] = [];
  const done = new Promise<void>((ended) =>
    readLines(
      ours,
      "stderr",
      {
        wanted: () => wanted,
        lines: (stream, batch) => {
          for (const line of batch) lines.push(`${stream}:${line}`);
        },
      },
      ended,
    ),
  );
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

  test("a sink that wants only the newest lines of a chunk gets exactly those", async () => {
    // "p1" begins in the first chunk: it is dropped with the older lines of the second.
    expect(await linesOf(["p", "1\nl2\nl3\nl4\nl5\nta", "il\n"], 2)).toEqual(["stderr:l4", "stderr:l5", "stderr:tail"]);
    // a chunk with no more lines than wanted keeps its first line whole, rest included
    expect(await linesOf(["p", "1\nl2\n"], 2)).toEqual(["stderr:p1", "stderr:l2"]);
    // empty lines count as lines, including one at the very start of a chunk
    expect(await linesOf(["\n\nx\n\n"], 3)).toEqual(["stderr:", "stderr:x", "stderr:"]);
    expect(await linesOf(["\n"], 1)).toEqual(["stderr:"]);
  });

  test("lines only a ring wants: the first read at once, then at most one decode per 50 ms, newest kept, in order", async () => {
    const [ours, theirs] = outputPipe();
    const lines: string[] = [];
    const done = new Promise<void>((ended) => readLines(ours, "stdout", { wanted: () => 2, lines: (_, batch) => void lines.push(...batch) }, ended));
    writeSync(theirs, "l1\nl2\nl3\nl4\n");
    await Bun.sleep(10);
    expect(lines).toEqual(["l3", "l4"]); // after a quiet spell: at once
    writeSync(theirs, "m1\n");
    await Bun.sleep(5);
    writeSync(theirs, "m2\nm");
    await Bun.sleep(5);
    writeSync(theirs, "3\n");
    await Bun.sleep(5);
    expect(lines).toEqual(["l3", "l4"]); // held as bytes
    await Bun.sleep(80);
    expect(lines).toEqual(["l3", "l4", "m2", "m3"]); // by themselves; m1 pushed out
    await Bun.sleep(60);
    writeSync(theirs, "n\n");
    await Bun.sleep(10);
    expect(lines).toEqual(["l3", "l4", "m2", "m3", "n"]);
    closeSync(theirs);
    await done;
  });

  test("a service's stdout and stderr reach the sink in the order they were read, held lines included", async () => {
    const [out, outW] = outputPipe();
    const [err, errW] = outputPipe();
    const got: string[] = [];
    readServiceOutput(out, err, { wanted: () => 10, lines: (stream, batch) => void got.push(...batch.map((l) => `${stream}:${l}`)) });
    const write = async (fd: number, text: string) => {
      writeSync(fd, text);
      await Bun.sleep(5);
    };
    await write(outW, "a1\n"); // at once
    await write(outW, "a2\na3\n"); // held: within 50 ms of the last decode
    await write(errW, "e1\n"); // the held stdout lines go first
    await write(outW, "a4\n");
    await write(errW, "e2\n");
    await Bun.sleep(120);
    expect(got).toEqual(["stdout:a1", "stdout:a2", "stdout:a3", "stderr:e1", "stdout:a4", "stderr:e2"]);
    closeSync(outW);
    closeSync(errW);
  });

  test("resolves when the writer closes without writing", async () => {
    expect(await linesOf([])).toEqual([]);
  });
});

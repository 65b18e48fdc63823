/**
 * The output poller: pipes read on SIGIO while they trickle, on a 1 ms poll while
 * they flood, and back to signals when the flood stops; many pipes ready at once.
 */
import { describe, expect, test } from "bun:test";
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pollOutput, polledCount } from "../../../src/server/effects/output-poller.ts";
import { outputPipe } from "../../../src/sys/libc.ts";

/** Reads `fd` to its end: how many bytes came, and the text of the last 64 bytes. */
function readAll(fd: number): Promise<{ bytes: number; tail: string }> {
  return new Promise((resolve) => {
    let bytes = 0;
    let tail = "";
    pollOutput(fd, {
      chunk(b) {
        bytes += b.length;
        tail = (tail + Buffer.from(b.subarray(Math.max(0, b.length - 64))).toString()).slice(-64);
      },
      end: () => resolve({ bytes, tail }),
    });
  });
}

describe("output poller", () => {
  test("a flood, a pause, then one more line: every byte, and the last line after the flood mode ends", async () => {
    const [ours, theirs] = outputPipe();
    // 2 MB in one go (the poll mode), 100 ms of nothing (back to signals), then a line a signal must bring.
    const writer = Bun.spawn(["sh", "-c", "head -c 2000000 /dev/zero; sleep 0.1; echo after"], { stdin: "ignore", stdout: theirs, stderr: "inherit" });
    closeSync(theirs);
    const got = await readAll(ours);
    await writer.exited;
    expect(got.bytes).toBe(2_000_000 + "after\n".length);
    expect(got.tail.endsWith("after\n")).toBe(true);
  });

  test("a quiet pipe is read when it is written to, long after it was set up", async () => {
    const [ours, theirs] = outputPipe();
    const seen: string[] = [];
    const done = new Promise<void>((resolve) => pollOutput(ours, { chunk: (b) => void seen.push(Buffer.from(b).toString()), end: resolve }));
    await Bun.sleep(50);
    expect(seen).toEqual([]);
    writeSync(theirs, "late\n");
    await Bun.sleep(20);
    expect(seen.join("")).toBe("late\n");
    closeSync(theirs);
    await done;
  });

  test("an fd epoll refuses (a regular file) is still read to its end", async () => {
    const dir = mkdtempSync(join(tmpdir(), "zinit-poller-"));
    try {
      const file = join(dir, "out");
      writeFileSync(file, "from a file\n");
      const before = polledCount();
      const got = readAll(openSync(file, "r"));
      expect(polledCount()).toBe(before); // not in the epoll set
      expect(await got).toEqual({ bytes: 12, tail: "from a file\n" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("150 pipes written at once (more than one epoll batch) are all read and all end", async () => {
    const before = polledCount();
    const pipes = Array.from({ length: 150 }, () => outputPipe());
    const results = pipes.map(([ours]) => readAll(ours));
    expect(polledCount()).toBe(before + 150);
    for (const [i, [, theirs]] of pipes.entries()) {
      writeSync(theirs, `pipe ${i}\n`);
      closeSync(theirs);
    }
    const all = await Promise.all(results);
    expect(all.map((r) => r.tail)).toEqual(pipes.map((_, i) => `pipe ${i}\n`));
    expect(polledCount()).toBe(before);
  });
});

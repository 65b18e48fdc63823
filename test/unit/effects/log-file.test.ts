/**
 * The log file writer against a real temp directory: the line format, rotation
 * bounded by max_size with exactly `keep` old files, no line lost while the disk
 * keeps up, a bounded queue that drops and counts, and failures that are counted,
 * reported and retried, never thrown.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatLogLine, HOLD_MAX_MS, LogFile, QUEUE_BYTES, RETRY_MS, rotatedIndex, rotationRenames } from "../../../src/server/effects/log-file.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "zinit-logfile-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const LINE_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z (out|err) (.*)$/;

function linesOf(path: string): string[] {
  return existsSync(path) ? readFileSync(path, "utf8").split("\n").filter(Boolean) : [];
}

describe("pure parts", () => {
  test("a line is TIME STREAM TEXT", () => {
    expect(formatLogLine("2024-05-01T12:00:00.123Z", "stdout", "hello world")).toBe("2024-05-01T12:00:00.123Z out hello world\n");
    expect(formatLogLine("2024-05-01T12:00:00.123Z", "stderr", "")).toBe("2024-05-01T12:00:00.123Z err \n");
  });

  test("rotation renames oldest first, the live file last; keep 0 renames nothing", () => {
    expect(rotationRenames("/l/a.log", 3)).toEqual([
      ["/l/a.log.2", "/l/a.log.3"],
      ["/l/a.log.1", "/l/a.log.2"],
      ["/l/a.log", "/l/a.log.1"],
    ]);
    expect(rotationRenames("/l/a.log", 1)).toEqual([["/l/a.log", "/l/a.log.1"]]);
    expect(rotationRenames("/l/a.log", 0)).toEqual([]);
  });

  test("rotatedIndex recognises BASE.N only", () => {
    expect(rotatedIndex("a.log", "a.log.7")).toBe(7);
    expect(rotatedIndex("a.log", "a.log")).toBeNull();
    expect(rotatedIndex("a.log", "a.log.07")).toBeNull();
    expect(rotatedIndex("a.log", "a.log.1.gz")).toBeNull();
    expect(rotatedIndex("a.log", "b.log.1")).toBeNull();
  });
});

describe("writing", () => {
  test("appends lines with their time and stream; the file is 0640 in a created directory", async () => {
    const path = join(dir, "sub", "deeper", "app.log");
    const f = new LogFile({ path, maxSize: 0, keep: 5 });
    f.write(Date.parse("2024-05-01T12:00:00.001Z"), "stdout", "one");
    f.write(Date.parse("2024-05-01T12:00:00.002Z"), "stderr", "two ünïcode");
    await f.idle();
    expect(readFileSync(path, "utf8")).toBe("2024-05-01T12:00:00.001Z out one\n2024-05-01T12:00:00.002Z err two ünïcode\n");
    expect(statSync(path).mode & 0o777).toBe(0o640);
    expect(statSync(join(dir, "sub")).isDirectory()).toBe(true);
    expect(f.status()).toEqual({ path, size: statSync(path).size, dropped: 0, errors: 0, error: null });
    await f.close();
  });

  test("an existing file is appended to, its size counted", async () => {
    const path = join(dir, "app.log");
    writeFileSync(path, "old\n");
    chmodSync(path, 0o600);
    const f = new LogFile({ path, maxSize: 0, keep: 5 });
    f.write(0, "stdout", "new");
    await f.close();
    expect(linesOf(path)).toEqual(["old", "1970-01-01T00:00:00.000Z out new"]);
    expect(statSync(path).mode & 0o777).toBe(0o600); // an existing file keeps its mode
  });

  test("rotation: every file within max_size, exactly `keep` old files, the newest lines kept in order", async () => {
    const path = join(dir, "app.log");
    const f = new LogFile({ path, maxSize: 2_000, keep: 3 });
    const total = 2_000;
    // Written in bursts with pauses, as a real service would, so rotation happens between writes too.
    for (let i = 0; i < total; i++) {
      f.write(1_700_000_000_000 + i, i % 3 === 0 ? "stderr" : "stdout", `line ${i}`);
      if (i % 97 === 0) await f.idle();
    }
    await f.close();
    const names = readdirSync(dir).sort();
    expect(names).toEqual(["app.log", "app.log.1", "app.log.2", "app.log.3"]);
    for (const n of names) expect(statSync(join(dir, n)).size).toBeLessThanOrEqual(2_000);
    const kept = [...linesOf(`${path}.3`), ...linesOf(`${path}.2`), ...linesOf(`${path}.1`), ...linesOf(path)];
    const numbers = kept.map((l) => Number(LINE_RE.exec(l)![2]!.slice("line ".length)));
    // Contiguous up to the last line written: nothing lost or reordered inside what is kept.
    expect(numbers.at(-1)).toBe(total - 1);
    expect(numbers).toEqual(numbers.map((_, i) => numbers[0]! + i));
    expect(f.status().dropped).toBe(0);
  });

  test("max_size 0 never rotates", async () => {
    const path = join(dir, "app.log");
    const f = new LogFile({ path, maxSize: 0, keep: 3 });
    for (let i = 0; i < 5_000; i++) f.write(0, "stdout", `line ${i}`);
    await f.close();
    expect(readdirSync(dir)).toEqual(["app.log"]);
    expect(linesOf(path).length).toBe(5_000);
  });

  test("keep 0: the full file is dropped at rotation; a smaller keep removes the extra old files", async () => {
    const path = join(dir, "app.log");
    for (const n of [1, 2, 3, 4, 9]) writeFileSync(`${path}.${n}`, "old\n");
    const f = new LogFile({ path, maxSize: 200, keep: 2 });
    for (let i = 0; i < 20; i++) {
      f.write(0, "stdout", `line ${i}`);
      await f.idle();
    }
    await f.close();
    expect(readdirSync(dir).sort()).toEqual(["app.log", "app.log.1", "app.log.2"]);
    const g = new LogFile({ path, maxSize: 200, keep: 0 });
    for (let i = 0; i < 20; i++) {
      g.write(0, "stdout", `line ${i}`);
      await g.idle();
    }
    await g.close();
    expect(readdirSync(dir).sort()).toEqual(["app.log"]);
    expect(linesOf(path).at(-1)).toEndWith("out line 19");
  });

  test("a line longer than max_size still goes out, alone in its file", async () => {
    const path = join(dir, "app.log");
    const f = new LogFile({ path, maxSize: 100, keep: 2 });
    f.write(0, "stdout", "short");
    f.write(0, "stdout", "x".repeat(300));
    f.write(0, "stdout", "after");
    await f.close();
    expect(linesOf(`${path}.2`).map((l) => l.slice(29))).toEqual(["short"]);
    expect(linesOf(`${path}.1`).map((l) => l.slice(29))).toEqual(["x".repeat(300)]);
    expect(linesOf(path).map((l) => l.slice(29))).toEqual(["after"]);
  });
});

describe("never blocking, bounded memory", () => {
  test("a burst beyond the queue drops and counts; every line is either in the file or counted", async () => {
    const path = join(dir, "app.log");
    const f = new LogFile({ path, maxSize: 0, keep: 1 });
    const line = "y".repeat(100);
    const total = Math.ceil((3 * QUEUE_BYTES) / 130); // three queues' worth, written without yielding
    for (let i = 0; i < total; i++) f.write(0, "stdout", line);
    await f.close();
    const written = linesOf(path).length;
    const { dropped } = f.status();
    expect(dropped).toBeGreaterThan(0);
    expect(written).toBeGreaterThan(0);
    expect(written + dropped).toBe(total);
  });
});

describe("holding the reader off while the writer is behind", () => {
  test("holds off past HOLD_BYTES while a write is out, for at most HOLD_MAX_MS in a row, never when idle", async () => {
    const path = join(dir, "app.log");
    let clock = 5_000;
    const f = new LogFile({ path, maxSize: 0, keep: 1 }, () => clock);
    expect(f.holdsOff()).toBe(false);
    const body = new TextEncoder().encode(`${"z".repeat(99)}\n`.repeat(10_000)); // ~1 MB of lines
    // Three reads' worth without yielding: the writer is out (opening the file) and
    // more than HOLD_BYTES wait behind it.
    for (let i = 0; i < 3; i++) f.writeChunk(clock, "stdout", null, body);
    expect(f.holdsOff()).toBe(true);
    clock += HOLD_MAX_MS - 1;
    expect(f.holdsOff()).toBe(true);
    clock += 1;
    // A writer this slow gets the reader back: lines are then dropped, not waited for.
    expect(f.holdsOff()).toBe(false);
    await f.idle();
    expect(f.holdsOff()).toBe(false);
    await f.close();
    expect(linesOf(path)).toHaveLength(30_000);
    expect(f.status().dropped).toBe(0);
  });
});

describe("failures are reported, counted and retried, never thrown", () => {
  test("a directory that cannot be created", async () => {
    writeFileSync(join(dir, "file"), "");
    const path = join(dir, "file", "sub", "app.log");
    let clock = 1_000;
    const f = new LogFile({ path, maxSize: 0, keep: 1 }, () => clock);
    f.write(0, "stdout", "a");
    await f.idle();
    const s = f.status();
    expect(s.errors).toBe(1);
    expect(s.error).toStartWith(`cannot create directory ${join(dir, "file", "sub")}: `);
    expect(s.error).toContain("ENOTDIR");
    // Within RETRY_MS nothing is tried: the lines wait in the queue.
    f.write(0, "stdout", "b");
    await f.idle();
    expect(f.status().errors).toBe(1);
    // The obstacle goes away; the next line after the pause writes everything queued.
    rmSync(join(dir, "file"));
    clock += RETRY_MS;
    f.write(0, "stdout", "c");
    await f.idle();
    expect(f.status()).toMatchObject({ errors: 1, error: null, dropped: 0 });
    expect(linesOf(path).map((l) => l.slice(29))).toEqual(["a", "b", "c"]);
    await f.close();
  });

  test("a file that cannot be opened (a directory in its place)", async () => {
    const path = join(dir, "app.log");
    mkdirSync(path);
    const f = new LogFile({ path, maxSize: 0, keep: 1 });
    f.write(0, "stdout", "a");
    await f.idle();
    expect(f.status().error).toContain("EISDIR");
    await f.close();
  });
});

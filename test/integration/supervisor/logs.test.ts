/**
 * Service output ([logging] in docs/configuration.md): captured line by line with stream and time
 * into a ring of buffer_lines per service, streamed with `follow`, and bounded:
 * a flooding service does not grow the server's memory or stop it answering.
 */
import { describe, expect, test } from "bun:test";
import { MAX_LINE_CHARS } from "../../../src/server/engine/log-ring.ts";
import { ZinitClient } from "../../../src/sdk/client.ts";
import { RawConn, service, statusField, waitFor, waitState, withServer } from "./lib.ts";

const lines50 = `i=1; while [ $i -le 50 ]; do echo line$i; i=$((i+1)); done; echo oops >&2`;

function rssMb(pid: number): number {
  const v = statusField(pid, "VmRSS"); // "123456 kB"
  return v === null ? 0 : Number(v.split(/\s+/)[0]) / 1024;
}

describe("logs", () => {
  // The ring keeps only the newest buffer_lines, oldest first, with stream and ISO time.
  test("the ring keeps the last buffer_lines lines, stdout and stderr tagged", async () => {
    await withServer(
      { chatty: service(lines50, { service: { oneshot: true }, logging: { buffer_lines: 10 } }) },
      async (s) => {
        await waitState(s, "chatty", "exited");
        const got = await waitFor("all output read", async () => {
          const l: any[] = await s.rpc("service.logs", { name: "chatty", lines: 1000 });
          return l.some((x) => x.line === "oops") ? l : null;
        });
        expect(got).toHaveLength(10);
        expect(got.map((l) => l.line)).toEqual([...Array.from({ length: 9 }, (_, i) => `line${42 + i}`), "oops"]);
        for (const l of got) {
          expect(l.name).toBe("chatty");
          expect(Number.isNaN(Date.parse(l.at))).toBe(false);
        }
        expect(got.slice(0, 9).every((l) => l.stream === "stdout")).toBe(true);
        expect(got[9].stream).toBe("stderr");
        // times never go backwards
        for (let i = 1; i < got.length; i++) expect(Date.parse(got[i].at)).toBeGreaterThanOrEqual(Date.parse(got[i - 1].at));
      },
    );
  });

  // `lines` picks the newest N; a service's logs hold only its own lines.
  test("lines = 3 gives the newest three, and only that service's", async () => {
    await withServer(
      {
        chatty: service(lines50, { service: { oneshot: true } }),
        other: service("echo from-other; exec sleep 1000"),
      },
      async (s) => {
        await waitFor("chatty done", async () => {
          const l: any[] = await s.rpc("service.logs", { name: "chatty", lines: 1 });
          return l[0]?.line === "oops";
        });
        await waitFor("other printed", async () => (await s.rpc("service.logs", { name: "other" })).length === 1);
        const three: any[] = await s.rpc("service.logs", { name: "chatty", lines: 3 });
        expect(three.map((l) => l.line)).toEqual(["line49", "line50", "oops"]);
        const all: any[] = await s.rpc("service.logs", { name: "chatty", lines: 1000 });
        expect(all).toHaveLength(51);
        expect(all.some((l) => l.line === "from-other")).toBe(false);
        // without a name: everyone's, tagged with the name
        const mixed: any[] = await s.rpc("service.logs", { lines: 1000 });
        expect(mixed.find((l) => l.line === "from-other")?.name).toBe("other");
        expect(mixed.find((l) => l.line === "line1")?.name).toBe("chatty");
      },
    );
  });

  // follow: the answer, then every new line as a `log` notification, in order.
  test("follow streams lines printed after the request as log notifications", async () => {
    await withServer(
      { late: service("echo hello; echo world >&2; echo bye; exec sleep 1000", { service: { status: "stop" } }) },
      async (s) => {
        const c = await RawConn.connect(s.socket);
        try {
          const ans = await c.call("service.logs", { name: "late", follow: true, lines: 10 });
          expect(ans.result).toEqual([]);
          await s.rpc("service.start", { name: "late" });
          await waitFor("three lines", () => c.notifications("log").length >= 3);
          const got = c.notifications("log");
          expect(got.map((l) => l.line).sort()).toEqual(["bye", "hello", "world"]);
          // within one stream, order is kept
          expect(got.filter((l) => l.stream === "stdout").map((l) => l.line)).toEqual(["hello", "bye"]);
          expect(got.find((l) => l.line === "world")!.stream).toBe("stderr");
          for (const l of got) {
            expect(l.name).toBe("late");
            expect(Number.isNaN(Date.parse(l.at))).toBe(false);
          }
        } finally {
          c.close();
        }
      },
    );
  });

  // The SDK iterator over a follow yields consecutive new lines.
  test("ZinitClient.logs(name, {follow: true}) yields a ticking service's lines in order", async () => {
    const tick = `i=0; while :; do i=$((i+1)); echo tick$i; sleep 0.03; done`;
    await withServer({ tick: service(tick), quiet: service("exec sleep 1000") }, async (s) => {
      await waitState(s, "tick", "running");
      const client = await ZinitClient.connect(s.socket);
      try {
        const seen: string[] = [];
        for await (const l of client.logs("tick", { follow: true, lines: 0 })) {
          expect(l.name).toBe("tick");
          seen.push(l.line);
          if (seen.length === 6) break;
        }
        const nums = seen.map((l) => Number(l.replace("tick", "")));
        for (let i = 1; i < nums.length; i++) expect(nums[i]).toBe(nums[i - 1]! + 1);
      } finally {
        await client.close();
      }
    });
  });

  // 50 MB of output, in 100-byte lines and as one endless line: the server stays small and responsive.
  test("a flooding service does not blow up the server: RSS < 200 MB, answers stay fast", async () => {
    const long = "x".repeat(99);
    await withServer(
      {
        flood: service(`yes ${long} | head -c 50000000; echo flood-done; exec sleep 1000`, {
          logging: { buffer_lines: 1000, forward: false },
        }),
        oneline: service(`head -c 50000000 /dev/zero | tr '\\0' x; echo; echo line-done; exec sleep 1000`, {
          logging: { buffer_lines: 100, forward: false },
        }),
      },
      async (s) => {
        const pid = s.proc.pid;
        let maxRss = 0;
        let slowest = 0;
        const deadline = Date.now() + 60_000;
        const done = async (name: string, marker: string) => {
          const l: any[] = await s.rpc("service.logs", { name, lines: 1 });
          return l[0]?.line === marker;
        };
        for (;;) {
          maxRss = Math.max(maxRss, rssMb(pid));
          const t0 = performance.now();
          await s.rpc("service.list");
          slowest = Math.max(slowest, performance.now() - t0);
          if ((await done("flood", "flood-done")) && (await done("oneline", "line-done"))) break;
          if (Date.now() > deadline) throw new Error("flood did not finish within 60 s");
          await Bun.sleep(50);
        }
        maxRss = Math.max(maxRss, rssMb(pid));
        expect(maxRss).toBeLessThan(200);
        expect(slowest).toBeLessThan(1000);
        // the ring is bounded: 1000 lines kept, the newest being the last ones written
        const kept: any[] = await s.rpc("service.logs", { name: "flood", lines: 100000 });
        expect(kept).toHaveLength(1000);
        expect(kept.at(-1).line).toBe("flood-done");
        expect(kept.at(-2).line).toBe(long);
        // the endless line was cut into bounded pieces, not held whole
        const pieces: any[] = await s.rpc("service.logs", { name: "oneline", lines: 100 });
        expect(pieces.length).toBeGreaterThan(2);
        for (const p of pieces) expect(p.line.length).toBeLessThan(100_000);
        expect((await s.rpc("service.status", { name: "flood" })).state).toBe("running");
      },
    );
  });

  // forward = true copies each line to the server's stdout prefixed with the name; forward = false does not.
  test("forward copies lines to the server's output prefixed with the service name", async () => {
    await withServer(
      {
        loud: service("echo loud-line-1; exec sleep 1000"),
        hush: service("echo hush-line-1; exec sleep 1000", { logging: { forward: false } }),
      },
      async (s) => {
        await waitFor("forwarded", () => /loud.*loud-line-1/.test(s.output()));
        const line = s.output().split("\n").find((l) => l.includes("loud-line-1"))!;
        expect(line.indexOf("loud")).toBeLessThan(line.indexOf("loud-line-1"));
        await waitFor("hush captured", async () => (await s.rpc("service.logs", { name: "hush" })).length === 1);
        expect(s.output()).not.toContain("hush-line-1");
      },
    );
  });

  test("forwarded stderr lines go to the server's stderr, stdout lines to its stdout", async () => {
    await withServer({ both: service("echo to-out; echo to-err >&2; exec sleep 1000") }, async (s) => {
      await waitFor("both forwarded", () => s.output().includes("both| to-out") && s.output().includes("both| to-err"));
      expect(s.outputOf("stdout")).toContain("both| to-out");
      expect(s.outputOf("stdout")).not.toContain("to-err");
      expect(s.outputOf("stderr")).toContain("both| to-err");
      expect(s.outputOf("stderr")).not.toContain("to-out");
    });
  });

  // Forwarding copies bytes, cutting lines apart only at newlines: lines split
  // across reads come out whole, once each, in order; a line longer than the cut
  // is cut as in the ring; bytes that are not UTF-8 do not upset the lines.
  test("forwarded output is every line once, in order, whole across reads; over-long lines cut", async () => {
    const long = "L".repeat(MAX_LINE_CHARS + 500);
    await withServer(
      {
        // In bursts a loaded test reader keeps up with (past 1 MiB behind, lines would be dropped).
        count: service("i=0; while [ $i -lt 200000 ]; do seq $((i+1)) $((i+20000)); i=$((i+20000)); sleep 0.05; done; echo count-done; exec sleep 1000"),
        odd: service(`printf 'raw-\\377\\376-end\\n'; printf '%s\\n' '${long}'; echo odd-done; exec sleep 1000`),
      },
      async (s) => {
        await waitFor("all forwarded", () => s.outputOf("stdout").includes("count| count-done") && s.outputOf("stdout").includes("odd| odd-done"), 20_000);
        const counted = s.outputOf("stdout").split("\n").filter((l) => l.startsWith("count| ")).map((l) => l.slice("count| ".length));
        expect(counted.length).toBe(200_001);
        expect(counted.at(-1)).toBe("count-done");
        const firstWrong = counted.slice(0, 200_000).findIndex((l, i) => l !== String(i + 1));
        expect(firstWrong).toBe(-1);
        const odd = s.outputOf("stdout").split("\n").filter((l) => l.startsWith("odd| "));
        expect(odd[1]).toBe(`odd| ${"L".repeat(MAX_LINE_CHARS)}… [cut 500 chars]`);
      },
    );
  }, 30_000);
});

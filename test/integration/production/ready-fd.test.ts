/**
 * ready_fd through the compiled executable: a real program announces readiness the
 * s6 notification-fd / dinit pipefd way (a newline on an inherited fd) and its
 * dependents wait for it; a service that never writes the line is bounded by
 * start_timeout_ms; writing again after the line does not hurt the service.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { recordEvents, waitFor, waitState, withServer } from "../supervisor/lib.ts";

const unit = (body: string) => `[service]\n${body}\n`;

describe("ready_fd", () => {
  test("starting until the program writes a newline on fd 3; its dependent starts only then", async () => {
    const marks = mkdtempSync(join(tmpdir(), "zinit-ready-"));
    const files = {
      // announces after 300 ms, then keeps writing on the fd: no SIGPIPE may hit it
      db: unit(`exec = ["sh", "-c", "sleep 0.3; echo ready >&3; while :; do echo more >&3; sleep 0.05; done"]\nready_fd = 3`),
      app: `${unit(`exec = ["sh", "-c", "date +%s%N > ${marks}/app; exec sleep 1000"]`)}[dependencies]\nrequires = ["db"]\n`,
    };
    await withServer(files, async (s) => {
      const ev = await recordEvents(s);
      const st = await waitState(s, "db", "starting", undefined, 3_000);
      expect(st.reason).toMatch(/^waiting for readiness on fd 3 \(pid \d+\)$/);
      expect((await waitState(s, "app", "blocked", undefined, 3_000)).reason).toBe("requires db (starting)");
      expect(existsSync(join(marks, "app"))).toBe(false);
      await waitState(s, "db", "running", undefined, 5_000);
      await waitState(s, "app", "running", undefined, 5_000);
      const dbRunning = ev.of("db").find((e) => e.to === "running")!;
      expect(dbRunning.reason).toMatch(/^ready \(pid \d+\)$/);
      const appStarted = ev.of("app").find((e) => e.to === "running")!;
      expect(Date.parse(appStarted.at)).toBeGreaterThanOrEqual(Date.parse(dbRunning.at));
      // it keeps writing on its fd well after the line: still the same live process
      const pid = (await waitState(s, "db", "running")).pid;
      await Bun.sleep(300);
      const again = await waitState(s, "db", "running");
      expect(again.pid).toBe(pid);
      expect(again.restarts).toBe(0);
      ev.close();
    });
  }, 20_000);

  test("a higher fd works the same, and the fds between stderr and it are closed", async () => {
    // `[` is a shell builtin: these look at the shell's own fds, nothing else is open
    const list = "for n in 3 4 5; do [ -e /proc/$$/fd/$n ] && echo fd:$n; done; echo >&5; exec sleep 1000";
    await withServer({ x: unit(`exec = ["sh", "-c", ${JSON.stringify(list)}]\nready_fd = 5`) }, async (s) => {
      await waitState(s, "x", "running", undefined, 5_000);
      const fds = await waitFor("the fd list", async () => {
        const lines = (await s.rpc("service.logs", { name: "x", lines: 100 })) as { line: string }[];
        const found = lines.map((l) => l.line).filter((l) => l.startsWith("fd:"));
        return found.length >= 1 ? found : null;
      });
      expect(fds).toEqual(["fd:5"]);
    });
  }, 20_000);

  test("no line before start_timeout_ms: killed and judged as a start timeout", async () => {
    await withServer(
      { x: `${unit(`exec = ["sleep", "1000"]\nready_fd = 3`)}[lifecycle]\nstart_timeout_ms = 300\nrestart = "never"\n` },
      async (s) => {
        const st = await waitState(s, "x", "failed", undefined, 5_000);
        expect(st.reason).toBe("start timeout");
      },
    );
  }, 20_000);

  test("the fd closed without a newline never makes it running", async () => {
    await withServer({ x: unit(`exec = ["sh", "-c", "exec 3>&-; exec sleep 1000"]\nready_fd = 3`) }, async (s) => {
      await Bun.sleep(400);
      expect((await waitState(s, "x", "starting")).reason).toMatch(/^waiting for readiness on fd 3/);
    });
  }, 20_000);
});

describe("ready_fd in config checks", () => {
  test("`zinit check` names a bad ready_fd and a oneshot with one", async () => {
    const { ZINIT } = await import("../../helpers/paths.ts");
    const dir = mkdtempSync(join(tmpdir(), "zinit-ready-check-"));
    await Bun.write(join(dir, "a.toml"), unit(`exec = "x"\nready_fd = 1`));
    await Bun.write(join(dir, "b.toml"), unit(`exec = "x"\noneshot = true\nready_fd = 3`));
    const r = Bun.spawnSync([ZINIT, "check", dir]);
    const out = r.stdout.toString() + r.stderr.toString();
    expect(r.exitCode).toBe(1);
    expect(out).toContain("a.toml: service.ready_fd: expected an integer from 3 to 1023");
    expect(out).toContain("b.toml: service.ready_fd: a oneshot service cannot have ready_fd");
    expect(readFileSync(join(dir, "a.toml"), "utf8")).toContain("ready_fd");
  });
});

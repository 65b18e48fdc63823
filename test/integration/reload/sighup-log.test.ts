/**
 * A reload by SIGHUP has no caller to answer, so the server's log is the only place
 * that can say which file failed and why. It must carry the very lines `zinit
 * reload` prints for the same directory, one log line per error.
 */
import { describe, expect, test } from "bun:test";
import { SLEEP, unit, waitFor, waitState, withServer, write } from "./lib.ts";

describe("SIGHUP reload log", () => {
  test("each failing file is logged with its reason, the same text `zinit reload` prints", async () => {
    await withServer({ web: unit(SLEEP) }, async (s) => {
      await waitState(s, "web", "running");
      write(s, "broken", `[service]\nexec = ["sleep", "1001"\n`); // unclosed array
      write(s, "unknown", unit(SLEEP, `colour = "blue"`));
      write(s, "fresh", unit(SLEEP));

      process.kill(s.proc.pid, "SIGHUP");
      await waitFor("the reload summary in the log", () => /reload: 1 added, .* 2 errors/.test(s.output()));
      await waitState(s, "fresh", "running");

      // The CLI's own report of the same (still broken) directory.
      const cli = await s.cli("reload");
      expect(cli.code).toBe(1);
      const reported = cli.stdout.split("\n").filter((l) => l.startsWith("  ")).map((l) => l.trim());
      expect(reported).toHaveLength(2);
      expect(reported.some((l) => l.includes("broken.toml"))).toBe(true);
      expect(reported.some((l) => l.includes("unknown.toml") && l.includes("colour"))).toBe(true);

      // Every error of the SIGHUP reload is one log line holding that text.
      const logged = s.output().split("\n").filter((l) => /\breload: .*\.toml/.test(l));
      expect(logged).toHaveLength(2);
      for (const text of reported) expect(logged.some((l) => l.endsWith(`reload: ${text}`))).toBe(true);
      // Errors are logged as errors, not hidden at info level.
      for (const l of logged) expect(l).toContain("error");
    });
  });
});

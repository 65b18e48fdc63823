/**
 * The server's batching logger: info lines are flushed once per task, yet none is
 * lost when the process exits in that same task, and a warning written after them
 * comes after them on a shared stdout/stderr (as `docker logs` and a journal see it).
 */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { ROOT } from "../../helpers/paths.ts";

const BUN = join(ROOT, "node_modules/.bin/bun");
const LOGGER = join(ROOT, "src/logger.ts");

/** Runs `body` with `log` a batching logger; stdout and stderr into one pipe. */
async function run(body: string): Promise<string> {
  const script = `import { createLogger } from ${JSON.stringify(LOGGER)};\nconst log = createLogger("t", "info", { batch: true });\n${body}`;
  const proc = Bun.spawn(["sh", "-c", `exec "$0" -e "$1" 2>&1`, BUN, script], { stdout: "pipe", stderr: "inherit" });
  const out = await new Response(proc.stdout).text();
  expect(await proc.exited).toBe(0);
  return out;
}

describe("batching logger", () => {
  test("info lines logged just before process.exit in the same task are written", async () => {
    const out = await run(`for (let i = 0; i < 100; i++) log.info("line " + i);\nprocess.exit(0);`);
    const lines = out.trim().split("\n");
    expect(lines).toHaveLength(100);
    expect(lines[0]).toBe("[t] line 0");
    expect(lines[99]).toBe("[t] line 99");
  });

  test("a warning comes after the info lines logged before it, and before those after it", async () => {
    const out = await run(`log.info("a"); log.info("b"); log.warn("w"); log.info("c");\nawait Bun.sleep(10);`);
    expect(out.trim().split("\n")).toEqual(["[t] a", "[t] b", "[t] warn: w", "[t] c"]);
  });
});

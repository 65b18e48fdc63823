/**
 * `status NAME` finds a service's processes by walking down from its leader and
 * from our own re-parented children instead of reading all of /proc: it must find
 * the same group, a member whose parent died included.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { ROOT } from "../../helpers/paths.ts";

test("the tree walk finds what the scan of /proc finds: the leader, its child and a re-parented orphan", async () => {
  const p = Bun.spawn(["node_modules/.bin/bun", join(ROOT, "test/fixtures/group-figures.ts")], { cwd: ROOT, stdout: "pipe", stderr: "inherit" });
  const r = JSON.parse(await new Response(p.stdout).text()) as { leader: number; walk: number[]; scan: number[]; memory: boolean };
  expect(await p.exited).toBe(0);
  expect(r.walk.length).toBe(3);
  expect(r.walk).toContain(r.leader);
  expect(r.walk).toEqual(r.scan);
  expect(r.memory).toBe(true);
});

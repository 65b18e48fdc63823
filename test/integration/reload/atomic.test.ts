/**
 * `service.create` writes NAME.toml atomically (dot temp file, then rename): while
 * 50 creates run, concurrent reloads never report an error for a created file, an
 * outside reader never sees a partial NAME.toml, and no temp file is left behind.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { reload, SLEEP, unit, waitFor, withServer, ZinitClient, type ReloadResult } from "./lib.ts";

// ~256 KiB per file, so a file written in place would be visible half-written.
const PAD = `# ${"p".repeat(1020)}\n`.repeat(256);
const END = "# end of file\n";

describe("atomic create", () => {
  test("50 creates with concurrent reloads: no reload error, no partial file seen, no temp file left", async () => {
    await withServer({ base: unit(SLEEP) }, async (s) => {
      let done = false;
      const reloads: ReloadResult[] = [];
      const partial: string[] = [];
      let reads = 0;

      const reloader = (async () => {
        const c = await ZinitClient.connect(s.socket);
        try {
          while (!done) reloads.push(await c.reload());
        } finally {
          await c.close();
        }
      })();
      const reader = (async () => {
        while (!done) {
          for (const f of readdirSync(s.configDir)) {
            if (!/^c\d+\.toml$/.test(f)) continue;
            try {
              const text = readFileSync(join(s.configDir, f), "utf8");
              reads++;
              if (!text.endsWith(END)) partial.push(`${f}: ${text.length} bytes`);
            } catch {}
          }
          await Bun.sleep(0);
        }
      })();

      // 5 clients, 10 creates each, all at the same time as the reloads
      await Promise.all(
        [0, 1, 2, 3, 4].map(async (w) => {
          const c = await ZinitClient.connect(s.socket);
          try {
            for (let i = 0; i < 10; i++) {
              const name = `c${w * 10 + i}`;
              await c.create(name, `${unit(SLEEP, `status = "stop"`)}\n${PAD}${END}`);
            }
          } finally {
            await c.close();
          }
        }),
      );
      // let a few more reloads see the final directory
      const n = reloads.length;
      await waitFor("two more reloads", () => reloads.length >= n + 2 || null);
      done = true;
      await Promise.all([reloader, reader]);

      expect(reloads.length).toBeGreaterThan(2);
      expect(reloads.flatMap((r) => r.errors)).toEqual([]);
      expect(reloads.flatMap((r) => r.removed)).toEqual([]);
      expect(partial).toEqual([]);
      expect(reads).toBeGreaterThan(0);
      const files = readdirSync(s.configDir);
      expect(files.filter((f) => f.startsWith(".") || f.endsWith(".tmp"))).toEqual([]);
      expect(files.filter((f) => /^c\d+\.toml$/.test(f))).toHaveLength(50);
      const names = ((await s.rpc("service.list")) as { name: string }[]).map((i) => i.name);
      expect(names.filter((x) => /^c\d+$/.test(x))).toHaveLength(50);
      const last = await reload(s);
      expect(last.errors).toEqual([]);
      expect(last.added).toEqual([]);
      expect(last.unchanged).toHaveLength(51);
    });
  });
});

/**
 * The compiled server tells a failure outside zinit (a file it cannot write)
 * from a bug: the first keeps its message and is named `failed`, only the
 * second would be a bare internal error.
 */
import { expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { ZinitClient } from "../../../src/sdk/client.ts";
import { withServer } from "../../helpers/server.ts";

test("service.create into a path that cannot be written: failed, naming the file and the reason", async () => {
  await withServer({}, async (s) => {
    // The server writes NAME.toml through a temp file named after its pid: a directory there makes the write fail.
    mkdirSync(join(s.configDir, `.api.toml.${s.proc.pid}.tmp`));
    const client = await ZinitClient.connect(s.socket);
    try {
      const err = await client.create("api", '[service]\nexec = ["sleep", "1000"]\n').catch((e) => e);
      expect({ code: err.code, rpc: err.rpcCode, exit: err.exitCode, message: err.message }).toEqual({
        code: "failed",
        rpc: -32603,
        exit: 1,
        message: `cannot write ${join(s.configDir, "api.toml")}: EISDIR`,
      });
      expect(existsSync(join(s.configDir, "api.toml"))).toBe(false);
      expect(readdirSync(s.configDir)).toEqual([`.api.toml.${s.proc.pid}.tmp`]);
      expect(await client.list()).toEqual([]);
    } finally {
      await client.close();
    }
  });
});

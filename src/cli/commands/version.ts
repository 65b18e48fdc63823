/** `zinit version`: this executable's version (no server needed). */
import { defineCommand } from "citty";
import { VERSION } from "../../version.ts";
import { cli, printJson } from "../context.ts";

export default defineCommand({
  meta: { name: "version", description: "Print zinit's version." },
  args: {},
  run(c) {
    const ctx = cli(c);
    if (ctx.json) printJson(ctx, { version: VERSION });
    else ctx.out(`zinit ${VERSION}`);
    return 0;
  },
});

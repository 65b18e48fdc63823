/** `zinit info`: the server's version, mode, pid, uptime and paths. */
import { defineCommand } from "citty";
import { cli, printJson, withClient } from "../context.ts";
import { renderInfo } from "../render/info.ts";

export default defineCommand({
  meta: { name: "info", description: "Show the server's version, mode, pid, uptime and paths." },
  args: {},
  async run(c) {
    const ctx = cli(c);
    const info = await withClient(ctx, (client) => client.info());
    if (ctx.json) printJson(ctx, info);
    else ctx.out(renderInfo(info));
    return 0;
  },
});

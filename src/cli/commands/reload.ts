/** `zinit reload`: re-read the config and apply the difference; exit 1 when files had errors. */
import { defineCommand } from "citty";
import { cli, printJson, withClient } from "../context.ts";
import { renderReload } from "../render/reload.ts";

export default defineCommand({
  meta: { name: "reload", description: "Re-read the config directories and apply the difference." },
  args: {},
  async run(c) {
    const ctx = cli(c);
    const result = await withClient(ctx, (client) => client.reload());
    if (ctx.json) printJson(ctx, result);
    else ctx.out(renderReload(result, { color: ctx.color }));
    return result.errors.length > 0 ? 1 : 0;
  },
});

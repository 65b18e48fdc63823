/** `zinit list`: every service in an aligned table, or the `service.list` array with --json. */
import { defineCommand } from "citty";
import { cli, printJson, withClient } from "../context.ts";
import { renderList } from "../render/list.ts";

export default defineCommand({
  meta: { name: "list", description: "List services: name, state, pid, uptime, restarts, health." },
  args: {},
  async run(c) {
    const ctx = cli(c);
    const items = await withClient(ctx, (client) => client.list());
    if (ctx.json) printJson(ctx, items);
    else ctx.out(renderList(items, { nowMs: ctx.now(), color: ctx.color }));
    return 0;
  },
});

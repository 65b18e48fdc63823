/** `zinit delete NAME`: stop, unload and remove the service's file. */
import { defineCommand } from "citty";
import { cli, printJson, withClient } from "../context.ts";

export default defineCommand({
  meta: { name: "delete", description: "Stop a service, unload it and remove its file." },
  args: {
    name: { type: "positional", description: "service name", required: true },
  },
  async run(c) {
    const ctx = cli(c);
    const name = String(c.args.name);
    await withClient(ctx, (client) => client.delete(name));
    if (ctx.json) printJson(ctx, { name, deleted: true });
    else ctx.out(`${name}: deleted`);
    return 0;
  },
});

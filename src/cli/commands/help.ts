/** `zinit help [COMMAND]`: the overview, or one command's usage. */
import { defineCommand } from "citty";
import { UsageError } from "../args.ts";
import { cli } from "../context.ts";

export default defineCommand({
  meta: { name: "help", description: "Show the usage of zinit or of one command." },
  args: {
    command: { type: "positional", description: "a command name", required: false },
  },
  async run(c) {
    const ctx = cli(c);
    const { commandUsage, mainUsage } = await import("../main.ts");
    if (c.args.command === undefined) {
      ctx.out(mainUsage());
      return 0;
    }
    const text = await commandUsage(String(c.args.command));
    if (!text) throw new UsageError(`unknown command ${JSON.stringify(c.args.command)}`);
    ctx.out(text);
    return 0;
  },
});

/** `zinit kill NAME [SIGNAL]`: a signal to the service's process group, SIGTERM by default. */
import { defineCommand } from "citty";
import { cli, printJson, withClient } from "../context.ts";

export default defineCommand({
  meta: { name: "kill", description: "Send a signal (TERM, SIGTERM or a number) to a service's process group." },
  args: {
    name: { type: "positional", description: "service name", required: true },
    signal: { type: "positional", description: "signal name or number", default: "SIGTERM" },
  },
  async run(c) {
    const ctx = cli(c);
    const name = String(c.args.name);
    const given = String(c.args.signal ?? "SIGTERM");
    const numeric = /^\d+$/.test(given);
    await withClient(ctx, (client) => client.kill(name, numeric ? Number(given) : given));
    const shown = numeric ? given : given.toUpperCase().startsWith("SIG") ? given.toUpperCase() : `SIG${given.toUpperCase()}`;
    if (ctx.json) printJson(ctx, { name, signal: shown });
    else ctx.out(`${name}: sent ${shown}`);
    return 0;
  },
});

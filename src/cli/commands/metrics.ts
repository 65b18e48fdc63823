/**
 * `zinit metrics`: the server's metrics in the Prometheus text format, through the
 * socket (`system.metrics`): the same text as GET /metrics, for a node_exporter
 * textfile collector (`zinit metrics > dir/zinit.prom.tmp && mv ...`) when the
 * server runs without a --metrics listener.
 */
import { defineCommand } from "citty";
import { cli, printJson, withClient } from "../context.ts";

export default defineCommand({
  meta: { name: "metrics", description: "Print the server's metrics in the Prometheus text format." },
  args: {},
  async run(c) {
    const ctx = cli(c);
    const text = await withClient(ctx, (client) => client.call("system.metrics"));
    if (ctx.json) printJson(ctx, text);
    else ctx.out(text.endsWith("\n") ? text.slice(0, -1) : text);
    return 0;
  },
});

/** `zinit graph [NAME] [--dot]`: the dependency tree, Graphviz dot, or the `graph.get` result (--json). */
import { defineCommand } from "citty";
import { cli, printJson, withClient } from "../context.ts";
import { renderGraphDot, renderGraphTree } from "../render/graph.ts";

export default defineCommand({
  meta: { name: "graph", description: "Show the dependency graph as a tree, or as Graphviz dot." },
  args: {
    name: { type: "positional", description: "only this service and what it depends on", required: false },
    dot: { type: "boolean", description: "print Graphviz dot (zinit graph --dot | dot -Tsvg > g.svg)" },
  },
  async run(c) {
    const ctx = cli(c);
    const name = c.args.name === undefined ? undefined : String(c.args.name);
    const graph = await withClient(ctx, (client) => client.graph(name));
    if (ctx.json) printJson(ctx, graph);
    else if (c.args.dot) ctx.out(renderGraphDot(graph));
    else ctx.out(renderGraphTree(graph, { color: ctx.color, root: name }));
    return 0;
  },
});

/**
 * `zinit check [DIR]`: validate a config directory offline, with the very loader
 * and graph builder the server uses. Exit 0 when clean, 1 otherwise.
 */
import { defineCommand } from "citty";
import { statSync } from "node:fs";
import { ZinitError } from "../../sdk/errors.ts";
import { resolvePaths } from "../../sdk/paths.ts";
import { cli, currentUid, printJson } from "../context.ts";
import { checkReport, renderCheck } from "../render/check.ts";

export default defineCommand({
  meta: { name: "check", description: "Validate a config directory offline; no server needed." },
  args: {
    dir: { type: "positional", description: "config directory (default: --config-dir, $ZINIT_CONFIG_DIR or the platform's)", required: false },
  },
  async run(c) {
    const ctx = cli(c);
    const dir = c.args.dir === undefined ? resolvePaths({ configDir: ctx.configDir }, ctx.env, process.platform, currentUid()).configDir : String(c.args.dir);
    let isDir = false;
    try {
      isDir = statSync(dir).isDirectory();
    } catch {
      throw new ZinitError("invalid_config", `${dir}: no such directory`);
    }
    if (!isDir) throw new ZinitError("invalid_config", `${dir}: not a directory`);
    const { loadDirectory } = await import("../../sdk/config/index.ts");
    const { buildGraph } = await import("../../sdk/graph/index.ts");
    const { units, errors } = loadDirectory(dir);
    // The env files that exist are read too: a bad line would fail the service's start.
    const { envFileIssues } = await import("../../sdk/config/env-files.ts");
    errors.push(...envFileIssues(units));
    const graph = buildGraph(units.map((u) => ({ name: u.name, kind: u.kind, dependencies: u.config.dependencies })));
    const report = checkReport(units, errors, graph);
    if (ctx.json) printJson(ctx, report);
    else ctx.out(renderCheck(report, { color: ctx.color }));
    return report.ok ? 0 : 1;
  },
});

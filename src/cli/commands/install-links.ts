/**
 * `zinit install-links DIR [--init]`: symlinks zinit-server and zinit-pid1 (and,
 * with --init, init) in DIR pointing at this executable, so that the multicall
 * dispatch picks the role from the name. An existing symlink is replaced
 * atomically; anything else of that name is left alone and reported.
 */
import { defineCommand } from "citty";
import { lstatSync, renameSync, rmSync, statSync, symlinkSync } from "node:fs";
import { join, resolve } from "node:path";
import { ZinitError } from "../../sdk/errors.ts";
import { cli, printJson } from "../context.ts";

export default defineCommand({
  meta: { name: "install-links", description: "Create the zinit-server and zinit-pid1 (and init) symlinks in DIR." },
  args: {
    dir: { type: "positional", description: "directory to put the links in", required: true },
    init: { type: "boolean", description: "also create init (for use as /sbin/init)" },
  },
  run(c) {
    const ctx = cli(c);
    const dir = resolve(String(c.args.dir));
    const target = executablePath();
    let isDir = false;
    try {
      isDir = statSync(dir).isDirectory();
    } catch {
      throw new ZinitError("failed", `${dir}: no such directory`);
    }
    if (!isDir) throw new ZinitError("failed", `${dir}: not a directory`);
    const names = ["zinit-server", "zinit-pid1", ...(c.args.init ? ["init"] : [])];
    // Check every name first, so that a refusal leaves nothing half done.
    for (const name of names) {
      const path = join(dir, name);
      const existing = lstatOrNull(path);
      if (existing && !existing.isSymbolicLink()) {
        throw new ZinitError("failed", `${path} exists and is not a symlink; not replacing it`);
      }
    }
    const links: { link: string; target: string }[] = [];
    for (const name of names) {
      const path = join(dir, name);
      const temp = join(dir, `.${name}.zinit-${process.pid}`);
      rmSync(temp, { force: true });
      symlinkSync(target, temp);
      renameSync(temp, path);
      links.push({ link: path, target });
    }
    if (ctx.json) printJson(ctx, links);
    else ctx.out(links.map((l) => `${l.link} -> ${l.target}`).join("\n"));
    return 0;
  },
});

/** The compiled executable; under `bun src/main.ts` there is none to link to. */
function executablePath(): string {
  const compiled = (process.argv[1] ?? "").startsWith("/$bunfs/");
  if (!compiled) throw new ZinitError("failed", "install-links needs the compiled zinit executable (run dist/zinit)");
  return process.execPath;
}

function lstatOrNull(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

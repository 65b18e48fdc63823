/**
 * Changes to the configuration at run time: reload from disk, create and delete
 * service files. One operation at a time (a chain), so a create never races a
 * reload. Files are written to a dot-named temp file and renamed into place: the
 * loader skips dotfiles, so no reader ever sees half a file.
 */
import { existsSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadDirectories, parseUnit, type DirectorySource } from "../sdk/config/index.ts";
import { shareAlikeSections } from "./shared-tables.ts";
import { formatIssue } from "../sdk/config/types.ts";
import { nameProblem } from "../sdk/config/schema.ts";
import { ZinitError } from "../sdk/errors.ts";
import type { ReloadResult } from "../sdk/protocol/types.ts";
import { planReload } from "./engine/reload.ts";
import type { Supervisor } from "./supervisor.ts";

export class ConfigStore {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly supervisor: Supervisor,
    private readonly dirs: DirectorySource[],
    private readonly configDir: string,
  ) {}

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const next = this.chain.then(op, op);
    this.chain = next.catch(() => {});
    return next;
  }

  reload(): Promise<ReloadResult> {
    return this.serial(() => {
      const loaded = loadDirectories(this.dirs);
      shareAlikeSections(loaded.units);
      return this.supervisor.applyReload(planReload(this.supervisor.units(), loaded));
    });
  }

  create(name: string, toml: string): Promise<null> {
    return this.serial(async () => {
      const bad = nameProblem(name);
      if (bad) throw new ZinitError("invalid_config", `invalid service name ${JSON.stringify(name)}: ${bad}`);
      const path = join(this.configDir, `${name}.toml`);
      if (this.supervisor.lookup(name) || existsSync(path)) throw new ZinitError("already_exists", `service "${name}" already exists`);
      const parsed = parseUnit(toml, path);
      if ("errors" in parsed) {
        throw new ZinitError("invalid_config", parsed.errors.map(formatIssue).join("\n"), { errors: parsed.errors });
      }
      shareAlikeSections([parsed.unit]);
      const current = this.supervisor.units();
      // The only error such a plan can carry: the new unit would close a dependency cycle.
      const plan = planReload(current, { units: [...current, parsed.unit], errors: [] });
      if (plan.errors.length > 0) throw new ZinitError("invalid_config", plan.errors.join("\n"));
      const tmp = join(this.configDir, `.${name}.toml.${process.pid}.tmp`);
      try {
        writeFileSync(tmp, toml, { mode: 0o644 });
        renameSync(tmp, path);
      } catch (err) {
        try {
          unlinkSync(tmp);
        } catch {
          // never written, or already gone
        }
        // A full or read-only disk is no bug of ours: say so, rather than the RPC layer's generic internal error.
        throw new ZinitError("failed", `cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      }
      await this.supervisor.applyReload(plan);
      return null;
    });
  }

  delete(name: string): Promise<null> {
    return this.serial(async () => {
      const rec = this.supervisor.lookup(name);
      if (!rec) throw new ZinitError("not_found", `unknown service "${name}"`);
      await this.remove([name]);
      return null;
    });
  }

  deleteAll(): Promise<string[]> {
    return this.serial(async () => {
      const names = this.supervisor.units().filter((u) => (u.kind === "service" ? u.config.service.class : u.config.target.class) === "user").map((u) => u.name);
      await this.remove(names);
      return names.sort();
    });
  }

  private async remove(names: string[]): Promise<void> {
    const gone = new Set(names);
    const current = this.supervisor.units();
    const files = current.filter((u) => gone.has(u.name)).map((u) => u.file);
    await this.supervisor.applyReload(planReload(current, { units: current.filter((u) => !gone.has(u.name)), errors: [] }));
    for (const f of files) {
      try {
        unlinkSync(f);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== "ENOENT") throw new ZinitError("failed", `unloaded, but cannot remove ${f}: ${code ?? String(err)}`);
      }
    }
  }
}

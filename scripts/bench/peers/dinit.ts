/**
 * dinit for the benchmark: not packaged in Debian 12, so it is built from its
 * source (github.com/davmac314/dinit) into a cache outside the repository, once
 * per source commit. The source is a work tree or a bare git dir named by
 * DINIT_SRC, else a copy fetched to /work/.mirror (where the machines these
 * benchmarks ran on keep one). Without either the dinit columns are skipped, with
 * a message saying how to get them. Nothing of dinit is ever committed here.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";

export interface Dinit {
  dinit: string;
  dinitctl: string;
  /** `git describe` of the source, e.g. v0.22.0-42-gd7d843b */
  version: string;
}

const MIRROR = "/work/.mirror/davmac314+dinit/repo";

function cacheRoot(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "zinit-bench");
}

function git(gitDir: string, args: string[]): string | null {
  const r = spawnSync("git", ["--git-dir", gitDir, ...args], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** The git dir of the source and its version, or why there is none. */
function locateSource(): { gitDir: string; version: string } | string {
  const candidates = [process.env.DINIT_SRC, MIRROR].filter((p): p is string => Boolean(p));
  for (const c of candidates) {
    const gitDir = existsSync(join(c, ".git")) ? join(c, ".git") : c;
    const version = git(gitDir, ["describe", "--tags", "--always", "HEAD"]);
    if (version !== null) return { gitDir, version };
  }
  return "dinit: no source (set DINIT_SRC to a clone of https://github.com/davmac314/dinit); its columns are skipped";
}

/** dinit and dinitctl, built now if the cache has no build of this source; a string says why not. */
export function ensureDinit(log: (msg: string) => void): Dinit | string {
  const src = locateSource();
  if (typeof src === "string") return src;
  const dir = join(cacheRoot(), `dinit-${src.version}`);
  const built: Dinit = { dinit: join(dir, "dinit"), dinitctl: join(dir, "dinitctl"), version: src.version };
  if (existsSync(built.dinit) && existsSync(built.dinitctl)) return built;
  log(`building dinit ${src.version} into ${dir} (about a minute)`);
  const work = mkdtempSync(join(tmpdir(), "dinit-build-"));
  try {
    const tar = spawnSync("sh", ["-c", `git --git-dir="$1" archive HEAD | tar -x -C "$2"`, "sh", src.gitDir, work]);
    if (tar.status !== 0) return `dinit: cannot extract the source from ${src.gitDir}: ${tar.stderr}`;
    // The manual pages need m4; the two programs do not.
    for (const step of [["mconfig"], ["-C", "build", "all"], ["-j2", "-C", "src", "dinit", "dinitctl"]]) {
      const r = spawnSync("make", step, { cwd: work, encoding: "utf8" });
      if (r.status !== 0) return `dinit: make ${step.join(" ")} failed:\n${(r.stderr || r.stdout).slice(-2000)}`;
    }
    mkdirSync(dir, { recursive: true });
    renameSync(join(work, "src", "dinit"), built.dinit);
    renameSync(join(work, "src", "dinitctl"), built.dinitctl);
    return built;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

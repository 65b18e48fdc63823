/**
 * The repository stands alone: whoever clones it gets everything it refers to.
 * No file may point to documents that live outside it (a sibling `shared`
 * directory, a product specification or runtime notes kept elsewhere); the
 * reference is in docs/. Checks every file git would commit (tracked, and new
 * files not ignored), so node_modules/ and dist/ are left out.
 */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../../helpers/paths.ts";

// Spelled in pieces so that this file does not match itself.
const OUTSIDE: { pattern: RegExp; what: string }[] = [
  { pattern: new RegExp(["\\.\\.", "shared"].join("/")), what: "a directory outside the repository" },
  { pattern: new RegExp(`\\b${"SP"}EC\\b`), what: "a specification that is not in the repository" },
  { pattern: new RegExp(["BUN", "FACTS"].join("-")), what: "notes that are not in the repository" },
];

function repositoryFiles(): string[] {
  const listed = Bun.spawnSync(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT });
  if (listed.exitCode !== 0) throw new Error(`git ls-files failed: ${listed.stderr.toString()}`);
  const names = listed.stdout.toString().split("\0").filter(Boolean);
  return [...new Set(names)].filter((f) => !f.startsWith("node_modules/")).sort();
}

function readText(file: string): string | undefined {
  try {
    const bytes = readFileSync(join(ROOT, file));
    // Binary files (images, archives) cannot refer to a document in words.
    return bytes.includes(0) ? undefined : bytes.toString("utf8");
  } catch {
    return undefined; // listed but deleted meanwhile
  }
}

test("no file refers to documents outside the repository", () => {
  const files = repositoryFiles();
  expect(files).toContain("README.md");
  const found: string[] = [];
  for (const file of files) {
    const text = readText(file);
    if (text === undefined) continue;
    text.split("\n").forEach((line, i) => {
      for (const { pattern, what } of OUTSIDE) {
        if (pattern.test(line)) found.push(`${file}:${i + 1}: refers to ${what}: ${line.trim().slice(0, 120)}`);
      }
    });
  }
  if (found.length > 0) {
    throw new Error(
      `${found.length} reference(s) to documents outside the repository; point to docs/ or explain in place:\n${found.join("\n")}`,
    );
  }
});

test("the reference pages the README links to exist", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  for (const page of ["docs/configuration.md", "docs/protocol.md", "docs/architecture.md"]) {
    expect(readme).toContain(`](${page}`);
    expect(readText(page)?.length ?? 0).toBeGreaterThan(1000);
  }
});

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes. */
function slug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, "")
    .replace(/ /g, "-");
}

function anchorsOf(markdown: string): Set<string> {
  // Headings inside fenced code blocks are not headings.
  const outsideCode = markdown.replace(/^```[\s\S]*?^```/gm, "");
  return new Set([...outsideCode.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!.trim())));
}

test("every relative link of the README and docs/ leads to a file and heading that exist", () => {
  const pages = ["README.md", ...repositoryFiles().filter((f) => f.startsWith("docs/") && f.endsWith(".md"))];
  const broken: string[] = [];
  for (const page of pages) {
    const text = readText(page) ?? "";
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1]!;
      if (/^[a-z]+:/.test(target)) continue; // https:, mailto:
      const [path, anchor] = target.split("#") as [string, string | undefined];
      const file = path === "" ? page : join(page, "..", path);
      const content = readText(file);
      if (content === undefined && !path.endsWith("/")) broken.push(`${page}: ${target}: no such file`);
      else if (anchor && content !== undefined && file.endsWith(".md") && !anchorsOf(content).has(anchor)) {
        broken.push(`${page}: ${target}: no heading #${anchor} in ${file}`);
      }
    }
  }
  expect(broken).toEqual([]);
});

/**
 * Tab completion for the repl, pure: the line up to the cursor goes through the
 * same engine as the shells' completion (complete/engine.ts), so verbs, flags,
 * signals and service names complete alike in both. Paths are asked of the
 * caller, which looks at the file system.
 */
import { SIGNAL_NAMES } from "../../sdk/config/signals.ts";
import { serviceCandidates, whatCompletes, type CompletionSpec } from "../complete/engine.ts";

export interface CompletionSource {
  spec: CompletionSpec;
  /** the service names last heard from the server (none when it is unreachable) */
  services: readonly string[];
  /** entries that complete a path prefix (directories end in "/"); none by default */
  paths?(prefix: string, dirsOnly: boolean): string[];
}

/** readline's completer contract: the candidates, and the word they would replace. */
export function complete(line: string, src: CompletionSource): [string[], string] {
  const words = line.split(/\s+/).filter((t) => t !== "");
  if (line === "" || /\s$/.test(line)) words.push("");
  const want = whatCompletes(words, src.spec, SIGNAL_NAMES);
  let matches: string[];
  if (want.kind === "words") matches = want.candidates.map((c) => c.word);
  else if (want.kind === "service") matches = serviceCandidates(want, src.services.map((word) => ({ word }))).map((c) => c.word);
  else matches = (src.paths?.(want.prefix, want.kind === "dir") ?? []).sort();
  // A single match is a whole word: add the blank, as shells do, so typing goes on
  // (not after a directory, whose entries come next).
  const single = matches.length === 1 && !matches[0]!.endsWith("/");
  return [single ? [`${matches[0]} `] : matches, want.prefix];
}

/**
 * Tab completion for the repl, pure: given the line up to the cursor, the verbs
 * and the service names, what the current word may become. The first positional
 * word is a verb; after a verb that takes service names come names; after `help`,
 * verbs again. Flags and their values are skipped when counting positions.
 */

/** Verbs whose every argument is a service name (names already typed are not offered again). */
const MANY_NAMES = new Set(["status", "start", "stop", "restart"]);
/** Verbs whose first argument only is a service name. */
const ONE_NAME = new Set(["kill", "logs", "delete", "why", "graph"]);
/** Flags that consume the next word as their value (create's flags do not matter: it completes nothing). */
const VALUE_FLAGS = new Set(["--socket", "--config-dir", "-n", "--lines", "--timeout"]);

export interface CompletionSource {
  verbs: readonly string[];
  services: readonly string[];
}

/** readline's completer contract: the candidates, and the word they would replace. */
export function complete(line: string, src: CompletionSource): [string[], string] {
  const tokens = line.split(/\s+/).filter((t) => t !== "");
  const word = /\s$/.test(line) || line === "" ? "" : (tokens.pop() ?? "");
  if (word.startsWith("-")) return [[], word];
  const words = positionals(tokens);
  if (words === null) return [[], word];
  const matches = candidates(words, src).filter((c) => c.startsWith(word)).sort();
  // A single match is a whole word: add the blank, as shells do, so typing goes on.
  return [matches.length === 1 ? [`${matches[0]} `] : matches, word];
}

/** The positional words among `tokens`, or null when the word being typed is a flag's value. */
function positionals(tokens: string[]): string[] | null {
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (!t.startsWith("-")) out.push(t);
    else if (VALUE_FLAGS.has(t)) {
      if (i === tokens.length - 1) return null;
      i++;
    }
  }
  return out;
}

function candidates(words: string[], src: CompletionSource): readonly string[] {
  const [verb, ...args] = words;
  if (verb === undefined) return src.verbs;
  if (verb === "help") return args.length === 0 ? src.verbs : [];
  if (MANY_NAMES.has(verb)) return src.services.filter((s) => !args.includes(s));
  if (ONE_NAME.has(verb) && args.length === 0) return src.services;
  return [];
}

/**
 * Command-line completion, pure: given the words typed after `zinit` (the last one
 * being the word under the cursor, possibly empty) and a description of the verbs,
 * what that word may become. The shells' scripts (`zinit completion SHELL`) and the
 * repl both ask this one function, so they always agree.
 *
 * The answer is either a list of candidates, or "a service name" (the caller asks
 * the server for the names, which this module never does), or "a file"/"a
 * directory" (left to the shell, which knows how to complete paths best).
 *
 * Words are read the way the CLI reads them: global flags anywhere, the first
 * other word is the verb, a flag that takes a value consumes the next word.
 */

/** What a positional argument or a flag's value is. */
export type ValueKind = "service" | "signal" | "verb" | "file" | "dir" | "shell" | "none";

export interface FlagSpec {
  /** every spelling: `-n`, `--lines` */
  names: string[];
  /** what follows it as its value; absent for a switch */
  value?: ValueKind;
  description: string;
}

export interface VerbSpec {
  name: string;
  description: string;
  /** the kind of each positional argument, in order */
  positionals: ValueKind[];
  /** the last positional repeats (NAME...) */
  variadic: boolean;
  flags: FlagSpec[];
}

export interface CompletionSpec {
  verbs: VerbSpec[];
  /** flags valid before and after any verb */
  globalFlags: FlagSpec[];
}

export interface Candidate {
  word: string;
  description?: string;
}

export type Want =
  | { kind: "words"; prefix: string; candidates: Candidate[] }
  /** service names starting with prefix, except those in `exclude` (already given to a NAME... verb) */
  | { kind: "service"; prefix: string; exclude: string[] }
  | { kind: "file"; prefix: string }
  | { kind: "dir"; prefix: string };

export const SHELLS = ["bash", "zsh", "fish"] as const;

/** What the last of `words` may become. */
export function whatCompletes(words: readonly string[], spec: CompletionSpec, signals: readonly string[]): Want {
  const prefix = words.length === 0 ? "" : words[words.length - 1]!;
  const before = words.slice(0, -1);
  let verb: VerbSpec | undefined;
  let verbWord: string | undefined;
  const positionals: string[] = [];
  for (let i = 0; i < before.length; i++) {
    const tok = before[i]!;
    if (tok === "--") {
      // Everything after is positional.
      for (const rest of before.slice(i + 1)) {
        if (verbWord !== undefined) positionals.push(rest);
        else (verbWord = rest), (verb = findVerb(rest, spec));
      }
      break;
    }
    if (tok.startsWith("-") && tok !== "-") {
      const flag = findFlag(tok, verb, spec);
      if (flag?.value !== undefined && !tok.includes("=")) {
        if (i === before.length - 1) return valueWant(flag.value, prefix, spec, signals, positionals);
        i++;
      }
      continue;
    }
    if (verbWord === undefined) {
      verbWord = tok;
      verb = findVerb(tok, spec);
    } else positionals.push(tok);
  }
  if (prefix.startsWith("-")) {
    const flags = [...(verb?.flags ?? []), ...spec.globalFlags];
    // `-f<Tab>` is a complete short flag: keep it (the shell then adds the blank).
    const spell = (f: FlagSpec) => (/^-[^-]/.test(prefix) ? f.names : longest(f));
    return words_(prefix, flags.flatMap((f) => spell(f).map((n) => ({ word: n, description: f.description }))));
  }
  if (verbWord === undefined) return words_(prefix, spec.verbs.map((v) => ({ word: v.name, description: v.description })));
  if (!verb) return words_(prefix, []);
  const at = positionals.length;
  const kind = at < verb.positionals.length ? verb.positionals[at] : verb.variadic ? verb.positionals[verb.positionals.length - 1] : undefined;
  if (kind === undefined) return words_(prefix, []);
  return valueWant(kind, prefix, spec, signals, verb.variadic ? positionals : []);
}

function valueWant(kind: ValueKind, prefix: string, spec: CompletionSpec, signals: readonly string[], given: string[]): Want {
  switch (kind) {
    case "service":
      return { kind: "service", prefix, exclude: given };
    case "file":
      return { kind: "file", prefix };
    case "dir":
      return { kind: "dir", prefix };
    case "verb":
      return words_(prefix, spec.verbs.map((v) => ({ word: v.name, description: v.description })));
    case "shell":
      return words_(prefix, SHELLS.map((s) => ({ word: s })));
    case "signal":
      return words_(prefix, signalCandidates(prefix, signals));
    case "none":
      return words_(prefix, []);
  }
}

/** Canonical names (`SIGTERM`); the short forms (`TERM`) only when no canonical name fits what was typed. */
function signalCandidates(prefix: string, signals: readonly string[]): Candidate[] {
  const upper = prefix.toUpperCase();
  const full = signals.filter((s) => s.startsWith(upper));
  const names = full.length > 0 ? full : signals.map((s) => s.slice(3)).filter((s) => s.startsWith(upper));
  // Keep the user's case: `kill web term<Tab>` gives `term`, which the server accepts.
  const lower = prefix !== "" && prefix === prefix.toLowerCase();
  return names.map((s) => ({ word: lower ? s.toLowerCase() : s }));
}

function words_(prefix: string, candidates: Candidate[]): Want {
  const seen = new Set<string>();
  const out = candidates.filter((c) => c.word.startsWith(prefix) && !seen.has(c.word) && seen.add(c.word));
  return { kind: "words", prefix, candidates: out.sort((a, b) => (a.word < b.word ? -1 : a.word > b.word ? 1 : 0)) };
}

/** A flag's long spellings (short ones only when it has no long one): `-n` and `--lines` are one flag. */
function longest(f: FlagSpec): string[] {
  const long = f.names.filter((n) => n.startsWith("--"));
  return long.length > 0 ? long : f.names;
}

function findFlag(tok: string, verb: VerbSpec | undefined, spec: CompletionSpec): FlagSpec | undefined {
  const key = tok.includes("=") ? tok.slice(0, tok.indexOf("=")) : tok;
  return [...(verb?.flags ?? []), ...spec.globalFlags].find((f) => f.names.includes(key));
}

function findVerb(word: string, spec: CompletionSpec): VerbSpec | undefined {
  return spec.verbs.find((v) => v.name === word);
}

/** The names of `services` that complete `want` (a `service` want). */
export function serviceCandidates(want: Extract<Want, { kind: "service" }>, services: readonly Candidate[]): Candidate[] {
  return services
    .filter((s) => s.word.startsWith(want.prefix) && !want.exclude.includes(s.word))
    .sort((a, b) => (a.word < b.word ? -1 : a.word > b.word ? 1 : 0));
}

/**
 * The global flags and their (leading) socket/config-dir values among `words`, so
 * that `zinit --socket /x status <Tab>` asks the server at /x for names.
 */
export function globalsIn(words: readonly string[]): { socket?: string; configDir?: string } {
  const out: { socket?: string; configDir?: string } = {};
  for (let i = 0; i < words.length - 1; i++) {
    const tok = words[i]!;
    const [key, inline] = tok.includes("=") ? [tok.slice(0, tok.indexOf("=")), tok.slice(tok.indexOf("=") + 1)] : [tok, undefined];
    const field = key === "--socket" ? "socket" : key === "--config-dir" ? "configDir" : undefined;
    if (!field) continue;
    const value = inline ?? words[i + 1];
    if (value) out[field] = value;
  }
  return out;
}

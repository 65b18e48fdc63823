/**
 * Environment variables that steer the Bun runtime itself, and how zinit keeps
 * them away from its own processes while services still get them (pure).
 *
 * The compiled executable honours BUN_OPTIONS (e.g. `--preload=/x.js` runs a file
 * before our first line, `--version` replaces the program), BUN_INSPECT* (opens a
 * debugger listener) and BUN_JSC_* (engine options), and Bun has no switch to turn
 * that off. So when one of them is set, main.ts re-executes the same executable
 * once, in place (same pid), with these variables removed and their values kept in
 * one zinit-private variable; the new image puts them back into process.env,
 * where services find them as given. When zinit starts itself (pid1 starting the
 * server) it passes the same stripped environment and stash, so no zinit process
 * but the very first image ever starts steered.
 */

/** The one variable that carries the removed values across an exec, as JSON. */
export const STASH_VAR = "ZINIT_STASHED_ENV";

const EXACT = new Set(["BUN_OPTIONS", "NODE_OPTIONS"]);
const PREFIXES = ["BUN_INSPECT", "BUN_JSC_"];

/** A variable Bun or Node acts on at start-up, before any of zinit's code runs. */
export function isRuntimeSteering(name: string): boolean {
  return EXACT.has(name) || PREFIXES.some((p) => name.startsWith(p));
}

type Env = Record<string, string | undefined>;

/** The steering variables set (non-empty) in `env`. */
export function steeringOf(env: Env): Record<string, string> {
  const found: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v && isRuntimeSteering(k)) found[k] = v;
  return found;
}

/**
 * The environment to start a zinit process with: `env` without the steering
 * variables, and with them in STASH_VAR (none set: no STASH_VAR either).
 */
export function envForSelf(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && k !== STASH_VAR && !isRuntimeSteering(k)) out[k] = v;
  const stash = steeringOf(env);
  if (Object.keys(stash).length > 0) out[STASH_VAR] = JSON.stringify(stash);
  return out;
}

/**
 * What to put back after the exec: the stashed steering variables (anything else in
 * the stash is ignored; a stash that is not JSON gives nothing). The caller also
 * removes STASH_VAR, so that services never see it.
 */
export function stashedValues(env: Env): Record<string, string> {
  const text = env[STASH_VAR];
  if (!text) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return {};
  }
  const out: Record<string, string> = {};
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return out;
  for (const [k, v] of Object.entries(parsed)) if (isRuntimeSteering(k) && typeof v === "string") out[k] = v;
  return out;
}

/**
 * Whether to watch the config directories: `--watch`, else ZINIT_WATCH (pure).
 * An unknown ZINIT_WATCH value is refused rather than guessed: `ZINIT_WATCH=ture`
 * silently meaning "off" would leave a fleet not reloading with nobody told.
 */
import { ZinitError } from "../sdk/errors.ts";

const ON = new Set(["1", "true", "yes", "on"]);
const OFF = new Set(["", "0", "false", "no", "off"]);

export function wantWatch(flag: boolean | undefined, env: string | undefined): boolean {
  if (flag) return true;
  const v = (env ?? "").trim().toLowerCase();
  if (ON.has(v)) return true;
  if (OFF.has(v)) return false;
  throw new ZinitError("usage", `ZINIT_WATCH=${JSON.stringify(env)}: expected 1/true/yes/on or 0/false/no/off`);
}

/**
 * Terminal colours as plain functions, so renderers stay pure: `paint(false)` gives
 * identity functions, and the entry decides once (TTY and NO_COLOR) which one to use.
 */
import type { ServiceState } from "../../sdk/states.ts";

export interface Palette {
  green(text: string): string;
  yellow(text: string): string;
  red(text: string): string;
  cyan(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

const wrap = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;

const ANSI: Palette = {
  green: wrap(32, 39),
  yellow: wrap(33, 39),
  red: wrap(31, 39),
  cyan: wrap(36, 39),
  dim: wrap(2, 22),
  bold: wrap(1, 22),
};

const same = (text: string) => text;
const PLAIN: Palette = { green: same, yellow: same, red: same, cyan: same, dim: same, bold: same };

export function paint(color: boolean): Palette {
  return color ? ANSI : PLAIN;
}

/** The colour of a state: green up, yellow in motion or waiting, red failed, dim down. */
export function stateColor(state: ServiceState | string, p: Palette): (text: string) => string {
  switch (state) {
    case "running":
      return p.green;
    case "starting":
    case "stopping":
    case "blocked":
      return p.yellow;
    case "failed":
      return p.red;
    default:
      return p.dim;
  }
}

/** Decided once at the entry: colour only on a terminal, and never under NO_COLOR. */
export function wantColor(isTTY: boolean | undefined, env: Record<string, string | undefined>): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.TERM === "dumb") return false;
  return isTTY === true;
}

/** Removes ANSI colour sequences (for width computations and tests). */
export function stripAnsi(text: string): string {
  return text.replace(/\u001b\[[0-9;]*m/g, "");
}

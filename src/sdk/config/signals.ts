/**
 * Linux signal names and numbers (x86_64 / arm64 numbering). Names are kept in
 * the canonical "SIGTERM" form; users may write "TERM", "sigterm", 15 or "15".
 */

const NUMBERS: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGSEGV: 11,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
  SIGSTKFLT: 16,
  SIGCHLD: 17,
  SIGCONT: 18,
  SIGSTOP: 19,
  SIGTSTP: 20,
  SIGTTIN: 21,
  SIGTTOU: 22,
  SIGURG: 23,
  SIGXCPU: 24,
  SIGXFSZ: 25,
  SIGVTALRM: 26,
  SIGPROF: 27,
  SIGWINCH: 28,
  SIGIO: 29,
  SIGPWR: 30,
  SIGSYS: 31,
};

const NAMES: Record<number, string> = Object.fromEntries(Object.entries(NUMBERS).map(([name, num]) => [num, name]));

/** Every known signal name, canonical form, in number order. */
export const SIGNAL_NAMES: readonly string[] = Object.keys(NUMBERS);

/**
 * The canonical name ("SIGTERM") of a signal given as a name with or without
 * "SIG" in any case, or as a number (15 or "15"); undefined when unknown.
 */
export function normalizeSignal(v: string | number): string | undefined {
  if (typeof v === "number") return Number.isInteger(v) ? NAMES[v] : undefined;
  if (/^[0-9]+$/.test(v)) return NAMES[Number(v)];
  const upper = v.toUpperCase();
  const name = upper.startsWith("SIG") ? upper : `SIG${upper}`;
  return Object.hasOwn(NUMBERS, name) ? name : undefined;
}

/** The number of a signal given in any form `normalizeSignal` accepts; throws when unknown. */
export function signalNumber(name: string | number): number {
  const canonical = normalizeSignal(name);
  if (canonical === undefined) throw new RangeError(`unknown signal ${JSON.stringify(name)}`);
  return NUMBERS[canonical]!;
}

/** The canonical name of signal number `num`, or undefined. */
export function signalName(num: number): string | undefined {
  return NAMES[num];
}

import { describe, expect, test } from "bun:test";
import { normalizeSignal, signalName, signalNumber, SIGNAL_NAMES } from "../../../src/sdk/config/signals.ts";

describe("signals", () => {
  test("every accepted spelling of TERM normalises to SIGTERM", () => {
    for (const v of ["TERM", "SIGTERM", "sigterm", "term", "SigTerm", 15, "15"]) {
      expect(normalizeSignal(v)).toBe("SIGTERM");
    }
  });

  test("unknown names and numbers give undefined", () => {
    for (const v of ["FOO", "SIGFOO", "", "SIG", 0, 32, 64, -15, 1.5, "15.0", " TERM", "RTMIN"]) {
      expect(normalizeSignal(v)).toBeUndefined();
    }
  });

  test("the x86_64 numbering", () => {
    const expected: [string, number][] = [
      ["SIGHUP", 1], ["SIGINT", 2], ["SIGQUIT", 3], ["SIGILL", 4], ["SIGTRAP", 5], ["SIGABRT", 6], ["SIGBUS", 7],
      ["SIGFPE", 8], ["SIGKILL", 9], ["SIGUSR1", 10], ["SIGSEGV", 11], ["SIGUSR2", 12], ["SIGPIPE", 13],
      ["SIGALRM", 14], ["SIGTERM", 15], ["SIGSTKFLT", 16], ["SIGCHLD", 17], ["SIGCONT", 18], ["SIGSTOP", 19],
      ["SIGTSTP", 20], ["SIGTTIN", 21], ["SIGTTOU", 22], ["SIGURG", 23], ["SIGXCPU", 24], ["SIGXFSZ", 25],
      ["SIGVTALRM", 26], ["SIGPROF", 27], ["SIGWINCH", 28], ["SIGIO", 29], ["SIGPWR", 30], ["SIGSYS", 31],
    ];
    expect(SIGNAL_NAMES).toEqual(expected.map(([name]) => name));
    for (const [name, num] of expected) {
      expect(signalNumber(name)).toBe(num);
      expect(signalName(num)).toBe(name);
    }
  });

  test("signalNumber accepts short and lower-case names and throws on unknown ones", () => {
    expect(signalNumber("kill")).toBe(9);
    expect(signalNumber("USR1")).toBe(10);
    expect(() => signalNumber("NOPE")).toThrow('unknown signal "NOPE"');
  });

  test("signalName of an unknown number is undefined", () => {
    expect(signalName(0)).toBeUndefined();
    expect(signalName(99)).toBeUndefined();
  });
});

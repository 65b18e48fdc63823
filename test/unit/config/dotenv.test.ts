/**
 * The env file syntax: the dotenv subset, exactly, and an error naming the line
 * for anything outside it.
 */
import { describe, expect, test } from "bun:test";
import { envFileEntry, parseDotenv } from "../../../src/sdk/config/dotenv.ts";

const vars = (text: string) => {
  const r = parseDotenv(text);
  expect(r.errors).toEqual([]);
  return r.vars;
};
const errors = (text: string) => parseDotenv(text).errors;

describe("parseDotenv: what it accepts", () => {
  test("KEY=VALUE lines, comments, blank lines, export prefix", () => {
    expect(vars("# a comment\n\nA=1\n  # indented comment\nexport B=two\n\t\nC=\n")).toEqual({ A: "1", B: "two", C: "" });
  });

  test("unquoted values are trimmed and taken as written: no expansion, # and quotes inside kept", () => {
    expect(vars("A =  spaced value  \nB=$HOME/x\nC=a # not a comment\nD=it's\nE=x=y")).toEqual({
      A: "spaced value",
      B: "$HOME/x",
      C: "a # not a comment",
      D: "it's",
      E: "x=y",
    });
  });

  test("single quotes are literal", () => {
    expect(vars(`A='  $X \\n "q" # '\nB=''`)).toEqual({ A: '  $X \\n "q" # ', B: "" });
  });

  test('double quotes know \\n \\t \\" \\\\ \\$ and expand nothing', () => {
    expect(vars(`A="a\\nb\\tc \\"q\\" \\\\ \\$HOME $USER"`)).toEqual({ A: 'a\nb\tc "q" \\ $HOME $USER' });
  });

  test("blanks after a closing quote, CRLF line ends, a BOM and a missing final newline are fine", () => {
    expect(vars('\uFEFFA="x"   \r\nB=\'y\'\r\nC=z')).toEqual({ A: "x", B: "y", C: "z" });
  });

  test("a later line wins; names like __proto__ are plain variables", () => {
    const v = vars("A=1\nA=2\n__proto__=p\nconstructor=c");
    expect(v.A).toBe("2");
    expect(Object.keys(v)).toEqual(["A", "__proto__", "constructor"]);
    // biome-ignore lint/suspicious/noProto: a variable named __proto__ is an own property here, which is what this test checks
    expect(v.__proto__).toBe("p");
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
  });

  test("an empty file has no variables", () => {
    expect(parseDotenv("")).toEqual({ vars: {}, errors: [] });
  });
});

describe("parseDotenv: every bad line, by number", () => {
  test("a line without =", () => {
    expect(errors("A=1\n\nJUST TEXT\n")).toEqual([{ line: 3, message: "expected KEY=VALUE" }]);
  });

  test("bad names", () => {
    expect(errors("=x\n1A=x\nA-B=x\nexport\n")).toEqual([
      { line: 1, message: "expected KEY=VALUE" },
      { line: 2, message: 'expected a variable name (letters, digits, "_"; not starting with a digit), got "1A"' },
      { line: 3, message: 'expected a variable name (letters, digits, "_"; not starting with a digit), got "A-B"' },
      { line: 4, message: "expected KEY=VALUE" },
    ]);
  });

  test("quotes: unclosed, text after, unknown escape, a quote spanning lines", () => {
    expect(errors(`A='x\nB="x\nC="x" y\nD='x' y\nE="\\a"\nF="x\\"`)).toEqual([
      { line: 1, message: "unclosed single quote" },
      { line: 2, message: "unclosed double quote" },
      { line: 3, message: "unexpected text after the closing quote" },
      { line: 4, message: "unexpected text after the closing quote" },
      { line: 5, message: 'unknown escape \\a in double quotes (only \\n \\t \\" \\\\ \\$)' },
      { line: 6, message: "unclosed double quote" },
    ]);
  });

  test("a NUL byte names its line", () => {
    expect(errors("A=1\nB=x\u0000y\n")).toEqual([{ line: 2, message: "contains a NUL byte" }]);
  });

  test("good lines around bad ones still parse (check reports all, a start fails on the first)", () => {
    const r = parseDotenv("A=1\nbad\nB=2\n");
    expect(r.vars).toEqual({ A: "1", B: "2" });
    expect(r.errors.map((e) => e.line)).toEqual([2]);
  });

  test("a large file parses in linear time", () => {
    const text = "KEY_0123456789=some value of a typical length here\n".repeat(20_000); // ~1 MiB
    const t0 = performance.now();
    expect(Object.keys(parseDotenv(text).vars)).toEqual(["KEY_0123456789"]);
    expect(performance.now() - t0).toBeLessThan(1_000);
  });
});

test("envFileEntry: a leading - marks an optional file", () => {
  expect(envFileEntry("-/etc/a.env")).toEqual({ path: "/etc/a.env", optional: true });
  expect(envFileEntry("/etc/a.env")).toEqual({ path: "/etc/a.env", optional: false });
});

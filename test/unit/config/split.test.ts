import { describe, expect, test } from "bun:test";
import { SplitError, splitExec } from "../../../src/sdk/config/split.ts";

describe("splitExec", () => {
  test("blanks (spaces, tabs, newlines) separate words and collapse", () => {
    expect(splitExec("  /bin/app \t--port  80\n-v ")).toEqual(["/bin/app", "--port", "80", "-v"]);
  });

  test("an empty or blank line gives no words", () => {
    expect(splitExec("")).toEqual([]);
    expect(splitExec(" \t ")).toEqual([]);
  });

  test("single quotes are literal, backslashes and double quotes included", () => {
    expect(splitExec(`echo 'a b\\n "c" $X'`)).toEqual(["echo", `a b\\n "c" $X`]);
  });

  test('double quotes keep blanks and honour only \\\\ \\" \\$ \\` as escapes', () => {
    expect(splitExec(`echo "a  b" "q\\"q" "s\\\\s" "d\\$x" "t\\\`t" "n\\nn"`)).toEqual([
      "echo",
      "a  b",
      'q"q',
      "s\\s",
      "d$x",
      "t`t",
      "n\\nn",
    ]);
  });

  test("backslash-newline is removed inside double quotes and between words", () => {
    expect(splitExec('"ab\\\ncd"')).toEqual(["abcd"]);
    expect(splitExec("ab\\\ncd ef")).toEqual(["abcd", "ef"]);
  });

  test("a backslash outside quotes takes the next character literally", () => {
    expect(splitExec("a\\ b c\\'d e\\\\f \\$HOME")).toEqual(["a b", "c'd", "e\\f", "$HOME"]);
  });

  test("adjacent quoted and unquoted parts join into one word", () => {
    expect(splitExec(`a"b c"d`)).toEqual(["ab cd"]);
    expect(splitExec(`--name='x y'"z"w`)).toEqual(["--name=x yzw"]);
  });

  test("'' and \"\" give empty words", () => {
    expect(splitExec(`cmd '' "" x`)).toEqual(["cmd", "", "", "x"]);
    expect(splitExec(`''`)).toEqual([""]);
  });

  test("$VAR ~ * ; | > & # are passed literally: no expansion, no shell", () => {
    expect(splitExec("echo $HOME ~ *.txt ; ls | wc > out & # not a comment")).toEqual([
      "echo", "$HOME", "~", "*.txt", ";", "ls", "|", "wc", ">", "out", "&", "#", "not", "a", "comment",
    ]);
    expect(splitExec("a;b|c>d")).toEqual(["a;b|c>d"]);
  });

  test("sh -c with a quoted script stays one argument", () => {
    expect(splitExec(`/bin/sh -c 'echo "hi $USER"; sleep 1'`)).toEqual(["/bin/sh", "-c", `echo "hi $USER"; sleep 1`]);
  });

  test("an unbalanced single quote is a SplitError", () => {
    expect(() => splitExec("echo 'abc")).toThrow(new SplitError("unbalanced single quote"));
  });

  test("an unbalanced double quote is a SplitError, even after an escaped quote", () => {
    expect(() => splitExec('echo "abc')).toThrow(new SplitError("unbalanced double quote"));
    expect(() => splitExec('echo "abc\\"')).toThrow(new SplitError("unbalanced double quote"));
  });

  test("a trailing lone backslash is a SplitError", () => {
    expect(() => splitExec("echo abc\\")).toThrow(new SplitError("trailing backslash"));
  });

  test("SplitError is an Error named SplitError", () => {
    try {
      splitExec("'");
      throw new Error("did not throw");
    } catch (e) {
      expect(e).toBeInstanceOf(SplitError);
      expect(e).toBeInstanceOf(Error);
      expect((e as Error).name).toBe("SplitError");
    }
  });
});

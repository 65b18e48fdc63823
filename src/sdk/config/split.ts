/**
 * Splits a command line into words the way a POSIX shell does, and does nothing
 * else: quotes and backslashes are honoured, but `$VAR`, `~`, globs, `#`, `;`, `|`
 * and redirections are plain characters. Whoever wants a shell writes `sh -c '...'`.
 */

/** A command line that cannot be split: an unclosed quote or a trailing backslash. */
export class SplitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SplitError";
  }
}

const BLANK = new Set([" ", "\t", "\n", "\r"]);
/** Inside double quotes a backslash escapes only these; before anything else it stays. */
const DQUOTE_ESCAPABLE = new Set(["\\", '"', "$", "`", "\n"]);

/**
 * Splits `cmd` into words: blanks separate; '...' is literal; "..." honours
 * \\ \" \$ \` and backslash-newline; a backslash outside quotes takes the next
 * character literally. Adjacent parts join (`a"b c"d` is one word) and `''` is an
 * empty word. Throws SplitError on an unbalanced quote or a trailing backslash.
 */
export function splitExec(cmd: string): string[] {
  const words: string[] = [];
  let word = "";
  // A word exists once any part of it is seen, so that '' yields an empty word.
  let inWord = false;
  let i = 0;
  while (i < cmd.length) {
    const c = cmd[i]!;
    if (BLANK.has(c)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
      i++;
    } else if (c === "'") {
      const end = cmd.indexOf("'", i + 1);
      if (end < 0) throw new SplitError("unbalanced single quote");
      word += cmd.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      const [text, next] = readDoubleQuoted(cmd, i + 1);
      word += text;
      inWord = true;
      i = next;
    } else if (c === "\\") {
      const n = cmd[i + 1];
      if (n === undefined) throw new SplitError("trailing backslash");
      // Backslash-newline is a line continuation: it joins, it does not separate.
      if (n !== "\n") {
        word += n;
        inWord = true;
      }
      i += 2;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** Reads from just after an opening `"`; returns the text and the index after the closing `"`. */
function readDoubleQuoted(cmd: string, start: number): [string, number] {
  let text = "";
  let i = start;
  while (i < cmd.length) {
    const c = cmd[i]!;
    if (c === '"') return [text, i + 1];
    if (c === "\\" && i + 1 < cmd.length && DQUOTE_ESCAPABLE.has(cmd[i + 1]!)) {
      if (cmd[i + 1] !== "\n") text += cmd[i + 1];
      i += 2;
    } else {
      text += c;
      i++;
    }
  }
  throw new SplitError("unbalanced double quote");
}

/**
 * Just enough of a TypeScript lexer to check import boundaries with regular
 * expressions: it blanks comments (and, on request, the text of string literals)
 * with spaces, keeping every newline, so that line numbers stay right and a word
 * in a comment or a message is never taken for code.
 */

export interface Blanked {
  /** comments blanked; string literals kept (module specifiers live there) */
  code: string;
  /** comments and the text inside string literals blanked; `${...}` stays code */
  bare: string;
}

// After one of these a `/` starts a regular expression, not a division.
const BEFORE_REGEX = new Set(["", "(", ",", "=", ":", "[", "!", "&", "|", "?", "{", "}", ";", "+", "-", "*", "%", "<", ">", "~", "^"]);
const REGEX_KEYWORDS = /(?:^|[^\w$])(?:return|typeof|case|do|else|in|of|void|yield|await|delete|throw)$/;

export function blank(source: string): Blanked {
  const code: string[] = [];
  const bare: string[] = [];
  const keep = (c: string) => {
    code.push(c);
    bare.push(c);
  };
  const hide = (c: string, inCode: boolean) => {
    const space = c === "\n" ? "\n" : " ";
    code.push(inCode ? c : space);
    bare.push(space);
  };
  // Each open template literal remembers the brace depth its `${` started at.
  const templates: number[] = [];
  let depth = 0;
  let i = 0;
  const n = source.length;
  const lastSignificant = (): string => {
    for (let j = code.length - 1; j >= 0; j--) if (!/\s/.test(code[j]!)) return code[j]!;
    return "";
  };
  const precedingWord = (): string => code.slice(Math.max(0, code.length - 12)).join("").trimEnd();

  const readQuoted = (quote: string) => {
    keep(quote);
    i++;
    while (i < n && source[i] !== quote && source[i] !== "\n") {
      if (source[i] === "\\" && i + 1 < n) {
        hide(source[i]!, true);
        i++;
      }
      hide(source[i]!, true);
      i++;
    }
    if (i < n) keep(source[i++]!);
  };

  // Reads template text up to and including the closing backtick or the `${`.
  const readTemplateText = () => {
    while (i < n) {
      const c = source[i]!;
      if (c === "\\" && i + 1 < n) {
        hide(c, true);
        hide(source[i + 1]!, true);
        i += 2;
      } else if (c === "`") {
        keep(c);
        i++;
        templates.pop();
        return;
      } else if (c === "$" && source[i + 1] === "{") {
        keep("$");
        keep("{");
        i += 2;
        depth++;
        return;
      } else {
        hide(c, true);
        i++;
      }
    }
  };

  while (i < n) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === "/" && next === "/") {
      while (i < n && source[i] !== "\n") hide(source[i++]!, false);
    } else if (c === "/" && next === "*") {
      const end = source.indexOf("*/", i + 2);
      const stop = end < 0 ? n : end + 2;
      while (i < stop) hide(source[i++]!, false);
    } else if (c === '"' || c === "'") {
      readQuoted(c);
    } else if (c === "`") {
      keep(c);
      i++;
      templates.push(depth);
      readTemplateText();
    } else if (c === "{") {
      depth++;
      keep(c);
      i++;
    } else if (c === "}") {
      depth--;
      keep(c);
      i++;
      if (templates.length > 0 && templates.at(-1) === depth) readTemplateText();
    } else if (c === "/" && (BEFORE_REGEX.has(lastSignificant()) || REGEX_KEYWORDS.test(precedingWord()))) {
      // A regex literal: its text is neither code nor a comment.
      keep(c);
      i++;
      let inClass = false;
      while (i < n && source[i] !== "\n") {
        const r = source[i]!;
        if (r === "\\" && i + 1 < n) {
          hide(r, true);
          hide(source[i + 1]!, true);
          i += 2;
          continue;
        }
        if (r === "[") inClass = true;
        else if (r === "]") inClass = false;
        else if (r === "/" && !inClass) break;
        hide(r, true);
        i++;
      }
      if (i < n && source[i] === "/") keep(source[i++]!);
    } else {
      keep(c);
      i++;
    }
  }
  return { code: code.join(""), bare: bare.join("") };
}

/** The 1-based line of offset `index` in `text`. */
export function lineAt(text: string, index: number): number {
  let line = 1;
  for (let j = 0; j < index; j++) if (text.charCodeAt(j) === 10) line++;
  return line;
}

export interface ImportRef {
  specifier: string;
  line: number;
}

const IMPORT_PATTERNS = [
  // import x from "m"; import { a } from "m"; import type T from "m"; export * from "m"; export { a } from "m"
  /\b(?:import|export)\s+(?:type\s+)?(?:[\w$*{}\s,]+?\s+from\s+)?["']([^"']+)["']/g,
  // import("m"), require("m")
  /\b(?:import|require)\s*\(\s*["'`]([^"'`]+)["'`]/g,
];

/**
 * Every module a source imports or re-exports, statically or dynamically. A
 * keyword inside a string literal (where `bare` is blank) is text, not an import.
 */
export function importsOf({ code, bare }: Blanked): ImportRef[] {
  const found: ImportRef[] = [];
  for (const pattern of IMPORT_PATTERNS) {
    for (const m of code.matchAll(pattern)) {
      if (bare[m.index] === " ") continue;
      found.push({ specifier: m[1]!, line: lineAt(code, m.index) });
    }
  }
  return found.sort((a, b) => a.line - b.line);
}

/** `import(` or `require(` with anything but a literal: a module nobody can check. */
export function computedImports({ bare }: Blanked): number[] {
  const lines: number[] = [];
  for (const m of bare.matchAll(/(?<![\w$.])(?:import|require)\s*\(\s*(?!["'`])/g)) lines.push(lineAt(bare, m.index));
  return lines;
}

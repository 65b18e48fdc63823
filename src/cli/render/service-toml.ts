/**
 * The service file `zinit create NAME --exec CMD` sends: TOML text built from the
 * flags, every string a TOML basic string with quotes, backslashes and control
 * characters escaped, so any command line survives the trip to the server's parser.
 */
export interface ExecServiceSpec {
  name: string;
  /** the command line, kept as one string: the server splits it like a shell */
  exec: string;
  oneshot: boolean;
  requires: readonly string[];
  after: readonly string[];
  wants: readonly string[];
}

export function renderServiceToml(spec: ExecServiceSpec): string {
  const lines = ["[service]", `name = ${tomlString(spec.name)}`, `exec = ${tomlString(spec.exec)}`];
  if (spec.oneshot) lines.push("oneshot = true");
  const deps: [string, readonly string[]][] = [
    ["requires", spec.requires],
    ["after", spec.after],
    ["wants", spec.wants],
  ];
  const given = deps.filter(([, names]) => names.length > 0);
  if (given.length > 0) {
    lines.push("", "[dependencies]");
    for (const [key, names] of given) lines.push(`${key} = [${names.map(tomlString).join(", ")}]`);
  }
  return `${lines.join("\n")}\n`;
}

/** A TOML basic string: `"..."` with `\\`, `\"` and control characters escaped. */
export function tomlString(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

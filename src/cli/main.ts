/**
 * The CLI entry: normalise argv (global flags anywhere), find the verb, lazy-load
 * its module, check its arguments strictly, run it (run-command.ts: citty's command
 * definitions, our own parser, so node:util is not loaded), and turn every
 * error into an exit status in one place, read from the error table:
 *   UsageError / citty's CLIError -> message + usage on stderr, the `usage` row's status (2)
 *   ZinitError                    -> `zinit: MESSAGE` on stderr, its row's status (3 not found, 4 unreachable, ...)
 *   anything else                 -> a bug: the stack on stderr, the `internal` row's status (1)
 */
import type { ArgsDef, CommandDef } from "citty";
import { ERROR_CODES, ZinitError } from "../sdk/errors.ts";
import { VERSION } from "../version.ts";
import { UsageError, extractGlobals, splitCommand, validateArgs } from "./args.ts";
import { processIo, type CliContext, type CliIo } from "./context.ts";
import { COMMANDS, ROLE_COMMANDS, findCommand } from "./registry.ts";
import { wantColor } from "./render/color.ts";
import { renderCommandUsage, renderMainHint, renderMainUsage } from "./render/usage.ts";
import { runCommandDef } from "./run-command.ts";

export interface RunCliOptions {
  io?: CliIo;
  /**
   * After a command that held event streams, exit the process if something still
   * keeps it alive a moment after the result is known. On by default for the real
   * entry; tests that call runCli in-process pass false.
   */
  exitGuard?: boolean;
}

export async function runCli(argv: string[], options: RunCliOptions = {}): Promise<number> {
  const io = options.io ?? processIo();
  const ctx: CliContext = {
    json: false,
    color: wantColor(io.isTTY, io.env),
    env: io.env,
    now: io.now,
    out: (text) => io.stdout(`${text}\n`),
    err: (text) => io.stderr(`${text}\n`),
    holdsStreams: false,
  };
  let code: number;
  try {
    code = await dispatch(argv, ctx);
  } catch (error) {
    code = await report(error, ctx);
  }
  if (ctx.holdsStreams && (options.exitGuard ?? options.io === undefined)) {
    const exitCode = code;
    setTimeout(() => process.exit(exitCode), 1000).unref();
  }
  return code;
}

async function dispatch(argv: string[], ctx: CliContext): Promise<number> {
  const { globals, command, rest } = splitCommand(argv);
  Object.assign(ctx, { socket: globals.socket, configDir: globals.configDir, json: globals.json });
  if (command === undefined) {
    if (globals.version) return printVersion(ctx);
    if (globals.help) return ctx.out(mainUsage()), 0;
    throw new UsageError("no command given");
  }
  if (command === "server" || command === "pid1") return runRole(command, argv);
  // The completion scripts' helper: not a verb a person types, so not in the registry.
  if (command === "__complete") return (await import("./complete/run.ts")).runComplete(rest, ctx);
  const entry = findCommand(command);
  if (!entry) throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  // biome-ignore lint/suspicious/noExplicitAny: commands differ in their args; citty erases them the same way
  const def: CommandDef<any> = (await entry.load()).default;
  const argsDef = await resolve<ArgsDef>(def.args ?? {});
  const tokens = extractGlobals(rest, argsDef, globals);
  Object.assign(ctx, { socket: globals.socket, configDir: globals.configDir, json: globals.json });
  if (globals.help) return ctx.out(renderCommandUsage(entry, argsDef, await describe(def))), 0;
  validateArgs(tokens, argsDef, { command: entry.name, variadic: entry.variadic });
  let result: unknown;
  try {
    result = await runCommandDef(def, argsDef, tokens, ctx);
  } catch (error) {
    if (isCittyError(error)) throw new UsageError(stripAnsi(error.message), entry.name);
    throw error;
  }
  return typeof result === "number" ? result : 0;
}

/** `zinit [globals] server ...` when the role word is not first: hand over to that role. */
async function runRole(role: "server" | "pid1", argv: string[]): Promise<number> {
  const args = [...argv];
  args.splice(args.indexOf(role), 1);
  if (role === "server") {
    const { runServer } = await import("../server/main.ts");
    await runServer(args);
  } else {
    const { runPid1 } = await import("../pid1/main.ts");
    await runPid1(args);
  }
  return typeof process.exitCode === "number" ? process.exitCode : 0;
}

function printVersion(ctx: CliContext): number {
  ctx.out(ctx.json ? JSON.stringify({ version: VERSION }) : `zinit ${VERSION}`);
  return 0;
}

export function mainUsage(): string {
  return renderMainUsage([...COMMANDS, ...ROLE_COMMANDS], VERSION);
}

/** The usage text of one command, for `zinit help NAME` and usage errors. */
export async function commandUsage(name: string): Promise<string | undefined> {
  const entry = findCommand(name);
  if (!entry) return undefined;
  const def = (await entry.load()).default;
  return renderCommandUsage(entry, await resolve<ArgsDef>(def.args ?? {}), await describe(def));
}

// biome-ignore lint/suspicious/noExplicitAny: any command, whatever its args
async function describe(def: CommandDef<any>): Promise<string | undefined> {
  return (await resolve(def.meta ?? {})).description;
}

async function report(error: unknown, ctx: CliContext): Promise<number> {
  if (error instanceof UsageError || isCittyError(error)) {
    const command = error instanceof UsageError ? error.command : undefined;
    ctx.err(`zinit: ${stripAnsi((error as Error).message)}`);
    ctx.err("");
    ctx.err((command && (await commandUsage(command))) || renderMainHint());
    return ERROR_CODES.usage.exit;
  }
  if (error instanceof ZinitError) {
    ctx.err(`zinit: ${error.message}`);
    return error.exitCode;
  }
  ctx.err(error instanceof Error ? (error.stack ?? String(error)) : String(error));
  return ERROR_CODES.internal.exit;
}

/** citty throws its own CLIError (not exported) for a missing required argument. */
function isCittyError(error: unknown): error is Error {
  return error instanceof Error && error.name === "CLIError";
}

function stripAnsi(text: string): string {
  return text.replace(/\u001b\[[0-9;]*m/g, "");
}

async function resolve<T>(value: T | Promise<T> | (() => T) | (() => Promise<T>)): Promise<T> {
  return typeof value === "function" ? await (value as () => T | Promise<T>)() : await value;
}

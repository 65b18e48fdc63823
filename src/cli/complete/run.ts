/**
 * `zinit __complete -- WORDS...`, the hidden verb the completion scripts call: what
 * the last word may become, in the line format scripts.ts describes. Service
 * names come from the server the words point at (`--socket`, ZINIT_SOCKET, the
 * defaults), asked with a short deadline; a server that is down or slow gives no
 * names and no message, so a Tab never hangs or prints an error into the prompt.
 */
import type { ZinitClient } from "../../sdk/client.ts";
import { SIGNAL_NAMES } from "../../sdk/config/signals.ts";
import { candidatesFor, connectFirst, type CliContext } from "../context.ts";
import { globalsIn, serviceCandidates, whatCompletes, type Candidate, type Want } from "./engine.ts";
import { loadSpec } from "./spec.ts";

/** How long a Tab may wait for the server's list of names. */
export const NAMES_DEADLINE_MS = 500;

export async function runComplete(args: string[], ctx: CliContext): Promise<number> {
  const words = args[0] === "--" ? args.slice(1) : args;
  const want = whatCompletes(words.length === 0 ? [""] : words, await loadSpec(), SIGNAL_NAMES);
  const lines = await answer(want, () => liveServices(candidatesFor(globalsIn(words).socket, ctx.env), NAMES_DEADLINE_MS));
  ctx.out(lines.join("\n"));
  return 0;
}

/** The lines for `want`: its kind, then `WORD<TAB>DESCRIPTION` per candidate. */
export async function answer(want: Want, services: () => Promise<Candidate[]>): Promise<string[]> {
  if (want.kind === "file" || want.kind === "dir") return [want.kind];
  const candidates = want.kind === "words" ? want.candidates : serviceCandidates(want, await services());
  return ["words", ...candidates.map((c) => (c.description ? `${c.word}\t${oneLine(c.description)}` : c.word))];
}

function oneLine(text: string): string {
  return text.replace(/[\t\n\r]+/g, " ");
}

/** Every unit's name with its state as the description; nothing when the server cannot answer in time. */
export async function liveServices(sockets: readonly string[], deadlineMs: number): Promise<Candidate[]> {
  let client: ZinitClient | undefined;
  let late = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const work = (async () => {
    const c = await connectFirst(sockets);
    client = c;
    if (late) return [];
    return (await c.list()).map((s) => ({ word: s.name, description: s.state }));
  })().catch(() => [] as Candidate[]);
  const deadline = new Promise<Candidate[]>((resolve) => {
    timer = setTimeout(() => ((late = true), resolve([])), deadlineMs);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
    // Closing also ends a list() still waiting, so nothing keeps the process alive.
    await Promise.resolve(client?.close()).catch(() => undefined);
    void work.then(() => client?.close());
  }
}

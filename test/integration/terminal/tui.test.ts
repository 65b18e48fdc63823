/**
 * `zinit tui` in a real terminal (tmux), against a real server: every key of its
 * help, the MEM/CPU columns refreshed while open, the log pane following the
 * selection, the confirmation for system units, redraw on resize, and a terminal
 * left as it was after quitting.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { ZINIT } from "../../helpers/paths.ts";
import { startServer, waitFor, type TestServer } from "../../helpers/server.ts";
import { buildOnce } from "../cli/build.ts";
import { hasTmux, nonBlank, shell, Terminal } from "./lib.ts";

setDefaultTimeout(90_000);

const FILES: Record<string, string> = {
  // Names chosen so that each order differs from the others.
  alpha: '[service]\nexec = "/bin/sleep 1000"\n',
  beta: "[service]\nexec = \"sh -c 'i=0; while :; do i=$((i+1)); echo beta-line-$i; sleep 0.3; done'\"\n",
  crashy: "[service]\nexec = \"sh -c 'echo crashy-out; sleep 0.2; exit 3'\"\n[lifecycle]\nrestart_delay_ms = 100\nrestart_delay_max_ms = 100\n",
  sys: '[service]\nexec = "/bin/sleep 1000"\nclass = "system"\n',
};

let server: TestServer;

beforeAll(async () => {
  await buildOnce();
  server = await startServer(FILES);
  await waitFor("alpha, beta and sys running; crashy restarted", async () => {
    const list = (await server.rpc("service.list")) as { name: string; state: string; restarts: number }[];
    const by = Object.fromEntries(list.map((s) => [s.name, s]));
    return ["alpha", "beta", "sys"].every((n) => by[n]?.state === "running") && by.crashy!.restarts >= 1;
  }, 15_000);
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

const state = async (name: string) => ((await server.rpc("service.status", { name })) as { state: string }).state;

/** The names in table order. */
function order(screen: string): string[] {
  return screen
    .split("\n")
    .filter((l) => /^[> ] (alpha|beta|crashy|sys) /.test(l))
    .map((l) => l.slice(2).split(/ +/)[0]!);
}

describe.skipIf(!hasTmux)("tui in tmux", () => {
  test("every key of the help, figures, log pane, confirmation, resize; the terminal is left clean", async () => {
    const term = await shell({ width: 120, height: 30 });
    try {
      term.type("echo before-the-tui");
      term.keys("Enter");
      await term.waitFor(/^before-the-tui$/m);
      const before = nonBlank(term.screen());
      term.type(`${ZINIT} --socket ${server.socket} tui`);
      term.keys("Enter");

      // The table, sorted by name, the first row selected; MEM and CPU filled in
      // for live processes after the second reading (the view asks every 2 s).
      let screen = await term.waitFor((s) => /^> alpha +running/m.test(s) && /^ {2}beta +running .*\d(\.\d)?[BKMG] +\d+(\.\d)?%/m.test(s), "the table with figures");
      expect(screen).toMatch(/^ {2}NAME↑ +STATE +PID +UPTIME +RESTARTS +HEALTH +MEM +CPU +REASON/m);
      expect(order(screen)).toEqual(["alpha", "beta", "crashy", "sys"]);
      expect(screen).toContain("↑↓ select  / filter  o sort  s start  S stop  r restart  l logs  ? help  q quit");

      // ? shows the help over the table; any key closes it.
      term.keys("?");
      screen = await term.waitFor("any key closes the help");
      expect(screen).toContain("filter by name (Enter keeps it, Esc clears it)");
      term.keys("x");
      await term.waitFor((s) => !s.includes("any key closes the help") && /^> alpha/m.test(s), "the help closed");

      // Movement: j/k, Down/Up, End/Home, PgDn/PgUp.
      const selected = async (name: string) => term.waitFor(new RegExp(`^> ${name} `, "m"), `${name} selected`);
      term.keys("j");
      await selected("beta");
      term.keys("Down");
      await selected("crashy");
      term.keys("k");
      await selected("beta");
      term.keys("Up");
      await selected("alpha");
      term.keys("End");
      await selected("sys");
      term.keys("Home");
      await selected("alpha");
      term.keys("NPage");
      await selected("sys");
      term.keys("PPage");
      await selected("alpha");

      // S stops a user unit at once; s starts it again.
      term.keys("S");
      await term.waitFor(/^> alpha +inactive +- +- +0 +- +- +- /m, "alpha inactive with no figures");
      expect(await state("alpha")).toBe("inactive");
      term.keys("s");
      await term.waitFor(/^> alpha +running +\d+/m, "alpha running again");

      // o cycles the order (state, restarts, memory, cpu, name); O reverses it.
      term.keys("o");
      screen = await term.waitFor("sort: state ↑");
      term.keys("o");
      screen = await term.waitFor("sort: restarts ↓");
      expect(order(screen)[0]).toBe("crashy");
      expect(screen).toMatch(/ RESTARTS↓ /);
      term.keys("O");
      screen = await term.waitFor("sort: restarts ↑");
      expect(order(screen).at(-1)).toBe("crashy");
      term.keys("o");
      screen = await term.waitFor("sort: memory ↓");
      expect(screen).toMatch(/ MEM↓ /);
      term.keys("o");
      screen = await term.waitFor("sort: cpu ↓");
      expect(screen).toMatch(/ CPU↓ /);
      term.keys("o");
      screen = await term.waitFor("sort: name ↑");
      expect(order(screen)).toEqual(["alpha", "beta", "crashy", "sys"]);

      // / filters by name; Backspace edits; Enter keeps the filter; Esc clears it.
      term.keys("/");
      await term.waitFor(/^\/▏ +Enter keep +Esc clear/m, "the filter line");
      term.type("sx");
      await term.waitFor('no service name contains "sx"');
      term.keys("BSpace");
      screen = await term.waitFor("filter: s (2 shown)");
      expect(order(screen)).toEqual(["crashy", "sys"]);
      expect(screen).toMatch(/^> crashy /m);
      term.keys("Enter");
      screen = await term.waitFor((s) => s.includes("? help  q quit") && s.includes("filter: s (2 shown)"), "the filter kept");
      term.keys("Escape");
      screen = await term.waitFor((s) => !s.includes("filter:") && order(s).length === 4, "the filter cleared");

      // l opens the log pane; it follows the selection.
      term.keys("Home", "j");
      await selected("beta");
      term.keys("l");
      await term.waitFor((s) => /── logs: beta ─/.test(s) && /stdout\| beta-line-\d+/.test(s), "beta's lines in the pane");
      term.keys("j");
      await term.waitFor((s) => /── logs: crashy ─/.test(s) && /stdout\| crashy-out/.test(s), "the pane following to crashy");
      term.keys("l");
      await term.waitFor((s) => !s.includes("── logs:"), "the pane closed");

      // A system unit asks first: n cancels, y confirms (S stops, r restarts).
      term.keys("End");
      await selected("sys");
      term.keys("S");
      await term.waitFor("stop system unit sys? y confirms, any other key cancels");
      term.keys("n");
      await term.waitFor("stop sys: cancelled");
      expect(await state("sys")).toBe("running");
      term.keys("S");
      await term.waitFor("stop system unit sys?");
      term.keys("y");
      await term.waitFor(/^> sys +inactive/m, "sys stopped after y");
      term.keys("s");
      await term.waitFor(/^> sys +running/m, "sys started");
      const pid = ((await server.rpc("service.status", { name: "sys" })) as { pid: number }).pid;
      term.keys("r");
      await term.waitFor("restart system unit sys?");
      term.keys("y");
      await waitFor("sys restarted with a new pid", async () => {
        const st = (await server.rpc("service.status", { name: "sys" })) as { state: string; pid: number };
        return st.state === "running" && st.pid !== pid;
      }, 10_000);
      await term.waitFor(new RegExp(`^> sys +running +(?!${pid} )\\d+`, "m"), "the new pid on screen");

      // A resize redraws at the new size: no line wider, the footer on the last row.
      term.resize(70, 16);
      expect(term.size()).toEqual({ width: 70, height: 16 });
      // tmux cuts the old frame itself; ours marks the cut footer with "…" and has the header.
      const redrawn = (s: string) => /^↑↓ select .*…$/.test(s.split("\n")[15] ?? "") && /^ {2}NAME↑ +STATE/m.test(s);
      screen = await term.waitFor(redrawn, "the frame redrawn at 70x16");
      expect(screen.split("\n").length).toBe(16);
      for (const line of screen.split("\n")) expect(Array.from(line).length).toBeLessThanOrEqual(70);
      expect(screen).toMatch(/^ {2}NAME↑ +STATE/m);
      term.resize(120, 30);
      await term.waitFor((s) => s.split("\n")[29]?.startsWith("↑↓ select  / filter  o sort  s start  S stop  r restart  l logs  ? help  q quit") === true, "the frame at 120x30");

      // q quits: the shell's screen is back as it was, with nothing of the tui left.
      term.keys("q");
      // Before: the echo, its output, the prompt; now that prompt holds the tui's command line.
      screen = await term.waitFor((s) => nonBlank(s).length === before.length + 1 && /^\$ ?$/.test(nonBlank(s).at(-1)!), "the shell prompt after the tui");
      expect(nonBlank(screen)).toEqual([...before.slice(0, -1), `$ ${ZINIT} --socket ${server.socket} tui`, "$"]);
      expect(screen).not.toContain("NAME");
      expect(screen).not.toContain("zinit  4 services");
      // Echo works again (the terminal left raw mode) and the cursor shows.
      await term.typeSeen("echo after-the-tui");
      expect(term.tmux("display-message", "-p", "-t", "main", "#{cursor_flag}").trim()).toBe("1");
    } finally {
      term.kill();
    }
  });

  test("Ctrl-C quits with status 0", async () => {
    const term = Terminal.start([ZINIT, "--socket", server.socket, "tui"], { width: 100, height: 20 });
    try {
      await term.waitFor(/^> alpha /m, "the table");
      await term.waitRaw();
      term.keys("C-c");
      expect(await term.waitExit()).toBe(0);
    } finally {
      term.kill();
    }
  });
});

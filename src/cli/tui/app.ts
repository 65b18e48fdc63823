/**
 * The tui's event loop. Everything that happens (a state event, a log line, a
 * key, a resize, the uptime tick) updates the state through state.ts and asks for
 * a frame. Frames are drawn at most every FRAME_MS for server news, at once for
 * keys. The server is never polled: the list is fetched at start and again after
 * state events (for what events do not carry: restarts, health, new services).
 */
import type { ReadStream, WriteStream } from "node:tty";
import type { ZinitClient } from "../../sdk/client.ts";
import type { LogLine } from "../../sdk/protocol/types.ts";
import { renderFrame } from "./frame.ts";
import { keyToAction, parseKeys, type Action } from "./keys.ts";
import { openScreen } from "./screen.ts";
import {
  appendLog,
  applyEvent,
  initialState,
  moveSelection,
  withLogPane,
  withMessage,
  withServices,
  type TuiState,
} from "./state.ts";

const FRAME_MS = 100;
const TICK_MS = 1000;
const SIGNAL_EXIT: Record<string, number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

export interface TuiOptions {
  input: ReadStream;
  output: WriteStream;
  color: boolean;
  now(): number;
}

/** Runs until `q`, Ctrl-C or a signal (its exit status), or throws what broke it. */
export async function runTui(client: ZinitClient, opts: TuiOptions): Promise<number> {
  // Fetched before the screen is taken, so a refusal prints like any other command's.
  let state: TuiState = initialState(await client.list());
  const screen = openScreen(opts.input, opts.output);
  let end!: (code: number) => void;
  let fail!: (error: unknown) => void;
  const ended = new Promise<number>((resolve, reject) => ((end = resolve), (fail = reject)));

  let lastDraw = 0;
  let pending: ReturnType<typeof setTimeout> | undefined;
  const draw = () => {
    clearTimeout(pending);
    pending = undefined;
    lastDraw = Date.now();
    try {
      screen.draw(renderFrame(state, { ...screen.size(), color: opts.color, nowMs: opts.now() }));
    } catch (error) {
      fail(error);
    }
  };
  const schedule = () => {
    pending ??= setTimeout(draw, Math.max(0, lastDraw + FRAME_MS - Date.now()));
  };
  const update = (next: TuiState) => {
    state = next;
    schedule();
  };

  // One list call in flight at most; events during it ask for one more after.
  let listing = false;
  let listAgain = false;
  const refreshList = async () => {
    if (listing) return void (listAgain = true);
    listing = true;
    try {
      do {
        listAgain = false;
        update(withServices(state, await client.list()));
      } while (listAgain);
    } catch (error) {
      fail(error);
    } finally {
      listing = false;
    }
  };

  const events = client.events();
  void (async () => {
    try {
      for await (const e of events) {
        update(applyEvent(state, e));
        void refreshList();
      }
    } catch (error) {
      fail(error);
    }
  })();

  let logs: AsyncIterableIterator<LogLine> | null = null;
  const closeLogs = () => {
    void logs?.return?.();
    logs = null;
  };
  const openLogs = (name: string) => {
    closeLogs();
    state = withLogPane(state, name);
    const stream = client.logs(name, { lines: screen.size().height, follow: true });
    logs = stream;
    void (async () => {
      try {
        for await (const line of stream) update(appendLog(state, line));
      } catch (error) {
        if (logs === stream) update(withMessage(state, `logs ${name}: ${(error as Error).message}`));
      }
    })();
  };

  const act = (action: Action) => {
    switch (action.type) {
      case "quit":
        return end(0);
      case "move":
        state = moveSelection(state, action.delta);
        // The pane follows the selection.
        if (state.logs && state.selected !== undefined && state.logs.name !== state.selected) openLogs(state.selected);
        return;
      case "logs":
        if (state.logs) {
          closeLogs();
          state = withLogPane(state, null);
        } else if (state.selected !== undefined) openLogs(state.selected);
        return;
      default: {
        const { type, name } = action;
        state = withMessage(state, `${type} ${name}…`);
        client[type](name).then(
          () => update(withMessage(state, `${type} ${name}: requested`)),
          (error: Error) => update(withMessage(state, `${type} ${name}: ${error.message}`)),
        );
      }
    }
  };
  const onKeys = (chunk: string) => {
    for (const key of parseKeys(chunk)) {
      const action = keyToAction(key, state);
      if (action) act(action);
    }
    draw();
  };
  const onSignal = (signal: NodeJS.Signals) => end(SIGNAL_EXIT[signal] ?? 1);
  const tick = setInterval(draw, TICK_MS);

  opts.input.on("data", onKeys);
  opts.output.on("resize", draw);
  for (const s of Object.keys(SIGNAL_EXIT)) process.on(s, onSignal);
  draw();
  try {
    return await ended;
  } finally {
    clearInterval(tick);
    clearTimeout(pending);
    opts.input.off("data", onKeys);
    opts.output.off("resize", draw);
    for (const s of Object.keys(SIGNAL_EXIT)) process.off(s, onSignal);
    screen.close();
    closeLogs();
    await events.return?.();
  }
}

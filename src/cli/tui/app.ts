/**
 * The tui's event loop. Everything that happens (a state event, a log line, a
 * key, a resize, the refresh tick) updates the state through state.ts and asks for
 * a frame. Frames are drawn at most every FRAME_MS for server news, at once for
 * keys and resizes.
 *
 * The server never polls anything for the tui: states come as events, and the
 * figures it reads from /proc only when asked (memory, CPU time) are asked for by
 * this client every REFRESH_MS while the view is open, with the list (which also
 * brings restarts and health). CPU time comes with the list when the server puts it
 * there, else from the status of the rows on screen only, so a long list costs no
 * more than a screenful.
 */
import type { ReadStream, WriteStream } from "node:tty";
import type { ZinitClient } from "../../sdk/client.ts";
import type { LogLine, ServiceSummary } from "../../sdk/protocol/types.ts";
import { renderFrame } from "./frame.ts";
import { keyToAction, parseKeys, type Action } from "./keys.ts";
import { openScreen } from "./screen.ts";
import {
  appendLog,
  applyEvent,
  beginFilter,
  cycleSort,
  endFilter,
  initialState,
  moveSelection,
  visibleServices,
  withConfirm,
  withCpuTime,
  withFilter,
  withHelp,
  withLogPane,
  withMessage,
  withServices,
  type TuiState,
} from "./state.ts";

const FRAME_MS = 100;
const TICK_MS = 1000;
/** How often the list and figures are asked for while the view is open. */
export const REFRESH_MS = 2000;
const SIGNAL_EXIT: Record<string, number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

export interface TuiOptions {
  input: ReadStream;
  output: WriteStream;
  color: boolean;
  now(): number;
  /** the figures' refresh period; REFRESH_MS by default */
  refreshMs?: number;
}

/** Runs until `q`, Ctrl-C or a signal (its exit status), or throws what broke it. */
export async function runTui(client: ZinitClient, opts: TuiOptions): Promise<number> {
  // Fetched before the screen is taken, so a refusal prints like any other command's.
  let state: TuiState = withServices(initialState(), await client.list(), opts.now());
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
    followSelection();
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
        const list = await client.list();
        update(withServices(state, list, opts.now()));
        await refreshCpu(list);
      } while (listAgain);
    } catch (error) {
      fail(error);
    } finally {
      listing = false;
    }
  };
  /** CPU time from status, for the live rows on screen, when the list does not carry it. */
  const refreshCpu = async (list: ServiceSummary[]) => {
    if (list.some((s) => "cpu_ms" in s)) return;
    const rows = visibleServices(state).slice(0, Math.max(1, screen.size().height));
    const live = rows.filter((s) => s.pid !== null);
    const statuses = await Promise.all(live.map((s) => client.status(s.name).catch(() => null)));
    const at = opts.now();
    for (const st of statuses) {
      const cpu = (st as { cpu_ms?: number | null } | null)?.cpu_ms;
      if (st && cpu !== undefined) state = withCpuTime(state, st.name, st.pid, cpu, at);
    }
    schedule();
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
  /** The pane follows the selection, whatever moved it (keys, filter, sort, a list). */
  const followSelection = () => {
    if (state.logs && state.selected !== undefined && state.logs.name !== state.selected) openLogs(state.selected);
  };

  const act = (action: Action) => {
    switch (action.type) {
      case "quit":
        return end(0);
      case "move":
        state = moveSelection(state, action.delta);
        return;
      case "logs":
        if (state.logs) {
          closeLogs();
          state = withLogPane(state, null);
        } else if (state.selected !== undefined) openLogs(state.selected);
        return;
      case "filter-begin":
        state = beginFilter(state);
        return;
      case "filter-text":
        state = withFilter(state, action.text);
        return;
      case "filter-end":
        state = endFilter(state, action.keep);
        return;
      case "sort":
        state = cycleSort(state, action.reverse);
        return;
      case "help":
        state = withHelp(state, action.show);
        return;
      case "confirm":
        state = withConfirm(state, { action: action.action, name: action.name });
        return;
      case "cancel-confirm":
        state = withMessage(withConfirm(state, null), `${state.confirm?.action} ${state.confirm?.name}: cancelled`);
        return;
      default: {
        const { type, name } = action;
        state = withMessage(withConfirm(state, null), `${type} ${name}…`);
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
    followSelection();
    draw();
  };
  const onSignal = (signal: NodeJS.Signals) => end(SIGNAL_EXIT[signal] ?? 1);
  const tick = setInterval(draw, TICK_MS);
  const refresh = setInterval(() => void refreshList(), opts.refreshMs ?? REFRESH_MS);
  // A resize redraws the whole frame for the new size at once.
  const onResize = () => draw();

  opts.input.on("data", onKeys);
  opts.output.on("resize", onResize);
  process.on("SIGWINCH", onResize);
  for (const s of Object.keys(SIGNAL_EXIT)) process.on(s, onSignal);
  draw();
  void refreshCpu(state.services);
  try {
    return await ended;
  } finally {
    clearInterval(tick);
    clearInterval(refresh);
    clearTimeout(pending);
    opts.input.off("data", onKeys);
    opts.output.off("resize", onResize);
    process.off("SIGWINCH", onResize);
    for (const s of Object.keys(SIGNAL_EXIT)) process.off(s, onSignal);
    screen.close();
    closeLogs();
    // The terminal is back already; a server slow to close the stream must not hold the exit.
    await Promise.race([events.return?.(), new Promise((resolve) => setTimeout(resolve, 500).unref())]);
  }
}

/**
 * The "floors": a bare Bun program (compiled like zinit) doing the same process
 * work as a supervisor, with nothing else — what any Bun supervisor pays before
 * its own decisions, logging and bookkeeping. Each reads its size and shape from
 * argv, starts `sleep 31536001` children in sessions of their own with stdout and
 * stderr on sockets it reads, and on SIGTERM stops them in the given order.
 */

/** argv: N | chain N | layers L W. Spawns, restarts what dies (respawn), stops in order on SIGTERM. */
export const FLOOR_SOURCE = `
const [shape, a, b] = process.argv.slice(2);
const layers = shape === "layers" ? Number(a) : shape === "chain" ? Number(a) : 1;
const width = shape === "layers" ? Number(b) : shape === "chain" ? 1 : Number(shape);
const spawn = () => Bun.spawn(["sleep", "31536001"], { stdin: "ignore", stdout: "pipe", stderr: "pipe", detached: true });
const procs = Array.from({ length: layers }, () => Array.from({ length: width }, spawn));
let stopping = false;
const watch = (l, i) => procs[l][i].exited.then(() => {
  if (stopping) return;
  procs[l][i] = spawn();
  watch(l, i);
});
for (let l = 0; l < layers; l++) for (let i = 0; i < width; i++) watch(l, i);
process.on("SIGTERM", async () => {
  stopping = true;
  for (let l = layers - 1; l >= 0; l--) {
    for (const p of procs[l]) process.kill(-p.pid, "SIGTERM");
    await Promise.all(procs[l].map((p) => p.exited));
  }
  process.exit(0);
});
setInterval(() => {}, 1 << 30);
`;

/**
 * The flood floor. argv: the flooding shell command; it waits for SIGUSR1, then
 * runs the command with stdout on a pipe and reads it to the end, keeping nothing:
 * what Bun itself costs to take in that much output.
 */
export const FLOOD_FLOOR_SOURCE = `
const [script] = process.argv.slice(2);
process.on("SIGUSR1", async () => {
  const p = Bun.spawn(["sh", "-c", script], { stdin: "ignore", stdout: "pipe", stderr: "inherit" });
  let bytes = 0;
  for await (const chunk of p.stdout) bytes += chunk.length;
  await p.exited;
  globalThis.bytes = bytes;
});
setInterval(() => {}, 1 << 30);
`;

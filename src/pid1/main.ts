const USAGE = `usage: zinit-pid1 [--container] [--config-dir DIR] [--socket PATH]

The PID 1 shim: reaps zombies, runs and watches zinit-server, handles power signals.
Not implemented yet (see README: partial).
`;

export async function runPid1(args: string[]): Promise<void> {
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(USAGE);
    return;
  }
  process.stderr.write(`zinit-pid1: not implemented yet\n`);
  process.exitCode = 1;
}

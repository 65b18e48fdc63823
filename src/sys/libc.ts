/**
 * The one bun:ffi module of zinit: the few libc calls that Bun has no API for
 * (reaping, subreaper, process groups, mounts, reboot, peer credentials, and
 * reading service output with epoll and SIGIO).
 *
 * Model: every wrapper either returns a plain number/boolean/object or throws a
 * `SyscallError` carrying the syscall, the errno and its name. Outcomes that are
 * normal for a supervisor are values, not errors: "nothing to reap" (ECHILD) is
 * `null`, "no such process" (ESRCH) from kill is `false`.
 *
 * errno is read through `__errno_location()` in the same synchronous turn as the
 * failing call, before any other FFI call can overwrite it.
 *
 * Both `bun:ffi` and libc are loaded on first use, not at import: the CLI role
 * imports modules that import this one, and it should not pay ~2 MB of RSS for
 * an FFI layer it never calls.
 *
 * Linux only (glibc, with a musl fallback name). Structure layouts are x86_64 /
 * aarch64 (LP64), which is all zinit is built for.
 */
import type * as FFI from "bun:ffi";
import type { constants as OsConstants } from "node:os";

/** node:os on first use: loading it costs the CLI's start-up ~0.5 ms. */
function osConstants(): typeof OsConstants {
  return (require("node:os") as typeof import("node:os")).constants;
}

// ---------------------------------------------------------------- constants

export const WNOHANG = 1;
const WEXITED = 4;
const WNOWAIT = 0x01000000;
const P_ALL = 0;

const PR_SET_CHILD_SUBREAPER = 36;
const PR_GET_CHILD_SUBREAPER = 37;

const SOL_SOCKET = 1;
const SO_PEERCRED = 17;

const ESRCH = 3;
const ECHILD = 10;

/** reboot(2) commands (the glibc wrapper adds the magic numbers itself). */
export const RB_AUTOBOOT = 0x01234567;
export const RB_POWER_OFF = 0x4321fedc;
export const RB_HALT_SYSTEM = 0xcdef0123;

/** mount(2) flags an init needs for /proc, /sys, /dev, /run. */
export const MS_RDONLY = 1;
export const MS_NOSUID = 2;
export const MS_NODEV = 4;
export const MS_NOEXEC = 8;
export const MS_RELATIME = 1 << 21;

/** umount2(2) flags. */
export const MNT_FORCE = 1;
export const MNT_DETACH = 2;

// ---------------------------------------------------------------- errors

let errnoNames: Map<number, string> | null = null;

/** "ECHILD" for 10; "E<n>" for a number the runtime has no name for. */
export function errnoName(errno: number): string {
  if (errnoNames === null) {
    errnoNames = new Map();
    for (const [name, n] of Object.entries(osConstants().errno)) {
      // Aliases (EWOULDBLOCK = EAGAIN, EDEADLOCK = EDEADLK): keep the first, usual name.
      if (!errnoNames.has(n)) errnoNames.set(n, name);
    }
  }
  return errnoNames.get(errno) ?? `E${errno}`;
}

/** A libc call returned failure; `code` is the errno name, as in node's system errors. */
export class SyscallError extends Error {
  readonly syscall: string;
  readonly errno: number;
  readonly code: string;
  constructor(syscall: string, errno: number, detail?: string) {
    const code = errnoName(errno);
    const what = detail === undefined ? syscall : `${syscall} ${detail}`;
    super(`${what}: ${code} (${strerror(errno)})`);
    this.name = "SyscallError";
    this.syscall = syscall;
    this.errno = errno;
    this.code = code;
  }
}

// ---------------------------------------------------------------- loading

const symbols = {
  __errno_location: { args: [], returns: "ptr" },
  strerror: { args: ["i32"], returns: "cstring" },
  waitpid: { args: ["i32", "ptr", "i32"], returns: "i32" },
  waitid: { args: ["i32", "u32", "ptr", "i32"], returns: "i32" },
  prctl: { args: ["i32", "u64", "u64", "u64", "u64"], returns: "i32" },
  kill: { args: ["i32", "i32"], returns: "i32" },
  getpgid: { args: ["i32"], returns: "i32" },
  setsid: { args: [], returns: "i32" },
  mount: { args: ["ptr", "ptr", "ptr", "u64", "ptr"], returns: "i32" },
  umount2: { args: ["ptr", "i32"], returns: "i32" },
  sync: { args: [], returns: "void" },
  reboot: { args: ["i32"], returns: "i32" },
  getuid: { args: [], returns: "u32" },
  getsockopt: { args: ["i32", "i32", "i32", "ptr", "ptr"], returns: "i32" },
  flock: { args: ["i32", "i32"], returns: "i32" },
} as const satisfies Record<string, FFI.FFIFunction>;

type Symbols = FFI.ConvertFns<typeof symbols>;

let lib: Symbols | null = null;
let errnoPtr = 0 as FFI.Pointer;
let readI32: (p: FFI.Pointer, offset: number) => number;
let ptrOf: (view: NodeJS.TypedArray) => FFI.Pointer;

function libraryNames(): string[] {
  const arch = process.arch === "arm64" ? "aarch64" : "x86_64";
  return ["libc.so.6", `libc.musl-${arch}.so.1`];
}

function load(): Symbols {
  if (process.platform !== "linux") {
    throw new Error(`zinit's libc layer is Linux-only (platform ${process.platform})`);
  }
  // A dynamic require keeps bun:ffi out of processes that never make a syscall.
  const ffi = require("bun:ffi") as typeof FFI;
  let lastError: unknown;
  for (const name of libraryNames()) {
    try {
      const opened = ffi.dlopen(name, symbols).symbols;
      const ep = opened.__errno_location();
      if (ep === null) throw new Error("__errno_location returned NULL");
      errnoPtr = ep as FFI.Pointer;
      readI32 = ffi.read.i32;
      ptrOf = ffi.ptr;
      return opened;
    } catch (e) {
      lastError = e;
    }
  }
  throw new Error(`cannot load libc (${libraryNames().join(", ")}): ${String(lastError)}`);
}

function c(): Symbols {
  return (lib ??= load());
}

/** errno of the JS thread; only meaningful right after a call that returned -1. */
function errno(): number {
  return readI32(errnoPtr, 0);
}

function strerror(n: number): string {
  try {
    return c().strerror(n) ?? "unknown error";
  } catch {
    return "unknown error";
  }
}

function cstr(s: string): Buffer {
  return Buffer.from(s + "\0");
}

function signalNumber(sig: number | NodeJS.Signals): number {
  if (typeof sig === "number") return sig;
  const n = (osConstants().signals as Record<string, number | undefined>)[sig];
  if (n === undefined) throw new RangeError(`unknown signal ${sig}`);
  return n;
}

// Reused buffers: the reaper calls these in a loop on every SIGCHLD.
const statusBuf = new Int32Array(1);
const siginfoBuf = new Int32Array(32); // siginfo_t is 128 bytes; si_pid is at byte 16
const intBuf = new Int32Array(1);

// ---------------------------------------------------------------- wait

/** How a child ended: exactly one of the two is set for an exit or a kill. */
export interface WaitStatus {
  code: number | null;
  signal: number | null;
}

/**
 * Decodes a raw wait status (the int of waitpid). A stop/continue report (never
 * asked for by zinit) gives both null.
 */
export function decodeWaitStatus(status: number): WaitStatus {
  const low = status & 0x7f;
  if (low === 0) return { code: (status >> 8) & 0xff, signal: null };
  if (low !== 0x7f) return { code: null, signal: low };
  return { code: null, signal: null };
}

/**
 * waitpid(pid, WNOHANG): the reaped pid and its raw status, or null when nothing
 * is waitable now (0) or there is no such child (ECHILD).
 */
export function waitpidNoHang(pid: number): { pid: number; status: number } | null {
  const r = c().waitpid(pid, statusBuf, WNOHANG);
  if (r > 0) return { pid: r, status: statusBuf[0]! };
  if (r === 0) return null;
  const e = errno();
  if (e === ECHILD) return null;
  throw new SyscallError("waitpid", e, String(pid));
}

/**
 * Looks at the child that a wait would reap next, without reaping it
 * (waitid P_ALL, WEXITED|WNOHANG|WNOWAIT). Returns its pid; 0 when children
 * exist but none has ended; -1 when there are no children at all.
 */
export function peekWaitable(): number {
  const lib = c();
  // The kernel leaves si_pid untouched when nothing is waitable, so clear it.
  siginfoBuf[4] = 0;
  const r = lib.waitid(P_ALL, 0, siginfoBuf, WEXITED | WNOHANG | WNOWAIT);
  if (r === 0) return siginfoBuf[4]!;
  const e = errno();
  if (e === ECHILD) return -1;
  throw new SyscallError("waitid", e);
}

// ---------------------------------------------------------------- subreaper

/** Orphaned descendants are re-parented to us instead of to PID 1. */
export function setChildSubreaper(): void {
  if (c().prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
    throw new SyscallError("prctl", errno(), "PR_SET_CHILD_SUBREAPER");
  }
}

export function isChildSubreaper(): boolean {
  const lib = c();
  intBuf[0] = 0;
  // prctl's arguments are declared u64 for the SET form, so the address goes in as a number.
  if (lib.prctl(PR_GET_CHILD_SUBREAPER, ptrOf(intBuf), 0, 0, 0) < 0) {
    throw new SyscallError("prctl", errno(), "PR_GET_CHILD_SUBREAPER");
  }
  return intBuf[0] !== 0;
}

// ---------------------------------------------------------------- signals

function sendSignal(target: number, sig: number | NodeJS.Signals, detail: string): boolean {
  const n = signalNumber(sig);
  if (c().kill(target, n) === 0) return true;
  const e = errno();
  if (e === ESRCH) return false;
  throw new SyscallError("kill", e, detail);
}

/**
 * kill(pid, sig) for one process; false when it no longer exists (ESRCH).
 * pid must be > 0: 0 and negative pids address groups or everyone, which has
 * its own, deliberately named, function.
 */
export function kill(pid: number, sig: number | NodeJS.Signals): boolean {
  if (!Number.isInteger(pid) || pid <= 0) throw new RangeError(`kill: pid must be > 0, got ${pid}`);
  return sendSignal(pid, sig, String(pid));
}

/**
 * Signals every process of group `pgid`; false when the group is empty.
 * pgid 0 (our own group) and 1 are refused: as root, a wrong group id here
 * would take down the caller or the whole system.
 */
export function killGroup(pgid: number, sig: number | NodeJS.Signals): boolean {
  if (!Number.isInteger(pgid) || pgid <= 1) {
    throw new RangeError(`killGroup: pgid must be > 1, got ${pgid}`);
  }
  return sendSignal(-pgid, sig, `-${pgid}`);
}

/**
 * kill(-1, sig): every process we may signal but ourselves. Only allowed as
 * PID 1, where "every process" means our PID namespace; anywhere else, as root,
 * it would be the whole host. False when there was nobody left.
 */
export function killAll(sig: number | NodeJS.Signals): boolean {
  if (process.pid !== 1) throw new Error("killAll: refused, this process is not PID 1");
  return sendSignal(-1, sig, "-1");
}

// ---------------------------------------------------------------- sessions

/** Process group of `pid` (0 = ourselves). */
export function getpgid(pid: number): number {
  const r = c().getpgid(pid);
  if (r < 0) throw new SyscallError("getpgid", errno(), String(pid));
  return r;
}

/** Makes us leader of a new session and group; returns its id. EPERM if already a group leader. */
export function setsid(): number {
  const r = c().setsid();
  if (r < 0) throw new SyscallError("setsid", errno());
  return r;
}

// ---------------------------------------------------------------- mounts, power

export function mount(
  source: string,
  target: string,
  fstype: string,
  flags: number,
  data: string | null,
): void {
  const r = c().mount(cstr(source), cstr(target), cstr(fstype), flags, data === null ? null : cstr(data));
  if (r < 0) throw new SyscallError("mount", errno(), `${fstype} on ${target}`);
}

export function umount2(target: string, flags = 0): void {
  if (c().umount2(cstr(target), flags) < 0) throw new SyscallError("umount2", errno(), target);
}

/** Flushes every filesystem; call before reboot(). Blocks the event loop (tens of ms). */
export function sync(): void {
  c().sync();
}

/**
 * reboot(2) with RB_POWER_OFF, RB_AUTOBOOT or RB_HALT_SYSTEM. Does not return on
 * success; throws when refused (EPERM without CAP_SYS_BOOT). Inside a PID
 * namespace the kernel turns it into the namespace's init exiting instead.
 */
export function reboot(cmd: number): void {
  if (c().reboot(cmd | 0) < 0) throw new SyscallError("reboot", errno(), `0x${(cmd >>> 0).toString(16)}`);
}

// ---------------------------------------------------------------- identity

export function getuid(): number {
  return c().getuid();
}

/** Credentials of the process at the other end of a connected unix socket. */
export function getPeerCred(fd: number): { pid: number; uid: number; gid: number } {
  const lib = c();
  const ucred = new Int32Array(3); // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
  const len = new Uint32Array([12]);
  if (lib.getsockopt(fd, SOL_SOCKET, SO_PEERCRED, ucred, len) < 0) {
    throw new SyscallError("getsockopt", errno(), `SO_PEERCRED fd ${fd}`);
  }
  return { pid: ucred[0]!, uid: ucred[1]! >>> 0, gid: ucred[2]! >>> 0 };
}

// ---------------------------------------------------------------- file locks

const LOCK_EX = 2;
const LOCK_NB = 4;
const EWOULDBLOCK = 11; // = EAGAIN on Linux

/**
 * flock(fd, LOCK_EX|LOCK_NB): true when the exclusive lock is ours, false when
 * another open file description holds it. The kernel drops the lock when the last
 * fd of that description closes, so a process that dies (even by SIGKILL) never
 * leaves a stale lock behind.
 */
export function tryLockExclusive(fd: number): boolean {
  if (c().flock(fd, LOCK_EX | LOCK_NB) === 0) return true;
  const e = errno();
  if (e === EWOULDBLOCK) return false;
  throw new SyscallError("flock", e, `fd ${fd}`);
}

// ---------------------------------------------------------------- exec

/** execve alone, loaded only by the process that re-executes itself (once, at start). */
let execveFn: ((path: FFI.Pointer | Buffer, argv: BigUint64Array, envp: BigUint64Array) => number) | null = null;

function loadExecve(): NonNullable<typeof execveFn> {
  const ffi = require("bun:ffi") as typeof FFI;
  const decl = { execve: { args: ["ptr", "ptr", "ptr"], returns: "i32" } } as const satisfies Record<string, FFI.FFIFunction>;
  let lastError: unknown;
  for (const name of libraryNames()) {
    try {
      return ffi.dlopen(name, decl).symbols.execve as NonNullable<typeof execveFn>;
    } catch (e) {
      lastError = e;
    }
  }
  throw new Error(`cannot load execve from libc: ${String(lastError)}`);
}

/** A NULL-terminated char*[] over NUL-terminated copies; `keep` holds them alive until the call. */
function cStringArray(items: string[], keep: Buffer[]): BigUint64Array {
  const ffi = require("bun:ffi") as typeof FFI;
  const arr = new BigUint64Array(items.length + 1);
  items.forEach((s, i) => {
    const b = cstr(s);
    keep.push(b);
    arr[i] = BigInt(ffi.ptr(b));
  });
  arr[items.length] = 0n;
  return arr;
}

/**
 * execve(2): replaces this process's image with `path`, keeping its pid (which
 * matters as PID 1), with exactly `argv` and `env` ("NAME=value" entries).
 * Returns only by throwing, when the kernel refused.
 */
export function execve(path: string, argv: string[], env: string[]): never {
  c(); // errno pointer
  execveFn ??= loadExecve();
  const keep: Buffer[] = [];
  const argvArr = cStringArray(argv, keep);
  const envArr = cStringArray(env, keep);
  execveFn(cstr(path), argvArr, envArr);
  const e = errno();
  keep.length = 0;
  throw new SyscallError("execve", e, path);
}

// ---------------------------------------------------------------- output pipes (service output)

const O_NONBLOCK = 0o4000;
const O_ASYNC = 0o20000;
const O_CLOEXEC = 0o2000000;
const F_GETFL = 3;
const F_SETFL = 4;
const F_SETOWN = 8;
const F_SETPIPE_SZ = 1031;
const EPOLL_CTL_ADD = 1;
const EPOLL_CTL_DEL = 2;
const EPOLLIN = 0x001;
const EAGAIN = 11;
/** struct epoll_event is packed on x86_64 (12 bytes) and not on aarch64 (16, data at 8). */
const EPOLL_EVENT_SIZE = process.arch === "arm64" ? 16 : 12;
const EPOLL_DATA_OFFSET = process.arch === "arm64" ? 8 : 4;

const pipeSymbols = {
  pipe2: { args: ["ptr", "i32"], returns: "i32" },
  // fcntl is variadic; its third argument is an int for every command used here.
  fcntl: { args: ["i32", "i32", "i32"], returns: "i32" },
  epoll_create1: { args: ["i32"], returns: "i32" },
  epoll_ctl: { args: ["i32", "i32", "i32", "ptr"], returns: "i32" },
  epoll_wait: { args: ["i32", "ptr", "i32", "i32"], returns: "i32" },
  // ssize_t read as its low 32 bits: a read asks for at most 1 MB, and "i64"
  // would make a BigInt per read.
  read: { args: ["i32", "ptr", "u64"], returns: "i32" },
} as const satisfies Record<string, FFI.FFIFunction>;

let pipeLib: FFI.ConvertFns<typeof pipeSymbols> | null = null;

/** Its own small library handle: only the server reads service output. */
function p(): FFI.ConvertFns<typeof pipeSymbols> {
  if (pipeLib !== null) return pipeLib;
  c(); // errno pointer
  const ffi = require("bun:ffi") as typeof FFI;
  let lastError: unknown;
  for (const name of libraryNames()) {
    try {
      return (pipeLib = ffi.dlopen(name, pipeSymbols).symbols);
    } catch (e) {
      lastError = e;
    }
  }
  throw new Error(`cannot load pipe2/epoll from libc: ${String(lastError)}`);
}

const pairBuf = new Int32Array(2);

/** pipe2(O_CLOEXEC): [read end, write end]. A service's stdout is the write end. */
export function outputPipe(): [number, number] {
  if (p().pipe2(ptrOf(pairBuf), O_CLOEXEC) !== 0) throw new SyscallError("pipe2", errno());
  return [pairBuf[0]!, pairBuf[1]!];
}

/**
 * F_SETPIPE_SZ: false when the kernel refuses (an unprivileged user over
 * /proc/sys/fs/pipe-max-size or pipe-user-pages-soft, or a shrink below what the
 * pipe holds): the pipe then keeps its size, which is never an error for us.
 */
export function setPipeSize(fd: number, bytes: number): boolean {
  return p().fcntl(fd, F_SETPIPE_SZ, bytes) >= 0;
}

/**
 * Makes `fd` non-blocking and, with `signal`, asks the kernel to send this
 * process SIGIO whenever it becomes readable (O_ASYNC, owner = us); without, to
 * stop sending it.
 */
export function setReadSignal(fd: number, signal: boolean): void {
  const lib = p();
  const flags = lib.fcntl(fd, F_GETFL, 0);
  if (flags < 0) throw new SyscallError("fcntl", errno());
  if (signal && lib.fcntl(fd, F_SETOWN, process.pid) < 0) throw new SyscallError("fcntl", errno());
  const next = signal ? flags | O_NONBLOCK | O_ASYNC : (flags | O_NONBLOCK) & ~O_ASYNC;
  if (next !== flags && lib.fcntl(fd, F_SETFL, next) < 0) throw new SyscallError("fcntl", errno());
}

export function epollCreate(): number {
  const fd = p().epoll_create1(O_CLOEXEC);
  if (fd < 0) throw new SyscallError("epoll_create1", errno());
  return fd;
}

const eventBuf = new DataView(new ArrayBuffer(EPOLL_EVENT_SIZE));

/** Watches `fd` for input (level-triggered); the event carries the fd itself. */
export function epollAdd(ep: number, fd: number): void {
  eventBuf.setUint32(0, EPOLLIN, true);
  eventBuf.setInt32(EPOLL_DATA_OFFSET, fd, true);
  if (p().epoll_ctl(ep, EPOLL_CTL_ADD, fd, ptrOf(eventBuf as unknown as NodeJS.TypedArray)) !== 0) throw new SyscallError("epoll_ctl", errno());
}

/** Closing the fd removes it too; this is for an fd that stays open. */
export function epollDelete(ep: number, fd: number): void {
  p().epoll_ctl(ep, EPOLL_CTL_DEL, fd, null);
}

/** How many fds epollReadyNow hands back at most: a caller loops while it gets this many. */
export const EPOLL_EVENTS_PER_CALL = 64;
const eventsView = new DataView(new ArrayBuffer(EPOLL_EVENT_SIZE * EPOLL_EVENTS_PER_CALL));

/** Fills `out` with the fds of `ep` that are readable (or hung up) now, without waiting. */
export function epollReadyNow(ep: number, out: number[]): void {
  const n = p().epoll_wait(ep, ptrOf(eventsView as unknown as NodeJS.TypedArray), EPOLL_EVENTS_PER_CALL, 0);
  out.length = 0;
  for (let i = 0; i < n; i++) out.push(eventsView.getInt32(i * EPOLL_EVENT_SIZE + EPOLL_DATA_OFFSET, true));
}

/**
 * read(2) into `into` from its start: the byte count, 0 at end of file, -1 when
 * nothing is there now (EAGAIN). Any other error throws.
 */
export function readNow(fd: number, into: Uint8Array): number {
  const n = p().read(fd, ptrOf(into), into.length);
  if (n >= 0) return n;
  const e = errno();
  if (e === EAGAIN) return -1;
  throw new SyscallError("read", e);
}

// ---------------------------------------------------------------- isatty (CLI colours)

let isattyFn: ((fd: number) => number) | null = null;

/**
 * isatty(3): whether `fd` is a terminal. For the CLI, which must not load
 * node:tty (~5 ms of start-up) to choose its colours. Its own small library
 * handle, so the CLI does not build the whole symbol table above.
 */
export function isatty(fd: number): boolean {
  if (isattyFn === null) {
    const ffi = require("bun:ffi") as typeof FFI;
    const decl = { isatty: { args: ["i32"], returns: "i32" } } as const satisfies Record<string, FFI.FFIFunction>;
    let lastError: unknown;
    for (const name of libraryNames()) {
      try {
        isattyFn = ffi.dlopen(name, decl).symbols.isatty;
        break;
      } catch (e) {
        lastError = e;
      }
    }
    if (isattyFn === null) throw new Error(`cannot load isatty from libc: ${String(lastError)}`);
  }
  return isattyFn(fd) === 1;
}

/**
 * The `--metrics HOST:PORT` value (also ZINIT_METRICS), pure. HOST is an IP
 * literal (`127.0.0.1`, `0.0.0.0`, `[::1]`, `[::]`), `localhost`, or empty for
 * every interface (`:9100`). Host names are refused rather than resolved: a
 * resolver may be missing or slow in a container, and an address that cannot be
 * bound must be told apart from a port in use.
 */
import { ZinitError } from "../sdk/errors.ts";

export interface ListenAddress {
  /** what Bun.serve binds: an IP literal without brackets */
  hostname: string;
  port: number;
  /** as the user wrote it, for messages */
  text: string;
}

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const IPV6 = /^[0-9a-fA-F:.]+$/;

/** Parses HOST:PORT; throws a `usage` ZinitError naming `flag` and the value. */
export function parseListenAddress(text: string, flag = "--metrics"): ListenAddress {
  const bad = (why: string) =>
    new ZinitError("usage", `${flag} ${JSON.stringify(text)}: ${why} (expected HOST:PORT, e.g. 127.0.0.1:9100, :9100 or [::1]:9100)`);
  const colon = text.lastIndexOf(":");
  if (colon < 0) throw bad("no port");
  let host = text.slice(0, colon);
  const portText = text.slice(colon + 1);
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) throw bad("the port must be a number from 0 to 65535");
  if (host.startsWith("[") && host.endsWith("]")) {
    host = host.slice(1, -1);
    if (!IPV6.test(host) || !host.includes(":")) throw bad(`"${host}" is not an IPv6 address`);
  } else if (host === "") host = "0.0.0.0";
  else if (host === "localhost") host = "127.0.0.1";
  else if (host.includes(":")) throw bad("write an IPv6 address in brackets");
  else if (!IPV4.test(host)) throw bad(`"${host}" is not an IP address; host names are not resolved`);
  return { hostname: host, port: Number(portText), text };
}

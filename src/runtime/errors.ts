/**
 * Errors the sockets report, shaped like Node's own (`net`): an `Error` with `code`, `errno`,
 * `syscall`, `address` and `port`, and the message Node would print ("connect ECONNREFUSED
 * 10.0.0.2:5201"), so code written for `net` handles them unchanged.
 */
import { constants } from "node:os";

export type SocketErrorCode = "ECONNREFUSED" | "ECONNRESET" | "ETIMEDOUT" | "EPIPE" | "EADDRINUSE" | "EADDRNOTAVAIL" | "EINVAL" | "ENETUNREACH";

export interface SocketError extends Error {
  code: SocketErrorCode;
  /** Negative errno, as libuv reports it. */
  errno: number;
  syscall: string;
  address?: string;
  port?: number;
}

export function socketError(code: SocketErrorCode, syscall: string, address?: string, port?: number, detail?: string): SocketError {
  const where = address === undefined ? "" : port === undefined ? ` ${address}` : ` ${address.includes(":") ? `[${address}]` : address}:${port}`;
  const e = new Error(`${syscall} ${code}${where}${detail ? ` (${detail})` : ""}`) as SocketError;
  e.code = code;
  e.errno = -(constants.errno[code] ?? 0);
  e.syscall = syscall;
  if (address !== undefined) e.address = address;
  if (port !== undefined) e.port = port;
  return e;
}

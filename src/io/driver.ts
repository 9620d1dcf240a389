/**
 * The packet-driver interface: what the runtime (DESIGN.md §7) needs from anything that moves IP
 * datagrams between a `Host` and a network — a Linux TUN device, a UDP tunnel, a simulated link.
 *
 * A driver is a point-to-point link carrying whole IPv4 or IPv6 datagrams with no link-layer
 * header. It hands received datagrams to one consumer in batches, so the runtime can feed a whole
 * batch to `host.receive` and flush `pollTransmit` once per batch rather than once per packet.
 */

/** Receives the datagrams that arrived since the last call, oldest first; never an empty array. */
export type PacketHandler = (packets: Uint8Array[]) => void;

export interface PacketDriver {
  /** What this driver is attached to, for logs: `tun:mtst0`, `udp:127.0.0.1:7001=127.0.0.2:7001`. */
  readonly name: string;
  /**
   * The largest datagram `send` accepts and the peer can be expected to deliver, in bytes (the
   * IP MTU of the link). Whoever builds segments for this link derives the MSS from it.
   */
  readonly mtu: number;
  /** Counters since open; the object is live (read it at any time, do not write it). */
  readonly stats: Readonly<DriverStats>;
  /**
   * Sets the consumer of received datagrams, replacing any earlier one. Set it before returning
   * to the event loop after opening: a batch that arrives while no handler is set is dropped and
   * counted in `stats.rxDropped`. The arrays and the bytes they view belong to the handler (the
   * driver never reuses them), so it may keep them without copying.
   */
  onPackets(handler: PacketHandler): void;
  /**
   * Sets the consumer of asynchronous failures after open (the device was deleted, the socket
   * failed). The driver has stopped receiving when this is called; `close()` is still needed to
   * release what is left. Without a handler the error is thrown from the event loop.
   */
  onError(handler: (err: DriverError) => void): void;
  /**
   * Sends one IP datagram. It is handed to the operating system before `send` returns or, for a
   * UDP socket, queued in it; the caller must not modify `packet` afterwards. A datagram that
   * cannot be sent (longer than `mtu`, driver closed, an error from the OS) is dropped and
   * counted in `stats.txErrors`, as a network interface would: the transport recovers.
   */
  send(packet: Uint8Array): void;
  /**
   * Stops receiving and releases everything the driver opened (threads, descriptors, sockets, a
   * TUN device it created). Resolves once all of it is gone; calling it again returns the same
   * promise. No handler is called after it resolves.
   */
  close(): Promise<void>;
}

export interface DriverStats {
  /** Datagrams delivered to the handler, and their bytes. */
  rxPackets: number;
  rxBytes: number;
  /** Handler calls. `rxPackets / rxBatches` is the mean batch size. */
  rxBatches: number;
  /** Received datagrams not delivered: no handler set, or malformed (see `rxMalformed`). */
  rxDropped: number;
  /** Of `rxDropped`: not an IPv4 or IPv6 datagram of exactly the received length. */
  rxMalformed: number;
  /** Datagrams handed to the operating system, and their bytes. */
  txPackets: number;
  txBytes: number;
  /** Datagrams `send` dropped: oversize, driver closed, or refused by the operating system. */
  txErrors: number;
}

export function emptyStats(): DriverStats {
  return { rxPackets: 0, rxBytes: 0, rxBatches: 0, rxDropped: 0, rxMalformed: 0, txPackets: 0, txBytes: 0, txErrors: 0 };
}

/** Why a driver could not be opened or stopped working. */
export type DriverErrorKind =
  /** The platform has no such device (TUN is Linux-only). */
  | "unsupported"
  /** The FFI package (koffi) or the C library could not be loaded. */
  | "ffi"
  /** `/dev/net/tun` does not exist (no tun module, or a container without the device). */
  | "no-device"
  /** The operation needs root or CAP_NET_ADMIN. */
  | "permission"
  /** The device or address is in use by someone else. */
  | "busy"
  /** A name, address, port, MTU or path specification that cannot be used. */
  | "invalid"
  /** Any other failure of a system call or socket, after or during open. */
  | "io";

/**
 * A driver failure with a one-line message that says what is needed (the CLI prints it and exits
 * with code 2). `code` is the errno name when a system call failed, as in Node's own errors.
 */
export class DriverError extends Error {
  override readonly name = "DriverError";

  constructor(
    readonly kind: DriverErrorKind,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/**
 * Checks that `bytes` holds exactly one IPv4 or IPv6 datagram: the version nibble, a minimal
 * header, and a length field that matches the byte count (RFC 791 §3.1 Total Length; RFC 8200
 * §3 Payload Length, which excludes the 40-byte fixed header). Returns undefined when it does, or
 * why not. A jumbogram (RFC 2675, payload length 0) is not accepted: no driver here carries one.
 */
export function checkIpDatagram(bytes: Uint8Array): string | undefined {
  const len = bytes.length;
  if (len < 20) return `${len} bytes, shorter than any IP header`;
  const version = bytes[0]! >>> 4;
  if (version === 4) {
    const ihl = (bytes[0]! & 0x0f) * 4;
    const total = (bytes[2]! << 8) | bytes[3]!;
    if (ihl < 20) return `IPv4 header length ${ihl}`;
    if (total !== len) return `IPv4 total length ${total} in ${len} bytes`;
    if (ihl > total) return `IPv4 header length ${ihl} beyond total length ${total}`;
    return undefined;
  }
  if (version === 6) {
    if (len < 40) return `${len} bytes, shorter than an IPv6 header`;
    const payload = (bytes[4]! << 8) | bytes[5]!;
    if (40 + payload !== len) return `IPv6 payload length ${payload} in ${len} bytes`;
    return undefined;
  }
  return `IP version ${version}`;
}

/**
 * Linux TUN driver: attaches to a named layer-3 device through `/dev/net/tun` (TUNSETIFF with
 * IFF_TUN | IFF_NO_PI, so every read and write is exactly one IPv4 or IPv6 datagram), reads in a
 * worker thread that hands batches to the main thread, and writes from the main thread.
 *
 * A device that does not exist is created, non-persistent: the kernel deletes it when the
 * descriptor closes, that is on `close()` or when the process exits, however it exits. A
 * persistent device made beforehand (`ip tuntap add NAME mode tun`) is attached to and left as
 * it was. Either way the kernel side of the link — addresses, `ip link set NAME up`, routes — is
 * configured by whoever runs the driver; the driver sets only the MTU, and only when asked.
 *
 * Needs root or CAP_NET_ADMIN (or a persistent device owned by the user), `/dev/net/tun`, and the
 * koffi package; without them `openTun` rejects with a `DriverError` that says so in one line.
 */
import { existsSync } from "node:fs";
import { isIP } from "node:net";
import { Worker } from "node:worker_threads";
import { checkIpDatagram, DriverError, emptyStats } from "./driver.js";
import type { DriverStats, PacketDriver, PacketHandler } from "./driver.js";
import { completeChecksum, GsoJoiner } from "./gso.js";
import type { GsoStats } from "./gso.js";
import {
  AF_INET, EFD_CLOEXEC, EFD_NONBLOCK, IFF_NO_PI, IFF_TUN, IFF_VNET_HDR, IFNAMSIZ, IFREQ_SIZE, loadLibc, O_CLOEXEC,
  O_NONBLOCK, O_RDWR, SIOCGIFMTU, SIOCSIFMTU, SOCK_CLOEXEC, SOCK_DGRAM, TUN_F_CSUM, TUN_F_TSO4, TUN_F_TSO6,
  TUNSETIFF, TUNSETOFFLOAD,
} from "./tun-libc.js";
import type { Libc } from "./tun-libc.js";
import { CTL_DELIVERED, CTL_SIGNAL, CTL_STOP, CTL_WORDS } from "./tun-shared.js";
import type { TunWorkerData, TunWorkerMessage } from "./tun-shared.js";
import { VNET_F_NEEDS_CSUM, VNET_GSO_ECN, VNET_GSO_NONE, VNET_GSO_TCPV4, VNET_GSO_TCPV6, VNET_HDR_LEN } from "./vnet.js";

export const TUN_DEVICE_PATH = "/dev/net/tun";

/** The IP MTU range a TUN device accepts (RFC 791 §3.1 minimum of 68; IPv6 needs 1280). */
export const TUN_MIN_MTU = 68;
export const TUN_MAX_MTU = 65535;

export interface TunOptions {
  /**
   * Device name, 1 to 15 bytes, no `/`, whitespace or `:`. A name with `%d` (for example
   * `mptcp%d`) lets the kernel pick a free number; `driver.device` tells which it picked.
   */
  device: string;
  /**
   * Sets the device MTU (SIOCSIFMTU) before reading starts. Without it the MTU is left as it is
   * (1500 for a new device) and read back. Below 1280 the kernel disables IPv6 on the device.
   */
  mtu?: number;
  /** Datagrams per batch at most. Default 64. */
  maxBatch?: number;
  /** Batches read but not yet handed to the handler, at most. Default 8. */
  maxBatchesInFlight?: number;
  /**
   * Segmentation offload both ways (gso.ts, vnet.ts): opens the device with IFF_VNET_HDR.
   * Sending, the consecutive TCP segments of a flow that one turn of the event loop sends are
   * joined into writes of up to 64 KB, which the kernel takes in as one (so `send` hands a
   * datagram to the kernel at the end of the current turn, a microtask, not before it returns;
   * `flush()` does it at once). Receiving, the kernel may send TCP super-segments of up to 64 KB
   * (TUNSETOFFLOAD with TSO4, TSO6 and CSUM), handed to the handler as one datagram larger than
   * the MTU, with the checksum the kernel left partial completed. Default false.
   */
  offload?: boolean;
}

/** Opens (creating if absent) and attaches to a TUN device, and starts reading it. */
export async function openTun(opts: TunOptions): Promise<TunDriver> {
  if (process.platform !== "linux") {
    throw new DriverError("unsupported", `TUN devices need Linux (this is ${process.platform}); use the UDP driver instead`);
  }
  checkDeviceName(opts.device);
  if (opts.mtu !== undefined && !(Number.isInteger(opts.mtu) && opts.mtu >= TUN_MIN_MTU && opts.mtu <= TUN_MAX_MTU)) {
    throw new DriverError("invalid", `TUN MTU ${opts.mtu} is outside ${TUN_MIN_MTU}..${TUN_MAX_MTU}`);
  }
  const maxBatch = positiveInt(opts.maxBatch ?? 64, "maxBatch");
  const maxInFlight = positiveInt(opts.maxBatchesInFlight ?? 8, "maxBatchesInFlight");
  if (!existsSync(TUN_DEVICE_PATH)) {
    throw new DriverError("no-device", `${TUN_DEVICE_PATH} does not exist: load the tun module (modprobe tun) or give the container the device`);
  }
  const libc = await loadLibc();
  const template = opts.device.includes("%");
  const existed = !template && existsSync(`/sys/class/net/${opts.device}`);

  const fd = libc.open(TUN_DEVICE_PATH, O_RDWR | O_NONBLOCK | O_CLOEXEC, 0);
  if (fd < 0) throw openError(libc, libc.errno());
  let wakeFd = -1;
  let driver: TunDriver | undefined;
  try {
    const ifr = ifreq(opts.device);
    // IFF_VNET_HDR is one of the per-attachment flags (TUN_FEATURES): a persistent device made
    // without it (`ip tuntap add`) can still be attached to with it.
    new DataView(ifr.buffer).setInt16(IFNAMSIZ, IFF_TUN | IFF_NO_PI | (opts.offload === true ? IFF_VNET_HDR : 0), true);
    if (libc.ioctl(fd, TUNSETIFF, ifr) < 0) throw attachError(libc, libc.errno(), opts.device, existed);
    const device = ifreqName(ifr);
    // What the reader accepts from the kernel: without it, every datagram arrives finished, and
    // a kernel that refuses (an old one) leaves it so; sending offload needs nothing of this.
    if (opts.offload === true) libc.ioctlValue(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6);
    const mtu = configureMtu(libc, device, opts.mtu);
    wakeFd = libc.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wakeFd < 0) throw syscallError(libc, "eventfd", libc.errno());
    driver = new TunDriver(libc, fd, wakeFd, device, mtu, !existed, maxBatch, maxInFlight, opts.offload === true);
    await driver.ready;
    return driver;
  } catch (e) {
    if (driver) {
      await driver.close();
    } else {
      if (wakeFd >= 0) libc.close(wakeFd);
      libc.close(fd);
    }
    throw e;
  }
}

export class TunDriver implements PacketDriver {
  readonly name: string;
  readonly stats: DriverStats = emptyStats();
  /** Resolves once the reader thread is running; rejects if it could not start. */
  readonly ready: Promise<void>;
  private readonly control = new SharedArrayBuffer(CTL_WORDS * 4);
  private readonly ctl = new Int32Array(this.control);
  private readonly worker: Worker;
  private readonly exited: Promise<void>;
  private handler: PacketHandler | undefined;
  private errorHandler: ((err: DriverError) => void) | undefined;
  private closing: Promise<void> | undefined;
  private started = false;
  private failed = false;
  /** With offload: the segments sent in this turn, joined; flushed from a microtask. */
  private readonly gso: GsoJoiner | undefined;
  private flushQueued = false;
  private gsoReceived = 0;
  /** Batches delivered in this turn of the event loop, and the credits held back until its end. */
  private deliveredThisTurn = 0;
  private owedCredit = 0;

  /** @internal Use `openTun`. */
  constructor(
    private readonly libc: Libc,
    private readonly fd: number,
    private readonly wakeFd: number,
    /** The device's name (the kernel's choice when a `%d` template was given). */
    readonly device: string,
    /** The device MTU when it was opened; `ip link set mtu` later is not seen here. */
    readonly mtu: number,
    /** Whether opening created the device, which then disappears on `close()`. */
    readonly created: boolean,
    maxBatch: number,
    private readonly maxInFlight: number,
    offload = false,
  ) {
    this.name = `tun:${device}`;
    if (offload) this.gso = new GsoJoiner();
    const workerData: TunWorkerData = { fd, wakeFd, control: this.control, maxBatch, maxInFlight };
    // execArgv: [] so that flags of the main process meant for it alone (`--input-type` of
    // `node -e`) do not reach the worker, which Node refuses.
    this.worker = new Worker(new URL("./tun-worker.js", import.meta.url), { workerData, execArgv: [] });
    this.exited = new Promise((resolve) => this.worker.once("exit", () => resolve()));
    this.ready = new Promise((resolve, reject) => {
      const onMessage = (msg: TunWorkerMessage) => {
        if (msg.type === "ready") {
          this.worker.off("message", onMessage);
          this.worker.on("message", (m: TunWorkerMessage) => this.onWorkerMessage(m));
          this.started = true;
          resolve();
        } else if (msg.type === "error") {
          reject(new DriverError(msg.call === "load" ? "ffi" : "io", `TUN reader for ${device}: ${msg.message}`, msg.code || undefined));
        }
      };
      this.worker.on("message", onMessage);
      this.worker.once("error", (e) => reject(new DriverError("io", `TUN reader for ${device} failed: ${e.message}`)));
      this.worker.once("exit", (code) => reject(new DriverError("io", `TUN reader for ${device} exited with code ${code}`)));
    });
    this.worker.on("error", (e) => this.fail(new DriverError("io", `TUN reader for ${device} failed: ${e.message}`)));
    this.worker.on("exit", (code) => {
      if (!this.closing) this.fail(new DriverError("io", `TUN reader for ${device} exited with code ${code}`));
    });
    // openTun awaits `ready`; this only keeps a rejection from counting as unhandled before then.
    this.ready.catch(() => {});
  }

  onPackets(handler: PacketHandler): void {
    this.handler = handler;
  }

  onError(handler: (err: DriverError) => void): void {
    this.errorHandler = handler;
  }

  /**
   * With `offload`: how many writes carried several segments and how many they carried, and how
   * many super-segments were read.
   */
  get gsoStats(): Readonly<GsoStats & { received: number }> | undefined {
    return this.gso === undefined ? undefined : { ...this.gso.stats, received: this.gsoReceived };
  }

  send(packet: Uint8Array): void {
    const s = this.stats;
    if (this.closing || packet.length > this.mtu) {
      s.txErrors++;
      return;
    }
    const gso = this.gso;
    if (gso === undefined) {
      this.write(packet, 1, packet.length);
      return;
    }
    const out = gso.push(packet);
    if (out !== undefined) this.write(out, gso.lastSegments, gso.lastBytes);
    if (!this.flushQueued) {
      this.flushQueued = true;
      // Everything a turn of the event loop sends (the runtime drains the host synchronously)
      // is joined before this runs.
      queueMicrotask(() => this.flush());
    }
  }

  /** Writes what the offload holds back (it does so by itself at the end of every turn). */
  flush(): void {
    this.flushQueued = false;
    const out = this.gso?.flush();
    if (out !== undefined) this.write(out, this.gso!.lastSegments, this.gso!.lastBytes);
  }

  /**
   * One write is one datagram on a TUN descriptor (with offload, one super-segment of
   * `segments` datagrams of `bytes` in all). It does not block: the kernel takes it into its
   * receive path (or drops it, counting it in the device's rx_dropped).
   */
  private write(bytes: Uint8Array, segments: number, datagramBytes: number): void {
    const s = this.stats;
    if (this.libc.write(this.fd, bytes, bytes.length) === bytes.length) {
      s.txPackets += segments;
      s.txBytes += datagramBytes;
    } else {
      s.txErrors += segments;
    }
  }

  close(): Promise<void> {
    if (this.closing === undefined) this.flush();
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    Atomics.store(this.ctl, CTL_STOP, 1);
    Atomics.add(this.ctl, CTL_SIGNAL, 1);
    Atomics.notify(this.ctl, CTL_SIGNAL);
    const one = new Uint8Array(8);
    one[0] = 1;
    this.libc.write(this.wakeFd, one, 8);
    await this.exited;
    // Only now, with no thread left to read it, can the descriptor be closed (a number closed
    // under a blocked reader could be reused by the next open in this process).
    this.libc.close(this.wakeFd);
    this.libc.close(this.fd);
  }

  private onWorkerMessage(msg: TunWorkerMessage): void {
    if (msg.type === "batch") this.deliver(msg.data, msg.lengths);
    else if (msg.type === "error") this.fail(new DriverError("io", `reading TUN device ${this.device}: ${msg.message}`, msg.code || undefined));
  }

  private deliver(data: ArrayBuffer, lengths: Uint32Array): void {
    const s = this.stats;
    try {
      const handler = this.handler;
      if (!handler || this.closing) {
        s.rxDropped += lengths.length;
        return;
      }
      const packets: Uint8Array[] = [];
      let bytes = 0;
      const vnet = this.gso !== undefined;
      for (let i = 0, off = 0; i < lengths.length; i++) {
        let p: Uint8Array = new Uint8Array(data, off, lengths[i]!);
        off += p.length;
        if (vnet && (p = this.stripVnet(p)).length === 0) {
          s.rxDropped++;
          s.rxMalformed++;
          continue;
        }
        if (checkIpDatagram(p) !== undefined) {
          s.rxDropped++;
          s.rxMalformed++;
          continue;
        }
        packets.push(p);
        bytes += p.length;
      }
      if (packets.length === 0) return;
      s.rxPackets += packets.length;
      s.rxBytes += bytes;
      s.rxBatches++;
      handler(packets);
    } finally {
      // Credit the reader back even if the handler threw.
      this.credit();
    }
  }

  /**
   * Gives the reader back the credit of one delivered batch: at once for the first `maxInFlight`
   * batches of a turn of the event loop, after the turn (setImmediate) past that.
   *
   * Why: Node hands a worker's messages over in one loop that ends only when the port's queue is
   * empty or after 1000 messages (MessagePort::OnMessage in node_messaging.cc). A reader credited
   * at once refills the queue as fast as the main thread empties it, so under load one device's
   * batches ran for a second or more while every other device's batches, and every timer, waited:
   * a second path's MP_JOIN SYN/ACK arrived seconds late and the kernel reset the join. Holding
   * the credit back lets the queue run dry after at most 2 × maxInFlight batches, and the event
   * loop serves the other devices and the timers before this one reads again.
   */
  private credit(): void {
    if (++this.deliveredThisTurn > this.maxInFlight) {
      this.owedCredit++;
    } else {
      Atomics.add(this.ctl, CTL_DELIVERED, 1);
      Atomics.add(this.ctl, CTL_SIGNAL, 1);
      Atomics.notify(this.ctl, CTL_SIGNAL);
    }
    if (this.deliveredThisTurn === 1) setImmediate(this.endTurn);
  }

  private readonly endTurn = (): void => {
    this.deliveredThisTurn = 0;
    if (this.owedCredit === 0) return;
    Atomics.add(this.ctl, CTL_DELIVERED, this.owedCredit);
    this.owedCredit = 0;
    Atomics.add(this.ctl, CTL_SIGNAL, 1);
    Atomics.notify(this.ctl, CTL_SIGNAL);
  };

  /**
   * The datagram behind the virtio-net header of `p`, its checksum completed if the kernel left
   * it partial: a TCP super-segment stays whole (the stack takes any segment that fits its
   * window, RFC 9293 §3.10.7.4). Empty if the header is cut short or announces UDP GSO, which
   * was not offered.
   */
  private stripVnet(p: Uint8Array): Uint8Array {
    const gso = p[1]! & ~VNET_GSO_ECN;
    if (p.length <= VNET_HDR_LEN || (gso !== VNET_GSO_NONE && gso !== VNET_GSO_TCPV4 && gso !== VNET_GSO_TCPV6)) return p.subarray(0, 0);
    const datagram = p.subarray(VNET_HDR_LEN);
    if (gso !== VNET_GSO_NONE) this.gsoReceived++;
    if ((p[0]! & VNET_F_NEEDS_CSUM) !== 0) {
      const start = p[6]! | (p[7]! << 8);
      const offset = p[8]! | (p[9]! << 8);
      if (start + offset + 2 > datagram.length) return p.subarray(0, 0);
      completeChecksum(datagram, start, offset);
    }
    return datagram;
  }

  private fail(err: DriverError): void {
    if (!this.started || this.failed || this.closing) return;
    this.failed = true;
    if (this.errorHandler) this.errorHandler(err);
    else throw err;
  }
}

/** Throws a `DriverError` unless `name` is a name the kernel accepts for a new interface. */
export function checkDeviceName(name: string): void {
  const bytes = Buffer.byteLength(name);
  if (bytes === 0 || bytes >= IFNAMSIZ) {
    throw new DriverError("invalid", `device name "${name}" must be 1 to ${IFNAMSIZ - 1} bytes`);
  }
  // net/core/dev.c dev_valid_name(): no "/", ":" or whitespace, and not "." or "..".
  if (name === "." || name === ".." || /[/:\s]/.test(name)) {
    throw new DriverError("invalid", `device name "${name}" may not be "." or ".." or contain "/", ":" or spaces`);
  }
  const percent = name.split("%").length - 1;
  if (percent > 1 || (percent === 1 && !name.includes("%d"))) {
    throw new DriverError("invalid", `device name "${name}": the only "%" allowed is one "%d" template`);
  }
}

function positiveInt(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 1) throw new DriverError("invalid", `${what} must be a positive integer, not ${n}`);
  return n;
}

function ifreq(name: string): Uint8Array {
  const ifr = new Uint8Array(IFREQ_SIZE);
  ifr.set(Buffer.from(name, "utf8"));
  return ifr;
}

function ifreqName(ifr: Uint8Array): string {
  const end = ifr.indexOf(0);
  return Buffer.from(ifr.subarray(0, end < 0 || end > IFNAMSIZ ? IFNAMSIZ : end)).toString("utf8");
}

/** Sets the MTU if asked, and returns the device's MTU. Any AF_INET socket carries the ioctl. */
function configureMtu(libc: Libc, device: string, mtu: number | undefined): number {
  const sock = libc.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0) throw syscallError(libc, "socket", libc.errno());
  try {
    const ifr = ifreq(device);
    const view = new DataView(ifr.buffer);
    if (mtu !== undefined) {
      view.setInt32(IFNAMSIZ, mtu, true);
      if (libc.ioctl(sock, SIOCSIFMTU, ifr) < 0) {
        const e = libc.errno();
        throw new DriverError("invalid", `cannot set the MTU of ${device} to ${mtu} (${libc.errnoName(e)})`, libc.errnoName(e));
      }
    }
    if (libc.ioctl(sock, SIOCGIFMTU, ifr) < 0) throw syscallError(libc, "ioctl(SIOCGIFMTU)", libc.errno());
    return view.getInt32(IFNAMSIZ, true);
  } finally {
    libc.close(sock);
  }
}

function openError(libc: Libc, errno: number): DriverError {
  const code = libc.errnoName(errno);
  if (code === "EACCES" || code === "EPERM") {
    return new DriverError("permission", `opening ${TUN_DEVICE_PATH} needs root or CAP_NET_ADMIN (${code})`, code);
  }
  if (code === "ENOENT" || code === "ENODEV" || code === "ENXIO") {
    return new DriverError("no-device", `${TUN_DEVICE_PATH} is unusable (${code}): load the tun module (modprobe tun)`, code);
  }
  return syscallError(libc, `open(${TUN_DEVICE_PATH})`, errno);
}

function attachError(libc: Libc, errno: number, device: string, existed: boolean): DriverError {
  const code = libc.errnoName(errno);
  if (code === "EPERM" || code === "EACCES") {
    return new DriverError("permission", `attaching to TUN device ${device} needs root or CAP_NET_ADMIN (${code})`, code);
  }
  if (code === "EBUSY") {
    return new DriverError("busy", `TUN device ${device} is already attached to another process (${code})`, code);
  }
  if (code === "EINVAL" && existed) {
    return new DriverError("invalid", `${device} exists and is not a TUN device without packet information (a TAP or another kind of interface?)`, code);
  }
  return new DriverError("io", `TUNSETIFF for ${device} failed (${code})`, code);
}

function syscallError(libc: Libc, call: string, errno: number): DriverError {
  const code = libc.errnoName(errno);
  return new DriverError("io", `${call} failed (${code})`, code);
}

/** One path of the CLI's `--tun DEV=ADDR` flag: a device and the stack's own address on it. */
export interface TunPathSpec {
  device: string;
  stackAddress: string;
}

/** Parses a `--tun` value; throws a `DriverError` (kind `invalid`) saying what is wrong. */
export function parseTunPath(text: string): TunPathSpec {
  const eq = text.indexOf("=");
  if (eq <= 0) throw new DriverError("invalid", `--tun "${text}": expected DEV=ADDR, for example mptcp0=10.0.1.2`);
  const device = text.slice(0, eq);
  const stackAddress = text.slice(eq + 1);
  checkDeviceName(device);
  if (isIP(stackAddress) === 0) throw new DriverError("invalid", `--tun "${text}": "${stackAddress}" is not an IP address`);
  return { device, stackAddress };
}

/**
 * The few C library calls the TUN driver needs, bound through koffi, and the Linux constants
 * that go with them. Loaded lazily (a dynamic import), so that importing the drivers on a machine
 * without koffi fails only when a TUN device is actually opened, with a `DriverError`.
 *
 * The constants are those of the generic Linux ABI (x86-64, arm64, riscv64 and most others);
 * MIPS, PowerPC, SPARC and Alpha encode ioctls and open flags differently and are not supported.
 */
import { DriverError } from "./driver.js";

export const O_RDWR = 0o2;
export const O_NONBLOCK = 0o4000;
/** Not inherited by child processes: a child holding the fd would keep the device alive. */
export const O_CLOEXEC = 0o2000000;
export const EFD_NONBLOCK = O_NONBLOCK;
export const EFD_CLOEXEC = O_CLOEXEC;

export const AF_INET = 2;
export const SOCK_DGRAM = 2;
export const SOCK_CLOEXEC = O_CLOEXEC;

/** `_IOW('T', 202, int)`, linux/if_tun.h. */
export const TUNSETIFF = 0x400454ca;
/** `_IOW('T', 208, unsigned int)`, linux/if_tun.h: the offloads the reader can take (TUN_F_*). */
export const TUNSETOFFLOAD = 0x400454d0;
/** linux/if_tun.h: checksums may be left partial, TCP over IPv4 / IPv6 may come as super-segments. */
export const TUN_F_CSUM = 0x01;
export const TUN_F_TSO4 = 0x02;
export const TUN_F_TSO6 = 0x04;
/** linux/sockios.h. */
export const SIOCGIFMTU = 0x8921;
export const SIOCSIFMTU = 0x8922;
/** linux/if_tun.h: a layer-3 device, and no 4-byte packet-information prefix on each packet. */
export const IFF_TUN = 0x0001;
export const IFF_NO_PI = 0x1000;
/** linux/if_tun.h: every read and write starts with a `struct virtio_net_hdr` (vnet.ts). */
export const IFF_VNET_HDR = 0x4000;

/** `struct ifreq`: a 16-byte name, then a 24-byte union (flags: short, mtu: int). */
export const IFREQ_SIZE = 40;
export const IFNAMSIZ = 16;

/** `struct pollfd` is { int fd; short events; short revents; }. */
export const POLLFD_SIZE = 8;
export const POLLIN = 0x001;
export const POLLERR = 0x008;
export const POLLHUP = 0x010;
export const POLLNVAL = 0x020;

export interface Libc {
  open(path: string, flags: number, mode: number): number;
  close(fd: number): number;
  /** `buf` may be a subarray: the call reads into `buf.byteOffset` onwards, no copy. */
  read(fd: number, buf: Uint8Array, count: number): number;
  write(fd: number, buf: Uint8Array, count: number): number;
  /** `ioctl(fd, request, arg)` with a pointer argument. */
  ioctl(fd: number, request: number, arg: Uint8Array): number;
  /** `ioctl(fd, request, value)` with an integer argument. */
  ioctlValue(fd: number, request: number, value: number): number;
  poll(fds: Uint8Array, nfds: number, timeoutMs: number): number;
  eventfd(initval: number, flags: number): number;
  socket(domain: number, type: number, protocol: number): number;
  /** errno of this thread's last call through this binding. */
  errno(): number;
  /** `EAGAIN` for 11, and so on (`E<n>` when unnamed). */
  errnoName(errno: number): string;
  /** Numbers of the errno names the drivers test for. */
  readonly E: { EAGAIN: number; EINTR: number };
}

let cached: Promise<Libc> | undefined;

/** Binds the calls once per thread (each worker has its own module instance). */
export function loadLibc(): Promise<Libc> {
  cached ??= bind();
  return cached;
}

async function bind(): Promise<Libc> {
  let koffi: typeof import("koffi").default;
  try {
    koffi = (await import("koffi")).default;
  } catch (e) {
    throw new DriverError("ffi", `the TUN driver needs the koffi package (npm install koffi): ${firstLine(e)}`);
  }
  let lib: ReturnType<typeof koffi.load>;
  try {
    lib = koffi.load("libc.so.6");
  } catch {
    try {
      // Not glibc (musl): the C library is already mapped into node, find the symbols there.
      lib = koffi.load(null);
    } catch (e) {
      throw new DriverError("ffi", `koffi cannot load the C library: ${firstLine(e)}`);
    }
  }
  const open = lib.func("int open(const char *path, int flags, int mode)");
  const close = lib.func("int close(int fd)");
  const read = lib.func("long read(int fd, void *buf, size_t count)");
  const write = lib.func("long write(int fd, const void *buf, size_t count)");
  // ioctl is variadic in C; declaring it so keeps the calling convention right on every ABI.
  const ioctl = lib.func("int ioctl(int fd, unsigned long request, ...)");
  const poll = lib.func("int poll(void *fds, unsigned long nfds, int timeout)");
  const eventfd = lib.func("int eventfd(unsigned int initval, int flags)");
  const socket = lib.func("int socket(int domain, int type, int protocol)");
  const names = new Map<number, string>();
  for (const [name, n] of Object.entries(koffi.os.errno)) if (!names.has(n)) names.set(n, name);
  const E = { EAGAIN: koffi.os.errno["EAGAIN"] ?? 11, EINTR: koffi.os.errno["EINTR"] ?? 4 };
  return {
    open: (path, flags, mode) => open(path, flags, mode) as number,
    close: (fd) => close(fd) as number,
    read: (fd, buf, count) => Number(read(fd, buf, count)),
    write: (fd, buf, count) => Number(write(fd, buf, count)),
    ioctl: (fd, request, arg) => ioctl(fd, request, "void *", arg) as number,
    ioctlValue: (fd, request, value) => ioctl(fd, request, "unsigned long", value) as number,
    poll: (fds, nfds, timeoutMs) => poll(fds, nfds, timeoutMs) as number,
    eventfd: (initval, flags) => eventfd(initval, flags) as number,
    socket: (domain, type, protocol) => socket(domain, type, protocol) as number,
    errno: () => koffi.errno(),
    errnoName: (n) => names.get(n) ?? `E${n}`,
    E,
  };
}

function firstLine(e: unknown): string {
  return String(e instanceof Error ? e.message : e).split("\n")[0]!;
}

/**
 * The TUN driver's reader thread: waits in poll() on the TUN descriptor and on a wake-up eventfd,
 * reads every datagram that is ready (the descriptor is non-blocking, so a read that would block
 * ends the batch) and posts them to the main thread as one transferred buffer per batch.
 *
 * At most `maxInFlight` batches are posted and not yet delivered: past that the reader stops
 * reading, the device's transmit queue fills and the kernel drops (counted in the device's
 * tx_dropped), as a NIC does when its ring is full — memory stays bounded whatever the consumer.
 */
import { parentPort, workerData } from "node:worker_threads";
import { DriverError } from "./driver.js";
import { loadLibc } from "./tun-libc.js";
import type { Libc } from "./tun-libc.js";
import { POLLERR, POLLFD_SIZE, POLLHUP, POLLIN, POLLNVAL } from "./tun-libc.js";
import { CTL_DELIVERED, CTL_SIGNAL, CTL_STOP, MAX_READ, READ_BUFFER_BYTES } from "./tun-shared.js";
import type { TunWorkerData, TunWorkerMessage } from "./tun-shared.js";

const data = workerData as TunWorkerData;
const port = parentPort!;

function post(msg: TunWorkerMessage, transfer?: ArrayBuffer[]): void {
  port.postMessage(msg, transfer);
}

function fail(libc: Libc, call: string, errno: number): void {
  const code = libc.errnoName(errno);
  post({ type: "error", call, errno, code, message: `${call}() failed with ${code}` });
}

function run(libc: Libc): void {
  const ctl = new Int32Array(data.control);
  const fds = new Uint8Array(2 * POLLFD_SIZE);
  const view = new DataView(fds.buffer);
  view.setInt32(0, data.fd, true);
  view.setInt16(4, POLLIN, true);
  view.setInt32(POLLFD_SIZE, data.wakeFd, true);
  view.setInt16(POLLFD_SIZE + 4, POLLIN, true);
  const scratch = new Uint8Array(READ_BUFFER_BYTES);
  const lengths = new Uint32Array(data.maxBatch);
  let posted = 0;
  post({ type: "ready" });

  for (;;) {
    // Read the signal word before the conditions it guards: a change made after this load makes
    // the wait below return at once instead of sleeping through it.
    const signal = Atomics.load(ctl, CTL_SIGNAL);
    if (Atomics.load(ctl, CTL_STOP) !== 0) return;
    if (posted - Atomics.load(ctl, CTL_DELIVERED) >= data.maxInFlight) {
      Atomics.wait(ctl, CTL_SIGNAL, signal);
      continue;
    }

    view.setInt16(6, 0, true);
    view.setInt16(POLLFD_SIZE + 6, 0, true);
    if (libc.poll(fds, 2, -1) < 0) {
      const e = libc.errno();
      if (e === libc.E.EINTR) continue;
      return fail(libc, "poll", e);
    }
    // The eventfd is never read, so once written it stays readable until the thread is gone.
    if (view.getInt16(POLLFD_SIZE + 6, true) !== 0) return;
    const revents = view.getInt16(6, true);
    if (revents === 0) continue;
    if ((revents & POLLIN) === 0 && (revents & (POLLERR | POLLHUP | POLLNVAL)) !== 0) {
      // The device went away (deleted with `ip link del`). A read may say why (EBADFD) or, once
      // the queue is shut down, only EAGAIN; then the poll flags are the news.
      const e = libc.read(data.fd, scratch, MAX_READ) < 0 ? libc.errno() : 0;
      if (e !== 0 && e !== libc.E.EAGAIN) return fail(libc, "read", e);
      const flags = [[POLLERR, "POLLERR"], [POLLHUP, "POLLHUP"], [POLLNVAL, "POLLNVAL"]] as const;
      const names = flags.filter(([bit]) => revents & bit).map(([, name]) => name).join("|");
      return post({ type: "error", call: "poll", errno: 0, code: "", message: `the device is gone (poll() reported ${names})` });
    }

    let used = 0;
    let count = 0;
    while (count < data.maxBatch && scratch.length - used >= MAX_READ) {
      const n = libc.read(data.fd, scratch.subarray(used), MAX_READ);
      if (n > 0) {
        lengths[count++] = n;
        used += n;
        continue;
      }
      if (n === 0) break;
      const e = libc.errno();
      if (e === libc.E.EAGAIN) break;
      if (e === libc.E.EINTR) continue;
      if (count > 0) post(batch(scratch, used, lengths, count), undefined);
      return fail(libc, "read", e);
    }
    if (count === 0) continue;
    const msg = batch(scratch, used, lengths, count);
    post(msg, [msg.data, msg.lengths.buffer as ArrayBuffer]);
    posted++;
  }
}

function batch(scratch: Uint8Array, used: number, lengths: Uint32Array, count: number) {
  return { type: "batch" as const, data: scratch.buffer.slice(0, used) as ArrayBuffer, lengths: lengths.slice(0, count) };
}

loadLibc().then(run, (e: unknown) => {
  post({ type: "error", call: "load", errno: 0, code: "", message: e instanceof DriverError ? e.message : String(e) });
});

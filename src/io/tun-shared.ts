/**
 * What the TUN driver's main thread and its reader thread share: the start-up data, the messages
 * the reader posts, and the layout of the control words in shared memory.
 *
 * The reader spends its life blocked in poll(), so it cannot receive messages; everything the
 * main thread tells it goes through these words (and an eventfd that wakes the poll).
 */
import { VNET_HDR_LEN } from "./vnet.js";

/** Control words, an `Int32Array` over a `SharedArrayBuffer`. */
export const CTL_STOP = 0;
/** Batches the main thread has finished handing to its consumer. */
export const CTL_DELIVERED = 1;
/** Bumped on every change of the words above; the reader waits on it when out of credit. */
export const CTL_SIGNAL = 2;
export const CTL_WORDS = 3;

/** The largest IP datagram. */
export const MAX_DATAGRAM = 65535;
/**
 * Room given to every read: the largest datagram and a virtio-net header (IFF_VNET_HDR), so no
 * read is ever truncated.
 */
export const MAX_READ = MAX_DATAGRAM + VNET_HDR_LEN;
/** The reader's scratch buffer; batches are copied out of it to a buffer of exactly their size. */
export const READ_BUFFER_BYTES = 1 << 20;

export interface TunWorkerData {
  /** The TUN file descriptor, non-blocking; owned (and closed) by the main thread. */
  fd: number;
  /** An eventfd the main thread writes to when the reader must stop. */
  wakeFd: number;
  control: SharedArrayBuffer;
  /** Packets per batch at most. */
  maxBatch: number;
  /** Batches posted but not yet delivered, at most; beyond it the reader stops reading. */
  maxInFlight: number;
}

export type TunWorkerMessage =
  /** The reader has bound its C library calls and is polling. */
  | { type: "ready" }
  /** Datagrams back to back in `data`, their sizes in `lengths`. Both are transferred. */
  | { type: "batch"; data: ArrayBuffer; lengths: Uint32Array }
  /** The reader stopped because a call failed; `errno` is 0 when it was not a system call. */
  | { type: "error"; call: string; errno: number; code: string; message: string };

/**
 * Traffic applications driven by Host events: a bulk sender of N pseudo-random bytes and a sink
 * that reads everything. Both hash the bytes as they go (SHA-256), so a run checks end-to-end
 * integrity without keeping the data: what the sink read must hash to what the sender wrote.
 *
 * Unverified, they do what iperf does instead: the sender writes from one preallocated pattern
 * buffer and the sink counts what it reads and drops it. The connections see the same writes and
 * reads (same sizes, same events), so the segments on the wire are the same but for their
 * payload bytes; only the applications' own work (keystream, hashes, staging copy) is gone. This
 * measures the protocol path alone (bench/sim-tcp.ts).
 *
 * The sender writes when the connection says it can (on "connected" and "writable") and stops at
 * a short write; the sink reads on "readable". They never poll, as a real event-driven
 * application would not.
 */
import { createCipheriv, createHash } from "node:crypto";
import type { Hash } from "node:crypto";
import type { ConnectionEventType } from "../../stack/events.js";
import type { Rng } from "../../util/rng.js";

/**
 * The byte-stream calls the applications make: a TCP `Connection` and an `MptcpConnection` both
 * have them, so the same sender and sink run over either.
 */
export interface ByteStream {
  write(data: Uint8Array): number;
  read(): Uint8Array | undefined;
  shutdown(): void;
  close(): void;
}

/** What a SimHost tells an application about its connection. */
export interface App {
  onEvent(type: ConnectionEventType, conn: ByteStream, now: number): void;
}

/**
 * Bytes generated, and hashed, per call. Each `update` has a fixed cost besides its per-byte work
 * (a call into C++, and for the cipher a fresh output buffer): on Node 20, SHA-256 a segment at a
 * time runs at 90% of its speed by large chunks, and the AES-CTR keystream 256 KiB at a time is
 * 1.4x as fast as 64 KiB at a time. So both ends work by the chunk, not by the write or segment.
 */
const CHUNK = 256 * 1024;
const ZEROS = new Uint8Array(CHUNK);
/** What the sink collects before hashing: enough to make the per-call cost negligible. */
const STAGE = 64 * 1024;

/**
 * A reproducible stream of pseudo-random bytes: the AES-128-CTR keystream under a key and IV
 * drawn from `rng` (fast, and incompressible, like real payload).
 */
export class PayloadStream implements PayloadSource {
  private readonly cipher;

  constructor(rng: Rng) {
    const key = new Uint8Array(16);
    const iv = new Uint8Array(16);
    rng.fillBytes(key);
    rng.fillBytes(iv);
    this.cipher = createCipheriv("aes-128-ctr", key, iv);
  }

  /** The next `n` bytes (at most 256 KiB). */
  next(n: number): Uint8Array {
    const b = this.cipher.update(ZEROS.subarray(0, n));
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  }
}

/** What a sender writes: a seeded keystream (verified flows) or one pattern buffer (unverified). */
export interface PayloadSource {
  /** The next `n` bytes (at most 256 KiB); the sender writes them, in pieces, before asking again. */
  next(n: number): Uint8Array;
}

/**
 * One preallocated buffer of a fixed byte pattern, written again and again, shared by every flow:
 * a connection's `write` copies what it takes into its send buffer, so nothing keeps or changes it.
 */
export class PatternSource implements PayloadSource {
  private static buffer: Uint8Array | undefined;

  next(n: number): Uint8Array {
    const b = (PatternSource.buffer ??= Uint8Array.from({ length: CHUNK }, (_, i) => i & 0xff));
    return n === CHUNK ? b : b.subarray(0, n);
  }
}

/** SHA-256 of the first `n` bytes of the PayloadStream drawn from `rng` (an aborted flow's prefix). */
export function prefixDigest(rng: Rng, n: number): string {
  const stream = new PayloadStream(rng);
  const hash = createHash("sha256");
  for (let left = n; left > 0; left -= CHUNK) hash.update(stream.next(Math.min(CHUNK, left)));
  return hash.digest("hex");
}

export class BulkSender implements App {
  /** Bytes the connection accepted. */
  bytesSent = 0;
  /** Absent for an unverified sender: nothing is hashed. */
  private readonly hash: Hash | undefined;
  /** The chunk being written, its bytes the connection took, and how many of those are hashed. */
  private chunk: Uint8Array | undefined;
  private written = 0;
  private hashed = 0;
  private digestHex: string | undefined;
  private shutDown = false;

  /** Hashes what it writes unless `verify` is false (with a `PatternSource`: nothing to check). */
  constructor(
    readonly total: number,
    private readonly stream: PayloadSource,
    options: { verify?: boolean } = {},
  ) {
    this.hash = options.verify === false ? undefined : createHash("sha256");
  }

  /** SHA-256 of every byte written so far (final once all were); null when not hashing. */
  digest(): string | null {
    if (this.hash === undefined) return null;
    if (this.digestHex === undefined) {
      this.hashWritten();
      this.digestHex = this.hash.digest("hex");
    }
    return this.digestHex;
  }

  onEvent(type: ConnectionEventType, conn: ByteStream): void {
    switch (type) {
      case "connected":
      case "writable":
        this.pump(conn);
        break;
      case "peer-closed":
        // The receiver read everything and closed: our half is done too.
        conn.close();
        break;
      default:
        break;
    }
  }

  /** Writes until the connection takes no more or everything was written, then half-closes. */
  pump(conn: ByteStream): void {
    while (this.bytesSent < this.total) {
      let chunk = this.chunk;
      if (chunk === undefined) {
        chunk = this.chunk = this.stream.next(Math.min(CHUNK, this.total - this.bytesSent));
        this.written = 0;
        this.hashed = 0;
      }
      const n = conn.write(this.written === 0 ? chunk : chunk.subarray(this.written));
      this.written += n;
      this.bytesSent += n;
      if (this.written < chunk.length) return;
      // A chunk is hashed once it is all written (most writes take only part of one).
      this.hashWritten();
      this.chunk = undefined;
    }
    if (!this.shutDown) {
      this.shutDown = true;
      this.digest();
      conn.shutdown();
    }
  }

  private hashWritten(): void {
    const chunk = this.chunk;
    if (this.hash === undefined || chunk === undefined || this.hashed === this.written) return;
    this.hash.update(this.hashed === 0 && this.written === chunk.length ? chunk : chunk.subarray(this.hashed, this.written));
    this.hashed = this.written;
  }
}

export class Sink implements App {
  bytesDelivered = 0;
  /** When the peer's FIN arrived after all data (µs), i.e. the transfer completed. */
  finishedAt: number | undefined;
  /** When the connection reached CLOSED (µs). */
  closedAt: number | undefined;
  /** Why it ended early: "reset" or "timed-out". */
  failure: string | undefined;
  /** Absent for an unverified sink: it counts the bytes and drops them. */
  private readonly hash: Hash | undefined;
  /** Bytes read but not yet hashed: reads come a segment at a time, hashing goes by the chunk. */
  private staged: Uint8Array | undefined;
  private stagedLength = 0;
  private digestHex: string | undefined;

  constructor(options: { verify?: boolean } = {}) {
    this.hash = options.verify === false ? undefined : createHash("sha256");
  }

  /** SHA-256 of every byte read so far; null when not hashing. */
  digest(): string | null {
    if (this.hash === undefined) return null;
    if (this.digestHex === undefined) {
      this.flush();
      this.digestHex = this.hash.digest("hex");
    }
    return this.digestHex;
  }

  onEvent(type: ConnectionEventType, conn: ByteStream, now: number): void {
    switch (type) {
      case "readable":
        this.drain(conn);
        break;
      case "peer-closed":
        this.drain(conn);
        this.finishedAt = now;
        conn.close();
        break;
      case "reset":
      case "timed-out":
        this.failure ??= type;
        break;
      case "closed":
        this.closedAt = now;
        break;
      default:
        break;
    }
  }

  private drain(conn: ByteStream): void {
    if (this.hash === undefined) {
      for (let d = conn.read(); d !== undefined; d = conn.read()) this.bytesDelivered += d.length;
      return;
    }
    const hash = this.hash;
    for (let d = conn.read(); d !== undefined; d = conn.read()) {
      const n = d.length;
      this.bytesDelivered += n;
      if (this.stagedLength + n > STAGE) this.flush();
      if (n >= STAGE) hash.update(d);
      else {
        const staged = (this.staged ??= new Uint8Array(STAGE));
        staged.set(d, this.stagedLength);
        this.stagedLength += n;
      }
    }
  }

  private flush(): void {
    if (this.hash === undefined || this.stagedLength === 0) return;
    this.hash.update(this.staged!.subarray(0, this.stagedLength));
    this.stagedLength = 0;
  }
}

/**
 * Buffered line output to stdout with backpressure: lines are gathered into large writes, and the
 * writer waits for 'drain' when the pipe is full, so dumping a big capture into `head` or a slow
 * pager neither buffers the whole output in memory nor crashes on EPIPE.
 */
import type { Writable } from "node:stream";

export class LineWriter {
  private chunk = "";
  private closed = false;

  constructor(private readonly out: Writable = process.stdout, private readonly highWater = 1 << 16) {
    out.on("error", (err: NodeJS.ErrnoException) => {
      // The reader went away (`mptcp dump f | head`): stop writing, it is not an error.
      if (err.code === "EPIPE") this.closed = true;
      else throw err;
    });
  }

  /** True once the reader has gone away; producers should stop. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Adds one line; resolves when it is safe to continue (immediately unless the pipe is full). */
  async line(text: string): Promise<void> {
    this.chunk += text + "\n";
    if (this.chunk.length >= this.highWater) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.closed || this.chunk === "") return;
    const data = this.chunk;
    this.chunk = "";
    if (!this.out.write(data)) {
      await new Promise<void>((resolve) => {
        const done = (): void => { this.out.off("drain", done); this.out.off("close", done); resolve(); };
        this.out.on("drain", done);
        this.out.on("close", done);
      });
    }
  }
}

/**
 * Makes a reader that goes away (`mptcp sim --list | head -3`) end the output quietly, for every
 * command: stdout's EPIPE is not an error of ours, and what is still to be written is dropped
 * (a destroyed stream discards later writes). Other errors are left to whoever else listens.
 */
export function quietOnClosedStdout(out: Writable = process.stdout): void {
  out.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code !== "EPIPE" && out.listenerCount("error") === 1) throw err;
  });
}

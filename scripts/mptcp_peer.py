#!/usr/bin/env python3
"""A tiny kernel-MPTCP client or server, driven by capture-fixtures.sh.

It opens IPPROTO_MPTCP (262) sockets, so the Linux kernel does all of MPTCP; the capture script
only decides what the application does and when. Payloads are a readable repeating pattern, so
a hex dump of a fixture shows where each application write went.

  server --bind ADDR --port P --ready FILE [--reply N] [--fastclose [--hold S]]
      Writes FILE once listening, accepts one connection and reads until the client's DATA_FIN,
      then writes N bytes and closes. With --fastclose it reads only the first bytes, waits S
      seconds for more to arrive and closes with them unread, which makes Linux abort the
      connection with MP_FASTCLOSE (net/mptcp/protocol.c __mptcp_close -> mptcp_do_fastclose).
  client --connect ADDR --port P --chunk N [--chunk N ...] [--interval S] [--first TEXT]
         [--progress FILE]
      Connects, optionally writes TEXT first (so the MP_CAPABLE+data segment carries it), then
      writes each chunk with S seconds between writes, shuts down the write side (DATA_FIN) and
      reads until the server closes. After the first write it appends "first" to FILE, after
      chunk i "chunk i".
  Both take --sndbuf N: a small fixed send buffer (no autotuning) fills the first subflow sooner,
  so the kernel scheduler moves on to the joined ones.
"""
import argparse
import socket
import sys
import time

IPPROTO_MPTCP = 262
PATTERN = b"mptcp-ts kernel fixture 0123456789 "


def pattern(n: int, label: bytes) -> bytes:
    unit = label + b" " + PATTERN
    return (unit * (n // len(unit) + 1))[:n]


def family_of(addr: str) -> int:
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def log(*args: object) -> None:
    print(f"[{sys.argv[1]}]", *args, file=sys.stderr, flush=True)


def progress(args: argparse.Namespace, what: str) -> None:
    """Tells the capture script how far the client got, so it can time its `ip mptcp` commands."""
    if args.progress:
        with open(args.progress, "a") as f:
            f.write(what + "\n")


def serve(args: argparse.Namespace) -> None:
    fam = family_of(args.bind)
    with socket.socket(fam, socket.SOCK_STREAM, IPPROTO_MPTCP) as ls:
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if args.sndbuf:
            ls.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, args.sndbuf)
        ls.bind((args.bind, args.port))
        ls.listen(1)
        with open(args.ready, "w") as f:
            f.write("listening\n")
        conn, peer = ls.accept()
        with conn:
            if args.fastclose:
                first = conn.recv(64)
                log(f"read {len(first)} bytes from {peer[0]}, closing with the rest unread")
                time.sleep(args.hold)
                return
            got = 0
            while True:
                b = conn.recv(65536)
                if not b:
                    break
                got += len(b)
            log(f"read {got} bytes from {peer[0]} until DATA_FIN")
            if args.reply:
                conn.sendall(pattern(args.reply, b"server"))
            conn.shutdown(socket.SHUT_WR)
            # Wait for the client's close so that the last ACKs are in the capture.
            conn.recv(1)


def connect(args: argparse.Namespace) -> None:
    fam = family_of(args.connect)
    with socket.socket(fam, socket.SOCK_STREAM, IPPROTO_MPTCP) as s:
        if args.sndbuf:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, args.sndbuf)
        s.connect((args.connect, args.port))
        if args.first:
            s.sendall(args.first.encode())
        progress(args, "first")
        for i, n in enumerate(args.chunk):
            time.sleep(args.interval)
            try:
                s.sendall(pattern(n, b"client chunk %d" % i))
            except (ConnectionResetError, BrokenPipeError) as e:
                log(f"write {i} failed: {e!r}")
                return
            progress(args, f"chunk {i}")
        try:
            s.shutdown(socket.SHUT_WR)
            got = 0
            while True:
                b = s.recv(65536)
                if not b:
                    break
                got += len(b)
            log(f"read {got} bytes until DATA_FIN")
        except (ConnectionResetError, BrokenPipeError) as e:
            log(f"connection reset: {e!r}")


def main() -> None:
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="role", required=True)
    srv = sub.add_parser("server")
    srv.add_argument("--bind", required=True)
    srv.add_argument("--port", type=int, required=True)
    srv.add_argument("--ready", required=True)
    srv.add_argument("--reply", type=int, default=0)
    srv.add_argument("--fastclose", action="store_true")
    srv.add_argument("--hold", type=float, default=0.5)
    srv.add_argument("--sndbuf", type=int, default=0)
    cli = sub.add_parser("client")
    cli.add_argument("--connect", required=True)
    cli.add_argument("--port", type=int, required=True)
    cli.add_argument("--first", default="")
    cli.add_argument("--chunk", type=int, action="append", default=[])
    cli.add_argument("--interval", type=float, default=0.2)
    cli.add_argument("--sndbuf", type=int, default=0)
    cli.add_argument("--progress", default="")
    args = p.parse_args()
    if args.role == "server":
        serve(args)
    else:
        connect(args)


if __name__ == "__main__":
    main()

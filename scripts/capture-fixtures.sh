#!/usr/bin/env bash
# Records the Linux-kernel MPTCP captures in test/fixtures/kernel-*.pcap (docs/fixtures.md).
#
# Each scenario builds two fresh network namespaces, client and server, joined by two veth pairs
# (path 1: 10.0.1.0/24 and fd00:1::/64, path 2: 10.0.2.0/24 and fd00:2::/64), configures the
# kernel path manager with `ip mptcp limits` / `ip mptcp endpoint`, runs scripts/mptcp_peer.py on
# both sides (IPPROTO_MPTCP sockets, so the kernel does all of MPTCP) and records both client
# veths with tcpdump. The two recordings are merged into one Ethernet pcap, which is then checked
# with tshark for the MPTCP options the scenario exists for; a missing option fails the run.
#
# Usage (as root):  scripts/capture-fixtures.sh [SCENARIO...]
#   SCENARIO is a fixture name without .pcap (default: all). OUT=dir overrides test/fixtures.
#
# Everything it creates carries the suffix of this shell's PID and is removed on exit, also on
# failure or Ctrl-C; it touches nothing else (namespaces are deleted by the names it created).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${OUT:-$ROOT/test/fixtures}
PEER=$ROOT/scripts/mptcp_peer.py
PORT=10000
NS_C=mptcpfx-c-$$
NS_S=mptcpfx-s-$$
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mptcpfx-$$.XXXXXX")
CREATED_NS=()
BG_PIDS=()
FAILURES=()

log() { printf '%s\n' "$*" >&2; }
die() { log "capture-fixtures: $*"; exit 1; }

cleanup() {
  local pid ns
  for pid in "${BG_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${BG_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  BG_PIDS=()
  for ns in "${CREATED_NS[@]}"; do ip netns delete "$ns" 2>/dev/null || true; done
  CREATED_NS=()
}
trap 'cleanup; [[ -n ${KEEP_WORK:-} ]] && log "kept $WORK" || rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

[[ $(id -u) -eq 0 ]] || die "must run as root (network namespaces, tcpdump)"
for tool in ip tcpdump tshark mergecap python3; do
  command -v "$tool" >/dev/null || die "$tool not found"
done

inc() { ip netns exec "$NS_C" "$@"; }

# Two namespaces, two veth pairs created directly inside them (no names in the host namespace).
setup_topology() {
  local ns
  # The previous scenario's recordings (already merged) and client progress file must not be
  # taken for this one's.
  rm -f "$WORK"/*
  for ns in "$NS_C" "$NS_S"; do
    ip netns add "$ns"
    CREATED_NS+=("$ns")
    ip -n "$ns" link set lo up
    # A join may pair a source address of one path with a destination of the other; strict
    # reverse-path filtering (possibly inherited from the host) could drop it.
    ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
    # No duplicate address detection or router solicitations in the captures.
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0 \
      net.ipv6.conf.default.router_solicitations=0
  done
  local i
  for i in 1 2; do
    ip -n "$NS_C" link add name "vc$i" type veth peer name "vs$i" netns "$NS_S"
    # One MSS per skb: the capture then shows wire-sized segments instead of 64 KB GSO packets.
    ip -n "$NS_C" link set dev "vc$i" gso_max_segs 1 up
    ip -n "$NS_S" link set dev "vs$i" gso_max_segs 1 up
    ip -n "$NS_C" addr add "10.0.$i.2/24" dev "vc$i"
    ip -n "$NS_S" addr add "10.0.$i.1/24" dev "vs$i"
    ip -n "$NS_C" addr add "fd00:$i::2/64" dev "vc$i" nodad
    ip -n "$NS_S" addr add "fd00:$i::1/64" dev "vs$i" nodad
  done
  ip -n "$NS_C" mptcp limits set subflows 2 add_addr_accepted 2
  ip -n "$NS_S" mptcp limits set subflows 2 add_addr_accepted 2
}

# A 20 Mbit/s bottleneck on path 1, both ways: with no delay and no limit the first subflow is
# never busy, and the kernel scheduler would put every byte on it.
shape_path1() {
  ip netns exec "$NS_C" tc qdisc add dev vc1 root tbf rate 20mbit burst 4kb latency 50ms
  ip netns exec "$NS_S" tc qdisc add dev vs1 root tbf rate 20mbit burst 4kb latency 50ms
}

start_bg() { # command... ; its PID goes to $BG
  "$@" &
  BG=$!
  BG_PIDS+=("$BG")
}

forget_bg() {
  local pid keep=()
  for pid in "${BG_PIDS[@]}"; do [[ $pid == "$1" ]] || keep+=("$pid"); done
  BG_PIDS=("${keep[@]}")
}

wait_for() { # file pattern ; up to 10 s
  local n
  for n in $(seq 100); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  die "timed out waiting for '$2' in $1"
}

CAPTURE_PIDS=()
start_capture() {
  local i
  CAPTURE_PIDS=()
  for i in 1 2; do
    # --immediate-mode: deliver each packet at once, not in 1-s ring blocks that a SIGINT would
    # discard. -B: in immediate mode every ring slot is a full snaplen (256 KB), so the default
    # 2 MB ring holds 8 packets and drops bursts. -Z root: tcpdump would otherwise drop to its
    # own user before opening the file.
    start_bg ip netns exec "$NS_C" tcpdump -i "vc$i" -s 0 -B 65536 -U --immediate-mode -Z root \
      -w "$WORK/vc$i.pcap" 2>"$WORK/tcpdump$i.log"
    CAPTURE_PIDS+=("$BG")
  done
  for i in 1 2; do wait_for "$WORK/tcpdump$i.log" "listening on"; done
}

stop_capture() { # name
  local pid
  sleep 0.3 # the last ACKs
  for pid in "${CAPTURE_PIDS[@]}"; do
    kill -INT "$pid"
    wait "$pid" || true
    forget_bg "$pid"
  done
  mergecap -F pcap -w "$OUT/$1.pcap" "$WORK/vc1.pcap" "$WORK/vc2.pcap"
  local i
  for i in 1 2; do
    if ! grep -q "^0 packets dropped by kernel" "$WORK/tcpdump$i.log"; then
      printf '  FAIL %-58s\n' "tcpdump on vc$i lost packets: $(grep dropped "$WORK/tcpdump$i.log")"
      FAILURES+=("$1: tcpdump on vc$i lost packets")
    fi
  done
}

start_server() { # peer arguments...
  rm -f "$WORK/ready"
  start_bg ip netns exec "$NS_S" timeout 30 python3 "$PEER" server --port "$PORT" \
    --ready "$WORK/ready" "$@"
  SERVER=$BG
  wait_for "$WORK/ready" listening
}

run_client() { # peer arguments...
  ip netns exec "$NS_C" timeout 30 python3 "$PEER" client --port "$PORT" \
    --progress "$WORK/progress" "$@"
}

# Waits until the client reports a step ("first", "chunk 0", ...): python start-up time varies,
# so `ip mptcp` commands are timed against what the client has done, not against the clock.
wait_client() { wait_for "$WORK/progress" "^$1\$"; }

wait_server() {
  wait "$SERVER" || die "server failed"
  forget_bg "$SERVER"
}

# Checks that the capture has packets matching a tshark display filter.
expect() { # name what filter
  local n
  n=$(tshark -r "$OUT/$1.pcap" -Y "$3" 2>/dev/null | wc -l)
  if [[ $n -gt 0 ]]; then
    printf '  ok   %-58s %4d packets\n' "$2" "$n"
  else
    printf '  FAIL %-58s (filter: %s)\n' "$2" "$3"
    FAILURES+=("$1: $2")
  fi
}

summary() { # name
  local f=$OUT/$1.pcap
  printf '%s: %d packets, %d bytes\n' "$1.pcap" \
    "$(tshark -r "$f" 2>/dev/null | wc -l)" "$(stat -c %s "$f")"
  # MPTCP options by subtype (RFC 8684 §7.2 names), counted per option, not per packet.
  tshark -r "$f" -Y mptcp -T fields -e tcp.options.mptcp.subtype 2>/dev/null | tr ',' '\n' |
    sort -n | uniq -c | awk 'BEGIN { split("MP_CAPABLE MP_JOIN DSS ADD_ADDR REMOVE_ADDR MP_PRIO MP_FAIL MP_FASTCLOSE MP_TCPRST", n, " ") }
      { line = line sprintf("%s%s %d", sep, n[$2 + 1], $1); sep = ", " } END { print "  options: " line }'
  # The keys of each connection: the MP_CAPABLE third ACK carries both (RFC 8684 §3.1).
  tshark -r "$f" -Y 'tcp.options.mptcp.subtype==0 && tcp.options.mptcp.recvkey' \
    -T fields -e ip.src -e ipv6.src -e tcp.options.mptcp.sendkey -e tcp.options.mptcp.recvkey \
    2>/dev/null | head -1 | awk -F'\t' '{ printf "  keys: client (%s) %s, server %s\n", $1 $2, $3, $4 }'
}

# --- Scenarios -----------------------------------------------------------------------------

# MP_CAPABLE with data, a join from the client's `subflow` endpoint, ADD_ADDR (no port) from the
# server's `signal` endpoint with its echo and a join to it, 70 KB each way (one burst, beyond
# the scheduler's 64 KB stickiness to one subflow, over a shaped path 1 and small send buffers, so
# the joined subflows carry data too), DATA_FIN both ways. The signal endpoint is added once the
# client has written its first bytes: announced at once, the ADD_ADDR would reach the client
# before its first data, and the client would then send DSS instead of MP_CAPABLE with data.
scenario_kernel_mpc_join() {
  ip -n "$NS_C" mptcp endpoint add 10.0.2.2 dev vc2 id 2 subflow
  shape_path1
  start_capture
  start_server --bind 0.0.0.0 --reply 70000 --sndbuf 8192
  start_bg run_client --connect 10.0.1.1 --first "hello from the client" --chunk 70000 \
    --interval 0.4 --sndbuf 8192
  local client=$BG
  wait_client first
  ip -n "$NS_S" mptcp endpoint add 10.0.2.1 dev vs2 id 1 signal
  wait "$client" || die "client failed"
  forget_bg "$client"
  wait_server
  stop_capture kernel-mpc-join
  local n=kernel-mpc-join
  expect $n "MP_CAPABLE SYN, SYN/ACK, ACK" 'tcp.options.mptcp.subtype==0'
  expect $n "MP_CAPABLE with data (22 bytes)" 'tcp.options.mptcp.subtype==0 && tcp.option_len==22'
  expect $n "MP_JOIN SYN" 'tcp.options.mptcp.subtype==1 && tcp.flags.syn==1 && tcp.flags.ack==0'
  expect $n "MP_JOIN SYN/ACK" 'tcp.options.mptcp.subtype==1 && tcp.flags.syn==1 && tcp.flags.ack==1'
  expect $n "MP_JOIN third ACK (24 bytes)" 'tcp.options.mptcp.subtype==1 && tcp.option_len==24'
  expect $n "MP_JOIN to the announced address" \
    'tcp.options.mptcp.subtype==1 && tcp.flags.syn==1 && ip.dst==10.0.2.1'
  expect $n "DSS" 'tcp.options.mptcp.subtype==2'
  expect $n "DATA_FIN" 'tcp.options.mptcp.datafin.flag==1'
  expect $n "ADD_ADDR with HMAC, no port (16 bytes)" \
    'tcp.options.mptcp.subtype==3 && tcp.options.mptcp.echo==0 && tcp.option_len==16'
  expect $n "ADD_ADDR echo (8 bytes)" 'tcp.options.mptcp.subtype==3 && tcp.options.mptcp.echo==1'
  expect $n "client data on a joined subflow" \
    'ip.src==10.0.2.2 && tcp.dstport==10000 && tcp.len>0'
  expect $n "server data on a joined subflow" \
    'ip.dst==10.0.2.2 && tcp.srcport==10000 && tcp.len>0'
}

# ADD_ADDR with a port (`signal port P`) and the client's join to that address and port.
scenario_kernel_add_addr_port() {
  ip -n "$NS_S" mptcp endpoint add 10.0.2.1 dev vs2 id 1 signal port 10100
  start_capture
  start_server --bind 0.0.0.0 --reply 3000
  run_client --connect 10.0.1.1 --first "port-based ADD_ADDR" --chunk 3000 --chunk 3000 \
    --interval 0.3
  wait_server
  stop_capture kernel-add-addr-port
  local n=kernel-add-addr-port
  expect $n "ADD_ADDR with port and HMAC (18 bytes)" \
    'tcp.options.mptcp.subtype==3 && tcp.options.mptcp.echo==0 && tcp.options.mptcp.port==10100'
  expect $n "ADD_ADDR echo with port (10 bytes)" \
    'tcp.options.mptcp.subtype==3 && tcp.options.mptcp.echo==1 && tcp.option_len==10'
  expect $n "MP_JOIN SYN to port 10100" 'tcp.options.mptcp.subtype==1 && tcp.dstport==10100 && tcp.flags.syn==1'
  expect $n "MP_JOIN third ACK" 'tcp.options.mptcp.subtype==1 && tcp.option_len==24'
}

# MP_PRIO and REMOVE_ADDR: during a slow transfer, the client's subflow endpoint is made backup
# (`endpoint change ... backup`, MP_PRIO on that subflow), then deleted (REMOVE_ADDR).
scenario_kernel_rm_addr_prio() {
  ip -n "$NS_C" mptcp endpoint add 10.0.2.2 dev vc2 id 2 subflow
  start_capture
  start_server --bind 0.0.0.0 --reply 2000
  start_bg run_client --connect 10.0.1.1 --first "MP_PRIO then REMOVE_ADDR" \
    --chunk 1000 --chunk 1000 --chunk 1000 --chunk 1000 --chunk 1000 --chunk 1000 --interval 0.4
  local client=$BG
  wait_client "chunk 1"
  ip -n "$NS_C" mptcp endpoint change id 2 backup
  wait_client "chunk 3"
  ip -n "$NS_C" mptcp endpoint delete id 2
  wait "$client" || die "client failed"
  forget_bg "$client"
  wait_server
  stop_capture kernel-rm-addr-prio
  local n=kernel-rm-addr-prio
  expect $n "MP_JOIN" 'tcp.options.mptcp.subtype==1'
  expect $n "MP_PRIO backup" 'tcp.options.mptcp.subtype==5 && tcp.options.mptcp.backup.flag==1'
  expect $n "REMOVE_ADDR" 'tcp.options.mptcp.subtype==4'
  expect $n "DATA_FIN" 'tcp.options.mptcp.datafin.flag==1'
}

# DSS checksums (checksum_enabled=1 in the client's namespace, so the client sets flag A):
# MP_CAPABLE with data and checksum (24 bytes), DSS with checksums, DATA_FIN.
scenario_kernel_checksum() {
  inc sysctl -qw net.mptcp.checksum_enabled=1
  start_capture
  start_server --bind 0.0.0.0 --reply 1500
  run_client --connect 10.0.1.1 --first "hello checksummed mptcp" --chunk 2000 --interval 0.2
  wait_server
  stop_capture kernel-checksum
  local n=kernel-checksum
  expect $n "MP_CAPABLE with flag A (checksum required)" \
    'tcp.options.mptcp.subtype==0 && tcp.options.mptcp.checksumreq.flags==1'
  expect $n "MP_CAPABLE with data and checksum (24 bytes)" \
    'tcp.options.mptcp.subtype==0 && tcp.option_len==24'
  # A mapping with a 64-bit DSN is 22 bytes with a 4-byte Data ACK and 26 with an 8-byte one;
  # the checksum adds 2.
  expect $n "DSS with mapping and checksum (24 or 28 bytes)" \
    'tcp.options.mptcp.subtype==2 && tcp.options.mptcp.dseqnpresent.flag==1 && (tcp.option_len==24 || tcp.option_len==28)'
  expect $n "DATA_FIN" 'tcp.options.mptcp.datafin.flag==1'
}

# MP_FASTCLOSE with MP_TCPRST on RST segments: the server closes its socket with received data
# still unread, which Linux turns into a fast close of the whole connection
# (net/mptcp/protocol.c __mptcp_close -> mptcp_do_fastclose). A join makes it two subflows.
scenario_kernel_fastclose() {
  ip -n "$NS_C" mptcp endpoint add 10.0.2.2 dev vc2 id 2 subflow
  start_capture
  start_server --bind 0.0.0.0 --fastclose --hold 0.8
  run_client --connect 10.0.1.1 --first "this will not all be read" --chunk 3000 --chunk 3000 \
    --chunk 3000 --interval 0.3
  wait_server
  stop_capture kernel-fastclose
  local n=kernel-fastclose
  expect $n "MP_JOIN" 'tcp.options.mptcp.subtype==1'
  expect $n "MP_FASTCLOSE on RST" 'tcp.options.mptcp.subtype==7 && tcp.flags.reset==1'
  expect $n "MP_TCPRST on RST" 'tcp.options.mptcp.subtype==8 && tcp.flags.reset==1'
}

# IPv6: MP_CAPABLE, a join from the client's second address, ADD_ADDR6 from the server.
scenario_kernel_ipv6() {
  ip -n "$NS_C" mptcp endpoint add fd00:2::2 dev vc2 id 2 subflow
  ip -n "$NS_S" mptcp endpoint add fd00:2::1 dev vs2 id 1 signal
  start_capture
  start_server --bind :: --reply 4000
  run_client --connect fd00:1::1 --first "hello over IPv6" --chunk 4000 --chunk 4000 --interval 0.3
  wait_server
  stop_capture kernel-ipv6
  local n=kernel-ipv6
  expect $n "MP_CAPABLE over IPv6" 'ipv6 && tcp.options.mptcp.subtype==0'
  expect $n "MP_JOIN over IPv6" 'ipv6 && tcp.options.mptcp.subtype==1 && tcp.flags.syn==1'
  expect $n "MP_JOIN third ACK" 'ipv6 && tcp.options.mptcp.subtype==1 && tcp.option_len==24'
  expect $n "ADD_ADDR IPv6 with HMAC (28 bytes)" \
    'tcp.options.mptcp.subtype==3 && tcp.options.mptcp.ipv6 && tcp.option_len==28'
  expect $n "DATA_FIN" 'tcp.options.mptcp.datafin.flag==1'
}

# --- Main ----------------------------------------------------------------------------------

ALL=(kernel-mpc-join kernel-add-addr-port kernel-rm-addr-prio kernel-checksum kernel-fastclose
  kernel-ipv6)
SELECTED=("$@")
[[ ${#SELECTED[@]} -gt 0 ]] || SELECTED=("${ALL[@]}")
mkdir -p "$OUT"

# Timing on a shared machine is not deterministic (tcpdump can drop a burst, a command can land
# late), so a scenario whose checks fail is recorded again, up to ATTEMPTS times.
ATTEMPTS=${ATTEMPTS:-3}
for name in "${SELECTED[@]}"; do
  fn=scenario_${name//-/_}
  declare -F "$fn" >/dev/null || die "unknown scenario $name (known: ${ALL[*]})"
  for attempt in $(seq "$ATTEMPTS"); do
    log "== $name (attempt $attempt)"
    before=${#FAILURES[@]}
    setup_topology
    "$fn"
    summary "$name"
    cleanup
    [[ ${#FAILURES[@]} -gt $before && $attempt -lt $ATTEMPTS ]] || break
    FAILURES=("${FAILURES[@]:0:$before}")
  done
done

if [[ ${#FAILURES[@]} -gt 0 ]]; then
  log ""
  log "capture-fixtures: ${#FAILURES[@]} expected option(s) missing:"
  printf '  %s\n' "${FAILURES[@]}" >&2
  exit 1
fi
log "capture-fixtures: all scenarios produced their options"

import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { MPTCP_COUNTER_NAMES, MPTCP_MIB, bump, formatNstat, newMptcpCounters, nonZeroCounters } from "../../src/mptcp/counters.js";

// The MPTcpExt header line of /proc/net/netstat on Linux 6.18.44, in order.
const LINUX_6_18 =
  "MPCapableSYNRX MPCapableSYNTX MPCapableSYNACKRX MPCapableACKRX MPCapableFallbackACK MPCapableFallbackSYNACK " +
  "MPCapableSYNTXDrop MPCapableSYNTXDisabled MPCapableEndpAttempt MPFallbackTokenInit MPTCPRetrans MPJoinNoTokenFound " +
  "MPJoinSynRx MPJoinSynBackupRx MPJoinSynAckRx MPJoinSynAckBackupRx MPJoinSynAckHMacFailure MPJoinAckRx " +
  "MPJoinAckHMacFailure MPJoinRejected MPJoinSynTx MPJoinSynTxCreatSkErr MPJoinSynTxBindErr MPJoinSynTxConnectErr " +
  "DSSNotMatching DSSCorruptionFallback DSSCorruptionReset InfiniteMapTx InfiniteMapRx DSSNoMatchTCP DataCsumErr " +
  "OFOQueueTail OFOQueue OFOMerge NoDSSInWindow DuplicateData AddAddr AddAddrTx AddAddrTxDrop EchoAdd EchoAddTx " +
  "EchoAddTxDrop PortAdd AddAddrDrop MPJoinPortSynRx MPJoinPortSynAckRx MPJoinPortAckRx MismatchPortSynRx " +
  "MismatchPortAckRx RmAddr RmAddrDrop RmAddrTx RmAddrTxDrop RmSubflow MPPrioTx MPPrioRx MPFailTx MPFailRx " +
  "MPFastcloseTx MPFastcloseRx MPRstTx MPRstRx SubflowStale SubflowRecover SndWndShared RcvWndShared " +
  "RcvWndConflictUpdate RcvWndConflict MPCurrEstab Blackhole MPCapableDataFallback MD5SigFallback DssFallback " +
  "SimultConnectFallback FallbackFailed WinProbe";

describe("MPTCP counters", () => {
  test("the names and order are the Linux 6.18 MPTcpExt MIB's", () => {
    assert.deepEqual(MPTCP_COUNTER_NAMES, LINUX_6_18.split(" "));
    for (const name of MPTCP_COUNTER_NAMES) assert.ok(MPTCP_MIB[name].length > 0, name);
  });

  test("all start at zero; bump adds", () => {
    const c = newMptcpCounters();
    assert.equal(Object.keys(c).length, 76);
    assert.ok(Object.values(c).every((v) => v === 0));
    bump(c, "MPJoinSynRx");
    bump(c, "AddAddrDrop", 3);
    bump(c, "MPCapableSYNRX");
    assert.equal(c.MPJoinSynRx, 1);
    assert.deepEqual(nonZeroCounters(c), { MPCapableSYNRX: 1, MPJoinSynRx: 1, AddAddrDrop: 3 });
    assert.deepEqual(Object.keys(nonZeroCounters(c)), ["MPCapableSYNRX", "MPJoinSynRx", "AddAddrDrop"], "in the kernel's order");
  });

  test("nstat format", () => {
    const c = newMptcpCounters();
    assert.equal(formatNstat(c), "");
    bump(c, "DSSNoMatchTCP");
    bump(c, "MPFailRx", 2);
    assert.equal(formatNstat(c), "MPTcpExtDSSNoMatchTCP 1\nMPTcpExtMPFailRx 2");
  });
});

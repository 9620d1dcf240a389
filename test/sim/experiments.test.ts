/**
 * The experiments' claims (issue [multipath] item 5), each on its deterministic built-in run:
 * every check passes and every flow is intact.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { EXPERIMENTS, experimentByName } from "../../src/sim/experiments/index.js";
import { responsivenessPlots, runResponsiveness, type ResponsivenessRun } from "../../src/sim/experiments/responsiveness.js";
import { runBalia, runBaliaTable } from "../../src/sim/experiments/balia-table.js";
import { formatSummary, summarise } from "../../src/sim/experiments/replicate.js";
import { DATACENTER_LINK, runDatacenterExperiment } from "../../src/sim/experiments/datacenter.js";
import { runCli } from "../support/cli.js";
import type { ExperimentResult } from "../../src/sim/experiments/experiment.js";

/**
 * The plots of an experiment's report (`--report`): at least `min`; every series as long as its
 * x, with a value that is a number or null (no NaN or infinity, which JSON would turn into null
 * silently); categories, where given, one per x; some value in every plot.
 */
function assertPlots(r: Pick<ExperimentResult, "plots">, min = 1): void {
  assert.ok(r.plots.length >= min, `${r.plots.length} plots`);
  for (const p of r.plots) {
    assert.ok(p.x.length > 0 && p.series.length > 0, p.title);
    assert.ok(p.x.every(Number.isFinite), p.title);
    if (p.categories !== undefined) assert.equal(p.categories.length, p.x.length, p.title);
    if (p.logX === true) assert.ok(p.x.every((x) => x > 0), p.title);
    for (const s of p.series) {
      assert.equal(s.values.length, p.x.length, `${p.title}: ${s.label}`);
      assert.ok(s.values.every((v) => v === null || Number.isFinite(v)), `${p.title}: ${s.label}`);
    }
    assert.ok(p.series.some((s) => s.values.some((v) => v !== null && v > 0)), p.title);
  }
}

describe("experiments", () => {
  test("exp-aggregation: MPTCP over 2 x 10 Mbit/s (20 ms, 80 ms) gets >= 95% of the two single-path TCP baselines together", () => {
    const r = experimentByName("exp-aggregation")!.run({});
    assert.deepEqual(r.flows.map((f) => f.name), ["tcp-path1", "tcp-path2", "mptcp"]);
    for (const f of r.flows) assert.equal(f.integrity, true, f.name);
    for (const c of r.checks) assert.ok(c.pass, `${c.name}: ${c.measured} (expected ${c.expected})`);
    // The baselines are what one path can give: each below its 10 Mbit/s, MPTCP above either.
    const [t1, t2, m] = r.flows;
    assert.ok(t1!.goodputMbps < 10 && t2!.goodputMbps < 10);
    assert.ok(m!.goodputMbps > Math.max(t1!.goodputMbps, t2!.goodputMbps) * 1.5);
    // The report's time series: a line per flow and their sum, whose mean over the run is the
    // flow's goodput (the last second is partial).
    assertPlots(r);
    const p = r.plots[0]!;
    assert.deepEqual(p.series.map((x) => x.label), ["tcp-path1", "tcp-path2", "mptcp", "tcp-path1 + tcp-path2"]);
    const mp = p.series[2]!.values.filter((v) => v !== null);
    const sum = mp.reduce((a, v) => a + v, 0);
    assert.ok(Math.abs(sum * 1e6 / 8 - m!.bytesDelivered) < 1, `${sum} Mbit over the seconds against ${m!.bytesDelivered} B`);
  });

  describe("exp-heterogeneous: WiFi-like + 3G-like paths, the receive buffer swept", () => {
    const r = experimentByName("exp-heterogeneous")!.run({});
    const rows = r.table.slice(1).map((x) => ({ buffer: x[0]!, tcp: Number(x[1]), single: Number(x[2]), fixed: Number(x[3]), autotuned: Number(x[4]), plain: Number(x[5]) }));
    const large = rows.filter((x) => x.buffer.endsWith("MB"));
    test("every flow intact; the fixes never hurt and help where the window blocks", () => {
      assert.ok(r.checks[0]!.pass);
      for (const x of rows) assert.ok(x.fixed >= x.plain * 0.98, `${x.buffer}: ${x.fixed} against ${x.plain} without`);
      assert.ok(rows.filter((x) => x.fixed > x.plain * 1.2).length >= 3, rows.map((x) => `${x.buffer} ${x.fixed}/${x.plain}`).join(", "));
    });
    test("from 1 MB up the 3G path adds to WiFi: above TCP on the WiFi path alone", () => {
      assert.equal(large.length, 4);
      for (const x of large) assert.ok(x.fixed > x.tcp, `${x.buffer}: ${x.fixed} against ${x.tcp}`);
    });
    test("at 256 and 512 KB, where the WiFi queue overflows, MPTCP is above TCP on the WiFi path alone", () => {
      // At 256 KB only since the window stopped counting data held beyond a subflow's own hole
      // (18.36 against 18.41 before; docs/experiments.md).
      const mid = rows.filter((x) => x.buffer === "256 KB" || x.buffer === "512 KB");
      assert.equal(mid.length, 2);
      for (const x of mid) assert.ok(x.fixed > x.tcp, `${x.buffer}: ${x.fixed} against ${x.tcp}`);
    });
    test("never below TCP on the WiFi path alone", { todo: "64 and 128 KB, by 0.07% and 0.06%: a byte on 3G holds the window's left edge at least 176 ms (150 ms one way, 6 ms on the wire, the Data ACK back on WiFi), while WiFi sends 440 KB, so below that window the 3G path cannot add without blocking WiFi, and MPTCP must declare its mappings: 157 DSS of 28 bytes over the 10 MB (mappings of up to 64 KB, ahead of the window; three packets' worth: 6,910 data packets against TCP's 6,907), 2.5 ms at 128 KB (18.57 against 18.58; 18.21 with the DSS on every segment); at 64 KB, window-limited, 4.4 ms: 1.8 ms in slow start (a window grown by the bytes of a DSS-shortened segment is short of a whole segment) and 28 bytes less per round trip at the window's edge (44 segments and one of 1,420 bytes where TCP fits 45 of 1,448) (docs/experiments.md)" }, () => {
      const c = r.checks[1]!;
      assert.ok(c.pass, `${c.name}: ${c.measured}`);
    });
    test("the report: goodput over the buffer sizes (a run per line), and each check's note names its lowest buffer", () => {
      assertPlots(r);
      const p = r.plots[0]!;
      assert.deepEqual(p.x, [64, 128, 256, 512, 1024, 2048, 4096, 8192]);
      assert.deepEqual(p.series.find((x) => x.label === "MPTCP")!.values, rows.map((x) => r.flows.find((f) => f.name === `mptcp-${x.buffer.endsWith("MB") ? Number.parseInt(x.buffer) * 1024 : Number.parseInt(x.buffer)}KB`)!.goodputMbps));
      for (const c of r.checks.slice(1)) {
        const m = /^lowest at (\d+ [KM]B): MPTCP (\d+\.\d{4}) against /.exec(c.note ?? "");
        assert.ok(m !== null, c.note);
        const row = rows.find((x) => x.buffer === m[1])!;
        assert.equal(Number(m[2]).toFixed(2), row.fixed.toFixed(2));
      }
    });
    test("never below MPTCP on the WiFi path alone", { todo: "256 KB: 18.5000 against 18.5009 Mbit/s (4.3243 s against 4.3241 s), the 3G subflow carrying nothing and both runs sending 6,910 data packets: the ACK clocks fall 0.2 ms apart, because the server gives the WiFi subflow subflowRoom instead of aloneRoom once the 3G join's SYN arrives, before that join can carry data (session 15; counting only joins that can take data, measured over six transfer sizes in session 16, passes at four of them and fails at 12 and 15 MB, and costs up to 10% autotuned and 8-16% without the fixes: not adopted, docs/experiments.md); 18.36 against 18.40 before session 9, when the window counted data held beyond a subflow's own hole; equal at 64 and 128 KB, above from 512 KB" }, () => {
      const c = r.checks[2]!;
      assert.ok(c.pass, `${c.name}: ${c.measured}`);
    });
  });

  test("exp-wifi-walk: past three APs the MPTCP download never stops; hard handover does, twice", () => {
    const r = experimentByName("exp-wifi-walk")!.run({});
    for (const c of r.checks) assert.ok(c.pass, `${c.name}: ${c.measured} (expected ${c.expected})`);
    const [mp, hard] = r.table.slice(1);
    assert.ok(Number(mp![1]) > Number(hard![1]), r.table.map((x) => x.join(" ")).join("; "));
    assertPlots(r);
    // The plot is the one-second bins the checks count: the hard handover's zeros are in it.
    assert.equal(r.plots[0]!.series[1]!.values.filter((v) => v === 0).length, Number(hard![3]));
  });

  describe("exp-shared-bottleneck: one 10 Mbit/s bottleneck, a 2-subflow MPTCP upload beside a TCP one", () => {
    const r = experimentByName("exp-shared-bottleneck")!.run({});
    const claim = (name: string) => r.checks.find((c) => c.name.startsWith(name))!;
    for (const name of ["LIA", "OLIA", "BALIA", "uncoupled"]) {
      test(`${name}: ${claim(name).expected} of the TCP flow's share`, () => {
        const c = claim(name);
        assert.ok(c.pass, `${c.name}: ${c.measured} (expected ${c.expected})`);
      });
    }
    test("the report: each controller's MPTCP and TCP rates, as in the table", () => {
      assertPlots(r);
      const p = r.plots[0]!;
      assert.deepEqual(p.categories, r.table.slice(1).map((row) => row[0]));
      assert.deepEqual(p.series[0]!.values.map((v) => v!.toFixed(2)), r.table.slice(1).map((row) => row[1]));
    });
    test("every flow moved data, the bottleneck is shared out", () => {
      for (const f of r.flows) assert.ok(f.bytesDelivered > 1_000_000, f.name);
      for (const row of r.table.slice(1)) assert.ok(Number(row[1]) + Number(row[2]) > 9, row.join(" "));
    });
  });

  describe("exp-handover: WiFi goes at t = 10 s, once per handover path manager", () => {
    const r = experimentByName("exp-handover")!.run({});
    const column = (name: string) => r.table[0]!.indexOf(name);
    test("no byte lost in any mode, and every mode completes intact", () => {
      const c = r.checks.find((x) => x.name.startsWith("bytes lost"))!;
      assert.ok(c.pass, `${c.name}: ${c.measured}`);
      assert.deepEqual(r.flows.map((f) => f.name), ["full", "backup", "single-path"]);
      for (const f of r.flows) assert.equal(f.integrity, true, f.name);
    });
    test("every mode has the data sent before the failure within a second (REMOVE_ADDR, MP_PRIO or a new MP_JOIN, then reinjection)", () => {
      for (const row of r.table.slice(1)) assert.ok(Number(row[column("recovery (s)")]) < 1, row.join(" "));
    });
    test("the cellular radio comes up once: at the start in full and backup modes, at the failure in single-path mode", () => {
      for (const row of r.table.slice(1)) assert.equal(row[column("promotions")], "1", row.join(" "));
    });
    // Seeds 1-3 give the same figures (no random loss on the links). The ordering holds for
    // every failure time from 9 to 11 s; "full ≈ backup" follows cellular's sawtooth and does not
    // (docs/experiments.md, exp-handover, sensitivity).
    test("stall: full and backup below single-path (the radio's promotion and the join)", () => {
      const c = r.checks.find((x) => x.name.startsWith("stall: full and backup"))!;
      assert.ok(c.pass, `${c.name}: ${c.measured} (expected ${c.expected})`);
    });
    test("stall: full ≈ backup at the paper's failure time", () => {
      const c = r.checks.find((x) => x.name.startsWith("stall: full ≈ backup"))!;
      assert.ok(c.pass, `${c.name}: ${c.measured} (expected ${c.expected})`);
    });
    test("the report: each mode's in-order goodput around the failure, with the single-path mode's stall in it", () => {
      assertPlots(r);
      const p = r.plots[0]!;
      assert.deepEqual(p.series.map((x) => x.label), ["full", "backup", "single-path"]);
      // The stall of single-path (0.5 s) covers at least four whole 100 ms bins after the failure.
      const after = p.series[2]!.values.filter((_, i) => p.x[i]! >= 10);
      assert.ok(after.filter((v) => v === 0).length >= 4, after.join(" "));
    });
  });

  describe("exp-balia-table: the not-Pareto-optimal scenario of the BALIA draft §5.1 (short version: seed 1, one replication)", () => {
    const r = runBaliaTable({}, { replications: 1 });
    const claim = (prefix: string) => r.checks.filter((c) => c.name.startsWith(prefix));
    const rows = new Map(r.table.slice(1).map((x) => [x[0]!, x]));
    /** Type-2 throughput when type-1 users run `m`, N1 = 5 (column 1) or 15 (column 3). */
    const type2 = (m: string, column: 1 | 3): number => Number(rows.get(m)![column]);
    // The order on seed 1; on the means of ten seeds, with each gap against two standard errors,
    // `mptcp sim exp-balia-table` (minutes of CPU, beyond the suite): BALIA - OLIA +0.19 ± 0.02
    // and +0.72 ± 0.07 on seeds 1-10, +0.20 ± 0.02 and +0.57 ± 0.07 on seeds 11-20 (the draft:
    // +0.19 and +0.57), with the floors of the authors' Linux modules (session 15; with the
    // drafts' floors, --cc-floor draft, BALIA was below OLIA: docs/experiments.md).
    test("the report: type-2 throughput per controller beside the published figures, N1 = 5 and 15", () => {
      assertPlots(r, 2);
      for (const [i, column] of [[0, 1], [1, 3]] as const) {
        const p = r.plots[i]!;
        assert.deepEqual(p.series.map((x) => x.label), ["measured (mean)", "published"]);
        assert.deepEqual(p.series[0]!.values.map((v) => v!.toFixed(2)), r.table.slice(1).map((row) => Number(row[column]).toFixed(2)));
      }
    });
    test("N1 = 5: type-2 throughput in the published order, single-path > BALIA > OLIA > LIA", () => {
      for (const c of claim("N1 = 5: single-path")) assert.ok(c.pass, `${c.name}: ${r.table.map((x) => x.join(" ")).join("; ")}`);
    });
    for (const [n1, column] of [[5, 1], [15, 3]] as const) {
      test(`N1 = ${n1}: LIA leaves the type-2 users least, single-path TCP most`, () => {
        for (const m of ["OLIA", "BALIA"]) assert.ok(type2("single-path TCP", column) > type2(m, column) && type2(m, column) > type2("LIA", column), r.table.map((x) => x.join(" ")).join("; "));
      });
    }
    test("type-1 users gain nothing by running MPTCP (link 1 bounds them either way)", () => {
      const cs = claim("N1 = 5, ");
      assert.equal(cs.length, 3);
      for (const c of cs) assert.ok(c.pass, `${c.name}: ${c.measured}`);
    });
    test("one replication: no difference is set against a standard error", () => {
      assert.equal(r.checks.filter((c) => c.name.includes(" - ")).length, 0);
      assert.ok(r.flows.every((f) => f.name.startsWith("run1/")));
    });
    test("N1 = 15: the same order", () => {
      for (const c of claim("N1 = 15: single-path")) assert.ok(c.pass, `${c.name}: ${r.table.map((x) => x.join(" ")).join("; ")}`);
    });
  });

  test("exp-balia-table, two replications over 3 s: each configuration's figure is exactly the mean of its runs on seeds s and s + 1", () => {
    const seed = 7;
    const seconds = 3;
    const r = runBaliaTable({ seed }, { replications: 2, seconds });
    const one = runBalia("balia", 15, 5, seed, seconds);
    const two = runBalia("balia", 15, 5, seed + 1, seconds);
    assert.ok(one.type2Mbps !== two.type2Mbps, "the seeds differ");
    // The replications' flows are the single runs' flows, renamed.
    for (const [i, run] of [one, two].entries()) {
      const flows = r.flows.filter((f) => f.name.startsWith(`run${i + 1}/balia N1=15 `));
      assert.deepEqual(flows, run.flows.map((f) => ({ ...f, name: `run${i + 1}/${f.name}` })));
    }
    const mean = summarise([one.type2Mbps, two.type2Mbps]);
    assert.equal(mean.mean, (one.type2Mbps + two.type2Mbps) / 2);
    assert.equal(r.table.find((x) => x[0] === "BALIA")![3], formatSummary(mean, 2));
    assert.match(r.table[0]![3]!, /mean ± SE of 2, seeds 7-8/);
    // Every cell's mean is the mean of its two runs' type-2 flows, summed as the run sums them.
    const total = (run: 1 | 2, mode: string, n1: number): number =>
      r.flows.filter((f) => f.name.startsWith(`run${run}/${mode} N1=${n1} type-2 `)).reduce((a, f) => a + f.steadyGoodputMbps, 0);
    for (const [mode, row] of [["single-path", "single-path TCP"], ["lia", "LIA"], ["olia", "OLIA"], ["balia", "BALIA"]] as const) {
      for (const [n1, column] of [[5, 1], [15, 3]] as const) assert.equal(r.table.find((x) => x[0] === row)![column], formatSummary(summarise([total(1, mode, n1), total(2, mode, n1)]), 2), `${mode} N1=${n1}`);
    }
    const gap = r.checks.find((c) => c.name.startsWith("N1 = 15, BALIA - OLIA "))!;
    const d = [1, 2].map((run) => total(run as 1 | 2, "balia", 15) - total(run as 1 | 2, "olia", 15));
    const sd = summarise(d);
    assert.equal(gap.measured, Math.round(sd.mean * 1000) / 1000);
    assert.equal(gap.pass, sd.mean > 2 * sd.se);
    assert.ok(gap.name.endsWith(`: ${formatSummary(sd, 2)}`), gap.name);
    assert.equal(r.checks.filter((c) => c.name.includes(" - ")).length, 6);
    assert.equal(r.flows.length, 2 * (4 * 10 + 4 * 20));
  });

  // The whole of exp-responsiveness (four controllers, five replications of 120 s each, every host
  // paced: several minutes of CPU) is mptcp sim's to run, where every check passes on seeds 1-5 and
  // again on 6-10 (session 15: Coupled 24.4 ± 0.4 and 23.2 ± 0.4 s, OLIA 15.2 ± 0.7 and 13.2 ± 1.0,
  // LIA 9.8 ± 0.6 and 9.2 ± 0.4, BALIA 7.2 ± 0.4 and 7.8 ± 0.4; docs/experiments.md). The suite runs
  // the four controllers on seed 1: each gives path 2 up and takes it back, in the published order.
  const runs = new Map<string, ResponsivenessRun>();
  const run = (k: "kelly-voice" | "olia" | "lia" | "balia"): ResponsivenessRun => {
    if (!runs.has(k)) runs.set(k, runResponsiveness(k, 1));
    return runs.get(k)!;
  };
  for (const k of ["balia", "lia", "olia", "kelly-voice"] as const) {
    test(`exp-responsiveness (${k}, seed 1): path 2 given up while five TCP flows use it, taken back within 40 s after they leave`, () => {
      const r = run(k);
      assert.ok(r.beforeMbps > 15, `before: ${r.beforeMbps}`);
      assert.ok(r.duringMbps < 0.5 * r.beforeMbps, `during: ${r.duringMbps}`);
      assert.ok(r.reconvergenceSeconds <= 40, `reconvergence: ${r.reconvergenceSeconds} s`);
    });
  }
  test("exp-responsiveness's report: each controller's path-2 throughput per second, and its reconvergence beside the published", () => {
    const cells = (["kelly-voice", "olia", "lia", "balia"] as const).map((k) => {
      const one = (x: number) => summarise([x]);
      return { congestion: k, runs: [run(k)], before: one(run(k).beforeMbps), during: one(run(k).duringMbps), reconvergence: one(run(k).reconvergenceSeconds) };
    });
    const plots = responsivenessPlots(cells, 1, "seed 1");
    assertPlots({ plots }, 2);
    assert.deepEqual(plots[0]!.series.map((x) => x.label), ["Coupled", "OLIA", "LIA", "BALIA"]);
    assert.deepEqual(plots[1]!.series[0]!.values, cells.map((c) => c.runs[0]!.reconvergenceSeconds));
  });
  test("exp-responsiveness (seed 1): reconvergence in the published order, BALIA <= LIA < OLIA < Coupled (the Kelly-Voice rule)", () => {
    const [b, l, o, c] = (["balia", "lia", "olia", "kelly-voice"] as const).map((k) => run(k).reconvergenceSeconds);
    assert.ok(b! <= l! && l! < o! && o! < c!, `BALIA ${b} s, LIA ${l} s, OLIA ${o} s, Coupled ${c} s`);
  });

  test("mptcp sim exp-aggregation --json: the result object of mptcp sim plus table and checks; --list names it", () => {
    const r = runCli(["sim", "exp-aggregation", "--json"]);
    assert.equal(r.status, 0, r.stderr);
    const o = JSON.parse(r.stdout) as Record<string, unknown>;
    for (const k of ["scenario", "seed", "simulatedSeconds", "wallSeconds", "events", "flows", "table", "checks"]) assert.ok(k in o, k);
    assert.equal(o.scenario, "exp-aggregation");
    const checks = o.checks as Array<Record<string, unknown>>;
    for (const c of checks) assert.deepEqual(Object.keys(c).sort(), ["expected", "measured", "name", "pass"]);
    for (const f of o.flows as Array<Record<string, unknown>>) for (const k of ["name", "bytesSent", "bytesDelivered", "integrity", "completionSeconds", "goodputMbps"]) assert.ok(k in f, k);
    assert.match(runCli(["sim", "--list"]).stdout, /^exp-aggregation +2 x 10 Mbit\/s/m);
  });

  test("names are unique and every experiment describes itself", () => {
    const names = EXPERIMENTS.map((e) => e.name);
    assert.equal(new Set(names).size, names.length);
    for (const e of EXPERIMENTS) {
      assert.match(e.name, /^exp-[a-z-]+$/);
      assert.ok(e.description.length > 20);
    }
  });
});

describe("exp-datacenter: k = 4 FatTree, ECMP, permutation traffic, 1/2/4/8 subflows per flow (short version: permutations 1-3 over 4 s)", () => {
  // The claim is about utilisation over many flows: Raiciu et al.'s trees have hundreds to
  // thousands of hosts, one flow each. A k = 4 tree has 16, and in one permutation a difference
  // is down to a few hash values (permutation 1 has 2 and 4 subflows level: -2.2 points over 4 s,
  // -0.1 over 10 s; with RACK-TLP's probes its 8-subflow run went from 76.8% to 68.8%). So the
  // short version takes, as the full experiment does, the mean over permutations 1-3, only over
  // 4 s instead of 10. Over permutations 1-12 at 4 s, 2 -> 4 subflows rises by -2.2 to +17.2
  // points each (11 of 12 positive, standard deviation 6.1), +3.3 to +11.9 as the mean of any
  // three consecutive ones.
  const r = runDatacenterExperiment({}, { seconds: 4, permutations: 3 });
  const utilisation = r.table.slice(1).map((row) => Number.parseFloat(row[2]!) / 100);

  test("utilisation rising with the subflow count: TCP < 2 < 4 subflows, 8 no lower than 4, 8 well above single-path TCP, every flow intact", () => {
    assert.equal(r.checks.length, 5);
    for (const c of r.checks) assert.ok(c.pass, `${c.name}: ${c.measured} (expected ${c.expected}); ${utilisation.join(", ")}`);
    assert.equal(utilisation.length, 4);
    assert.ok(utilisation.every((u) => u > 0.3 && u <= 1), utilisation.join(", "));
  });

  test("the report: utilisation by subflow count (the mean and each permutation), the slowest and median flows", () => {
    assertPlots(r, 2);
    assert.deepEqual(r.plots[0]!.x, [1, 2, 4, 8]);
    assert.deepEqual(r.plots[0]!.series[0]!.values.map((v) => `${v!.toFixed(1)}%`), r.table.slice(1).map((row) => row[2]));
  });
  test("the table's mean is the mean of the permutations' flows", () => {
    const perm = (p: number, subflows: number): number => {
      const flows = r.flows.filter((f) => f.name.startsWith(subflows === 1 ? `perm${p}/tcp/` : `perm${p}/lia-${subflows}/`));
      assert.equal(flows.length, 16);
      return (flows.reduce((a, f) => a + f.steadyGoodputMbps, 0) * 1e6) / (flows.length * DATACENTER_LINK.rateBps!);
    };
    [1, 2, 4, 8].forEach((subflows, i) => {
      const mean = (perm(1, subflows) + perm(2, subflows) + perm(3, subflows)) / 3;
      assert.ok(Math.abs(mean - utilisation[i]!) < 0.0005, `${subflows}: ${mean} against ${utilisation[i]}`);
    });
  });

  test("16 intact flows per subflow count and permutation, each named, none over its 10 Mbit/s access link", () => {
    assert.equal(r.flows.length, 192);
    assert.equal(new Set(r.flows.map((f) => f.name)).size, 192);
    // Over the whole run no flow delivers more than its access link carries. (Over the last 2 s
    // alone delivery may exceed it by what the receiver held for data-level reordering when the
    // window opened: seen 10.64 Mbit/s.)
    for (const f of r.flows) {
      assert.ok(f.integrity, f.name);
      assert.ok(f.steadyGoodputMbps > 0, f.name);
      assert.ok(f.goodputMbps <= 10, `${f.name}: ${f.goodputMbps} over the run`);
    }
    assert.match(r.flows[0]!.name, /^perm1\/tcp\/h\d\.\d\.\d->h\d\.\d\.\d$/);
    assert.match(r.flows[191]!.name, /^perm3\/lia-8\//);
  });
});

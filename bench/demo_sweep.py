#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Demo loss sweep: does `meshrpr demo` report what really happened?

Runs `meshrpr --json demo --seed S --loss L --save W` for every seed and loss level, then
compares each result the demo REPORTED (per device: provisioned or failed; per NPPI
procedure: refreshed or failed) with the ground truth, taken from the saved worlds and never
from the report:

  * a device is provisioned when its own storage holds an identity ("node/prov": address and
    device key), the node database holds the same address and device key for its UUID, and
    the node answers a Composition Data Get secured with that key (asked by a separate
    `meshrpr --world COPY --node ADDR composition-get` on a copy of the world with the radio
    loss set to 0, so the answer depends only on the keys);
  * a procedure refreshed its node when the node's device key differs between the world saved
    before the NPPI step (W.before-nppi) and the final one, the address too for a Node Address
    Refresh, and Composition Data page 0 has one model more for a Node Composition Refresh;
  * at the end every device is provisioned as above, or cleanly unprovisioned (no identity in
    its storage): anything else is an orphaned (a device with a key nobody kept) or unreachable
    node.

A result is misreported when the report and the truth disagree. Runs that fail and say so are
failures, not misreports. Exit code 1 when any result is misreported or any node is orphaned or
unreachable (so the sweep can gate a change), 0 otherwise.

Python 3 standard library only. Example (the issue #11 sweep):
    python3 bench/demo_sweep.py --meshrpr build/tools/meshrpr/meshrpr -j2
"""

import argparse
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tempfile

LOSSES = [0.0, 0.1, 0.2, 0.3, 0.4]


def parse_range(text):
    """'1-40' or '1,5,9-12' -> sorted list of ints."""
    out = set()
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        if "-" in part:
            lo, hi = part.split("-", 1)
            out.update(range(int(lo), int(hi) + 1))
        else:
            out.add(int(part))
    return sorted(out)


def uuid_key(text):
    return text.replace("-", "").lower()


def load_world(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def identity(node):
    """(address, device key hex) from a world node's storage, or None when unprovisioned."""
    rec = node.get("storage", {}).get("node/prov")
    if rec is None:
        return None
    raw = bytes.fromhex(rec)
    if len(raw) != 19:
        return ("corrupt", rec)
    return (raw[1] | raw[2] << 8, raw[3:19].hex())


def cdb_entries(world):
    """UUID -> (address, device key hex, pending kind or None)."""
    out = {}
    for n in world["cdb"].get("nodes", []):
        pend = n.get("meshrprPending")
        out[uuid_key(n["UUID"])] = (
            int(n["unicastAddress"], 16),
            n.get("deviceKey", "").lower(),
            pend.get("kind") if pend else None,
        )
    return out


class Checker:
    """Composition Data Get through the tool on a lossless copy of a saved world."""

    def __init__(self, meshrpr, world_path, work):
        self.meshrpr = meshrpr
        self.path = os.path.join(work, os.path.basename(world_path) + ".lossless")
        world = load_world(world_path)
        world["radio"]["loss"] = 0
        with open(self.path, "w", encoding="utf-8") as f:
            json.dump(world, f)
        self.cache = {}

    def models(self, addr):
        """Models on page 0 of the node at addr (None: no answer under the database's key)."""
        if addr in self.cache:
            return self.cache[addr]
        p = subprocess.run(
            [self.meshrpr, "--world", self.path, "--json", "--node", "0x%04x" % addr,
             "composition-get"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=300, check=False)
        models = None
        if p.returncode == 0:
            try:
                models = json.loads(p.stdout)["models"]
            except (ValueError, KeyError):
                models = None
        self.cache[addr] = models
        return models


def device_truth(world, checker):
    """Per device name: dict(provisioned, orphaned, identity, models)."""
    cdb = cdb_entries(world)
    out = {}
    for n in world["nodes"]:
        if n["role"] != "device":
            continue
        ident = identity(n)
        entry = cdb.get(uuid_key(n["uuid"]))
        t = {"identity": ident, "provisioned": False, "orphaned": False, "models": None,
             "pending": entry[2] if entry else None}
        if ident is not None:
            if entry is not None and (entry[0], entry[1]) == ident:
                t["models"] = checker.models(entry[0])
                t["provisioned"] = t["models"] is not None
            # Provisioned but not as the database says: an orphan, or unreachable for good.
            t["orphaned"] = not t["provisioned"]
        out[n["name"]] = t
    return out


def run_one(meshrpr, seed, loss, work, keep):
    d = tempfile.mkdtemp(prefix="s%d_l%g_" % (seed, loss), dir=work)
    saved = os.path.join(d, "w.json")
    res = {"seed": seed, "loss": loss, "rc": None, "misreports": [], "bad_nodes": [],
           "failed_results": 0, "failed": [], "error": None}
    try:
        p = subprocess.run(
            [meshrpr, "--json", "demo", "--seed", str(seed), "--loss", str(loss), "--save",
             saved],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=1800, check=False)
        res["rc"] = p.returncode
        try:
            report = json.loads(p.stdout)
        except ValueError:
            res["error"] = "no JSON report (exit code %d)" % p.returncode
            return res
        if not os.path.exists(saved) or not os.path.exists(saved + ".before-nppi"):
            res["error"] = "no saved world (exit code %d)" % p.returncode
            return res
        before = load_world(saved + ".before-nppi")
        final = load_world(saved)
        t0 = device_truth(before, Checker(meshrpr, saved + ".before-nppi", d))
        t1 = device_truth(final, Checker(meshrpr, saved, d))

        for r in report.get("provisioning", []):
            name = r["device"]
            truth = t0[name]["provisioned"]
            if not r["ok"]:
                res["failed"].append("%s: %s" % (name, r.get("error", "")))
                res["failed_results"] += not truth
            if bool(r["ok"]) != truth:
                res["misreports"].append(
                    "%s: reported %s, truly %s%s" % (
                        name, "provisioned" if r["ok"] else "failed",
                        "provisioned" if truth else "not provisioned",
                        " (orphaned)" if t0[name]["orphaned"] else ""))
        for r in report.get("nppi", {}).get("procedures", []):
            name = r["node"]
            b, f = t0[name], t1[name]
            refreshed = (b["identity"] is not None and f["identity"] is not None
                         and b["identity"][1] != f["identity"][1] and f["provisioned"])
            if refreshed and r["procedure"] == "node address refresh":
                refreshed = b["identity"][0] != f["identity"][0]
            if refreshed and r["procedure"] == "node composition refresh":
                refreshed = (b["models"] is not None and f["models"] is not None
                             and f["models"] == b["models"] + 1)
            if not r["ok"]:
                res["failed"].append("%s of %s: %s" % (r["procedure"], name, r.get("error", "")))
                res["failed_results"] += not refreshed
            if bool(r["ok"]) != refreshed:
                res["misreports"].append(
                    "%s of %s: reported %s, truly %s" % (
                        r["procedure"], name, "refreshed" if r["ok"] else "failed",
                        "refreshed" if refreshed else "not refreshed"))
        for c in report.get("checks", []):
            if not c["ok"]:
                res["failed"].append("check of %s (0x%04x): %s" % (c["node"], c["addr"],
                                                                   c.get("error", "")))
        if report.get("extended_scan_ok") is False:
            res["failed"].append("extended scan failed")
        for name, t in sorted(t1.items()):
            if t["orphaned"]:
                res["bad_nodes"].append("%s: provisioned as %s but the database %s" % (
                    name, "0x%04x" % t["identity"][0] if isinstance(t["identity"][0], int)
                    else "?", "holds another identity" if t["pending"] is None
                    else "keeps it pending (%s)" % t["pending"]))
        return res
    except subprocess.TimeoutExpired:
        res["error"] = "timed out"
        return res
    finally:
        if not keep:
            shutil.rmtree(d, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--meshrpr", default="build/tools/meshrpr/meshrpr",
                    help="the meshrpr binary (default: %(default)s)")
    ap.add_argument("--seeds", default="1-40", help="seeds, e.g. 1-40 or 3,7,21 (default 1-40)")
    ap.add_argument("--loss", default=",".join("%g" % x for x in LOSSES),
                    help="loss levels, comma-separated (default %(default)s)")
    ap.add_argument("-j", "--jobs", type=int, default=1, help="runs in parallel (default 1)")
    ap.add_argument("--work", default=None,
                    help="directory for the saved worlds (default: a temporary one)")
    ap.add_argument("--keep", action="store_true", help="keep every run's saved worlds")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every failed run")
    args = ap.parse_args()

    meshrpr = os.path.abspath(args.meshrpr)
    if not os.access(meshrpr, os.X_OK):
        sys.exit("demo_sweep: %s is not an executable (--meshrpr)" % meshrpr)
    seeds = parse_range(args.seeds)
    losses = [float(x) for x in args.loss.split(",") if x.strip()]
    own_work = args.work is None
    work = tempfile.mkdtemp(prefix="demo_sweep_") if own_work else args.work
    os.makedirs(work, exist_ok=True)

    jobs = [(s, l) for l in losses for s in seeds]
    results = []
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
            futs = [ex.submit(run_one, meshrpr, s, l, work, args.keep) for s, l in jobs]
            for i, fut in enumerate(concurrent.futures.as_completed(futs), 1):
                results.append(fut.result())
                if sys.stderr.isatty():
                    sys.stderr.write("\r%d/%d runs" % (i, len(jobs)))
    finally:
        if sys.stderr.isatty():
            sys.stderr.write("\n")
        if own_work and not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    print("meshrpr demo sweep: seeds %s, %d runs" % (args.seeds, len(jobs)))
    print("%-6s %5s %9s %8s %14s %11s %12s" % ("LOSS", "RUNS", "SUCCESSES", "FAILURES",
                                                "FAILED RESULTS", "MISREPORTED",
                                                "ORPHANED/UNREACHABLE"))
    total_mis = total_bad = 0
    for l in losses:
        rs = [r for r in results if r["loss"] == l]
        ok = sum(1 for r in rs if r["rc"] == 0 and r["error"] is None)
        mis = sum(len(r["misreports"]) for r in rs)
        bad = sum(len(r["bad_nodes"]) for r in rs)
        errs = sum(1 for r in rs if r["error"] is not None)
        total_mis += mis + errs
        total_bad += bad
        print("%-6g %5d %9d %8d %14d %11d %12d" % (
            l, len(rs), ok, len(rs) - ok, sum(r["failed_results"] for r in rs), mis + errs,
            bad))
    print("failed results: devices or procedures the demo reported as failed, and were;")
    print("misreported: results the demo reported differently from the saved worlds' truth")
    details = sorted(results, key=lambda r: (r["loss"], r["seed"]))
    for r in details:
        lines = r["misreports"] + r["bad_nodes"] + ([r["error"]] if r["error"] else [])
        if args.verbose and r["rc"] != 0:
            lines += ["failed (reported): " + x for x in r["failed"]]
        if lines:
            print("  seed %d loss %g (exit %s):" % (r["seed"], r["loss"], r["rc"]))
            for x in lines:
                print("    " + x)
    return 1 if total_mis or total_bad else 0


if __name__ == "__main__":
    sys.exit(main())

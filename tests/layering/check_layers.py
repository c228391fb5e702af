#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Checks that the library's layers depend downward only (docs/architecture.md, "Layers").

Reads every file under src/ and finds three kinds of dependency of one file on another:
  include  a quoted #include "dir/file.h" of a src/ header;
  call     a call of a function whose definition is in another src/ file;
  write    an assignment to (or memset/memcpy into) another layer's state, node->MEMBER...,
           where MEMBER is a per-layer struct of struct meshrpr_node.
An edge from a file of layer A to one of layer B is an error when B is above A (upward) or B
is another layer of the same rank (sideways). Known edges that are still upward are listed in
tests/layering/known_upward.txt, one per line ("kind from -> to"); the check fails on any edge
not listed there, and on any listed edge that no longer exists (so the list only shrinks).

Usage: check_layers.py [--src DIR] [--known FILE] [--doc docs/architecture.md] [--dot]
Exit 0 when every upward edge is known, 1 otherwise, 2 on a usage error.
"""
import argparse
import os
import re
import sys

# Layer order, lowest first. Files of one layer may depend on each other; a file may depend on
# any layer below its own. (layer name, path prefixes relative to src/)
LAYERS = [
    ("core", ["core/"]),
    ("crypto", ["crypto/"]),
    ("cdb", ["cdb/"]),
    ("node_services", ["node/node_services."]),
    ("net", ["net/"]),
    ("access", ["access/"]),
    ("prov_bearer", ["prov/prov_bearer.h", "prov/pb_adv.", "prov/unprov_beacon."]),
    ("prov", ["prov/"]),
    ("models", ["models/"]),
    ("node", ["node/"]),
    ("compat", ["compat/"]),
]

# struct meshrpr_node members that are one layer's state, and that layer. Everything else in
# the struct (platform, timers, adv, cfg, identity) is the node's own and read by every layer.
MEMBER_LAYER = {
    "keys": "net",
    "net": "net",
    "net_hooks": "net",
    "rpl": "net",
    "lower": "net",
    "beacon": "net",
    "access": "access",
    "pb_adv": "prov_bearer",
    "prov": "prov",
    "nppi": "prov",
    "nppi_hooks": "prov",
}


def layer_of(rel):
    for idx, (name, prefixes) in enumerate(LAYERS):
        for p in prefixes:
            if rel.startswith(p):
                return idx, name
    return None, None


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r'"(?:\\.|[^"\\\n])*"', '""', text)
    return text


INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
DEF_RE = re.compile(r"^(?!static\b)[A-Za-z_][\w \*]*?\(?\b(meshrpr_\w+)\)?\s*\([^;{]*\)\s*\{", re.M)
CALL_RE = re.compile(r"\b(meshrpr_\w+)\s*\(")
MEMBER_WRITE_RE = re.compile(
    r"node->(\w+)((?:\.\w+|\[[^\]]*\])+)\s*(=(?!=)|\+=|-=|\|=|&=|\^=|<<=|>>=|\+\+|--)"
    r"|(?:\+\+|--)\s*node->(\w+)\."
    r"|\b(?:memset|memcpy|meshrpr_crypto_wipe)\s*\(\s*&?\s*node->(\w+)\b"
)


def scan(src):
    files = {}
    for root, _, names in os.walk(src):
        for n in sorted(names):
            if n.endswith((".c", ".h")):
                path = os.path.join(root, n)
                rel = os.path.relpath(path, src).replace(os.sep, "/")
                with open(path, encoding="utf-8") as f:
                    files[rel] = strip_comments(f.read())
    raw = {}
    for rel in files:
        with open(os.path.join(src, rel), encoding="utf-8") as f:
            raw[rel] = f.read()
    defs = {}
    for rel, text in files.items():
        if rel.endswith(".c"):
            for m in DEF_RE.finditer(text):
                defs.setdefault(m.group(1), rel)
    edges = set()
    for rel, text in files.items():
        for m in INCLUDE_RE.finditer(raw[rel]):
            target = m.group(1)
            if target in files and target != rel:
                edges.add(("include", rel, target))
        for m in CALL_RE.finditer(text):
            target = defs.get(m.group(1))
            if target is not None and target != rel:
                edges.add(("call", rel, target))
        for m in MEMBER_WRITE_RE.finditer(text):
            member = m.group(1) or m.group(4) or m.group(5)
            owner = MEMBER_LAYER.get(member)
            if owner is not None:
                edges.add(("write", rel, "node->" + member))
    return files, edges


def target_layer(target):
    if target.startswith("node->"):
        name = MEMBER_LAYER[target[len("node->"):]]
        return [n for n, _ in LAYERS].index(name), name
    return layer_of(target)


def bad_edges(edges):
    out = []
    for kind, a, b in sorted(edges):
        ia, la = layer_of(a)
        ib, lb = target_layer(b)
        if ia is None or ib is None:
            continue
        if kind == "write":
            if la != lb:
                out.append((kind, a, b, la, lb))
        elif ib > ia:
            out.append((kind, a, b, la, lb))
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", default=os.path.join(here, "..", "..", "src"))
    ap.add_argument("--known", default=os.path.join(here, "known_upward.txt"))
    ap.add_argument("--doc", help="docs/architecture.md: its 'layer order:' line must match")
    ap.add_argument("--dot", action="store_true", help="print the layer graph (allowed edges)")
    args = ap.parse_args()
    order = "layer order: " + " < ".join(n for n, _ in LAYERS)
    if args.doc:
        with open(args.doc, encoding="utf-8") as f:
            doc_lines = [line.strip() for line in f if line.strip().startswith("layer order:")]
        if doc_lines != [order]:
            print(f"{args.doc} must have exactly one line '{order}' (has {doc_lines})")
            return 1
    files, edges = scan(args.src)
    unmapped = [f for f in files if layer_of(f)[0] is None]
    if unmapped:
        print("files in no layer (add them to LAYERS): " + ", ".join(unmapped))
        return 1
    if args.dot:
        pairs = set()
        for kind, a, b in edges:
            la, lb = layer_of(a)[1], target_layer(b)[1]
            if la != lb:
                pairs.add((la, lb))
        for la, lb in sorted(pairs):
            print(f"{la} -> {lb}")
        return 0
    known = set()
    if os.path.exists(args.known):
        with open(args.known, encoding="utf-8") as f:
            for line in f:
                line = line.split("#", 1)[0].strip()
                if line:
                    kind, rest = line.split(None, 1)
                    a, b = [s.strip() for s in rest.split(" -> ")]
                    known.add((kind, a, b))
    bad = bad_edges(edges)
    found = {(k, a, b) for k, a, b, _, _ in bad}
    new = [e for e in bad if (e[0], e[1], e[2]) not in known]
    gone = sorted(known - found)
    counts = {}
    for k, _, _, _, _ in bad:
        counts[k] = counts.get(k, 0) + 1
    print(order)
    print(f"{len(files)} files, {len(edges)} dependencies; upward or cross-layer: {len(bad)} "
          f"(include {counts.get('include', 0)}, call {counts.get('call', 0)}, "
          f"write {counts.get('write', 0)}); known {len(known)}")
    for k, a, b, la, lb in new:
        print(f"NEW UPWARD {k} {a} ({la}) -> {b} ({lb})")
    for k, a, b in gone:
        print(f"GONE (remove from {os.path.basename(args.known)}): {k} {a} -> {b}")
    if new or gone:
        return 1
    print("OK: no upward dependency beyond the known list")
    return 0


if __name__ == "__main__":
    sys.exit(main())

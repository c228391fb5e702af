#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The demo's shapes up to the tool's largest (issue #12): for every server count 1..12 the most
# devices the tool accepts with it (4 per server, at most 30 nodes besides the provisioner),
# seeds 1..SEEDS at each loss level; prints each shape's successes and the failed runs.
#   bench/demo_shapes.sh build/tools/meshrpr/meshrpr [SEEDS] [LOSS...]   (default 10, 0 0.2)
set -u
meshrpr=${1:?usage: demo_shapes.sh MESHRPR [SEEDS] [LOSS...]}
seeds=${2:-10}
shift $(($# >= 2 ? 2 : 1))
losses=${*:-0 0.2}
total=0
ok=0
for loss in $losses; do
    for s in $(seq 1 12); do
        d=$((4 * s))
        [ $((30 - s)) -lt $d ] && d=$((30 - s))
        n=0
        for seed in $(seq 1 "$seeds"); do
            total=$((total + 1))
            if "$meshrpr" demo --servers "$s" --devices "$d" --loss "$loss" --seed "$seed" 2>&1 |
                grep -q '^result: success'; then
                n=$((n + 1))
                ok=$((ok + 1))
            else
                echo "  failed: demo --servers $s --devices $d --loss $loss --seed $seed"
            fi
        done
        echo "loss $loss, $s servers, $d devices: $n/$seeds"
    done
done
echo "all shapes: $ok/$total runs succeeded"
[ "$ok" -eq "$total" ]

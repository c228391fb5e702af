/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Remote provisioning benchmark: from the deterministic simulator, the simulated time and the
 * number of radio packets (every advertising PDU any node put on air, each repeat counted) that
 * remote provisionings take with the real Remote Provisioning Client and Server:
 *  - one device through a server 1 hop and 3 hops away (relays in between), without loss and
 *    with 20 % loss on every link, over many seeds;
 *  - 20 devices through 4 servers at once (5 per server, one link per server at a time), with
 *    the default Network Transmit (3 transmissions) and with 1 transmission.
 * Times run from the bt_mesh_provision_remote() call to the end of the PB-Remote link (the
 * node is in the database and every link is closed). A failed attempt (link lost, timeouts) is
 * counted and retried.
 *
 * "bench_rpr --one" runs one provisioning (1 hop, no loss) inside bench_provision_once() only,
 * for counting host instructions with valgrind:
 *   valgrind --tool=callgrind --toggle-collect=bench_provision_once ./bench_rpr --one
 * counts all three simulated nodes (provisioner, server, device) and the simulator;
 *   valgrind --tool=callgrind --toggle-collect='bench_prov_node_*' ./bench_rpr --one
 * counts the provisioner node alone (everything the simulator hands it).
 * With BENCH_DEBUG set in the environment, an unfinished 20-device run says how far it got.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <meshrpr/mesh.h>

#include "rpr_world.h"

#define SEEDS           20
#define ATTEMPT_MAX_MS  300000u
#define FARM_SERVERS    4
#define FARM_PER_SERVER 5

struct stats {
    unsigned runs;
    unsigned ok;
    unsigned attempts;
    uint64_t t_sum_ms, t_min_ms, t_max_ms;
    uint64_t p_sum, p_min, p_max;
};

static void stats_add(struct stats *s, uint64_t t_ms, uint64_t packets)
{
    if (s->ok == 0 || t_ms < s->t_min_ms) {
        s->t_min_ms = t_ms;
    }
    if (s->ok == 0 || packets < s->p_min) {
        s->p_min = packets;
    }
    if (t_ms > s->t_max_ms) {
        s->t_max_ms = t_ms;
    }
    if (packets > s->p_max) {
        s->p_max = packets;
    }
    s->t_sum_ms += t_ms;
    s->p_sum += packets;
    s->ok++;
}

static void stats_print(const char *label, const struct stats *s)
{
    if (s->ok == 0) {
        printf("%-34s  no run succeeded (%u runs)\n", label, s->runs);
        return;
    }
    printf("%-34s  %3u/%-3u %5u  %8.2f %8.2f %8.2f  %7.0f %6llu %6llu\n", label, s->ok, s->runs,
           s->attempts, (double)s->t_sum_ms / s->ok / 1000.0, (double)s->t_min_ms / 1000.0,
           (double)s->t_max_ms / 1000.0, (double)s->p_sum / s->ok, (unsigned long long)s->p_min,
           (unsigned long long)s->p_max);
}

static bool links_free(struct rpr_world *w, void *arg)
{
    (void)arg;
    return meshrpr_rpr_cli_link_count(rw_cli(w)) == 0 && !meshrpr_prov_is_busy(&rw_prov(w)->node);
}

/* A chain provisioner - (hops - 1 relays) - server - device; returns server and device. */
static struct rpr_world *chain(uint64_t seed, int hops, double loss, int *s, int *d)
{
    struct rpr_world *w = rw_new(seed);
    uint8_t uuid[16];
    int prev = 0;

    if (w == NULL) {
        exit(1);
    }
    for (int h = 1; h < hops; h++) {
        int r = rw_add_relay(w, (uint16_t)(0x0100 + h));
        rw_link(w, prev, r, loss);
        prev = r;
    }
    *s = rw_add_server(w, 0x0010);
    rw_link(w, prev, *s, loss);
    for (int k = 0; k < 16; k++) {
        uuid[k] = (uint8_t)(0x30 + k + seed);
    }
    *d = rw_add_device(w, uuid, 0, NULL);
    rw_link(w, *s, *d, loss);
    rw_run(w, 1000);
    return w;
}

/* One remote provisioning, retried after a failed attempt. @return whether it succeeded. */
static bool provision(struct rpr_world *w, int s, int d, unsigned *attempts)
{
    struct bt_mesh_rpr_node srv = rw_srv(w, s);

    for (int tries = 0; tries < 5; tries++) {
        (*attempts)++;
        if (bt_mesh_provision_remote(rw_cli(w), &srv, w->nodes[d].uuid, RW_NET_IDX, 0) == 0) {
            (void)rw_run_until(w, links_free, NULL, ATTEMPT_MAX_MS);
        } else {
            rw_run(w, 1000);
        }
        if (meshrpr_node_is_provisioned(&w->nodes[d].node) && links_free(w, NULL)) {
            return true;
        }
        /* The server and the device need a moment to drop what remains of the link. */
        rw_run(w, 5000);
    }
    return false;
}

static void bench_chain(int hops, double loss)
{
    struct stats st = { 0 };
    char label[64];

    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        int s, d;
        struct rpr_world *w = chain(0xbe0c0000 + seed, hops, loss, &s, &d);
        uint64_t p0 = rw_packets(w);
        uint64_t t0 = rw_now_ms(w);

        st.runs++;
        if (provision(w, s, d, &st.attempts)) {
            stats_add(&st, rw_now_ms(w) - t0, rw_packets(w) - p0);
        }
        rw_free(w);
    }
    snprintf(label, sizeof(label), "1 device, %d hop%s, %2.0f %% loss", hops, hops > 1 ? "s" : "",
             loss * 100.0);
    stats_print(label, &st);
}

/* 20 devices through 4 servers: each server provisions its devices one after another, the four
 * servers at the same time. */
static void bench_farm(bool single_transmit)
{
    struct stats st = { 0 };
    char label[64];

    for (uint64_t seed = 1; seed <= SEEDS / 4; seed++) {
        struct rpr_world *w = rw_new(0xfa000000 + seed);
        int srv[FARM_SERVERS];
        int dev[FARM_SERVERS][FARM_PER_SERVER];
        int next[FARM_SERVERS] = { 0 };
        unsigned done = 0;
        uint64_t p0, t0;

        if (w == NULL) {
            exit(1);
        }
        if (single_transmit) {
            meshrpr_node_net_transmit_set(&rw_prov(w)->node, BT_MESH_TRANSMIT(0, 20));
        }
        for (int i = 0; i < FARM_SERVERS; i++) {
            srv[i] = rw_add_server(w, (uint16_t)(0x0010 + i));
            rw_link(w, 0, srv[i], 0.0);
            if (single_transmit) {
                meshrpr_node_net_transmit_set(&w->nodes[srv[i]].node, BT_MESH_TRANSMIT(0, 20));
            }
            for (int k = 0; k < FARM_PER_SERVER; k++) {
                uint8_t uuid[16];
                for (int b = 0; b < 16; b++) {
                    uuid[b] = (uint8_t)(0x11 * i + 0x05 * k + b + seed);
                }
                dev[i][k] = rw_add_device(w, uuid, 0, NULL);
                rw_link(w, srv[i], dev[i][k], 0.0);
            }
        }
        rw_run(w, 1000);
        p0 = rw_packets(w);
        t0 = rw_now_ms(w);
        st.runs++;
        while (done < FARM_SERVERS * FARM_PER_SERVER && rw_now_ms(w) - t0 < 3600000u) {
            for (int i = 0; i < FARM_SERVERS; i++) {
                struct bt_mesh_rpr_node srv_node = rw_srv(w, srv[i]);
                int d;
                int err;

                while (next[i] < FARM_PER_SERVER &&
                       meshrpr_node_is_provisioned(&w->nodes[dev[i][next[i]]].node)) {
                    next[i]++;
                    done++;
                }
                if (next[i] >= FARM_PER_SERVER) {
                    continue;
                }
                d = dev[i][next[i]];
                /* -EBUSY while this server's link is still in use. */
                err =
                    bt_mesh_provision_remote(rw_cli(w), &srv_node, w->nodes[d].uuid, RW_NET_IDX, 0);
                if (err == 0 || (err != -EBUSY && err != -ENOMEM)) {
                    st.attempts++;
                }
            }
            rw_run(w, 100);
        }
        (void)rw_run_until(w, links_free, NULL, ATTEMPT_MAX_MS);
        if (done == FARM_SERVERS * FARM_PER_SERVER) {
            stats_add(&st, rw_now_ms(w) - t0, rw_packets(w) - p0);
        } else if (getenv("BENCH_DEBUG") != NULL) {
            fprintf(stderr, "farm seed %llu: %u of 20 after %llu ms\n", (unsigned long long)seed,
                    done, (unsigned long long)(rw_now_ms(w) - t0));
        }
        rw_free(w);
    }
    snprintf(label, sizeof(label), "20 devices, 4 servers, %s",
             single_transmit ? "NT 1x" : "NT 3x");
    stats_print(label, &st);
}

/* One provisioning, 1 hop, no loss: the only code callgrind counts with
 * --toggle-collect=bench_provision_once. */
__attribute__((noinline)) void bench_provision_once(struct rpr_world *w, int s, int d,
                                                    unsigned *attempts);
__attribute__((noinline)) void bench_provision_once(struct rpr_world *w, int s, int d,
                                                    unsigned *attempts)
{
    if (!provision(w, s, d, attempts)) {
        fprintf(stderr, "provisioning failed\n");
        exit(1);
    }
}

/* The provisioner node's work, separately: the simulator reaches it only through these two
 * functions (--toggle-collect='bench_prov_node_*'). */
__attribute__((noinline)) void bench_prov_node_process(void *node);
__attribute__((noinline)) void bench_prov_node_process(void *node)
{
    meshrpr_node_process(node);
}

__attribute__((noinline)) void bench_prov_node_report(void *node,
                                                      const struct meshrpr_adv_report *report);
__attribute__((noinline)) void bench_prov_node_report(void *node,
                                                      const struct meshrpr_adv_report *report)
{
    meshrpr_node_scan_recv(node, report);
}

static uint64_t prov_node_deadline(void *node)
{
    return meshrpr_node_next_deadline_ms(node);
}

__attribute__((noinline)) void bench_prov_node_adv_sent(void *node, uint32_t tx_id);
__attribute__((noinline)) void bench_prov_node_adv_sent(void *node, uint32_t tx_id)
{
    meshrpr_node_adv_sent(node, tx_id);
}

static const struct meshrpr_sim_node_ops prov_node_ops = {
    .adv_report = bench_prov_node_report,
    .next_deadline_ms = prov_node_deadline,
    .process = bench_prov_node_process,
    .adv_sent = bench_prov_node_adv_sent,
};

static int run_one(void)
{
    unsigned attempts = 0;
    int s, d;
    struct rpr_world *w = chain(0xbe0c0001, 1, 0.0, &s, &d);
    clock_t c0 = clock();

    (void)meshrpr_sim_node_set_ops(&w->sim, w->nodes[0].sim_id, &prov_node_ops, &w->nodes[0].node);

    bench_provision_once(w, s, d, &attempts);
    printf("one provisioning (1 hop, no loss): %.1f ms of host CPU, %u attempt(s)\n",
           (double)(clock() - c0) * 1000.0 / CLOCKS_PER_SEC, attempts);
    rw_free(w);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--one") == 0) {
        return run_one();
    }
    printf("Remote provisioning in the simulator (meshrpr bench_rpr)\n");
    printf("time: from bt_mesh_provision_remote() to the end of the link, in simulated seconds\n");
    printf("packets: advertising PDUs put on air by every node, repeats included\n\n");
    printf("%-34s  %-7s %5s  %8s %8s %8s  %7s %6s %6s\n", "scenario", "ok/runs", "tries", "mean s",
           "min s", "max s", "packets", "min", "max");
    bench_chain(1, 0.0);
    bench_chain(3, 0.0);
    bench_chain(1, 0.2);
    bench_chain(3, 0.2);
    bench_farm(false);
    bench_farm(true);
    return 0;
}

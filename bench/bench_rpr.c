/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Remote provisioning benchmark: from the deterministic simulator, the simulated time and the
 * number of radio packets (every advertising PDU any node put on air, each repeat counted) that
 * remote provisionings take with the real Remote Provisioning Client and Server:
 *  - one device through a server 1 hop and 3 hops away (relays in between), with the CMAC and
 *    the HMAC algorithm, against the protocol floor computed from the settings in use
 *    (floor_ms(); derivation in docs/performance.md, "Protocol floor");
 *  - the same with 0, 10, 20 and 30 % loss on every link, over many seeds;
 *  - 20 devices through 4 servers at once (5 per server, one link per server at a time), with
 *    the default Network Transmit (3 transmissions) and with 1 transmission.
 * Times run from the bt_mesh_provision_remote() call to the end of the PB-Remote link (the
 * node is in the database and every link is closed). A failed attempt (link lost, timeouts) is
 * counted and retried.
 *
 * "bench_rpr --one [cmac|hmac]" runs one provisioning (1 hop, no loss) inside
 * bench_provision_once() only, then the crypto floor of one provisioning (two P-256 key
 * generations, two ECDH, the confirmation, salt, session-key and Provisioning Data CMAC/HMAC
 * and CCM work of both sides, with the same Mbed TLS) inside bench_crypto_floor(), for counting
 * host instructions with valgrind; bench/instructions.sh does that for both algorithms and
 * prints the ratio:
 *   valgrind --tool=callgrind --toggle-collect=bench_provision_once ./bench_rpr --one
 * counts all three simulated nodes (provisioner, server, device) and the simulator;
 *   valgrind --tool=callgrind --toggle-collect='bench_prov_node_*' ./bench_rpr --one
 * counts the provisioner node alone (everything the simulator hands it).
 * With BENCH_DEBUG set in the environment, an unfinished 20-device run says how far it got;
 * BENCH_LOG=<0..4> prints the log of the --one run.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <meshrpr/mesh.h>

#include "crypto/crypto.h"
#include "net/lower_transport.h"
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
        printf("%-40s  no run succeeded (%u runs)\n", label, s->runs);
        return;
    }
    printf("%-40s  %3u/%-3u %5u  %8.2f %8.2f %8.2f  %7.0f %6llu %6llu\n", label, s->ok, s->runs,
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
static struct rpr_world *chain(uint64_t seed, int hops, double loss, uint8_t alg, int *s, int *d)
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
    /* The algorithm the device offers is the one used (§5.4.2.3: HMAC whenever offered). */
    w->nodes[*d].prov.algorithms = (uint16_t)BIT(alg);
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

/* ---- Protocol floor (docs/performance.md, "Protocol floor") ---------------------------------
 */

/* Segments of an access message of n octets sent segmented: a 32-bit TransMIC, 12 octets a
 * segment (MshPRTv1.1 §3.5.2.2). Reports and PDU Sends always go segmented (acknowledged). */
static unsigned access_segments(size_t n)
{
    return (unsigned)((n + 4 + 11) / 12);
}

/* Generic Provisioning segments of a Provisioning PDU: 20 octets, then 23 a continuation. */
static unsigned pb_adv_segments(size_t len)
{
    return len <= 20 ? 1u : 1u + (unsigned)((len - 20 + 22) / 23);
}

/*
 * The time the protocol forces on one remote provisioning with the settings of the nodes in
 * use, counting only what no implementation can overlap: every segment after the first of each
 * segmented message on the critical path waits the sender's SAR segment interval; every PB-ADV
 * segment after the first waits for the copies of the one before (data_count transmissions
 * tx_interval apart); the Link Close burst (close_count transmissions) has left before the
 * server reports the link closed. Everything else (first copies, relays, acknowledgments,
 * report delays, advertising delays) counts as zero, so this is a lower bound.
 */
static uint64_t floor_ms(struct rpr_world *w, int s, int d, uint8_t alg)
{
    const size_t v = alg == BT_MESH_PROV_AUTH_HMAC_SHA256_AES_CCM ? 32 : 16;
    /* Provisioning PDUs (type octet included), MshPRTv1.1 §5.4.1, no OOB. */
    const size_t to_device[] = { 2, 6, 65, 1 + v, 1 + v, 34 }; /* Invite .. Data */
    const size_t to_prov[] = { 12, 65, 1 + v, 1 + v, 1 };      /* Capabilities .. Complete */
    struct meshrpr_sar_tx_state cli_sar, srv_sar;
    struct meshrpr_pb_adv_timing srv_t, dev_t;
    uint64_t t = 0;

    meshrpr_lower_transport_sar_tx_get(&rw_prov(w)->node, &cli_sar);
    meshrpr_lower_transport_sar_tx_get(&w->nodes[s].node, &srv_sar);
    meshrpr_pb_adv_timing_get(&w->nodes[s].node, &srv_t);
    meshrpr_pb_adv_timing_get(&w->nodes[d].node, &dev_t);
    const uint64_t cli_seg_ms = (cli_sar.seg_int_step + 1u) * 10u;
    const uint64_t srv_seg_ms = (srv_sar.seg_int_step + 1u) * 10u;
    const uint64_t srv_pb_ms = (uint64_t)srv_t.data_count * srv_t.tx_interval_ms;
    const uint64_t dev_pb_ms = (uint64_t)dev_t.data_count * dev_t.tx_interval_ms;

    /* Link Open: opcode (2) + UUID (16). */
    t += (access_segments(2 + 16) - 1) * cli_seg_ms;
    /* PDU Send: opcode (2) + OutboundPDUNumber + PDU; PB-ADV to the device. */
    for (size_t i = 0; i < sizeof(to_device) / sizeof(to_device[0]); i++) {
        t += (access_segments(3 + to_device[i]) - 1) * cli_seg_ms;
        t += (pb_adv_segments(to_device[i]) - 1) * srv_pb_ms;
    }
    /* PB-ADV from the device; PDU Report: opcode (2) + InboundPDUNumber + PDU. */
    for (size_t i = 0; i < sizeof(to_prov) / sizeof(to_prov[0]); i++) {
        t += (pb_adv_segments(to_prov[i]) - 1) * dev_pb_ms;
        t += (access_segments(3 + to_prov[i]) - 1) * srv_seg_ms;
    }
    /* Link Close: the server's burst. */
    t += (uint64_t)(srv_t.close_count - 1) * srv_t.tx_interval_ms;
    return t;
}

static const char *alg_name(uint8_t alg)
{
    return alg == BT_MESH_PROV_AUTH_HMAC_SHA256_AES_CCM ? "HMAC" : "CMAC";
}

static void bench_chain(int hops, double loss, uint8_t alg, bool with_floor)
{
    struct stats st = { 0 };
    uint64_t floor_sum = 0;
    char label[64];

    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        int s, d;
        struct rpr_world *w = chain(0xbe0c0000 + seed, hops, loss, alg, &s, &d);
        uint64_t p0 = rw_packets(w);
        uint64_t t0 = rw_now_ms(w);

        st.runs++;
        floor_sum += floor_ms(w, s, d, alg);
        if (provision(w, s, d, &st.attempts)) {
            stats_add(&st, rw_now_ms(w) - t0, rw_packets(w) - p0);
        }
        rw_free(w);
    }
    snprintf(label, sizeof(label), "1 device, %s, %d hop%s, %2.0f %% loss", alg_name(alg), hops,
             hops > 1 ? "s" : "", loss * 100.0);
    stats_print(label, &st);
    if (with_floor && st.ok > 0) {
        const double mean_s = (double)st.t_sum_ms / st.ok / 1000.0;
        const double floor_s = (double)floor_sum / st.runs / 1000.0;
        printf("%-40s  actual %.2f s, floor %.2f s, ratio %.2f\n", "", mean_s, floor_s,
               mean_s / floor_s);
    }
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

/* The crypto floor of one provisioning, both sides, with the stack's own Mbed TLS calls: two
 * P-256 key generations, two ECDH, and per side ConfirmationSalt, ConfirmationKey, its own
 * Confirmation and the check of the peer's, ProvisioningSalt, SessionKey, SessionNonce and
 * DevKey; the Provisioning Data encrypted once and decrypted once (AES-CCM). The only code
 * callgrind counts with --toggle-collect=bench_crypto_floor. */
__attribute__((noinline)) int bench_crypto_floor(const struct meshrpr_platform *platform,
                                                 uint8_t alg);
__attribute__((noinline)) int bench_crypto_floor(const struct meshrpr_platform *platform,
                                                 uint8_t alg)
{
    const enum meshrpr_prov_alg a = (enum meshrpr_prov_alg)alg;
    uint8_t priv[2][32], pub[2][64], ecdh[2][32], inputs[145] = { 0 }, random[2][32] = { { 1 } };
    uint8_t auth[32] = { 0 }, csalt[32], ckey[32], conf[32], psalt[16], skey[16], nonce[13];
    uint8_t dev_key[16], data[25] = { 0 }, enc[25], mic[8];
    int err = 0;

    for (int i = 0; i < 2; i++) {
        err |= meshrpr_crypto_p256_keygen(platform, priv[i], pub[i]);
    }
    for (int i = 0; i < 2; i++) {
        err |= meshrpr_crypto_ecdh(platform, priv[i], pub[1 - i], ecdh[i]);
    }
    for (int i = 0; i < 2; i++) {
        err |= meshrpr_crypto_prov_confirmation_salt(a, inputs, csalt);
        err |= meshrpr_crypto_prov_confirmation_key(a, ecdh[i], csalt, auth, ckey);
        err |= meshrpr_crypto_prov_confirmation(a, ckey, random[i], auth, conf);
        err |= meshrpr_crypto_prov_confirmation(a, ckey, random[1 - i], auth, conf);
        err |= meshrpr_crypto_prov_salt(a, csalt, random[0], random[1], psalt);
        err |= meshrpr_crypto_prov_session_key(ecdh[i], psalt, skey);
        err |= meshrpr_crypto_prov_session_nonce(ecdh[i], psalt, nonce);
        err |= meshrpr_crypto_prov_dev_key(ecdh[i], psalt, dev_key);
        if (i == 0) {
            err |= meshrpr_crypto_prov_data_encrypt(skey, nonce, data, enc, mic);
        } else {
            err |= meshrpr_crypto_prov_data_decrypt(skey, nonce, enc, mic, data);
        }
    }
    return err;
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

static int run_one(uint8_t alg)
{
    unsigned attempts = 0;
    int s, d;
    struct rpr_world *w = chain(0xbe0c0001, 1, 0.0, alg, &s, &d);
    clock_t c0 = clock();

    (void)meshrpr_sim_node_set_ops(&w->sim, w->nodes[0].sim_id, &prov_node_ops, &w->nodes[0].node);
    if (getenv("BENCH_LOG") != NULL) {
        meshrpr_sim_set_log(&w->sim, (enum meshrpr_log_level)atoi(getenv("BENCH_LOG")), NULL, NULL);
    }

    bench_provision_once(w, s, d, &attempts);
    printf("one provisioning (%s, 1 hop, no loss): %.1f ms of host CPU, %u attempt(s)\n",
           alg_name(alg), (double)(clock() - c0) * 1000.0 / CLOCKS_PER_SEC, attempts);
    c0 = clock();
    if (bench_crypto_floor(&w->nodes[d].node.platform, alg) != 0) {
        fprintf(stderr, "crypto floor failed\n");
        rw_free(w);
        return 1;
    }
    printf("crypto floor (%s): %.1f ms of host CPU\n", alg_name(alg),
           (double)(clock() - c0) * 1000.0 / CLOCKS_PER_SEC);
    rw_free(w);
    return 0;
}

int main(int argc, char **argv)
{
    static const uint8_t algs[] = { BT_MESH_PROV_AUTH_CMAC_AES128_AES_CCM,
                                    BT_MESH_PROV_AUTH_HMAC_SHA256_AES_CCM };
    static const double losses[] = { 0.1, 0.2, 0.3 };

    if (argc > 1 && strcmp(argv[1], "--one") == 0) {
        const bool cmac = argc > 2 && strcmp(argv[2], "cmac") == 0;
        return run_one(cmac ? BT_MESH_PROV_AUTH_CMAC_AES128_AES_CCM
                            : BT_MESH_PROV_AUTH_HMAC_SHA256_AES_CCM);
    }
    printf("Remote provisioning in the simulator (meshrpr bench_rpr)\n");
    printf("time: from bt_mesh_provision_remote() to the end of the link, in simulated seconds\n");
    printf("packets: advertising PDUs put on air by every node, repeats included\n");
    printf("floor: what the protocol forces with the settings in use (docs/performance.md)\n\n");
    printf("%-40s  %-7s %5s  %8s %8s %8s  %7s %6s %6s\n", "scenario", "ok/runs", "tries", "mean s",
           "min s", "max s", "packets", "min", "max");
    for (size_t a = 0; a < sizeof(algs); a++) {
        bench_chain(1, 0.0, algs[a], true);
        bench_chain(3, 0.0, algs[a], true);
    }
    for (size_t l = 0; l < sizeof(losses) / sizeof(losses[0]); l++) {
        for (size_t a = 0; a < sizeof(algs); a++) {
            bench_chain(1, losses[l], algs[a], false);
            bench_chain(3, losses[l], algs[a], false);
        }
    }
    bench_farm(false);
    bench_farm(true);
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
/*
 * The POSIX host (include/meshrpr/posix_host.h) on the real clock.
 *
 * Radio: a datagram socketpair per link, one datagram = AD type + AD data (the framing of
 * BlueZ meshd's unit IO), written by a small adv_tx backend below. Two provisioned nodes talk
 * through it with blocking Configuration Client calls; raw socket ends check what the host
 * puts on air (FIFO order, repeat count, interval), and an adv_start backend checks that the
 * host hands over one PDU at a time and survives a refused PDU. Timing bounds are loose
 * (tens of ms) because the machine is shared; the checks are of order and lower bounds.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <meshrpr/cfg_cli.h>
#include <meshrpr/cfg_srv.h>
#include <meshrpr/node.h>
#include <meshrpr/posix_host.h>

#include "test_util.h"

#define A_ADDR 0x0001
#define B_ADDR 0x0100

static const uint8_t net_key[16] = { 0x7d, 0xd7, 0x36, 0x4c, 0xd8, 0x42, 0xad, 0x18,
                                     0xc1, 0x7c, 0x2b, 0x82, 0x0c, 0x84, 0xc3, 0xd6 };
static const uint8_t a_dev_key[16] = { 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
                                       0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf };
static const uint8_t b_dev_key[16] = { 0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7,
                                       0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf };

static struct bt_mesh_cfg_cli cli;

static const struct bt_mesh_model a_models[] = {
    BT_MESH_MODEL_CFG_SRV,
    BT_MESH_MODEL_CFG_CLI(&cli),
};
static const struct bt_mesh_elem a_elems[] = {
    BT_MESH_ELEM(0x0001, a_models, BT_MESH_MODEL_NONE),
};
static const struct bt_mesh_comp a_comp = {
    .cid = 0x05f1, .pid = 1, .vid = 1, .elem_count = 1, .elem = a_elems
};
static const struct bt_mesh_model b_models[] = {
    BT_MESH_MODEL_CFG_SRV,
    BT_MESH_MODEL(0x1000, NULL, NULL, NULL),
    BT_MESH_MODEL(0x1001, NULL, NULL, NULL),
    BT_MESH_MODEL(0x1002, NULL, NULL, NULL),
    BT_MESH_MODEL(0x1003, NULL, NULL, NULL),
    BT_MESH_MODEL(0x1004, NULL, NULL, NULL),
};
static const struct bt_mesh_elem b_elems[] = {
    BT_MESH_ELEM(0x0001, b_models, BT_MESH_MODEL_NONE),
};
static const struct bt_mesh_comp b_comp = {
    .cid = 0x05f1, .pid = 2, .vid = 1, .elem_count = 1, .elem = b_elems
};

/* ---- A datagram radio: adv_tx writes AD type + data; what arrives goes to the node ------ */

struct dgram_radio {
    struct meshrpr_posix_radio radio;
    int fd;
    unsigned tx;
    unsigned rx;
};

static int dgram_adv_tx(void *ctx, uint8_t ad_type, const uint8_t *data, size_t len)
{
    struct dgram_radio *d = ctx;
    uint8_t pkt[1 + MESHRPR_POSIX_AD_DATA_MAX];

    pkt[0] = ad_type;
    memcpy(pkt + 1, data, len);
    if (send(d->fd, pkt, 1 + len, MSG_DONTWAIT) < 0) {
        return -errno;
    }
    d->tx++;
    return 0;
}

static void dgram_readable(void *ctx, int fd, short revents)
{
    struct dgram_radio *d = ctx;
    uint8_t pkt[64];

    (void)revents;
    for (;;) {
        ssize_t n = recv(fd, pkt, sizeof(pkt), MSG_DONTWAIT);
        if (n <= 0) {
            return;
        }
        d->rx++;
        meshrpr_posix_radio_adv_recv(&d->radio, pkt[0], pkt + 1, (size_t)n - 1, -40);
    }
}

static const struct meshrpr_posix_radio_ops dgram_ops = {
    .adv_tx = dgram_adv_tx,
};

static void dgram_radio_init(struct dgram_radio *d, int fd)
{
    memset(d, 0, sizeof(*d));
    d->radio.ops = &dgram_ops;
    d->radio.ctx = d;
    d->fd = fd;
}

/* ---- Fixture ----------------------------------------------------------------------------- */

struct tnode {
    struct meshrpr_node node;
    struct meshrpr_node_config cfg;
    struct dgram_radio radio;
};

struct fixture {
    struct meshrpr_posix_host host;
    struct tnode a;
    struct tnode b;
    int sp[2];
    FILE *log;
};

static int dev_key_get(void *ctx, uint16_t addr, uint8_t dev_key[16])
{
    (void)ctx;
    if (addr == B_ADDR || addr == 0x0200) { /* 0x0200: in the database, not on air */
        memcpy(dev_key, b_dev_key, 16);
        return 0;
    }
    return -ENOENT;
}

static void tnode_init(struct fixture *f, struct tnode *t, const char *name, int fd,
                       const struct bt_mesh_comp *comp)
{
    dgram_radio_init(&t->radio, fd);
    assert_int_equal(
        meshrpr_posix_host_node_add(&f->host, &t->node, &t->radio.radio, name, &t->cfg.platform),
        0);
    assert_int_equal(meshrpr_posix_host_fd_add(&f->host, fd, POLLIN, dgram_readable, &t->radio), 0);
    t->cfg.comp = comp;
    t->cfg.name = name;
    t->cfg.dev_key_get = dev_key_get;
    assert_int_equal(meshrpr_node_init(&t->node, &t->cfg), 0);
}

static struct fixture *fixture_new(void)
{
    struct fixture *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    memset(&cli, 0, sizeof(cli));
    meshrpr_posix_host_init(&f->host);
    f->log = tmpfile();
    assert_non_null(f->log);
    meshrpr_posix_host_set_log(&f->host, MESHRPR_LOG_LEVEL_DBG, f->log);
    assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, f->sp), 0);
    tnode_init(f, &f->a, "A", f->sp[0], &a_comp);
    tnode_init(f, &f->b, "B", f->sp[1], &b_comp);
    return f;
}

static void fixture_free(struct fixture *f)
{
    meshrpr_node_deinit(&f->a.node);
    meshrpr_node_deinit(&f->b.node);
    assert_int_equal(meshrpr_posix_host_node_remove(&f->host, &f->a.node), 0);
    assert_int_equal(meshrpr_posix_host_node_remove(&f->host, &f->b.node), 0);
    assert_int_equal(meshrpr_posix_host_node_remove(&f->host, &f->b.node), -ENOENT);
    close(f->sp[0]);
    close(f->sp[1]);
    fclose(f->log);
    free(f);
}

/* ---- Two nodes over the socket pair, real time ------------------------------------------- */

static void cfg_over_socketpair(void **state)
{
    struct fixture *f = fixture_new();
    uint8_t ttl = 0;

    (void)state;
    assert_int_equal(meshrpr_node_provision(&f->a.node, net_key, 0, 0, 0, A_ADDR, a_dev_key), 0);
    assert_int_equal(meshrpr_node_provision(&f->b.node, net_key, 0, 0, 0, B_ADDR, b_dev_key), 0);
    meshrpr_cfg_cli_timeout_set(&cli, 5000);

    uint64_t t0 = meshrpr_posix_host_now_ms(&f->host);
    assert_int_equal(meshrpr_cfg_cli_ttl_set(&cli, 0, B_ADDR, 9, &ttl), 0);
    assert_int_equal(ttl, 9);
    ttl = 0;
    assert_int_equal(meshrpr_cfg_cli_ttl_get(&cli, 0, B_ADDR, &ttl), 0);
    assert_int_equal(ttl, 9);

    /* Composition Data of B is longer than one segment: SAR both ways on the real clock. */
    NET_BUF_SIMPLE_DEFINE(comp, 64);
    uint8_t page = 0xaa;
    assert_int_equal(meshrpr_cfg_cli_comp_data_get(&cli, 0, B_ADDR, 0, &page, &comp), 0);
    assert_int_equal(page, 0);
    /* CID 05f1, PID 0002, VID 0001, then CRPL and features; element 0 with 6 SIG models. */
    assert_hex_equal(comp.data, 6, "f1 05 02 00 01 00");
    assert_int_equal(comp.len, 10 + 4 + 6 * 2);
    assert_true(meshrpr_posix_host_now_ms(&f->host) - t0 < 5000);

    const struct meshrpr_posix_tx_stats *sa = meshrpr_posix_host_tx_stats(&f->host, &f->a.node);
    assert_non_null(sa);
    assert_true(sa->queued > 0);
    assert_true(f->b.radio.rx > 0 && f->a.radio.rx > 0);
    assert_int_equal(f->a.radio.tx, (unsigned)sa->tx);

    /* A node that is not there: the client's own timeout, not a hang. */
    meshrpr_cfg_cli_timeout_set(&cli, 300);
    assert_int_equal(meshrpr_cfg_cli_ttl_get(&cli, 0, 0x0200, &ttl), -ETIMEDOUT);
    fixture_free(f);
}

/* ---- What goes on air -------------------------------------------------------------------- */

struct rx_log {
    unsigned n;
    uint8_t first[16];
    uint64_t at_ms[16];
};

static void raw_readable(void *ctx, int fd, short revents)
{
    struct rx_log *log = ctx;
    uint8_t pkt[64];

    (void)revents;
    ssize_t n = recv(fd, pkt, sizeof(pkt), MSG_DONTWAIT);
    if (n >= 2 && log->n < 16) {
        log->first[log->n] = pkt[1];
        log->at_ms[log->n] = meshrpr_posix_host_now_ms(NULL);
        log->n++;
    }
}

static bool rx_count_reached(void *arg)
{
    const struct rx_log *log = arg;

    return log->n >= 5;
}

static void fifo_count_interval(void **state)
{
    struct fixture *f = fixture_new();
    struct rx_log log = { 0 };
    const struct meshrpr_platform *p = f->a.cfg.platform;
    const uint8_t x[] = { 0x11, 0xaa };
    const uint8_t y[] = { 0x22, 0xbb };

    (void)state;
    /* Listen on B's end ourselves, instead of node B. */
    assert_int_equal(meshrpr_posix_host_fd_add(&f->host, f->sp[1], POLLIN, raw_readable, &log), 0);
    assert_int_equal(p->adv_send(p->ctx, 0x2b, x, sizeof(x),
                                 &(struct meshrpr_adv_params){ .count = 3, .interval_ms = 30 }),
                     0);
    assert_int_equal(p->adv_send(p->ctx, 0x2b, y, sizeof(y),
                                 &(struct meshrpr_adv_params){ .count = 2, .interval_ms = 20 }),
                     0);
    assert_false(meshrpr_posix_host_tx_idle(&f->host, &f->a.node));
    uint64_t now = meshrpr_posix_host_now_ms(&f->host);
    assert_int_equal(meshrpr_posix_host_run_until(&f->host, rx_count_reached, &log, now + 2000), 0);
    /* All three copies of x before the first y: first in, first out. */
    assert_int_equal(log.n, 5);
    assert_int_equal(log.first[0], 0x11);
    assert_int_equal(log.first[1], 0x11);
    assert_int_equal(log.first[2], 0x11);
    assert_int_equal(log.first[3], 0x22);
    assert_int_equal(log.first[4], 0x22);
    /* Copies are at least the interval apart (plus up to 10 ms of advDelay). */
    assert_true(log.at_ms[1] - log.at_ms[0] >= 30);
    assert_true(log.at_ms[2] - log.at_ms[1] >= 30);
    assert_true(log.at_ms[4] - log.at_ms[3] >= 20);
    assert_true(meshrpr_posix_host_tx_idle(&f->host, &f->a.node));
    const struct meshrpr_posix_tx_stats *sa = meshrpr_posix_host_tx_stats(&f->host, &f->a.node);
    assert_int_equal(sa->queued, 2);
    assert_int_equal(sa->completed, 2);
    assert_int_equal(sa->tx, 5);

    /* Bad arguments and a full queue are refused, not dropped silently. */
    struct meshrpr_adv_params one = { .count = 1, .interval_ms = 20 };
    uint8_t big[MESHRPR_POSIX_AD_DATA_MAX + 1] = { 0 };
    assert_int_equal(p->adv_send(p->ctx, 0x2b, big, sizeof(big), &one), -EINVAL);
    assert_int_equal(
        p->adv_send(p->ctx, 0x2b, x, sizeof(x), &(struct meshrpr_adv_params){ .count = 0 }),
        -EINVAL);
    for (unsigned i = 0; i < MESHRPR_POSIX_ADV_QUEUE_LEN; i++) {
        assert_int_equal(p->adv_send(p->ctx, 0x2b, x, sizeof(x), &one), 0);
    }
    assert_int_equal(p->adv_send(p->ctx, 0x2b, x, sizeof(x), &one), -ENOBUFS);
    assert_int_equal(sa->refused, 3);
    fixture_free(f);
}

/* ---- run_until inside the loop, deadlines, stop ----------------------------------------- */

struct reenter {
    struct fixture *f;
    int ret;
    bool called;
};

static void reenter_readable(void *ctx, int fd, short revents)
{
    struct reenter *r = ctx;
    uint8_t pkt[64];
    const struct meshrpr_platform *p = r->f->a.cfg.platform;

    (void)revents;
    (void)recv(fd, pkt, sizeof(pkt), MSG_DONTWAIT);
    r->called = true;
    r->ret = p->run_until(p->ctx, NULL, NULL, meshrpr_posix_host_now_ms(NULL) + 1000);
}

static bool reenter_called(void *arg)
{
    return ((const struct reenter *)arg)->called;
}

static void run_until_in_loop(void **state)
{
    struct fixture *f = fixture_new();
    struct reenter r = { .f = f, .ret = 1 };
    const struct meshrpr_platform *p = f->a.cfg.platform;

    (void)state;
    assert_int_equal(meshrpr_posix_host_fd_add(&f->host, f->sp[1], POLLIN, reenter_readable, &r),
                     0);
    assert_int_equal(send(f->sp[0], "\x2b\x01", 2, 0), 2);
    uint64_t t0 = meshrpr_posix_host_now_ms(&f->host);
    assert_int_equal(p->run_until(p->ctx, reenter_called, &r, t0 + 2000), 0);
    assert_int_equal(r.ret, -EDEADLK);

    /* A deadline with nothing to do: -ETIMEDOUT, not before the deadline. */
    t0 = meshrpr_posix_host_now_ms(&f->host);
    assert_int_equal(p->run_until(p->ctx, NULL, NULL, t0 + 50), -ETIMEDOUT);
    uint64_t t1 = meshrpr_posix_host_now_ms(&f->host);
    assert_true(t1 - t0 >= 50 && t1 - t0 < 1000);

    /* Stop: the next run returns -EINTR at once. */
    meshrpr_posix_host_stop(&f->host);
    assert_int_equal(meshrpr_posix_host_run_until(&f->host, NULL, NULL, UINT64_MAX), -EINTR);
    fixture_free(f);
}

/* ---- An adv_start backend --------------------------------------------------------------- */

struct start_radio {
    struct meshrpr_posix_radio radio;
    unsigned started;
    unsigned active; /* PDUs the host has handed over and not seen completed */
    unsigned max_active;
    uint8_t order[8];
    uint64_t done_at; /* completion timer */
};

static int start_adv_start(void *ctx, const struct meshrpr_posix_adv *adv)
{
    struct start_radio *s = ctx;

    if (s->started < 8) {
        s->order[s->started] = adv->data[0];
    }
    s->started++;
    if (adv->data[0] == 0xee) {
        return -EIO; /* a controller refusing this one */
    }
    s->active++;
    if (s->active > s->max_active) {
        s->max_active = s->active;
    }
    s->done_at = meshrpr_posix_host_now_ms(NULL) + (uint64_t)adv->count * adv->interval_ms;
    return 0;
}

static uint64_t start_next_deadline_ms(void *ctx)
{
    return ((const struct start_radio *)ctx)->done_at;
}

static void start_process(void *ctx)
{
    struct start_radio *s = ctx;

    s->done_at = UINT64_MAX;
    s->active--;
    meshrpr_posix_radio_adv_done(&s->radio, 0);
}

static const struct meshrpr_posix_radio_ops start_ops = {
    .adv_start = start_adv_start,
    .next_deadline_ms = start_next_deadline_ms,
    .process = start_process,
};

static bool three_started(void *arg)
{
    const struct start_radio *s = arg;

    return s->started >= 3 && s->active == 0;
}

static void adv_start_backend(void **state)
{
    struct meshrpr_posix_host host;
    struct meshrpr_node node;
    struct meshrpr_node_config cfg = { .comp = &a_comp, .name = "S" };
    struct start_radio s = { .radio = { .ops = &start_ops }, .done_at = UINT64_MAX };
    const struct meshrpr_adv_params two = { .count = 2, .interval_ms = 20 };

    (void)state;
    memset(&cli, 0, sizeof(cli));
    s.radio.ctx = &s;
    meshrpr_posix_host_init(&host);
    meshrpr_posix_host_set_log(&host, MESHRPR_LOG_LEVEL_NONE, NULL);
    assert_int_equal(meshrpr_posix_host_node_add(&host, &node, &s.radio, "S", &cfg.platform), 0);
    /* The same radio or node twice, a backend with both or neither transmit hook. */
    const struct meshrpr_platform *p2;
    assert_int_equal(meshrpr_posix_host_node_add(&host, &node, &s.radio, "S", &p2), -EBUSY);
    struct meshrpr_posix_radio_ops both = start_ops;
    both.adv_tx = dgram_adv_tx;
    struct meshrpr_posix_radio bad = { .ops = &both };
    struct meshrpr_node other;
    assert_int_equal(meshrpr_posix_host_node_add(&host, &other, &bad, "X", &p2), -EINVAL);
    assert_int_equal(meshrpr_node_init(&node, &cfg), 0);

    const struct meshrpr_platform *p = cfg.platform;
    assert_int_equal(p->adv_send(p->ctx, 0x2a, (const uint8_t[]){ 0x01 }, 1, &two), 0);
    assert_int_equal(p->adv_send(p->ctx, 0x2a, (const uint8_t[]){ 0xee }, 1, &two), 0);
    assert_int_equal(p->adv_send(p->ctx, 0x2a, (const uint8_t[]){ 0x03 }, 1, &two), 0);
    /* No scan_active_set in this backend. */
    assert_int_equal(p->scan_active_set(p->ctx, true), -ENOTSUP);
    uint64_t t0 = meshrpr_posix_host_now_ms(&host);
    assert_int_equal(meshrpr_posix_host_run_until(&host, three_started, &s, t0 + 2000), 0);
    assert_int_equal(s.order[0], 0x01);
    assert_int_equal(s.order[1], 0xee);
    assert_int_equal(s.order[2], 0x03);
    assert_int_equal(s.max_active, 1);
    /* 0x01 and 0x03 took 2 x 20 ms each on air. */
    assert_true(meshrpr_posix_host_now_ms(&host) - t0 >= 80);
    const struct meshrpr_posix_tx_stats *st = meshrpr_posix_host_tx_stats(&host, &node);
    assert_int_equal(st->completed, 2);
    assert_int_equal(st->failed, 1);
    meshrpr_node_deinit(&node);
    assert_int_equal(meshrpr_posix_host_node_remove(&host, &node), 0);
}

/* ---- Randomness, logging ----------------------------------------------------------------- */

static void random_and_log(void **state)
{
    struct fixture *f = fixture_new();
    const struct meshrpr_platform *p = f->a.cfg.platform;
    uint8_t r1[32] = { 0 };
    uint8_t r2[32] = { 0 };
    const uint8_t zero[32] = { 0 };

    (void)state;
    assert_int_equal(p->random(p->ctx, r1, sizeof(r1)), 0);
    assert_int_equal(p->random(p->ctx, r2, sizeof(r2)), 0);
    assert_memory_not_equal(r1, zero, sizeof(r1));
    assert_memory_not_equal(r1, r2, sizeof(r1));

    p->log(p->ctx, MESHRPR_LOG_LEVEL_INF, "prov", "link opened");
    meshrpr_posix_host_set_log(&f->host, MESHRPR_LOG_LEVEL_WRN, f->log);
    p->log(p->ctx, MESHRPR_LOG_LEVEL_DBG, "net", "filtered out");
    meshrpr_posix_radio_log(&f->b.radio.radio, MESHRPR_LOG_LEVEL_ERR, NULL, "code %d", 7);
    fflush(f->log);
    rewind(f->log);
    char line[256];
    bool saw_info = false;
    bool saw_err = false;
    while (fgets(line, sizeof(line), f->log) != NULL) {
        assert_null(strstr(line, "filtered out"));
        if (strstr(line, " A ") != NULL && strstr(line, " I prov ") != NULL &&
            strstr(line, "link opened\n") != NULL) {
            saw_info = true;
        }
        if (strstr(line, " B ") != NULL && strstr(line, " E radio ") != NULL &&
            strstr(line, "code 7\n") != NULL) {
            saw_err = true;
        }
    }
    assert_true(saw_info);
    assert_true(saw_err);
    fixture_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cfg_over_socketpair), cmocka_unit_test(fifo_count_interval),
        cmocka_unit_test(run_until_in_loop),   cmocka_unit_test(adv_start_backend),
        cmocka_unit_test(random_and_log),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

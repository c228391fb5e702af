/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
/*
 * The HCI backend (include/meshrpr/hci.h) against a scripted fake controller on the other end
 * of a socketpair, driven by the same POSIX host loop. Every command the backend writes is
 * compared octet for octet with the layouts of Core Spec Vol 4 Part E §7.3, §7.4 and §7.8
 * (written out here by hand from the specification, not produced by the code under test).
 * Also: the H4 reassembly, the event parsers on hand-made events, refused commands, a
 * controller that stops answering, command flow control, a closed connection, transport specs.
 * Time checks are lower bounds only (the machine is shared).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <meshrpr/cfg_srv.h>
#include <meshrpr/hci.h>
#include <meshrpr/node.h>
#include <meshrpr/posix_host.h>

#include "test_util.h"

/* ---- The fake controller ----------------------------------------------------------------- */

#define LOG_MAX 64

struct fake {
    struct meshrpr_posix_host *host;
    int fd;
    uint8_t buf[4096];
    size_t len;
    /* Every command received: the whole H4 packet. */
    uint8_t log[LOG_MAX][48];
    size_t log_len[LOG_MAX];
    uint64_t log_ms[LOG_MAX];
    size_t n;
    /* Answers. */
    uint8_t commands[64];
    uint8_t le_features[8];
    uint8_t hci_version;
    uint16_t fail_opcode;
    uint8_t fail_status;
    uint16_t silent_opcode;
    uint16_t no_credit_opcode;
};

static void fake_send(struct fake *f, const uint8_t *p, size_t n)
{
    assert_int_equal(write(f->fd, p, n), (ssize_t)n);
}

static void fake_cc(struct fake *f, uint8_t ncmd, uint16_t op, const uint8_t *ret, uint8_t ret_len)
{
    uint8_t e[3 + 3 + 80];
    e[0] = 0x04;
    e[1] = 0x0e;
    e[2] = (uint8_t)(3 + ret_len);
    e[3] = ncmd;
    e[4] = (uint8_t)(op & 0xff);
    e[5] = (uint8_t)(op >> 8);
    if (ret_len > 0) {
        memcpy(&e[6], ret, ret_len);
    }
    fake_send(f, e, 6u + ret_len);
}

static void fake_answer(struct fake *f, const uint8_t *pkt)
{
    uint16_t op = (uint16_t)(pkt[1] | pkt[2] << 8);
    uint8_t ret[80];
    uint8_t ncmd = op == f->no_credit_opcode ? 0 : 1;

    if (op == f->silent_opcode) {
        return;
    }
    memset(ret, 0, sizeof(ret));
    if (op == f->fail_opcode) {
        ret[0] = f->fail_status;
        fake_cc(f, ncmd, op, ret, 1);
        return;
    }
    switch (op) {
    case 0x1001: /* Read Local Version Information */
        ret[1] = f->hci_version;
        ret[5] = 0xf1; /* company 0x05f1 */
        ret[6] = 0x05;
        fake_cc(f, ncmd, op, ret, 9);
        break;
    case 0x1002:
        memcpy(&ret[1], f->commands, 64);
        fake_cc(f, ncmd, op, ret, 65);
        break;
    case 0x2003:
        memcpy(&ret[1], f->le_features, 8);
        fake_cc(f, ncmd, op, ret, 9);
        break;
    case 0x2036: /* status, Selected_TX_Power */
        fake_cc(f, ncmd, op, ret, 2);
        break;
    default:
        fake_cc(f, ncmd, op, ret, 1);
        break;
    }
}

static void fake_fd(void *ctx, int fd, short revents)
{
    struct fake *f = ctx;
    (void)revents;
    ssize_t n = read(fd, f->buf + f->len, sizeof(f->buf) - f->len);
    if (n <= 0) {
        (void)meshrpr_posix_host_fd_remove(f->host, fd);
        return;
    }
    f->len += (size_t)n;
    while (f->len >= 4 && f->len >= 4u + f->buf[3]) {
        size_t plen = 4u + f->buf[3];
        assert_int_equal(f->buf[0], 0x01); /* only commands go to a controller */
        assert_true(f->n < LOG_MAX);
        assert_true(plen <= sizeof(f->log[0]));
        memcpy(f->log[f->n], f->buf, plen);
        f->log_len[f->n] = plen;
        f->log_ms[f->n] = meshrpr_posix_host_now_ms(f->host);
        f->n++;
        fake_answer(f, f->buf);
        memmove(f->buf, f->buf + plen, f->len - plen);
        f->len -= plen;
    }
}

struct rig {
    struct meshrpr_posix_host host;
    struct meshrpr_hci hci;
    struct fake fake;
    int sv[2];
    /* The host runs a backend's timers for the node it is bound to. */
    struct meshrpr_node node;
    struct meshrpr_node_config cfg;
};

static const struct bt_mesh_model models[] = {
    BT_MESH_MODEL_CFG_SRV,
};
static const struct bt_mesh_elem elems[] = {
    BT_MESH_ELEM(0x0001, models, BT_MESH_MODEL_NONE),
};
static const struct bt_mesh_comp comp = {
    .cid = 0x05f1, .pid = 1, .vid = 1, .elem_count = 1, .elem = elems
};

/* A 4.2-like LE controller: the legacy LE commands (Supported Commands octets 25-26). */
static void fake_init_legacy(struct fake *f)
{
    memset(f, 0, sizeof(*f));
    f->hci_version = 0x09;
    f->commands[25] = 0xf7;
    f->commands[26] = 0xff;
}

static void fake_init_ext(struct fake *f)
{
    fake_init_legacy(f);
    f->hci_version = 0x0b;
    f->commands[36] = 0xfe;
    f->commands[37] = 0xff;
    f->le_features[1] = 0x10; /* LE Extended Advertising (bit 12) */
}

static const uint8_t addr[6] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0xc6 };

static void rig_start(struct rig *r, uint32_t timeout_ms)
{
    struct meshrpr_hci_config cfg = { .cmd_timeout_ms = timeout_ms, .static_addr_set = true };
    memcpy(cfg.static_addr, addr, 6);
    meshrpr_posix_host_init(&r->host);
    meshrpr_posix_host_set_log(&r->host, MESHRPR_LOG_LEVEL_NONE, NULL);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, r->sv), 0);
    r->fake.host = &r->host;
    r->fake.fd = r->sv[1];
    assert_int_equal(meshrpr_posix_host_fd_add(&r->host, r->sv[1], POLLIN, fake_fd, &r->fake), 0);
    assert_int_equal(meshrpr_hci_start(&r->hci, &r->host, r->sv[0], &cfg), 0);
    r->cfg.comp = &comp;
    assert_int_equal(meshrpr_posix_host_node_add(&r->host, &r->node, meshrpr_hci_radio(&r->hci),
                                                 "hci", &r->cfg.platform),
                     0);
    assert_int_equal(meshrpr_node_init(&r->node, &r->cfg), 0);
}

static void rig_stop(struct rig *r)
{
    meshrpr_node_deinit(&r->node);
    (void)meshrpr_posix_host_node_remove(&r->host, &r->node);
    meshrpr_hci_close(&r->hci);
    close(r->sv[0]);
    if (r->sv[1] >= 0) {
        close(r->sv[1]);
    }
}

static bool settled(void *arg)
{
    const struct meshrpr_hci *hci = arg;
    return meshrpr_hci_state(hci) == MESHRPR_HCI_READY ||
           meshrpr_hci_state(hci) == MESHRPR_HCI_FAILED;
}

static void run_settled(struct rig *r)
{
    (void)meshrpr_posix_host_run_until(&r->host, settled, &r->hci,
                                       meshrpr_posix_host_now_ms(&r->host) + 10000);
}

static void run_ms(struct rig *r, uint64_t ms)
{
    (void)meshrpr_posix_host_run_until(&r->host, NULL, NULL,
                                       meshrpr_posix_host_now_ms(&r->host) + ms);
}

struct count_arg {
    const uint64_t *v;
    uint64_t want;
};

static bool count_reached(void *arg)
{
    const struct count_arg *c = arg;
    return *c->v >= c->want;
}

static void run_until_count(struct rig *r, const uint64_t *v, uint64_t want)
{
    struct count_arg c = { v, want };
    (void)meshrpr_posix_host_run_until(&r->host, count_reached, &c,
                                       meshrpr_posix_host_now_ms(&r->host) + 10000);
    assert_true(*v >= want);
}

static bool fake_n_reached(void *arg)
{
    const struct count_arg *c = arg;
    return (uint64_t)((const struct fake *)c->v)->n >= c->want;
}

static void run_until_cmds(struct rig *r, size_t n)
{
    struct count_arg c = { (const uint64_t *)(const void *)&r->fake, n };
    (void)meshrpr_posix_host_run_until(&r->host, fake_n_reached, &c,
                                       meshrpr_posix_host_now_ms(&r->host) + 10000);
    assert_true(r->fake.n >= n);
}

#define ASSERT_CMD(f, i, ...)                                                                      \
    do {                                                                                           \
        const uint8_t want_[] = { __VA_ARGS__ };                                                   \
        assert_true((i) < (f)->n);                                                                 \
        assert_int_equal((f)->log_len[i], sizeof(want_));                                          \
        assert_memory_equal((f)->log[i], want_, sizeof(want_));                                    \
    } while (0)

/* The bring-up every controller gets first: Reset, Read Local Version Information, Read Local
 * Supported Commands, LE Read Local Supported Features, Set Event Mask (Hardware Error bit 15,
 * LE Meta bit 61), LE Set Event Mask (bits 1, 12, 17), LE Set Random Address. */
static void assert_bringup_head(const struct fake *f)
{
    ASSERT_CMD(f, 0, 0x01, 0x03, 0x0c, 0x00);
    ASSERT_CMD(f, 1, 0x01, 0x01, 0x10, 0x00);
    ASSERT_CMD(f, 2, 0x01, 0x02, 0x10, 0x00);
    ASSERT_CMD(f, 3, 0x01, 0x03, 0x20, 0x00);
    ASSERT_CMD(f, 4, 0x01, 0x01, 0x0c, 0x08, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20);
    ASSERT_CMD(f, 5, 0x01, 0x01, 0x20, 0x08, 0x02, 0x10, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00);
    ASSERT_CMD(f, 6, 0x01, 0x05, 0x20, 0x06, 0x11, 0x22, 0x33, 0x44, 0x55, 0xc6);
}

/* ---- Legacy controller ------------------------------------------------------------------- */

static void test_legacy(void **state)
{
    (void)state;
    struct rig *r = calloc(1, sizeof(*r));
    assert_non_null(r);
    fake_init_legacy(&r->fake);
    rig_start(r, 3000);
    run_settled(r);
    assert_int_equal(meshrpr_hci_state(&r->hci), MESHRPR_HCI_READY);
    assert_false(meshrpr_hci_ext_adv(&r->hci));
    assert_int_equal(r->fake.n, 9);
    assert_bringup_head(&r->fake);
    /* LE Set Scan Parameters: passive, 30 ms interval and window, random address, no filter;
     * LE Set Scan Enable: on, duplicates not filtered. */
    ASSERT_CMD(&r->fake, 7, 0x01, 0x0b, 0x20, 0x07, 0x00, 0x30, 0x00, 0x30, 0x00, 0x01, 0x00);
    ASSERT_CMD(&r->fake, 8, 0x01, 0x0c, 0x20, 0x02, 0x01, 0x00);

    /* A PDU with 2 transmissions 30 ms apart. */
    const struct meshrpr_posix_radio_ops *ops = meshrpr_hci_radio(&r->hci)->ops;
    struct meshrpr_posix_adv adv = {
        .ad_type = 0x2b, .len = 3, .data = { 0xd1, 0xd2, 0xd3 }, .count = 2, .interval_ms = 30
    };
    assert_int_equal(ops->adv_start(r->hci.radio.ctx, &adv), 0);
    run_until_count(r, &meshrpr_hci_stats(&r->hci)->pdus, 1);
    assert_int_equal(r->fake.n, 9 + 6);
    /* LE Set Advertising Parameters: 20 ms (0x0020), ADV_NONCONN_IND, random own address,
     * no peer, channels 37-39, no filter. */
    ASSERT_CMD(&r->fake, 9, 0x01, 0x06, 0x20, 0x0f, 0x20, 0x00, 0x20, 0x00, 0x03, 0x01, 0x00, 0x00,
               0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x00);
    /* LE Set Advertising Data: 5 octets, the AD structure (length 4, type 0x2b), zero
     * padded to 31. */
    ASSERT_CMD(&r->fake, 10, 0x01, 0x08, 0x20, 0x20, 0x05, 0x04, 0x2b, 0xd1, 0xd2, 0xd3, 0, 0, 0, 0,
               0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    ASSERT_CMD(&r->fake, 11, 0x01, 0x0a, 0x20, 0x01, 0x01);
    ASSERT_CMD(&r->fake, 12, 0x01, 0x0a, 0x20, 0x01, 0x00);
    ASSERT_CMD(&r->fake, 13, 0x01, 0x0a, 0x20, 0x01, 0x01);
    ASSERT_CMD(&r->fake, 14, 0x01, 0x0a, 0x20, 0x01, 0x00);
    assert_true(r->fake.log_ms[13] >= r->fake.log_ms[11] + 30);
    assert_int_equal(meshrpr_hci_stats(&r->hci)->adv_events, 2);

    /* The same type again: no new parameters, only data and enables. */
    adv.count = 1;
    assert_int_equal(ops->adv_start(r->hci.radio.ctx, &adv), 0);
    run_until_count(r, &meshrpr_hci_stats(&r->hci)->pdus, 2);
    assert_int_equal(r->fake.n, 15 + 3);
    assert_int_equal(r->fake.log[15][1], 0x08);

    /* An LE Advertising Report with two reports (one after the other, as controllers send
     * them): ADV_NONCONN_IND with a beacon, and an ADV_IND. */
    const uint8_t ev[] = { 0x04,         0x3e, 0x1a, 0x02, 0x02,
                           /* 1 */ 0x03, 0x01, 1,    2,    3,    4, 5, 0xc0, 0x04, 0x03,
                           0x2b,         0x00, 0x01, 0xc4,
                           /* 2 */ 0x00, 0x00, 6,    5,    4,    3, 2, 1,    0x00, 0x7f };
    fake_send(&r->fake, ev, sizeof(ev));
    run_until_count(r, &meshrpr_hci_stats(&r->hci)->reports, 2);
    assert_int_equal(meshrpr_hci_stats(&r->hci)->bad_events, 0);

    /* Active scanning: off, parameters (active), on. */
    assert_int_equal(ops->scan_active_set(r->hci.radio.ctx, true), 0);
    run_until_cmds(r, 21);
    ASSERT_CMD(&r->fake, 18, 0x01, 0x0c, 0x20, 0x02, 0x00, 0x00);
    ASSERT_CMD(&r->fake, 19, 0x01, 0x0b, 0x20, 0x07, 0x01, 0x30, 0x00, 0x30, 0x00, 0x01, 0x00);
    ASSERT_CMD(&r->fake, 20, 0x01, 0x0c, 0x20, 0x02, 0x01, 0x00);

    /* The scannable advertisement: ADV_SCAN_IND parameters, data, scan response, one
     * transmission. */
    const uint8_t name[] = { 0x04, 0x09, 'd', 'e', 'v' };
    const uint8_t uri[] = { 0x03, 0x24, 0x17, 'x' };
    assert_int_equal(
        meshrpr_hci_set_scannable(&r->hci, name, sizeof(name), uri, sizeof(uri), 60000), 0);
    run_until_cmds(r, 26);
    ASSERT_CMD(&r->fake, 21, 0x01, 0x06, 0x20, 0x0f, 0x20, 0x00, 0x20, 0x00, 0x02, 0x01, 0x00, 0x00,
               0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x00);
    ASSERT_CMD(&r->fake, 22, 0x01, 0x08, 0x20, 0x20, 0x05, 0x04, 0x09, 'd', 'e', 'v', 0, 0, 0, 0, 0,
               0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    ASSERT_CMD(&r->fake, 23, 0x01, 0x09, 0x20, 0x20, 0x04, 0x03, 0x24, 0x17, 'x', 0, 0, 0, 0, 0, 0,
               0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    ASSERT_CMD(&r->fake, 24, 0x01, 0x0a, 0x20, 0x01, 0x01);
    ASSERT_CMD(&r->fake, 25, 0x01, 0x0a, 0x20, 0x01, 0x00);
    assert_int_equal(meshrpr_hci_stats(&r->hci)->pdus, 2); /* not a node's PDU */
    rig_stop(r);
    free(r);
}

/* ---- Extended advertising ----------------------------------------------------------------- */

static void test_extended(void **state)
{
    (void)state;
    struct rig *r = calloc(1, sizeof(*r));
    assert_non_null(r);
    fake_init_ext(&r->fake);
    rig_start(r, 3000);
    run_settled(r);
    assert_int_equal(meshrpr_hci_state(&r->hci), MESHRPR_HCI_READY);
    assert_true(meshrpr_hci_ext_adv(&r->hci));
    assert_int_equal(r->fake.n, 9);
    assert_bringup_head(&r->fake);
    /* LE Set Extended Scan Parameters: random address, no filter, LE 1M, passive, 30 ms;
     * LE Set Extended Scan Enable: on, no duplicate filter, no duration, no period. */
    ASSERT_CMD(&r->fake, 7, 0x01, 0x41, 0x20, 0x08, 0x01, 0x00, 0x01, 0x00, 0x30, 0x00, 0x30, 0x00);
    ASSERT_CMD(&r->fake, 8, 0x01, 0x42, 0x20, 0x06, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00);

    const struct meshrpr_posix_radio_ops *ops = meshrpr_hci_radio(&r->hci)->ops;
    struct meshrpr_posix_adv adv = {
        .ad_type = 0x2a, .len = 2, .data = { 0xaa, 0xbb }, .count = 3, .interval_ms = 30
    };
    assert_int_equal(ops->adv_start(r->hci.radio.ctx, &adv), 0);
    run_until_cmds(r, 13);
    /* LE Set Extended Advertising Parameters: handle 0, legacy non-connectable
     * non-scannable (0x0010), 30 ms = 48 units (3 octets each), channels 37-39, random own
     * address, no peer, no filter, TX power no preference (0x7f), LE 1M, skip 0, LE 1M, SID 0,
     * no scan request notifications. */
    ASSERT_CMD(&r->fake, 9, 0x01, 0x36, 0x20, 0x19, 0x00, 0x10, 0x00, 0x30, 0x00, 0x00, 0x30, 0x00,
               0x00, 0x07, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x7f, 0x01, 0x00,
               0x01, 0x00, 0x00);
    /* LE Set Advertising Set Random Address: handle 0, the address. */
    ASSERT_CMD(&r->fake, 10, 0x01, 0x35, 0x20, 0x07, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0xc6);
    /* LE Set Extended Advertising Data: handle 0, complete data, no fragmentation, 4 octets. */
    ASSERT_CMD(&r->fake, 11, 0x01, 0x37, 0x20, 0x08, 0x00, 0x03, 0x01, 0x04, 0x03, 0x2a, 0xaa,
               0xbb);
    /* LE Set Extended Advertising Enable: on, 1 set, handle 0, no duration, 3 events. */
    ASSERT_CMD(&r->fake, 12, 0x01, 0x39, 0x20, 0x06, 0x01, 0x01, 0x00, 0x00, 0x00, 0x03);
    run_ms(r, 20);
    assert_int_equal(meshrpr_hci_stats(&r->hci)->pdus, 0);
    /* LE Advertising Set Terminated: Limit Reached, handle 0, no connection, 3 events. */
    const uint8_t term[] = { 0x04, 0x3e, 0x06, 0x12, 0x43, 0x00, 0x00, 0x00, 0x03 };
    fake_send(&r->fake, term, sizeof(term));
    run_until_count(r, &meshrpr_hci_stats(&r->hci)->pdus, 1);
    assert_int_equal(meshrpr_hci_stats(&r->hci)->adv_events, 3);
    assert_int_equal(meshrpr_hci_stats(&r->hci)->pdu_errors, 0);

    /* An LE Extended Advertising Report: a legacy ADV_NONCONN_IND (0x0010) and a legacy scan
     * response to an ADV_SCAN_IND (0x001a), and an incomplete extended one (skipped). */
    uint8_t ev[3 + 2 + 3 * 24 + 3 + 2 + 1];
    size_t n = 0;
    ev[n++] = 0x04;
    ev[n++] = 0x3e;
    ev[n++] = 0; /* length below */
    ev[n++] = 0x0d;
    ev[n++] = 3;
    const uint16_t types[3] = { 0x0010, 0x001a, 0x0020 };
    const uint8_t lens[3] = { 3, 2, 1 };
    for (int i = 0; i < 3; i++) {
        uint8_t *p = &ev[n];
        memset(p, 0, 24);
        p[0] = (uint8_t)types[i];
        p[1] = (uint8_t)(types[i] >> 8);
        p[2] = 0x01;
        p[3] = (uint8_t)(0x10 + i);
        p[13] = 0xc4; /* RSSI -60 */
        p[23] = lens[i];
        n += 24;
        for (int k = 0; k < lens[i]; k++) {
            ev[n++] = (uint8_t)(0x40 + k);
        }
    }
    ev[2] = (uint8_t)(n - 3);
    fake_send(&r->fake, ev, n);
    run_until_count(r, &meshrpr_hci_stats(&r->hci)->reports, 2);
    run_ms(r, 20);
    assert_int_equal(meshrpr_hci_stats(&r->hci)->reports, 2);
    assert_int_equal(meshrpr_hci_stats(&r->hci)->bad_events, 0);
    rig_stop(r);
    free(r);
}

/* ---- Failures ----------------------------------------------------------------------------- */

static void test_refused(void **state)
{
    (void)state;
    struct rig *r = calloc(1, sizeof(*r));
    assert_non_null(r);
    fake_init_legacy(&r->fake);
    r->fake.fail_opcode = 0x2001;
    r->fake.fail_status = 0x01;
    rig_start(r, 3000);
    run_settled(r);
    assert_int_equal(meshrpr_hci_state(&r->hci), MESHRPR_HCI_FAILED);
    assert_non_null(strstr(meshrpr_hci_error(&r->hci), "refused LE Set Event Mask (0x2001)"));
    assert_non_null(strstr(meshrpr_hci_error(&r->hci), "Unknown HCI Command"));
    /* Nothing more is sent, and PDUs are refused at once. */
    size_t n = r->fake.n;
    run_ms(r, 30);
    assert_int_equal(r->fake.n, n);
    struct meshrpr_posix_adv adv = { .ad_type = 0x2b, .len = 1, .count = 1 };
    assert_true(meshrpr_hci_radio(&r->hci)->ops->adv_start(r->hci.radio.ctx, &adv) < 0);
    rig_stop(r);
    free(r);
}

static void test_not_le(void **state)
{
    (void)state;
    struct rig *r = calloc(1, sizeof(*r));
    assert_non_null(r);
    fake_init_legacy(&r->fake);
    r->fake.commands[26] = 0x00;
    rig_start(r, 3000);
    run_settled(r);
    assert_int_equal(meshrpr_hci_state(&r->hci), MESHRPR_HCI_FAILED);
    assert_non_null(strstr(meshrpr_hci_error(&r->hci), "not a Bluetooth LE controller"));
    rig_stop(r);
    free(r);
}

static void test_timeout(void **state)
{
    (void)state;
    struct rig *r = calloc(1, sizeof(*r));
    assert_non_null(r);
    fake_init_legacy(&r->fake);
    r->fake.silent_opcode = 0x0c03;
    uint64_t t0 = meshrpr_posix_host_now_ms(&r->host);
    rig_start(r, 150);
    t0 = meshrpr_posix_host_now_ms(&r->host);
    run_settled(r);
    assert_int_equal(meshrpr_hci_state(&r->hci), MESHRPR_HCI_FAILED);
    assert_true(meshrpr_posix_host_now_ms(&r->host) >= t0 + 150);
    assert_int_equal(r->hci.err, -ETIMEDOUT);
    assert_non_null(strstr(meshrpr_hci_error(&r->hci), "did not answer Reset (0x0c03) within 150"));
    rig_stop(r);
    free(r);
}

/* A controller that stops answering in the middle of a transmission: the PDU ends with an
 * error, so the host's queue moves on. */
static void test_timeout_during_tx(void **state)
{
    (void)state;
    struct rig *r = calloc(1, sizeof(*r));
    assert_non_null(r);
    fake_init_legacy(&r->fake);
    rig_start(r, 150);
    run_settled(r);
    assert_int_equal(meshrpr_hci_state(&r->hci), MESHRPR_HCI_READY);
    r->fake.silent_opcode = 0x200a;
    struct meshrpr_posix_adv adv = { .ad_type = 0x2b, .len = 1, .count = 1, .interval_ms = 20 };
    assert_int_equal(meshrpr_hci_radio(&r->hci)->ops->adv_start(r->hci.radio.ctx, &adv), 0);
    run_until_count(r, &meshrpr_hci_stats(&r->hci)->pdu_errors, 1);
    assert_int_equal(meshrpr_hci_state(&r->hci), MESHRPR_HCI_FAILED);
    assert_non_null(strstr(meshrpr_hci_error(&r->hci), "LE Set Advertising Enable"));
    assert_non_null(strstr(meshrpr_hci_error(&r->hci), "stopped answering"));
    rig_stop(r);
    free(r);
}

/* Num_HCI_Command_Packets 0: no command until the controller grants one again (§4.4). */
static void test_flow_control(void **state)
{
    (void)state;
    struct rig *r = calloc(1, sizeof(*r));
    assert_non_null(r);
    fake_init_legacy(&r->fake);
    r->fake.no_credit_opcode = 0x1001;
    rig_start(r, 3000);
    run_until_cmds(r, 2);
    run_ms(r, 100);
    assert_int_equal(r->fake.n, 2);
    assert_int_equal(meshrpr_hci_state(&r->hci), MESHRPR_HCI_BRINGUP);
    /* Command Complete for no command (opcode 0x0000) with one credit. */
    fake_cc(&r->fake, 1, 0x0000, NULL, 0);
    run_settled(r);
    assert_int_equal(meshrpr_hci_state(&r->hci), MESHRPR_HCI_READY);
    assert_int_equal(r->fake.n, 9);
    ASSERT_CMD(&r->fake, 2, 0x01, 0x02, 0x10, 0x00);
    rig_stop(r);
    free(r);
}

static void test_closed(void **state)
{
    (void)state;
    struct rig *r = calloc(1, sizeof(*r));
    assert_non_null(r);
    fake_init_legacy(&r->fake);
    rig_start(r, 3000);
    run_settled(r);
    (void)meshrpr_posix_host_fd_remove(&r->host, r->sv[1]);
    close(r->sv[1]);
    r->sv[1] = -1;
    run_settled(r);
    run_ms(r, 20);
    assert_int_equal(meshrpr_hci_state(&r->hci), MESHRPR_HCI_FAILED);
    assert_non_null(strstr(meshrpr_hci_error(&r->hci), "closed the connection"));
    rig_stop(r);
    free(r);
}

static void test_hardware_error(void **state)
{
    (void)state;
    struct rig *r = calloc(1, sizeof(*r));
    assert_non_null(r);
    fake_init_legacy(&r->fake);
    rig_start(r, 3000);
    run_settled(r);
    const uint8_t ev[] = { 0x04, 0x10, 0x01, 0x42 };
    fake_send(&r->fake, ev, sizeof(ev));
    run_ms(r, 30);
    assert_int_equal(meshrpr_hci_state(&r->hci), MESHRPR_HCI_FAILED);
    assert_non_null(strstr(meshrpr_hci_error(&r->hci), "Hardware Error (code 0x42)"));
    rig_stop(r);
    free(r);
}

/* ---- H4 and the parsers ------------------------------------------------------------------- */

struct evs {
    uint8_t last[MESHRPR_HCI_EVT_MAX];
    size_t last_len;
    unsigned n;
};

static void on_evt(void *ctx, const uint8_t *evt, size_t len)
{
    struct evs *e = ctx;
    memcpy(e->last, evt, len);
    e->last_len = len;
    e->n++;
}

static void test_h4(void **state)
{
    (void)state;
    struct meshrpr_hci_h4_rx rx;
    struct evs e = { .n = 0 };
    /* An event, an ACL packet (skipped), an SCO packet, an event, fed one octet at a time. */
    const uint8_t s[] = { 0x04, 0x0e, 0x04, 0x01, 0x03, 0x0c, 0x00, 0x02, 0x01,
                          0x20, 0x03, 0x00, 0xa,  0xb,  0xc,  0x03, 0x01, 0x00,
                          0x01, 0xee, 0x04, 0x10, 0x01, 0x07, 0x04, 0x05, 0x00 };
    meshrpr_hci_h4_rx_init(&rx);
    for (size_t i = 0; i < sizeof(s); i++) {
        assert_int_equal(meshrpr_hci_h4_rx_feed(&rx, &s[i], 1, on_evt, &e), 0);
        if (i == 6) {
            assert_int_equal(e.n, 1);
            assert_int_equal(e.last_len, 6);
            assert_memory_equal(e.last, &s[1], 6);
        }
    }
    assert_int_equal(e.n, 3);
    assert_int_equal(e.last_len, 2);
    assert_int_equal(e.last[0], 0x05);
    /* All at once gives the same. */
    e.n = 0;
    assert_int_equal(meshrpr_hci_h4_rx_feed(&rx, s, sizeof(s), on_evt, &e), 0);
    assert_int_equal(e.n, 3);
    /* A command packet type from a controller: framing lost. */
    const uint8_t bad[] = { 0x01, 0x03, 0x0c, 0x00 };
    assert_int_equal(meshrpr_hci_h4_rx_feed(&rx, bad, sizeof(bad), on_evt, &e), -EPROTO);
    /* Encoding a command. */
    uint8_t out[8];
    const uint8_t p[2] = { 0x01, 0x00 };
    assert_int_equal(meshrpr_hci_h4_cmd(out, sizeof(out), 0x200c, p, 2), 6);
    const uint8_t want[] = { 0x01, 0x0c, 0x20, 0x02, 0x01, 0x00 };
    assert_memory_equal(out, want, 6);
    assert_int_equal(meshrpr_hci_h4_cmd(out, 5, 0x200c, p, 2), 0);
}

static void test_parsers(void **state)
{
    (void)state;
    struct meshrpr_hci_evt evt;
    struct meshrpr_hci_cmd_done d;
    /* Command Complete of Read Local Version: ncmd 1, opcode 0x1001, status 0, version 0x0c. */
    const uint8_t cc[] = { 0x0e, 0x0c, 0x01, 0x01, 0x10, 0x00, 0x0c, 0, 0, 0x0c, 0x59, 0, 0, 0 };
    assert_int_equal(meshrpr_hci_event_parse(cc, sizeof(cc), &evt), 0);
    assert_int_equal(meshrpr_hci_event_cmd_done(&evt, &d), 0);
    assert_int_equal(d.ncmd, 1);
    assert_int_equal(d.opcode, 0x1001);
    assert_int_equal(d.status, 0);
    assert_int_equal(d.ret_len, 9);
    assert_int_equal(d.ret[1], 0x0c);
    assert_int_equal(meshrpr_hci_event_parse(cc, sizeof(cc) - 1, &evt), -EBADMSG);
    /* Command Status: Command Disallowed for 0x2036. */
    const uint8_t cs[] = { 0x0f, 0x04, 0x0c, 0x01, 0x36, 0x20 };
    assert_int_equal(meshrpr_hci_event_parse(cs, sizeof(cs), &evt), 0);
    assert_int_equal(meshrpr_hci_event_cmd_done(&evt, &d), 0);
    assert_true(d.is_status);
    assert_int_equal(d.status, 0x0c);
    assert_int_equal(d.opcode, 0x2036);
    assert_string_equal(meshrpr_hci_event_status_str(0x0c), "Command Disallowed");
    /* A legacy report claiming more data than the event holds. */
    const uint8_t bad[] = { 0x3e, 0x0c, 0x02, 0x01, 0x03, 0x01, 1, 2, 3, 4, 5, 6, 0x1f, 0x00 };
    struct meshrpr_hci_report_iter it;
    struct meshrpr_adv_report rep;
    assert_int_equal(meshrpr_hci_event_parse(bad, sizeof(bad), &evt), 0);
    assert_int_equal(meshrpr_hci_event_reports(&it, &evt), 0);
    assert_int_equal(meshrpr_hci_event_report_next(&it, &rep), -EBADMSG);
    /* A scan response report. */
    const uint8_t rsp[] = { 0x3e, 0x0f, 0x02, 0x01, 0x04, 0x01, 1,   2,   3,
                            4,    5,    0xc6, 0x03, 0x02, 0x09, 'a', 0x7f };
    assert_int_equal(meshrpr_hci_event_parse(rsp, sizeof(rsp), &evt), 0);
    assert_int_equal(meshrpr_hci_event_reports(&it, &evt), 0);
    assert_int_equal(meshrpr_hci_event_report_next(&it, &rep), 1);
    assert_int_equal(rep.adv_type, MESHRPR_ADV_SCAN_RSP);
    assert_int_equal(rep.addr_type, 1);
    assert_int_equal(rep.addr[5], 0xc6);
    assert_int_equal(rep.len, 3);
    assert_int_equal(rep.data[2], 'a');
    assert_int_equal(rep.rssi, 127);
    assert_int_equal(meshrpr_hci_event_report_next(&it, &rep), 0);
}

/* ---- Transports --------------------------------------------------------------------------- */

static void test_transport_specs(void **state)
{
    (void)state;
    char err[200];
    assert_int_equal(meshrpr_hci_transport_open("unix:/nonexistent/bt-server-le", err, sizeof(err)),
                     -ENOENT);
    assert_non_null(strstr(err, "no controller there"));
    assert_int_equal(meshrpr_hci_transport_open("bogus", err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "not an HCI controller"));
    assert_int_equal(meshrpr_hci_transport_open("tcp:nohostport", err, sizeof(err)), -EINVAL);
    assert_int_equal(meshrpr_hci_transport_open("hcix", err, sizeof(err)), -EINVAL);
    assert_int_equal(meshrpr_hci_transport_open("/dev/nonexistent-tty@115200", err, sizeof(err)),
                     -ENOENT);
    assert_non_null(strstr(err, "plugged in"));
    /* A pseudo-terminal stands in for a UART: raw mode, baud rate, flow control accepted. */
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    assert_true(m >= 0);
    assert_int_equal(grantpt(m), 0);
    assert_int_equal(unlockpt(m), 0);
    char spec[128];
    snprintf(spec, sizeof(spec), "%s@12345", ptsname(m));
    assert_int_equal(meshrpr_hci_transport_open(spec, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "unsupported baud rate 12345"));
    snprintf(spec, sizeof(spec), "%s@1000000", ptsname(m));
    int fd = meshrpr_hci_transport_open(spec, err, sizeof(err));
    assert_true(fd >= 0);
    /* What the host writes arrives unchanged (no newline translation in raw mode). */
    const uint8_t pkt[] = { 0x01, 0x03, 0x0c, 0x00, 0x0a, 0x0d };
    assert_int_equal(write(fd, pkt, sizeof(pkt)), (ssize_t)sizeof(pkt));
    uint8_t got[16];
    ssize_t n = 0;
    for (int tries = 0; tries < 100 && n < (ssize_t)sizeof(pkt); tries++) {
        ssize_t k = read(m, got + n, sizeof(got) - (size_t)n);
        if (k > 0) {
            n += k;
        } else {
            usleep(1000);
        }
    }
    assert_int_equal(n, (ssize_t)sizeof(pkt));
    assert_memory_equal(got, pkt, sizeof(pkt));
    close(fd);
    close(m);

    /* TCP: a listener on the loopback; the connection is what the host gets. */
    int l = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(l >= 0);
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t slen = sizeof(sin);
    assert_int_equal(bind(l, (struct sockaddr *)&sin, sizeof(sin)), 0);
    assert_int_equal(listen(l, 1), 0);
    assert_int_equal(getsockname(l, (struct sockaddr *)&sin, &slen), 0);
    snprintf(spec, sizeof(spec), "tcp:127.0.0.1:%u", (unsigned)ntohs(sin.sin_port));
    fd = meshrpr_hci_transport_open(spec, err, sizeof(err));
    assert_true(fd >= 0);
    int a = accept(l, NULL, NULL);
    assert_true(a >= 0);
    assert_int_equal(write(fd, pkt, 4), 4);
    n = 0;
    for (int tries = 0; tries < 100 && n < 4; tries++) {
        ssize_t k = read(a, got + n, sizeof(got) - (size_t)n);
        if (k > 0) {
            n += k;
        }
    }
    assert_int_equal(n, 4);
    assert_memory_equal(got, pkt, 4);
    close(a);
    close(fd);
    /* Nobody listening any more. */
    close(l);
    assert_true(meshrpr_hci_transport_open(spec, err, sizeof(err)) < 0);
    assert_non_null(strstr(err, spec + 4));

    /* The HCI user channel: here without Bluetooth sockets or controller, an error that names
     * the controller and says why. */
    fd = meshrpr_hci_transport_open("hci0", err, sizeof(err));
    if (fd >= 0) {
        close(fd); /* a machine with a free controller 0 */
    } else {
        assert_non_null(strstr(err, "hci0: "));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_legacy),         cmocka_unit_test(test_extended),
        cmocka_unit_test(test_refused),        cmocka_unit_test(test_not_le),
        cmocka_unit_test(test_timeout),        cmocka_unit_test(test_timeout_during_tx),
        cmocka_unit_test(test_flow_control),   cmocka_unit_test(test_closed),
        cmocka_unit_test(test_hardware_error), cmocka_unit_test(test_h4),
        cmocka_unit_test(test_parsers),        cmocka_unit_test(test_transport_specs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

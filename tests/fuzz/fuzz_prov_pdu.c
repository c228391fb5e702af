/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for the Provisioning Protocol (MshPRTv1.1 §5.4). Every input is first decoded as
 * one Provisioning PDU (a decoded PDU must encode back to the same octets). Then, by the low
 * bits of the first octet:
 *   0: a sequence of PDUs fed to a device session,
 *   1: a sequence of PDUs fed to a provisioner session,
 *   2: a real provisioner/device exchange with one PDU in flight rewritten,
 *   3: nothing more.
 * A sequence is chunks of one length octet and that many PDU octets; length 0xff advances the
 * clock by 30 s instead. Afterwards both nodes must be idle, nothing the fuzzer sent may have
 * entered the provisioner's database, and a database entry must match the device it names
 * (or, still pending, name a device that never took the data).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/prov_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct harness *fuzz_h;
static uint8_t fuzz_flags;

static const uint8_t static_val[16] = { 0x5a, 0x01, 0x02, 0x03 };

static void check(bool ok)
{
    if (!ok) {
        abort();
    }
}

/* ---- Callbacks: answer every request at once, so the exchange can go deep ----------------- */

static void prov_capabilities(const struct bt_mesh_dev_capabilities *cap)
{
    struct meshrpr_node *node = &fuzz_h->node[0];

    switch (fuzz_flags >> 6) {
    case 0:
        (void)meshrpr_prov_auth_method_set_none(node);
        break;
    case 1:
        (void)meshrpr_prov_auth_method_set_static(node, static_val, sizeof(static_val));
        break;
    case 2:
        (void)meshrpr_prov_auth_method_set_output(node, BT_MESH_DISPLAY_NUMBER,
                                                  cap->output_size ? cap->output_size : 1);
        break;
    default:
        (void)meshrpr_prov_auth_method_set_input(node, BT_MESH_ENTER_STRING,
                                                 cap->input_size ? cap->input_size : 1);
        break;
    }
}

static uint32_t last_num;
static char last_str[10];

static int prov_output_number(bt_mesh_output_action_t act, uint32_t num)
{
    (void)act;
    last_num = num;
    return 0;
}

static int prov_output_string(const char *str)
{
    strncpy(last_str, str, sizeof(last_str) - 1);
    return 0;
}

static int any_input(bt_mesh_input_action_t act, uint8_t size)
{
    (void)size;
    /* Answer from inside the callback: the explicit API acts on the calling session. */
    for (int i = 0; i <= fuzz_h->dev_count; i++) {
        if (act == BT_MESH_ENTER_STRING) {
            (void)meshrpr_prov_input_string(&fuzz_h->node[i], last_str[0] ? last_str : "A");
        } else {
            (void)meshrpr_prov_input_number(&fuzz_h->node[i], last_num);
        }
    }
    return 0;
}

static void setup(struct harness *h, uint8_t flags)
{
    h_init(h, 1, (uint8_t)(1 + (flags & 1)));
    fuzz_h = h;
    fuzz_flags = flags;
    last_num = 0;
    memset(last_str, 0, sizeof(last_str));
    h->prov[0].capabilities = prov_capabilities;
    h->prov[0].input = any_input;
    h->prov[0].output_number = prov_output_number;
    h->prov[0].output_string = prov_output_string;
    h->prov[1].input = any_input;
    h->prov[1].output_number = prov_output_number;
    h->prov[1].output_string = prov_output_string;
    h->prov[1].algorithms = (flags & 2) ? BIT(BT_MESH_PROV_AUTH_CMAC_AES128_AES_CCM) : 0;
    h->prov[1].oob_auth_required = (flags & 4) != 0;
    if (flags & 8) {
        h->prov[1].static_val = static_val;
        h->prov[1].static_val_len = sizeof(static_val);
    }
    if (flags & 16) {
        h->prov[1].output_size = 8;
        h->prov[1].output_actions = 0x1f;
        h->prov[1].input_size = 8;
        h->prov[1].input_actions = 0x0f;
    }
}

static void feed(struct harness *h, struct meshrpr_prov_link *link, const uint8_t *p, size_t n)
{
    while (n > 0) {
        size_t len = *p++;
        n--;
        if (len == 0xff) {
            h_run_for(h, 30000);
            continue;
        }
        len = len < n ? len : n;
        if (!h->link[0][H_PROV].closed && !h->link[0][H_DEV].closed && link->cb != NULL &&
            link->session != NULL) {
            link->cb->recv(link, p, len);
        }
        h_pump(h);
        p += len;
        n -= len;
    }
}

static void finish(struct harness *h)
{
    for (int side = 0; side < 2; side++) {
        struct meshrpr_prov_link *link = &h->link[0][side].link;
        if (link->session != NULL && !h->link[0][side].closed) {
            link->ops->close(link, MESHRPR_PROV_LINK_FAIL);
        }
    }
    h_pump(h);
    h_run_for(h, 130000);
    check(h_idle(h));
    /* A database entry always names the device it was made for, with its device key; one
     * still pending (the data went out, Complete never came back) may also name a device
     * that did not take the data and is still unprovisioned. */
    for (size_t i = 0; i < MESHRPR_CDB_NODE_COUNT; i++) {
        const struct meshrpr_cdb_node *e = &h->cdb.nodes[i];
        if (e->valid && e->pending == MESHRPR_CDB_PENDING_PROVISION &&
            !meshrpr_node_is_provisioned(&h->node[1])) {
            continue;
        }
        if (e->valid) {
            check(meshrpr_node_is_provisioned(&h->node[1]));
            check(meshrpr_node_addr(&h->node[1]) == e->addr);
            check(memcmp(e->dev_key, h->node[1].dev_key, 16) == 0);
        }
    }
}

static void codec(const uint8_t *data, size_t size, uint8_t sel)
{
    static const size_t value_lens[3] = { 0, 16, 32 };
    struct meshrpr_prov_pdu pdu;
    uint8_t code;

    if (meshrpr_prov_pdu_decode(data, size, value_lens[sel % 3], &pdu, &code) == 0) {
        NET_BUF_SIMPLE_DEFINE(buf, 80);
        check(code == 0);
        if (pdu.type < MESHRPR_PROV_RECORD_REQUEST || pdu.type == MESHRPR_PROV_RECORDS_GET) {
            check(meshrpr_prov_pdu_encode(&pdu, &buf) == 0);
            check(buf.len == size && memcmp(buf.data, data, size) == 0);
        }
    } else {
        check(code == MESHRPR_PROV_ERR_INVALID_PDU || code == MESHRPR_PROV_ERR_INVALID_FORMAT);
    }
}

/* Mode 2: rewrite the target-th PDU in flight with the fuzz bytes (xor, then new length). */
static const uint8_t *tamper_bytes;
static size_t tamper_len;
static int tamper_target;
static int tamper_count;

static bool tamper(struct harness *h, int pair, int from, uint8_t *pdu, size_t *len)
{
    (void)h;
    (void)pair;
    (void)from;
    if (tamper_count++ != tamper_target || tamper_len == 0) {
        return true;
    }
    size_t new_len = tamper_bytes[0] % H_PDU_MAX;
    if (new_len == 0) {
        return false; /* lost */
    }
    if (new_len > *len) {
        memset(pdu + *len, 0, new_len - *len);
    }
    for (size_t i = 1; i < tamper_len && i - 1 < new_len; i++) {
        pdu[i - 1] ^= tamper_bytes[i];
    }
    *len = new_len;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct harness *h;
    uint8_t flags;

    if (size < 1) {
        return 0;
    }
    codec(data + 1, size - 1, data[0] >> 2);
    if ((data[0] & 3) == 3 || size < 2) {
        return 0;
    }
    h = calloc(1, sizeof(*h));
    if (h == NULL) {
        return 0;
    }
    flags = data[1];
    setup(h, flags);
    switch (data[0] & 3) {
    case 0: {
        struct meshrpr_prov_link *link = &h->link[0][H_DEV].link;
        if (meshrpr_prov_device_start(&h->node[1], link) == 0) {
            feed(h, link, data + 2, size - 2);
        }
        break;
    }
    case 1: {
        struct meshrpr_prov_link *link = &h->link[0][H_PROV].link;
        if (meshrpr_prov_provisioner_start(&h->node[0], link, h->uuid[1], H_SAMPLE_NET_IDX, 0, 0) ==
            0) {
            link->cb->link_opened(link);
            h_pump(h);
            feed(h, link, data + 2, size - 2);
        }
        /* Random bytes never make a node: no database entry. */
        check(meshrpr_cdb_node_count(&h->cdb) == 0);
        break;
    }
    default:
        tamper_target = size > 2 ? data[2] % 12 : 0;
        tamper_bytes = size > 3 ? data + 3 : NULL;
        tamper_len = size > 3 ? size - 3 : 0;
        tamper_count = 0;
        h->tamper = tamper;
        if (h_start(h, 0, 0, 0) == 0) {
            h_pump(h);
            h_run_for(h, 1000);
        }
        break;
    }
    finish(h);
    free(h);
    return 0;
}

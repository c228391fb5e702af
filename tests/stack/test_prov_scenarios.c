/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Provisioning over PB-ADV in the simulator (MshPRTv1.1 §5): a provisioner node with a node
 * database provisions a device node through the simulated radio with every OOB method and both
 * algorithms, across a lossy link, and against a device that falls silent. After each success
 * the provisioner reads the device's Composition Data with the new device key, over the mesh,
 * so the keys both sides derived are proven equal.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#include <meshrpr/cdb.h>
#include <meshrpr/cfg_cli.h>
#include <meshrpr/cfg_srv.h>
#include <meshrpr/node.h>
#include <meshrpr/prov.h>

#include <meshrpr/sim.h>

#include "prov/pb_adv.h"
#include "prov/prov_pdu.h"

static const uint8_t net_key[16] = { 0xef, 0xb2, 0x25, 0x5e, 0x64, 0x22, 0xd3, 0x30,
                                     0x08, 0x8e, 0x09, 0xbb, 0x01, 0x5e, 0xd7, 0x07 };
static const uint8_t dev_uuid[16] = { 0x70, 0xcf, 0x7c, 0x97, 0x32, 0xa3, 0x45, 0xb6,
                                      0x91, 0x49, 0x48, 0x10, 0xd2, 0xe9, 0xcb, 0xf4 };
static const uint8_t static_oob[32] = { 0x90, 0x6d, 0x73, 0xa3, 0xc7, 0xa7, 0xcb, 0x3f,
                                        0xf7, 0x30, 0xdc, 0xa6, 0x8a, 0x46, 0xb9, 0xc1,
                                        0x8d, 0x67, 0x3f, 0x50, 0xe0, 0x78, 0x20, 0x23,
                                        0x11, 0x47, 0x3e, 0xbb, 0xe2, 0x53, 0x66, 0x9f };

/* Compositions live at file scope: the model macros' runtime contexts must outlive the
 * nodes. Each node re-links them when it is initialised. */
static struct bt_mesh_cfg_cli cfg_cli;
static const struct bt_mesh_model prov_models[] = { BT_MESH_MODEL_CFG_SRV,
                                                    BT_MESH_MODEL_CFG_CLI(&cfg_cli) };
static const struct bt_mesh_elem prov_elems[] = { BT_MESH_ELEM(0, prov_models,
                                                               BT_MESH_MODEL_NONE) };
static const struct bt_mesh_comp prov_comp = { .cid = 0xffff, .elem = prov_elems, .elem_count = 1 };
static const struct bt_mesh_model dev_models[] = { BT_MESH_MODEL_CFG_SRV };
static const struct bt_mesh_model dev_models_2[] = { BT_MESH_MODEL(0x1000, NULL, NULL, NULL) };
static const struct bt_mesh_elem dev_elems[] = {
    BT_MESH_ELEM(0, dev_models, BT_MESH_MODEL_NONE),
    BT_MESH_ELEM(1, dev_models_2, BT_MESH_MODEL_NONE), /* two elements: the CDB entry says 2 */
};
static const struct bt_mesh_comp dev_comp = { .cid = 0xffff, .elem = dev_elems, .elem_count = 2 };

/* How the provisioner authenticates this run. */
enum method { NONE, STATIC, OUTPUT, INPUT };

/* The whole world, and what the contextless provisioning callbacks saw. */
static struct test_world {
    struct meshrpr_sim sim;
    struct meshrpr_node prov_node;
    struct meshrpr_node dev_node;
    struct meshrpr_node_config prov_cfg;
    struct meshrpr_node_config dev_cfg;
    struct bt_mesh_prov prov_prov;
    struct bt_mesh_prov dev_prov;
    struct meshrpr_cdb cdb;
    int prov_id;
    int dev_id;

    enum method method;
    uint8_t action; /* bt_mesh_output_action_t or bt_mesh_input_action_t */
    uint8_t size;
    uint16_t cap_algorithms;

    unsigned node_added;
    uint16_t added_addr;
    uint8_t added_elems;
    unsigned dev_complete;
    uint32_t shown_number; /* what one side displayed for the other to enter */
    char shown_string[33];
    bool shown;
    /* A side asked for input before the other displayed: the "user" answers as soon as the
     * value is shown, from the event loop (never from inside another node's callback). */
    int prov_wants; /* bt_mesh_input_action_t + 1, or 0 */
    int dev_wants;

    /* Attacker device: which of its PDUs it forges, and the provisioner's last PDU of each
     * type, recorded as it left. */
    enum { HONEST, REFLECT, OFF_CURVE } attack;
    uint8_t attack_type;
    uint8_t prov_sent[16][66];
    size_t prov_sent_len[16];
} * T;

static void ops_adv_report(void *n, const struct meshrpr_adv_report *report)
{
    meshrpr_node_scan_recv(n, report);
}

static uint64_t ops_next_deadline_ms(void *n)
{
    return meshrpr_node_next_deadline_ms(n);
}

static void ops_process(void *n)
{
    meshrpr_node_process(n);
}

static void ops_adv_sent(void *n, uint32_t tx_id)
{
    meshrpr_node_adv_sent(n, tx_id);
}

static const struct meshrpr_sim_node_ops node_ops = {
    .adv_report = ops_adv_report,
    .next_deadline_ms = ops_next_deadline_ms,
    .process = ops_process,
    .adv_sent = ops_adv_sent,
};

/* ---- Provisioner callbacks ---------------------------------------------------------------- */

static void prov_capabilities(const struct bt_mesh_dev_capabilities *cap)
{
    T->cap_algorithms = cap->algorithms;
    assert_int_equal(cap->elem_count, 2);
    switch (T->method) {
    case NONE:
        assert_int_equal(meshrpr_prov_auth_method_set_none(&T->prov_node), 0);
        break;
    case STATIC:
        assert_int_equal(meshrpr_prov_auth_method_set_static(&T->prov_node, static_oob, T->size),
                         0);
        break;
    case OUTPUT:
        assert_int_equal(meshrpr_prov_auth_method_set_output(
                             &T->prov_node, (bt_mesh_output_action_t)T->action, T->size),
                         0);
        break;
    case INPUT:
        assert_int_equal(meshrpr_prov_auth_method_set_input(
                             &T->prov_node, (bt_mesh_input_action_t)T->action, T->size),
                         0);
        break;
    }
}

/* The user types what was shown into a node. */
static int user_enters(struct meshrpr_node *node, int act)
{
    if (act == BT_MESH_ENTER_STRING) {
        return meshrpr_prov_input_string(node, T->shown_string);
    }
    return meshrpr_prov_input_number(node, T->shown_number);
}

/* Output OOB: the user reads the device and types it into the provisioner. */
static int prov_input(bt_mesh_input_action_t act, uint8_t size)
{
    (void)size;
    T->prov_wants = (int)act + 1;
    return 0;
}

/* Input OOB: the provisioner shows a value the user enters on the device. */
static int prov_output_number(bt_mesh_output_action_t act, uint32_t num)
{
    (void)act;
    T->shown_number = num;
    T->shown = true;
    return 0;
}

static int prov_output_string(const char *str)
{
    snprintf(T->shown_string, sizeof(T->shown_string), "%s", str);
    T->shown = true;
    return 0;
}

static void prov_node_added(uint16_t net_idx, uint8_t uuid[16], uint16_t addr, uint8_t num_elem)
{
    assert_int_equal(net_idx, 0);
    assert_memory_equal(uuid, dev_uuid, 16);
    T->node_added++;
    T->added_addr = addr;
    T->added_elems = num_elem;
}

/* ---- Device callbacks --------------------------------------------------------------------- */

static int dev_output_number(bt_mesh_output_action_t act, uint32_t num)
{
    (void)act;
    T->shown_number = num;
    T->shown = true;
    return 0;
}

static int dev_output_string(const char *str)
{
    snprintf(T->shown_string, sizeof(T->shown_string), "%s", str);
    T->shown = true;
    return 0;
}

static int dev_input(bt_mesh_input_action_t act, uint8_t size)
{
    (void)size;
    T->dev_wants = (int)act + 1;
    return 0;
}

static void dev_complete(uint16_t net_idx, uint16_t addr)
{
    (void)net_idx;
    (void)addr;
    T->dev_complete++;
}

/* ---- World ---------------------------------------------------------------------------------- */

static void world_setup(uint64_t seed, uint16_t dev_algorithms)
{
    static const uint8_t mesh_uuid[16] = { 0x4d, 0x52 };
    static const uint8_t prov_dev_key[16] = { 0x11, 0x22, 0x33 };

    T = calloc(1, sizeof(*T));
    assert_non_null(T);
    meshrpr_sim_init(&T->sim, seed);
    T->prov_id = meshrpr_sim_node_add(&T->sim, "P", &node_ops, &T->prov_node);
    T->dev_id = meshrpr_sim_node_add(&T->sim, "D", &node_ops, &T->dev_node);
    meshrpr_sim_node_set_position(&T->sim, T->dev_id, 5, 0);

    meshrpr_cdb_init(&T->cdb, mesh_uuid, "test");
    assert_int_equal(meshrpr_cdb_subnet_add(&T->cdb, 0, net_key), 0);
    T->prov_prov.capabilities = prov_capabilities;
    T->prov_prov.input = prov_input;
    T->prov_prov.output_number = prov_output_number;
    T->prov_prov.output_string = prov_output_string;
    T->prov_prov.node_added = prov_node_added;
    T->prov_cfg.platform = meshrpr_sim_node_platform(&T->sim, T->prov_id);
    T->prov_cfg.comp = &prov_comp;
    T->prov_cfg.prov = &T->prov_prov;
    T->prov_cfg.cdb = &T->cdb;
    T->prov_cfg.dev_key_get = meshrpr_cdb_dev_key_get;
    T->prov_cfg.dev_key_ctx = &T->cdb;
    assert_int_equal(meshrpr_node_init(&T->prov_node, &T->prov_cfg), 0);
    assert_int_equal(meshrpr_node_provision(&T->prov_node, net_key, 0, 0, 0, 0x0001, prov_dev_key),
                     0);
    assert_non_null(meshrpr_cdb_node_alloc(&T->cdb, mesh_uuid, 0x0001, 1, 0));

    T->dev_prov.uuid = dev_uuid;
    T->dev_prov.static_val = static_oob;
    T->dev_prov.static_val_len = 32;
    T->dev_prov.output_size = 8;
    T->dev_prov.output_actions = BT_MESH_BLINK | BT_MESH_BEEP | BT_MESH_VIBRATE |
                                 BT_MESH_DISPLAY_NUMBER | BT_MESH_DISPLAY_STRING;
    T->dev_prov.input_size = 8;
    T->dev_prov.input_actions =
        BT_MESH_PUSH | BT_MESH_TWIST | BT_MESH_ENTER_NUMBER | BT_MESH_ENTER_STRING;
    T->dev_prov.output_number = dev_output_number;
    T->dev_prov.output_string = dev_output_string;
    T->dev_prov.input = dev_input;
    T->dev_prov.complete = dev_complete;
    T->dev_prov.algorithms = dev_algorithms;
    T->dev_cfg.platform = meshrpr_sim_node_platform(&T->sim, T->dev_id);
    T->dev_cfg.comp = &dev_comp;
    T->dev_cfg.prov = &T->dev_prov;
    assert_int_equal(meshrpr_node_init(&T->dev_node, &T->dev_cfg), 0);
    assert_int_equal(meshrpr_prov_enable(&T->dev_node, BT_MESH_PROV_ADV), 0);
}

static void world_teardown(void)
{
    /* Every test ends with both nodes idle (the periodic beacons aside). */
    (void)meshrpr_sim_run_until(&T->sim, meshrpr_sim_now_ms(&T->sim) + 30000);
    assert_true(meshrpr_node_is_idle(&T->prov_node));
    assert_true(meshrpr_node_is_idle(&T->dev_node));
    meshrpr_node_deinit(&T->prov_node);
    meshrpr_node_deinit(&T->dev_node);
    free(T);
    T = NULL;
}

/* ---- The attacker: the device's PB-ADV link with a forging send -------------------------- */

static int record_prov_send(struct meshrpr_prov_link *link, const uint8_t *pdu, size_t len,
                            meshrpr_prov_send_complete_t complete, void *cb_data)
{
    if (len > 0 && pdu[0] < 16 && len <= sizeof(T->prov_sent[0])) {
        memcpy(T->prov_sent[pdu[0]], pdu, len);
        T->prov_sent_len[pdu[0]] = len;
    }
    return meshrpr_pb_adv_ops.send(link, pdu, len, complete, cb_data);
}

static int forge_dev_send(struct meshrpr_prov_link *link, const uint8_t *pdu, size_t len,
                          meshrpr_prov_send_complete_t complete, void *cb_data)
{
    uint8_t forged[66];

    assert_true(len <= sizeof(forged));
    memcpy(forged, pdu, len);
    if (T->attack == REFLECT && pdu[0] == T->attack_type && T->prov_sent_len[pdu[0]] == len) {
        memcpy(forged, T->prov_sent[pdu[0]], len); /* the provisioner's own value, back */
    } else if (T->attack == OFF_CURVE && pdu[0] == MESHRPR_PROV_PUB_KEY) {
        forged[64] ^= 0x01; /* Y + 1: no longer a point of P-256 */
    }
    return meshrpr_pb_adv_ops.send(link, forged, len, complete, cb_data);
}

static struct meshrpr_prov_bearer_ops record_ops;
static struct meshrpr_prov_bearer_ops forge_ops;

/* Put the wrappers on the links as soon as they exist (called between simulator events). */
static void hook_links(void)
{
    record_ops = meshrpr_pb_adv_ops;
    record_ops.send = record_prov_send;
    forge_ops = meshrpr_pb_adv_ops;
    forge_ops.send = forge_dev_send;
    for (size_t i = 0; i < MESHRPR_PB_ADV_LINK_COUNT; i++) {
        struct meshrpr_prov_link *l = &T->prov_node.pb_adv.links[i].link;
        if (l->ops == &meshrpr_pb_adv_ops) {
            l->ops = &record_ops;
        }
    }
    if (T->attack != HONEST && T->dev_node.pb_adv.dev_link.link.ops == &meshrpr_pb_adv_ops) {
        T->dev_node.pb_adv.dev_link.link.ops = &forge_ops;
    }
}

static bool prov_idle(void *arg)
{
    (void)arg;
    hook_links();
    if (T->shown && T->prov_wants != 0) {
        assert_int_equal(user_enters(&T->prov_node, T->prov_wants - 1), 0);
        T->prov_wants = 0;
    }
    if (T->shown && T->dev_wants != 0) {
        assert_int_equal(user_enters(&T->dev_node, T->dev_wants - 1), 0);
        T->dev_wants = 0;
    }
    return !meshrpr_prov_is_busy(&T->prov_node);
}

/* Provision D from P over PB-ADV and wait (simulated time) for the end. */
static int provision(uint32_t limit_ms)
{
    int err = meshrpr_provision_adv(&T->prov_node, dev_uuid, 0, 0, 0);

    if (err != 0) {
        return err;
    }
    return meshrpr_sim_run_until_done(&T->sim, prov_idle, NULL,
                                      meshrpr_sim_now_ms(&T->sim) + limit_ms);
}

/* The provisioning worked end to end: both sides agree, and the device answers a Config
 * Client request secured with the device key the database holds. */
static void assert_provisioned(void)
{
    NET_BUF_SIMPLE_DEFINE(comp, 64);
    struct meshrpr_cdb_node *entry;
    uint8_t page = 0xff;

    assert_int_equal(T->node_added, 1);
    assert_int_equal(T->dev_complete, 1);
    assert_int_equal(T->added_elems, 2);
    assert_true(meshrpr_node_is_provisioned(&T->dev_node));
    assert_int_equal(meshrpr_node_addr(&T->dev_node), T->added_addr);
    entry = meshrpr_cdb_node_get(&T->cdb, T->added_addr);
    assert_non_null(entry);
    assert_memory_equal(entry->uuid, dev_uuid, 16);
    assert_int_equal(meshrpr_cdb_node_get(&T->cdb, 0x0001)->addr, 0x0001);
    /* Lowest free after the provisioner's own 0x0001. */
    assert_int_equal(T->added_addr, 0x0002);
    net_buf_simple_init(&comp, 0);
    assert_int_equal(meshrpr_cfg_cli_comp_data_get(&cfg_cli, 0, T->added_addr, 0, &page, &comp), 0);
    assert_int_equal(page, 0);
    assert_int_equal(comp.data[0] | comp.data[1] << 8, 0xffff); /* CID of dev_comp */
}

struct oob_case {
    const char *name;
    uint16_t dev_algorithms; /* 0: both */
    enum method method;
    uint8_t action;
    uint8_t size;
    uint16_t expect_alg; /* BIT() of the algorithm the device offered alone, or 0x3 */
};

static void run_case(const struct oob_case *c)
{
    world_setup(100 + (uint64_t)c->method * 10 + c->action, c->dev_algorithms);
    T->method = c->method;
    T->action = c->action;
    T->size = c->size;
    assert_int_equal(provision(130000), 0);
    assert_int_equal(T->cap_algorithms, c->expect_alg);
    assert_provisioned();
    if (c->method == OUTPUT || c->method == INPUT) {
        assert_true(T->shown);
    }
    world_teardown();
}

static void every_oob_method_both_algorithms(void **state)
{
    (void)state;
    static const struct oob_case cases[] = {
        { "cmac none", BIT(0), NONE, 0, 0, BIT(0) },
        { "hmac none", 0, NONE, 0, 0, 0x3 },
        { "cmac static 16", BIT(0), STATIC, 0, 16, BIT(0) },
        { "hmac static 32", 0, STATIC, 0, 32, 0x3 },
        { "cmac output number", BIT(0), OUTPUT, BT_MESH_DISPLAY_NUMBER, 8, BIT(0) },
        { "hmac output number", 0, OUTPUT, BT_MESH_DISPLAY_NUMBER, 6, 0x3 },
        { "hmac output string", 0, OUTPUT, BT_MESH_DISPLAY_STRING, 8, 0x3 },
        { "cmac output blink", BIT(0), OUTPUT, BT_MESH_BLINK, 2, BIT(0) },
        { "hmac output beep", 0, OUTPUT, BT_MESH_BEEP, 1, 0x3 },
        { "hmac output vibrate", 0, OUTPUT, BT_MESH_VIBRATE, 1, 0x3 },
        { "cmac input number", BIT(0), INPUT, BT_MESH_ENTER_NUMBER, 8, BIT(0) },
        { "hmac input string", 0, INPUT, BT_MESH_ENTER_STRING, 8, 0x3 },
        { "hmac input push", 0, INPUT, BT_MESH_PUSH, 2, 0x3 },
        { "cmac input twist", BIT(0), INPUT, BT_MESH_TWIST, 1, BIT(0) },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        print_message("case: %s\n", cases[i].name);
        run_case(&cases[i]);
    }
}

/* 30% of every PB-ADV and mesh transmission lost: provisioning still completes. */
static void lossy_link(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        world_setup(seed, 0);
        meshrpr_sim_set_default_loss(&T->sim, 0.30);
        T->method = NONE;
        assert_int_equal(provision(200000), 0);
        meshrpr_sim_set_default_loss(&T->sim, 0.0);
        assert_provisioned();
        world_teardown();
    }
}

/* The device falls silent once the link is up: the provisioner fails with a timeout within
 * the protocol's limits, and nothing enters the database. */
static void silent_device_times_out(void **state)
{
    (void)state;
    struct meshrpr_prov_result result;
    uint64_t start_ms;

    world_setup(9, 0);
    T->method = NONE;
    assert_int_equal(meshrpr_provision_adv(&T->prov_node, dev_uuid, 0, 0, 0), 0);
    (void)meshrpr_sim_run_until(&T->sim, meshrpr_sim_now_ms(&T->sim) + 300);
    /* From now on nothing the device sends reaches the provisioner. */
    assert_int_equal(meshrpr_sim_link_set_oneway(&T->sim, T->prov_id, T->dev_id, 0.0), 0);
    assert_int_equal(meshrpr_sim_link_set_oneway(&T->sim, T->dev_id, T->prov_id, 1.0), 0);
    start_ms = meshrpr_sim_now_ms(&T->sim);
    assert_int_equal(meshrpr_sim_run_until_done(&T->sim, prov_idle, NULL, start_ms + 70000), 0);
    /* PB-ADV's 30 s transaction timeout (or the 60 s protocol timeout) ends it. */
    assert_true(meshrpr_sim_now_ms(&T->sim) - start_ms <= 61000);
    assert_int_equal(meshrpr_prov_last_result(&T->prov_node, &result), 0);
    assert_int_equal(result.status, MESHRPR_PROV_STATUS_TIMEOUT);
    assert_int_equal(T->node_added, 0);
    assert_null(meshrpr_cdb_node_by_uuid(&T->cdb, dev_uuid));
    meshrpr_sim_link_clear(&T->sim);
    world_teardown();
}

/* A wrong Static OOB value on the device fails the confirmation: no node is added. */
static void wrong_static_oob_refused(void **state)
{
    (void)state;
    static const uint8_t other[16] = { 1, 2, 3, 4 };
    struct meshrpr_prov_result result;

    world_setup(12, 0);
    T->dev_prov.static_val = other;
    T->dev_prov.static_val_len = 16;
    T->method = STATIC;
    T->size = 16;
    assert_int_equal(provision(130000), 0);
    assert_int_equal(meshrpr_prov_last_result(&T->prov_node, &result), 0);
    assert_int_not_equal(result.status, MESHRPR_PROV_STATUS_SUCCESS);
    assert_int_equal(T->node_added, 0);
    assert_false(meshrpr_node_is_provisioned(&T->dev_node));
    assert_null(meshrpr_cdb_node_by_uuid(&T->cdb, dev_uuid));
    world_teardown();
}

/* The 2021 advisories (peers.md §D): a device that reflects our Confirmation, our Random or
 * our public key, or sends an off-curve point, is refused; nothing about it enters the
 * database and the device never gets the NetKey. */
static void attacker_devices_refused(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int attack;
        uint8_t type;
        uint8_t error;
    } attacks[] = {
        { "reflected confirmation", REFLECT, MESHRPR_PROV_CONFIRM,
          MESHRPR_PROV_ERR_CONFIRMATION_FAILED },
        { "reflected random", REFLECT, MESHRPR_PROV_RANDOM, MESHRPR_PROV_ERR_CONFIRMATION_FAILED },
        { "our own public key", REFLECT, MESHRPR_PROV_PUB_KEY, MESHRPR_PROV_ERR_INVALID_FORMAT },
        { "off-curve public key", OFF_CURVE, MESHRPR_PROV_PUB_KEY,
          MESHRPR_PROV_ERR_INVALID_FORMAT },
    };

    for (size_t i = 0; i < sizeof(attacks) / sizeof(attacks[0]); i++) {
        struct meshrpr_prov_result result;

        print_message("attack: %s\n", attacks[i].name);
        /* CMAC for the reflected Random: HMAC's device Confirmation already differs. */
        world_setup(40 + i, attacks[i].type == MESHRPR_PROV_RANDOM ? BIT(0) : 0);
        T->attack = attacks[i].attack;
        T->attack_type = attacks[i].type;
        T->method = NONE;
        assert_int_equal(provision(130000), 0);
        assert_int_equal(meshrpr_prov_last_result(&T->prov_node, &result), 0);
        assert_int_equal(result.status, MESHRPR_PROV_STATUS_REFUSED);
        assert_int_equal(result.error_code, attacks[i].error);
        assert_int_equal(T->node_added, 0);
        assert_null(meshrpr_cdb_node_by_uuid(&T->cdb, dev_uuid));
        assert_int_equal(T->prov_sent_len[MESHRPR_PROV_DATA], 0); /* no NetKey sent */
        if (attacks[i].type == MESHRPR_PROV_CONFIRM) {
            /* Our Random is never revealed to a reflected Confirmation. */
            assert_int_equal(T->prov_sent_len[MESHRPR_PROV_RANDOM], 0);
        }
        assert_false(meshrpr_node_is_provisioned(&T->dev_node));
        world_teardown();
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_oob_method_both_algorithms),
        cmocka_unit_test(lossy_link),
        cmocka_unit_test(silent_device_times_out),
        cmocka_unit_test(wrong_static_oob_refused),
        cmocka_unit_test(attacker_devices_refused),
    };
    return cmocka_run_group_tests_name("prov_scenarios", tests, NULL, NULL);
}

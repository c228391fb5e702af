/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Several OOB-authenticated provisionings at once (meshrpr's session-carrying callbacks,
 * <meshrpr/prov.h>): a provisioner provisions two devices over PB-ADV in the simulator, both
 * with Output OOB, both links open together. Its input_ex callback names the session (and so
 * the device) each request is about; the "user" reads each device's display and answers each
 * session later, from the event loop, in the opposite order. Both must succeed with their own
 * device keys; a number typed into the other device's session must fail only that session.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#include <meshrpr/cdb.h>
#include <meshrpr/cfg_cli.h>
#include <meshrpr/cfg_srv.h>
#include <meshrpr/node.h>
#include <meshrpr/prov.h>
#include <meshrpr/sim.h>

#define DEV_COUNT 2

static const uint8_t net_key[16] = { 0x63, 0x96, 0x47, 0x71, 0x73, 0x4f, 0xbd, 0x76,
                                     0xe3, 0xb4, 0x05, 0x19, 0xd1, 0xd9, 0x4a, 0x48 };

static struct bt_mesh_cfg_cli cfg_cli;
static const struct bt_mesh_model prov_models[] = { BT_MESH_MODEL_CFG_SRV,
                                                    BT_MESH_MODEL_CFG_CLI(&cfg_cli) };
static const struct bt_mesh_elem prov_elems[] = { BT_MESH_ELEM(0, prov_models,
                                                               BT_MESH_MODEL_NONE) };
static const struct bt_mesh_comp prov_comp = { .cid = 0xffff, .elem = prov_elems, .elem_count = 1 };
/* A composition belongs to one node (its models' runtime contexts): one per device. */
static const struct bt_mesh_model dev1_models[] = { BT_MESH_MODEL_CFG_SRV };
static const struct bt_mesh_elem dev1_elems[] = { BT_MESH_ELEM(0, dev1_models,
                                                               BT_MESH_MODEL_NONE) };
static const struct bt_mesh_model dev2_models[] = { BT_MESH_MODEL_CFG_SRV };
static const struct bt_mesh_elem dev2_elems[] = { BT_MESH_ELEM(0, dev2_models,
                                                               BT_MESH_MODEL_NONE) };
static const struct bt_mesh_comp dev_comp[2] = {
    { .cid = 0x1234, .elem = dev1_elems, .elem_count = 1 },
    { .cid = 0x1234, .elem = dev2_elems, .elem_count = 1 },
};

struct device {
    struct meshrpr_node node;
    struct bt_mesh_prov prov;
    uint8_t uuid[16];
    uint32_t shown; /* what its display shows */
    bool has_shown;
    unsigned complete;
    /* The provisioner's session for this device, from input_ex. */
    struct meshrpr_prov_session *session;
    unsigned asked;
    bool added;
    uint16_t addr;
};

static struct world {
    struct meshrpr_sim sim;
    struct meshrpr_node prov_node;
    struct bt_mesh_prov prov;
    struct meshrpr_cdb cdb;
    struct device dev[DEV_COUNT];
    unsigned closed;
    struct meshrpr_prov_session *closed_sessions[DEV_COUNT];
} * W;

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

static const struct meshrpr_sim_node_ops node_ops = {
    .adv_report = ops_adv_report,
    .next_deadline_ms = ops_next_deadline_ms,
    .process = ops_process,
};

static struct device *device_by_uuid(const uint8_t *uuid)
{
    for (int i = 0; i < DEV_COUNT; i++) {
        if (memcmp(W->dev[i].uuid, uuid, 16) == 0) {
            return &W->dev[i];
        }
    }
    return NULL;
}

static struct device *device_by_node(const struct meshrpr_node *node)
{
    for (int i = 0; i < DEV_COUNT; i++) {
        if (&W->dev[i].node == node) {
            return &W->dev[i];
        }
    }
    return NULL;
}

/* ---- Provisioner: every callback names its session ------------------------------------- */

static void prov_capabilities_ex(struct meshrpr_prov_session *s,
                                 const struct bt_mesh_dev_capabilities *cap)
{
    assert_true(meshrpr_prov_session_is_provisioner(s));
    assert_ptr_equal(meshrpr_prov_session_node(s), &W->prov_node);
    assert_non_null(device_by_uuid(meshrpr_prov_session_uuid(s)));
    assert_true(cap->output_actions & BT_MESH_DISPLAY_NUMBER);
    assert_int_equal(meshrpr_prov_auth_method_set_output(&W->prov_node, BT_MESH_DISPLAY_NUMBER, 6),
                     0);
}

static int prov_input_ex(struct meshrpr_prov_session *s, bt_mesh_input_action_t act, uint8_t size)
{
    struct device *d = device_by_uuid(meshrpr_prov_session_uuid(s));

    assert_non_null(d);
    assert_int_equal(act, BT_MESH_ENTER_NUMBER);
    assert_int_equal(size, 6);
    d->session = s;
    d->asked++;
    return 0; /* answered later, from the event loop */
}

static void prov_node_added(uint16_t net_idx, uint8_t uuid[16], uint16_t addr, uint8_t num_elem)
{
    struct device *d = device_by_uuid(uuid);

    (void)net_idx;
    assert_non_null(d);
    assert_int_equal(num_elem, 1);
    d->added = true;
    d->addr = addr;
}

static void prov_link_close_ex(struct meshrpr_prov_session *s, bt_mesh_prov_bearer_t bearer)
{
    assert_int_equal(bearer, BT_MESH_PROV_ADV);
    if (W->closed < DEV_COUNT) {
        W->closed_sessions[W->closed] = s;
    }
    W->closed++;
}

/* ---- Devices ------------------------------------------------------------------------------ */

static int dev_output_number_ex(struct meshrpr_prov_session *s, bt_mesh_output_action_t act,
                                uint32_t num)
{
    struct device *d = device_by_node(meshrpr_prov_session_node(s));

    assert_non_null(d);
    assert_false(meshrpr_prov_session_is_provisioner(s));
    assert_int_equal(act, BT_MESH_DISPLAY_NUMBER);
    d->shown = num;
    d->has_shown = true;
    return 0;
}

static void dev_complete(uint16_t net_idx, uint16_t addr)
{
    (void)net_idx;
    (void)addr;
    /* Zephyr's callback without a session: which device is told by the node itself. */
    for (int i = 0; i < DEV_COUNT; i++) {
        if (meshrpr_node_is_provisioned(&W->dev[i].node) &&
            meshrpr_node_addr(&W->dev[i].node) == addr) {
            W->dev[i].complete++;
        }
    }
}

static void world_setup(uint64_t seed)
{
    static const uint8_t mesh_uuid[16] = { 0x4d, 0x43 };
    static const uint8_t prov_dev_key[16] = { 0x42 };
    struct meshrpr_node_config cfg = { 0 };
    int id;

    W = calloc(1, sizeof(*W));
    assert_non_null(W);
    meshrpr_sim_init(&W->sim, seed);
    meshrpr_cdb_init(&W->cdb, mesh_uuid, "concurrent");
    assert_int_equal(meshrpr_cdb_subnet_add(&W->cdb, 0, net_key), 0);

    id = meshrpr_sim_node_add(&W->sim, "P", &node_ops, &W->prov_node);
    W->prov.capabilities_ex = prov_capabilities_ex;
    W->prov.input_ex = prov_input_ex;
    W->prov.node_added = prov_node_added;
    W->prov.link_close_ex = prov_link_close_ex;
    cfg.platform = meshrpr_sim_node_platform(&W->sim, id);
    cfg.comp = &prov_comp;
    cfg.prov = &W->prov;
    cfg.cdb = &W->cdb;
    cfg.dev_key_get = meshrpr_cdb_dev_key_get;
    cfg.dev_key_ctx = &W->cdb;
    assert_int_equal(meshrpr_node_init(&W->prov_node, &cfg), 0);
    assert_int_equal(meshrpr_node_provision(&W->prov_node, net_key, 0, 0, 0, 0x0001, prov_dev_key),
                     0);
    assert_non_null(meshrpr_cdb_node_alloc(&W->cdb, mesh_uuid, 0x0001, 1, 0));

    for (int i = 0; i < DEV_COUNT; i++) {
        struct device *d = &W->dev[i];
        struct meshrpr_node_config dcfg = { 0 };

        d->uuid[0] = 0xd0;
        d->uuid[15] = (uint8_t)(i + 1);
        d->prov.uuid = d->uuid;
        d->prov.output_size = 6;
        d->prov.output_actions = BT_MESH_DISPLAY_NUMBER;
        d->prov.output_number_ex = dev_output_number_ex;
        d->prov.complete = dev_complete;
        id = meshrpr_sim_node_add(&W->sim, i == 0 ? "D1" : "D2", &node_ops, &d->node);
        meshrpr_sim_node_set_position(&W->sim, id, 4.0 + 2.0 * i, 1.0);
        dcfg.platform = meshrpr_sim_node_platform(&W->sim, id);
        dcfg.comp = &dev_comp[i];
        dcfg.prov = &d->prov;
        assert_int_equal(meshrpr_node_init(&d->node, &dcfg), 0);
        assert_int_equal(meshrpr_prov_enable(&d->node, BT_MESH_PROV_ADV), 0);
    }
}

static void world_teardown(void)
{
    meshrpr_node_deinit(&W->prov_node);
    for (int i = 0; i < DEV_COUNT; i++) {
        meshrpr_node_deinit(&W->dev[i].node);
    }
    free(W);
    W = NULL;
}

/* Both provisioner sessions wait for their user, and both devices show their value. */
static bool both_waiting(void *arg)
{
    (void)arg;
    for (int i = 0; i < DEV_COUNT; i++) {
        if (W->dev[i].session == NULL || !W->dev[i].has_shown) {
            return false;
        }
    }
    return true;
}

static bool both_closed(void *arg)
{
    (void)arg;
    return W->closed == DEV_COUNT && !meshrpr_prov_is_busy(&W->prov_node);
}

static void start_both(void)
{
    assert_int_equal(meshrpr_provision_adv(&W->prov_node, W->dev[0].uuid, 0, 0x0010, 0), 0);
    assert_int_equal(meshrpr_provision_adv(&W->prov_node, W->dev[1].uuid, 0, 0x0020, 0), 0);
    assert_int_equal(meshrpr_sim_run_until_done(&W->sim, both_waiting, NULL,
                                                meshrpr_sim_now_ms(&W->sim) + 60000),
                     0);
    /* Two sessions, one per device, both still waiting: the links really run together. */
    assert_ptr_not_equal(W->dev[0].session, W->dev[1].session);
    assert_int_equal(W->closed, 0);
    assert_true(W->dev[0].shown != W->dev[1].shown);
}

static void two_output_oob_devices_at_once(void **state)
{
    NET_BUF_SIMPLE_DEFINE(comp, 64);
    uint8_t page = 0xff;
    uint8_t key[16];

    (void)state;
    world_setup(7);
    assert_int_equal(meshrpr_node_dev_key_get(&W->dev[0].node, key), -ENOENT);
    assert_int_equal(meshrpr_node_dev_key_get(NULL, key), -EINVAL);
    start_both();
    /* The user answers the second device first, each into its own session. */
    assert_int_equal(meshrpr_prov_session_input_number(W->dev[1].session, W->dev[1].shown), 0);
    assert_int_equal(meshrpr_prov_session_input_number(W->dev[0].session, W->dev[0].shown), 0);
    /* Answered: a second answer is refused. */
    assert_int_equal(meshrpr_prov_session_input_number(W->dev[0].session, W->dev[0].shown),
                     -EINVAL);
    assert_int_equal(
        meshrpr_sim_run_until_done(&W->sim, both_closed, NULL, meshrpr_sim_now_ms(&W->sim) + 60000),
        0);
    for (int i = 0; i < DEV_COUNT; i++) {
        struct device *d = &W->dev[i];

        assert_int_equal(d->asked, 1);
        assert_true(d->added);
        assert_int_equal(d->complete, 1);
        assert_int_equal(d->addr, i == 0 ? 0x0010 : 0x0020);
        assert_int_equal(meshrpr_node_addr(&d->node), d->addr);
        /* The device key each side derived is the same (the node's own key, through the public
         * getter, is the database's), and the device answers a request secured with it. */
        assert_int_equal(meshrpr_node_dev_key_get(&d->node, key), 0);
        assert_non_null(meshrpr_cdb_node_get(&W->cdb, d->addr));
        assert_memory_equal(key, meshrpr_cdb_node_get(&W->cdb, d->addr)->dev_key, 16);
        net_buf_simple_init(&comp, 0);
        assert_int_equal(meshrpr_cfg_cli_comp_data_get(&cfg_cli, 0, d->addr, 0, &page, &comp), 0);
        assert_int_equal(comp.data[0] | comp.data[1] << 8, 0x1234);
    }
    world_teardown();
}

static void a_number_for_the_other_device_fails_only_that_session(void **state)
{
    struct meshrpr_prov_result result;

    (void)state;
    world_setup(8);
    start_both();
    /* Device 2's value typed into device 1's session; device 2 gets its own. */
    assert_int_equal(meshrpr_prov_session_input_number(W->dev[0].session, W->dev[1].shown), 0);
    assert_int_equal(meshrpr_prov_session_input_number(W->dev[1].session, W->dev[1].shown), 0);
    assert_int_equal(
        meshrpr_sim_run_until_done(&W->sim, both_closed, NULL, meshrpr_sim_now_ms(&W->sim) + 60000),
        0);
    assert_false(W->dev[0].added);
    assert_false(meshrpr_node_is_provisioned(&W->dev[0].node));
    assert_null(meshrpr_cdb_node_by_uuid(&W->cdb, W->dev[0].uuid));
    assert_true(W->dev[1].added);
    assert_int_equal(W->dev[1].complete, 1);
    assert_int_equal(meshrpr_node_addr(&W->dev[1].node), 0x0020);
    /* The failed one was refused on its Confirmation (§5.4.2.5 check of the device's value). */
    assert_int_equal(meshrpr_prov_last_result(&W->dev[0].node, &result), 0);
    assert_int_not_equal(result.status, MESHRPR_PROV_STATUS_SUCCESS);
    world_teardown();
}

/* A session that is not waiting refuses input; NULL is refused. */
static void session_input_errors(void **state)
{
    (void)state;
    assert_int_equal(meshrpr_prov_session_input_number(NULL, 1), -EINVAL);
    assert_int_equal(meshrpr_prov_session_input_string(NULL, "abc"), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(two_output_oob_devices_at_once),
        cmocka_unit_test(a_number_for_the_other_device_fails_only_that_session),
        cmocka_unit_test(session_input_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

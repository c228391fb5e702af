/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Zephyr's contextless provisioning API (library meshrpr_compat): code written as in Zephyr's
 * documentation, calling bt_mesh_auth_method_set_*(), bt_mesh_input_*(),
 * bt_mesh_prov_remote_pub_key_set(), bt_mesh_prov_enable() and bt_mesh_provision_adv() from
 * the provisioning callbacks and outside them, acting on the node registered with
 * meshrpr_compat_node_set().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#include "prov/unprov_beacon.h"
#include "prov_harness.h"

static struct harness *H;
static struct {
    uint32_t dev_num;
    char prov_str[10];
    int node_added;
    bool use_input;
    bool set_key;
    uint8_t key[64];
} R;

/* As an application written for Zephyr would: no node anywhere in sight. */
static void capabilities(const struct bt_mesh_dev_capabilities *cap)
{
    (void)cap;
    if (R.set_key) {
        assert_int_equal(bt_mesh_prov_remote_pub_key_set(R.key), 0);
    }
    if (R.use_input) {
        assert_int_equal(bt_mesh_auth_method_set_input(BT_MESH_ENTER_STRING, 6), 0);
    } else {
        assert_int_equal(bt_mesh_auth_method_set_output(BT_MESH_DISPLAY_NUMBER, 4), 0);
    }
}

static int prov_output_string(const char *str)
{
    snprintf(R.prov_str, sizeof(R.prov_str), "%s", str);
    return 0;
}

static int prov_input(bt_mesh_input_action_t act, uint8_t size)
{
    assert_int_equal(act, BT_MESH_ENTER_NUMBER);
    assert_int_equal(size, 4);
    return 0;
}

static void node_added(uint16_t net_idx, uint8_t uuid[16], uint16_t addr, uint8_t num_elem)
{
    (void)net_idx;
    (void)uuid;
    (void)addr;
    (void)num_elem;
    R.node_added++;
}

static int dev_output_number(bt_mesh_output_action_t act, uint32_t num)
{
    assert_int_equal(act, BT_MESH_DISPLAY_NUMBER);
    R.dev_num = num;
    return 0;
}

static int dev_input(bt_mesh_input_action_t act, uint8_t size)
{
    struct meshrpr_node *previous = meshrpr_compat_node_get();
    int err;

    assert_int_equal(act, BT_MESH_ENTER_STRING);
    assert_int_equal(size, 6);
    /* The device is another node: register it for the call, as a multi-node program must. */
    meshrpr_compat_node_set(&H->node[1]);
    err = bt_mesh_input_string(R.prov_str);
    meshrpr_compat_node_set(previous);
    return err;
}

static struct harness *setup(void)
{
    struct harness *h = H;

    memset(&R, 0, sizeof(R));
    h_init(h, 1, 1);
    h->prov[0].capabilities = capabilities;
    h->prov[0].output_string = prov_output_string;
    h->prov[0].input = prov_input;
    h->prov[0].node_added = node_added;
    h->prov[1].output_size = 4;
    h->prov[1].output_actions = BT_MESH_DISPLAY_NUMBER;
    h->prov[1].input_size = 6;
    h->prov[1].input_actions = BT_MESH_ENTER_STRING;
    h->prov[1].output_number = dev_output_number;
    h->prov[1].input = dev_input;
    meshrpr_compat_node_set(&h->node[0]);
    return h;
}

static void test_no_node(void **state)
{
    static const uint8_t uuid[16] = { 1 };
    uint8_t key[64] = { 0 };

    (void)state;
    meshrpr_compat_node_set(NULL);
    assert_null(meshrpr_compat_node_get());
    assert_int_equal(bt_mesh_auth_method_set_none(), -ENODEV);
    assert_int_equal(bt_mesh_auth_method_set_static(uuid, 16), -ENODEV);
    assert_int_equal(bt_mesh_auth_method_set_output(BT_MESH_BLINK, 1), -ENODEV);
    assert_int_equal(bt_mesh_auth_method_set_input(BT_MESH_PUSH, 1), -ENODEV);
    assert_int_equal(bt_mesh_input_number(1), -ENODEV);
    assert_int_equal(bt_mesh_input_string("A"), -ENODEV);
    assert_int_equal(bt_mesh_prov_remote_pub_key_set(key), -ENODEV);
    assert_int_equal(bt_mesh_prov_enable(BT_MESH_PROV_ADV), -ENODEV);
    assert_int_equal(bt_mesh_prov_disable(BT_MESH_PROV_ADV), -ENODEV);
    assert_int_equal(bt_mesh_provision_adv(uuid, 0, 0, 0), -ENODEV);
}

static void test_output_oob_zephyr_style(void **state)
{
    struct harness *h = setup();

    (void)state;
    assert_int_equal(h_start(h, 0, 0x0100, 0), 0);
    h_pump(h);
    assert_int_equal(bt_mesh_input_number(R.dev_num), 0); /* typed later, outside callbacks */
    h_pump(h);
    assert_int_equal(R.node_added, 1);
    assert_true(meshrpr_node_is_provisioned(&h->node[1]));
    assert_true(h_idle(h));
}

static void test_input_oob_and_oob_key_zephyr_style(void **state)
{
    struct harness *h = setup();
    static uint8_t priv[32];

    (void)state;
    R.use_input = true;
    R.set_key = true;
    test_hex(H_PUB_DEV, R.key, 64);
    test_hex(H_PRIV_DEV, priv, 32);
    h->prov[1].public_key_be = R.key;
    h->prov[1].private_key_be = priv;
    assert_int_equal(h_start(h, 0, 0x0100, 0), 0);
    h_pump(h);
    assert_int_equal(h_sent_count(h, 0, H_DEV, MESHRPR_PROV_PUB_KEY), 0); /* OOB key used */
    assert_int_equal(R.node_added, 1);
    assert_true(meshrpr_node_is_provisioned(&h->node[1]));
    assert_ptr_equal(meshrpr_compat_node_get(), &h->node[0]);
    assert_true(h_idle(h));
}

static void test_enable_and_provision_adv(void **state)
{
    struct harness *h = setup();

    (void)state;
    /* A device offers itself on PB-ADV: beacons start; provisioned nodes cannot. */
    meshrpr_compat_node_set(&h->node[1]);
    assert_int_equal(bt_mesh_prov_enable(BT_MESH_PROV_ADV), 0);
    assert_int_equal(meshrpr_prov_enabled(&h->node[1]), BT_MESH_PROV_ADV);
    assert_true(meshrpr_unprov_beacon_is_running(&h->node[1]));
    assert_true(meshrpr_prov_device_can_start(&h->node[1], BT_MESH_PROV_ADV));
    assert_int_equal(bt_mesh_prov_disable(BT_MESH_PROV_ADV), 0);
    assert_false(meshrpr_unprov_beacon_is_running(&h->node[1]));
    meshrpr_compat_node_set(&h->node[0]);
    assert_int_equal(bt_mesh_prov_enable(BT_MESH_PROV_ADV), -EINVAL); /* no UUID */
    h->prov[0].uuid = h->uuid[0];
    assert_int_equal(bt_mesh_prov_enable(BT_MESH_PROV_ADV), -EALREADY);

    /* The provisioner opens a PB-ADV link; nobody answers; it gives up after 60 s. */
    unsigned adv_before = h->fp[0].adv_count;
    assert_int_equal(bt_mesh_provision_adv(h->uuid[1], H_SAMPLE_NET_IDX, 0, 5), 0);
    assert_true(h->fp[0].adv_count > adv_before);
    assert_int_equal(h->fp[0].last_adv_type, 0x29);
    assert_int_equal(bt_mesh_provision_adv(h->uuid[1], H_SAMPLE_NET_IDX, 0, 5), -EBUSY);
    assert_int_equal(bt_mesh_provision_adv(h->uuid[1], 0x0123, 0, 5), -EINVAL);
    assert_true(meshrpr_prov_is_busy(&h->node[0]));
    h_run_for(h, 65000);
    assert_false(meshrpr_prov_is_busy(&h->node[0]));
    struct meshrpr_prov_result r;
    assert_int_equal(meshrpr_prov_last_result(&h->node[0], &r), 0);
    assert_int_equal(r.status, MESHRPR_PROV_STATUS_TIMEOUT);
    assert_memory_equal(r.uuid, h->uuid[1], 16);
    assert_int_equal(meshrpr_cdb_node_count(&h->cdb), 0);
    assert_true(h_idle(h));
}

static int group_setup(void **state)
{
    (void)state;
    H = calloc(1, sizeof(*H));
    return H == NULL ? -1 : 0;
}

static int group_teardown(void **state)
{
    (void)state;
    meshrpr_compat_node_set(NULL);
    free(H);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_node),
        cmocka_unit_test(test_output_oob_zephyr_style),
        cmocka_unit_test(test_input_oob_and_oob_key_zephyr_style),
        cmocka_unit_test(test_enable_and_provision_adv),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

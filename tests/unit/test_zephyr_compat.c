/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Zephyr's node-wide, CDB and Configuration Client calls of the meshrpr_compat library
 * (include/meshrpr/main.h, cdb.h, cfg_cli.h, access.h), with Zephyr's semantics: what works
 * without a registered node, bt_mesh_cdb_create() and a loaded database, key import and
 * export with Zephyr's key indexes, iteration, deletion with and without store, the
 * provisioner entering itself in its database, and bt_mesh_comp_change_prepare(): page 0
 * keeps the previous composition (bytes written out by hand from MshPRTv1.1 §4.2.2.1) until
 * a reset.
 */
#include <errno.h>
#include <string.h>

#include "test_util.h"

#include <meshrpr/mesh.h>

#include "access/composition.h"
#include "fake_platform.h"
#include "mem_storage.h"

static struct fake_platform fp;
static struct meshrpr_node node;
static struct meshrpr_cdb cdb;
static int store_calls;

static int count_store(void *ctx, const struct meshrpr_cdb *db)
{
    assert_ptr_equal(ctx, &store_calls);
    assert_ptr_equal(db, &cdb);
    store_calls++;
    return 0;
}

static const uint8_t self_uuid[16] = { 0xc0, 0x1, 0x2, 0x3, 0x4, 0x5, 0x6, 0x7,
                                       0x8,  0x9, 0xa, 0xb, 0xc, 0xd, 0xe, 0xf };
static const struct bt_mesh_prov prov = { .uuid = self_uuid };

static struct bt_mesh_cfg_cli cfg_cli;
static const struct bt_mesh_model cli_models[] = {
    BT_MESH_MODEL_CFG_SRV,
    BT_MESH_MODEL_CFG_CLI(&cfg_cli),
};
static const struct bt_mesh_elem cli_elems[] = { BT_MESH_ELEM(0, cli_models, BT_MESH_MODEL_NONE) };
static const struct bt_mesh_comp cli_comp = { .cid = 0x05f1, .elem = cli_elems, .elem_count = 1 };

/* Composition A: the Configuration Server alone. */
static const struct bt_mesh_model a_models[] = { BT_MESH_MODEL_CFG_SRV };
static const struct bt_mesh_elem a_elems[] = { BT_MESH_ELEM(0, a_models, BT_MESH_MODEL_NONE) };
static const struct bt_mesh_comp comp_a = { .cid = 0x05f1, .elem = a_elems, .elem_count = 1 };
/* Page 0 of A (§4.2.2.1): CID 05F1, PID 0, VID 0, CRPL, Features 0, element Loc 0, NumS 1,
 * NumV 0, model 0x0000; all little-endian. */
static const uint8_t page_a[] = {
    0xf1, 0x05, 0x00, 0x00, 0x00, 0x00, MESHRPR_RPL_SIZE & 0xff, MESHRPR_RPL_SIZE >> 8, 0x00, 0x00,
    0x00, 0x00, 0x01, 0x00, 0x00, 0x00
};

/* Composition B (the "new firmware"): PID 7 and a second SIG model (0x1000). */
static const struct bt_mesh_model_op no_op[] = { BT_MESH_MODEL_OP_END };
static const struct bt_mesh_model b_models[] = { BT_MESH_MODEL_CFG_SRV,
                                                 BT_MESH_MODEL(0x1000, no_op, NULL, NULL) };
static const struct bt_mesh_elem b_elems[] = { BT_MESH_ELEM(0, b_models, BT_MESH_MODEL_NONE) };
static const struct bt_mesh_comp comp_b = {
    .cid = 0x05f1, .pid = 0x0007, .elem = b_elems, .elem_count = 1
};
static const uint8_t page_b[] = { 0xf1,
                                  0x05,
                                  0x07,
                                  0x00,
                                  0x00,
                                  0x00,
                                  MESHRPR_RPL_SIZE & 0xff,
                                  MESHRPR_RPL_SIZE >> 8,
                                  0x00,
                                  0x00,
                                  0x00,
                                  0x00,
                                  0x02,
                                  0x00,
                                  0x00,
                                  0x00,
                                  0x00,
                                  0x10 };

static void register_host(const struct bt_mesh_comp *comp, const struct meshrpr_storage *st)
{
    struct meshrpr_compat_host host = { 0 };

    fake_platform_init(&fp, 5);
    host.platform = &fp.platform;
    host.storage = st;
    host.cdb = &cdb;
    host.cdb_store = count_store;
    host.cdb_store_ctx = &store_calls;
    assert_int_equal(meshrpr_compat_init(&node, &host), 0);
    assert_int_equal(bt_mesh_init(&prov, comp), 0);
    assert_int_equal(bt_mesh_init(&prov, comp), -EALREADY);
}

static void test_nothing_registered(void **state)
{
    uint8_t ttl;

    (void)state;
    meshrpr_compat_node_set(NULL);
    assert_int_equal(bt_mesh_init(&prov, &cli_comp), -ENODEV);
    assert_int_equal(bt_mesh_cfg_cli_ttl_get(0, 2, &ttl), -ENODEV);
    assert_int_equal(bt_mesh_comp_change_prepare(), -ENODEV);
    assert_false(bt_mesh_is_provisioned());
    assert_int_equal(meshrpr_compat_init(NULL, NULL), -EINVAL);
}

static void test_cdb_create_keys_nodes(void **state)
{
    const uint8_t net_key[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
    uint8_t new_key[16];
    uint8_t key[16];
    uint8_t out[16];
    struct bt_mesh_cdb_subnet *sub;
    struct bt_mesh_cdb_subnet *sub1;
    struct bt_mesh_cdb_app_key *app;
    struct bt_mesh_cdb_node *n1;
    struct bt_mesh_cdb_node *n2;
    uint8_t uuid[16] = { 0 };

    (void)state;
    memset(&cdb, 0, sizeof(cdb));
    register_host(&cli_comp, NULL);
    store_calls = 0;
    assert_int_equal(bt_mesh_cdb_create(net_key), 0);
    assert_int_equal(store_calls, 1);
    /* Valid now: a second create changes nothing, as with Zephyr's stored CDB. */
    assert_int_equal(bt_mesh_cdb_create(new_key), -EALREADY);
    sub = bt_mesh_cdb_subnet_get(0);
    assert_non_null(sub);
    assert_int_equal(bt_mesh_cdb_subnet_key_export(sub, 0, out), 0);
    assert_memory_equal(out, net_key, 16);
    /* No Key Refresh yet: there is no key 1. */
    assert_int_equal(bt_mesh_cdb_subnet_key_export(sub, 1, out), -ENOENT);
    assert_int_equal(bt_mesh_cdb_subnet_key_export(sub, 2, out), -EINVAL);
    /* A random version 4 UUID names the new mesh. */
    assert_int_equal(cdb.mesh_uuid[6] >> 4, 4);
    assert_int_equal(cdb.mesh_uuid[8] >> 6, 2);

    /* Key Refresh: key 1 is the new key, key 0 stays the one in use. */
    memset(new_key, 0x5a, sizeof(new_key));
    assert_int_equal(bt_mesh_cdb_subnet_key_import(sub, 1, new_key), 0);
    assert_int_equal(bt_mesh_cdb_subnet_key_export(sub, 0, out), 0);
    assert_memory_equal(out, net_key, 16);
    assert_int_equal(bt_mesh_cdb_subnet_key_export(sub, 1, out), 0);
    assert_memory_equal(out, new_key, 16);
    assert_int_equal(bt_mesh_cdb_subnet_flags(sub), 0);
    sub->kr_phase = 2;
    assert_int_equal(bt_mesh_cdb_subnet_flags(sub), BT_MESH_FLAG_KEY_REFRESH);
    bt_mesh_cdb_iv_update(0x12345, true);
    assert_int_equal(cdb.iv_index, 0x12345);
    assert_int_equal(bt_mesh_cdb_subnet_flags(sub),
                     BT_MESH_FLAG_KEY_REFRESH | BT_MESH_FLAG_IV_UPDATE);

    /* AppKeys bind to present NetKeys; deleting a NetKey takes its AppKeys along. */
    app = bt_mesh_cdb_app_key_alloc(0, 3);
    assert_non_null(app);
    assert_null(bt_mesh_cdb_app_key_alloc(0, 3));
    assert_null(bt_mesh_cdb_app_key_alloc(1, 4));
    memset(key, 0x33, sizeof(key));
    assert_int_equal(bt_mesh_cdb_app_key_import(app, 0, key), 0);
    assert_int_equal(bt_mesh_cdb_app_key_export(bt_mesh_cdb_app_key_get(3), 0, out), 0);
    assert_memory_equal(out, key, 16);
    sub1 = bt_mesh_cdb_subnet_alloc(1);
    assert_non_null(sub1);
    assert_null(bt_mesh_cdb_subnet_alloc(1));
    assert_null(bt_mesh_cdb_subnet_alloc(0x1000));
    assert_non_null(bt_mesh_cdb_app_key_alloc(1, 4));
    store_calls = 0;
    bt_mesh_cdb_subnet_del(sub1, false);
    assert_int_equal(store_calls, 0);
    assert_null(bt_mesh_cdb_subnet_get(1));
    assert_null(bt_mesh_cdb_app_key_get(4));
    assert_non_null(bt_mesh_cdb_app_key_get(3));
    bt_mesh_cdb_app_key_del(bt_mesh_cdb_app_key_get(3), true);
    assert_null(bt_mesh_cdb_app_key_get(3));
    assert_int_equal(store_calls, 1);

    /* Nodes: addr 0 takes the lowest free range; lookups by any element address. */
    uuid[0] = 1;
    n1 = bt_mesh_cdb_node_alloc(uuid, 0, 3, 0);
    assert_non_null(n1);
    assert_int_equal(n1->addr, 0x0001);
    assert_int_equal(bt_mesh_cdb_free_addr_get(2), 0x0004);
    uuid[0] = 2;
    assert_null(bt_mesh_cdb_node_alloc(uuid, 0x0002, 1, 0)); /* inside n1's range */
    n2 = bt_mesh_cdb_node_alloc(uuid, 0x0010, 2, 0);
    assert_non_null(n2);
    assert_ptr_equal(bt_mesh_cdb_node_get(0x0003), n1);
    assert_ptr_equal(bt_mesh_cdb_node_get(0x0011), n2);
    assert_null(bt_mesh_cdb_node_get(0x0012));
    assert_int_equal(bt_mesh_cdb_node_key_export(n2, out), -ENOENT);
    assert_int_equal(bt_mesh_cdb_node_key_import(n2, key), 0);
    assert_int_equal(bt_mesh_cdb_node_key_export(n2, out), 0);
    assert_memory_equal(out, key, 16);
    bt_mesh_cdb_node_update(n2, 0x0020, 1);
    assert_ptr_equal(bt_mesh_cdb_node_get(0x0020), n2);
    assert_null(bt_mesh_cdb_node_get(0x0011));
    store_calls = 0;
    bt_mesh_cdb_node_store(n2);
    assert_int_equal(store_calls, 1);
    bt_mesh_cdb_node_del(n1, false);
    assert_int_equal(store_calls, 1);
    assert_null(bt_mesh_cdb_node_get(0x0001));

    /* Clear: nothing left, and create works again. */
    bt_mesh_cdb_clear();
    assert_null(bt_mesh_cdb_node_get(0x0020));
    assert_null(bt_mesh_cdb_subnet_get(0));
    assert_int_equal(bt_mesh_cdb_create(net_key), 0);
}

static uint8_t count_until(struct bt_mesh_cdb_node *n, void *user_data)
{
    int *count = user_data;

    (*count)++;
    /* The iterator allows deleting the node it hands over. */
    bt_mesh_cdb_node_del(n, false);
    return *count == 2 ? BT_MESH_CDB_ITER_STOP : BT_MESH_CDB_ITER_CONTINUE;
}

static void test_cdb_foreach(void **state)
{
    const uint8_t net_key[16] = { 9 };
    uint8_t uuid[16] = { 0 };
    int count = 0;

    (void)state;
    memset(&cdb, 0, sizeof(cdb));
    register_host(&cli_comp, NULL);
    assert_int_equal(bt_mesh_cdb_create(net_key), 0);
    for (uint8_t i = 0; i < 4; i++) {
        uuid[0] = (uint8_t)(i + 1);
        assert_non_null(bt_mesh_cdb_node_alloc(uuid, 0, 1, 0));
    }
    bt_mesh_cdb_node_foreach(count_until, &count);
    assert_int_equal(count, 2);
    assert_int_equal(meshrpr_cdb_node_count(&cdb), 2);
    count = 0;
    bt_mesh_cdb_node_foreach(count_until, &count);
    assert_int_equal(count, 2);
    assert_int_equal(meshrpr_cdb_node_count(&cdb), 0);
}

/* Zephyr keeps a deleted node's addresses out of allocation until an IV Index update has
 * moved on (MshCDB networkExclusions: held while the IV Index is below the recorded one + 2). */
static void test_node_del_excludes(void **state)
{
    const uint8_t net_key[16] = { 7 };
    uint8_t uuid[16] = { 0 };
    struct bt_mesh_cdb_node *a;

    (void)state;
    memset(&cdb, 0, sizeof(cdb));
    register_host(&cli_comp, NULL);
    assert_int_equal(bt_mesh_cdb_create(net_key), 0);
    bt_mesh_cdb_iv_update(5, false);
    uuid[0] = 1;
    a = bt_mesh_cdb_node_alloc(uuid, 0, 3, 0);
    assert_non_null(a);
    assert_int_equal(a->addr, 0x0001);
    uuid[0] = 2;
    assert_non_null(bt_mesh_cdb_node_alloc(uuid, 0, 1, 0)); /* 0x0004 */
    store_calls = 0;
    bt_mesh_cdb_node_del(a, true);
    assert_int_equal(store_calls, 1);
    assert_null(bt_mesh_cdb_node_get(0x0001));
    assert_int_equal(meshrpr_cdb_node_count(&cdb), 1);
    /* 0x0001..0x0003 are excluded under IV Index 5: not handed out, not allocatable. */
    assert_true(cdb.exclusions[0].valid);
    assert_int_equal(cdb.exclusions[0].iv_index, 5);
    assert_int_equal(cdb.exclusions[0].low, 0x0001);
    assert_int_equal(cdb.exclusions[0].high, 0x0003);
    assert_false(cdb.exclusions[1].valid);
    assert_true(meshrpr_cdb_addr_excluded(&cdb, 0x0003));
    assert_false(meshrpr_cdb_addr_excluded(&cdb, 0x0004));
    assert_int_equal(bt_mesh_cdb_free_addr_get(1), 0x0005);
    uuid[0] = 3;
    assert_null(bt_mesh_cdb_node_alloc(uuid, 0x0002, 1, 0));
    struct bt_mesh_cdb_node *c = bt_mesh_cdb_node_alloc(uuid, 0, 2, 0);
    assert_non_null(c);
    assert_int_equal(c->addr, 0x0005);
    /* One IV Index later they are still held; two later they are free again. */
    bt_mesh_cdb_iv_update(6, false);
    assert_true(meshrpr_cdb_addr_excluded(&cdb, 0x0001));
    assert_int_equal(bt_mesh_cdb_free_addr_get(3), 0x0007);
    bt_mesh_cdb_iv_update(7, false);
    assert_false(meshrpr_cdb_addr_excluded(&cdb, 0x0001));
    assert_int_equal(bt_mesh_cdb_free_addr_get(3), 0x0001);
    uuid[0] = 4;
    c = bt_mesh_cdb_node_alloc(uuid, 0x0002, 1, 0);
    assert_non_null(c);
    /* A cleared database is a new network: no exclusions remain. */
    bt_mesh_cdb_iv_update(5, false);
    bt_mesh_cdb_clear();
    assert_false(cdb.exclusions[0].valid);
    assert_false(meshrpr_cdb_addr_excluded(&cdb, 0x0001));
}

static void test_provision_enters_database(void **state)
{
    const uint8_t net_key[16] = { 0x11 };
    const uint8_t dev_key[16] = { 0x22, 0x23 };
    uint8_t out[16];
    struct bt_mesh_cdb_node *self;

    (void)state;
    memset(&cdb, 0, sizeof(cdb));
    register_host(&cli_comp, NULL);
    /* No database created: the node provisions itself without an entry. */
    assert_int_equal(bt_mesh_provision(net_key, 0, 0, 0, 0x0005, dev_key), 0);
    assert_true(bt_mesh_is_provisioned());
    assert_int_equal(meshrpr_cdb_node_count(&cdb), 0);
    assert_int_equal(bt_mesh_provision(net_key, 0, 0, 0, 0x0005, dev_key), -EALREADY);
    bt_mesh_reset();
    assert_false(bt_mesh_is_provisioned());

    /* With one: it enters under its UUID, with its element count and device key. */
    assert_int_equal(bt_mesh_cdb_create(net_key), 0);
    store_calls = 0;
    assert_int_equal(bt_mesh_provision(net_key, 0, 0, 0, 0x0005, dev_key), 0);
    assert_int_equal(store_calls, 1);
    self = bt_mesh_cdb_node_get(0x0005);
    assert_non_null(self);
    assert_memory_equal(self->uuid, self_uuid, 16);
    assert_int_equal(self->num_elem, 1);
    assert_int_equal(bt_mesh_cdb_node_key_export(self, out), 0);
    assert_memory_equal(out, dev_key, 16);
    assert_int_equal(meshrpr_node_addr(&node), 0x0005);

    /* The Configuration Client calls find this node's client; the fake platform has no event
     * loop, so a waiting call says so, and one that does not wait is sent. */
    {
        uint8_t ttl = 0;
        assert_int_equal(bt_mesh_cfg_cli_ttl_get(0, 0x0005, &ttl), -ENOTSUP);
        assert_int_equal(bt_mesh_cfg_cli_ttl_get(0, 0x0005, NULL), 0);
        bt_mesh_cfg_cli_timeout_set(1234);
        assert_int_equal(bt_mesh_cfg_cli_timeout_get(), 1234);
    }
}

static void test_cfg_cli_needs_a_client(void **state)
{
    uint8_t status;

    (void)state;
    memset(&cdb, 0, sizeof(cdb));
    register_host(&comp_a, NULL);
    /* Zephyr answers -EINVAL when there is no Configuration Client. */
    assert_int_equal(bt_mesh_cfg_cli_beacon_get(0, 1, &status), -EINVAL);
    /* Without storage a backup cannot be kept (Zephyr without CONFIG_BT_SETTINGS). */
    assert_int_equal(bt_mesh_comp_change_prepare(), -ENOTSUP);
}

static void assert_page(const struct meshrpr_node *n, uint8_t page, int expect_page,
                        const uint8_t *bytes, size_t len)
{
    NET_BUF_SIMPLE_DEFINE(buf, MESHRPR_COMP_PAGE_MAX);

    assert_int_equal(meshrpr_composition_page_encode(n, page, &buf), expect_page);
    assert_int_equal(buf.len, len);
    assert_memory_equal(buf.data, bytes, len);
}

/* Before bt_mesh_init() and before provisioning: -EAGAIN, nothing stored (a start with another
 * composition reports that one as page 0, no page 128), never a crash. */
static void test_comp_change_prepare_unprovisioned(void **state)
{
    static struct mem_storage st;
    struct meshrpr_compat_host host = { 0 };
    struct meshrpr_node_config cfg = { 0 };

    (void)state;
    mem_storage_init(&st);
    memset(&cdb, 0, sizeof(cdb));
    memset(&node, 0, sizeof(node));
    fake_platform_init(&fp, 5);
    host.platform = &fp.platform;
    host.storage = &st.storage;
    host.cdb = &cdb;
    assert_int_equal(meshrpr_compat_init(&node, &host), 0);
    assert_int_equal(bt_mesh_comp_change_prepare(), -EAGAIN); /* no bt_mesh_init() yet */
    assert_int_equal(bt_mesh_init(&prov, &comp_a), 0);
    assert_false(bt_mesh_is_provisioned());
    assert_int_equal(bt_mesh_comp_change_prepare(), -EAGAIN);
    assert_int_equal(bt_mesh_comp_change_prepare(), -EAGAIN);

    meshrpr_node_deinit(&node);
    cfg.platform = &fp.platform;
    cfg.comp = &comp_b;
    cfg.storage = &st.storage;
    assert_int_equal(meshrpr_node_init(&node, &cfg), 0);
    assert_page(&node, 0, 0, page_b, sizeof(page_b));
    assert_false(meshrpr_composition_page128_differs(&node));
    meshrpr_node_deinit(&node);
}

static void test_comp_change_prepare(void **state)
{
    static struct mem_storage st;
    struct meshrpr_node_config cfg = { 0 };
    const uint8_t net_key[16] = { 0x44 };
    const uint8_t dev_key[16] = { 0x55 };

    (void)state;
    mem_storage_init(&st);
    memset(&cdb, 0, sizeof(cdb));
    register_host(&comp_a, &st.storage);
    assert_int_equal(bt_mesh_provision(net_key, 0, 0, 0, 0x0100, dev_key), 0);
    assert_page(&node, 0, 0, page_a, sizeof(page_a));
    assert_int_equal(bt_mesh_comp_change_prepare(), 0);

    /* The same firmware starts again: the backup is moot and dropped. */
    meshrpr_node_deinit(&node);
    cfg.platform = &fp.platform;
    cfg.comp = &comp_a;
    cfg.storage = &st.storage;
    assert_int_equal(meshrpr_node_init(&node, &cfg), 0);
    assert_page(&node, 0, 0, page_a, sizeof(page_a));
    assert_false(meshrpr_composition_page128_differs(&node));
    assert_int_equal(meshrpr_node_comp_change_prepare(&node), 0);

    /* New firmware: it runs B, reports A as page 0 and B as page 128 (a Node Composition
     * Refresh is possible), across restarts. */
    for (int boot = 0; boot < 2; boot++) {
        meshrpr_node_deinit(&node);
        cfg.comp = &comp_b;
        assert_int_equal(meshrpr_node_init(&node, &cfg), 0);
        assert_true(meshrpr_node_is_provisioned(&node));
        assert_page(&node, 0, 0, page_a, sizeof(page_a));
        assert_page(&node, 128, 128, page_b, sizeof(page_b));
        assert_page(&node, 0xff, 128, page_b, sizeof(page_b));
        assert_true(meshrpr_composition_page128_differs(&node));
    }

    /* A reset ends the term: B is page 0 from now on, and stays so after a restart. */
    meshrpr_node_reset(&node);
    assert_page(&node, 0, 0, page_b, sizeof(page_b));
    meshrpr_node_deinit(&node);
    assert_int_equal(meshrpr_node_init(&node, &cfg), 0);
    assert_page(&node, 0, 0, page_b, sizeof(page_b));
    assert_false(meshrpr_composition_page128_differs(&node));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nothing_registered),
        cmocka_unit_test(test_cdb_create_keys_nodes),
        cmocka_unit_test(test_cdb_foreach),
        cmocka_unit_test(test_provision_enters_database),
        cmocka_unit_test(test_cfg_cli_needs_a_client),
        cmocka_unit_test(test_comp_change_prepare),
        cmocka_unit_test(test_comp_change_prepare_unprovisioned),
        cmocka_unit_test(test_node_del_excludes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

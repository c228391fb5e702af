/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The provisioner's node database tables: NetKeys and AppKeys with their index rules, lowest-free
 * unicast allocation (gaps, multi-element ranges, the allocation window, a full range), refusal
 * of duplicate UUIDs and overlapping element ranges, lookup by any element address and by UUID,
 * the device-key hook, the provisioners' ranges, and the invariant check the JSON save uses.
 * Keys are the Mesh Protocol sample values (MshPRTv1.1 §8.1, §8.17.1).
 */
#include <errno.h>
#include <string.h>

#include "test_util.h"

#include <meshrpr/cdb.h>

/* MshPRTv1.1 §8 sample NetKey, AppKey and the §8.17.1 device key. */
#define NET_KEY "7dd7364cd842ad18c17c2b820c84c3d6"
#define APP_KEY "63964771734fbd76e3b40519d1d94a48"
#define DEV_KEY "0520adad5e0142aa3e325087b4ec16d8"

static const uint8_t mesh_uuid[16] = { 0x3f, 0x25, 0x04, 0xe0, 0x4f, 0x89, 0x41, 0xd3,
                                       0x9a, 0x0c, 0x03, 0x05, 0xe8, 0x2c, 0x33, 0x01 };

/* Distinct device UUIDs: the §8.7 sample UUID with its last octet replaced by n. */
static void uuid_n(uint8_t uuid[16], uint8_t n)
{
    test_hex("70cf7c9732a345b691494810d2e9cb00", uuid, 16);
    uuid[15] = n;
}

static struct meshrpr_cdb_node *add_node(struct meshrpr_cdb *cdb, uint8_t n, uint16_t addr,
                                         uint8_t num_elem)
{
    uint8_t uuid[16];

    uuid_n(uuid, n);
    return meshrpr_cdb_node_alloc(cdb, uuid, addr, num_elem, 0);
}

static void init_defaults(void **state)
{
    struct meshrpr_cdb cdb;

    (void)state;
    memset(&cdb, 0xa5, sizeof(cdb));
    meshrpr_cdb_init(&cdb, mesh_uuid, "Home");
    assert_memory_equal(cdb.mesh_uuid, mesh_uuid, 16);
    assert_string_equal(cdb.mesh_name, "Home");
    assert_string_equal(cdb.timestamp, "1970-01-01T00:00:00Z");
    assert_int_equal(cdb.alloc_low, 0x0001);
    assert_int_equal(cdb.alloc_high, 0x7fff);
    assert_int_equal(cdb.iv_index, 0);
    assert_false(cdb.iv_update);
    assert_int_equal(meshrpr_cdb_node_count(&cdb), 0);
    for (size_t i = 0; i < MESHRPR_CDB_SUBNET_COUNT; i++) {
        assert_false(cdb.subnets[i].valid);
    }
    for (size_t i = 0; i < MESHRPR_CDB_PROVISIONER_COUNT; i++) {
        assert_false(cdb.provisioners[i].valid);
    }
    assert_int_equal(meshrpr_cdb_check(&cdb, NULL, 0), 0);
}

static void long_name_cut_at_character(void **state)
{
    struct meshrpr_cdb cdb;
    char name[80];

    (void)state;
    /* 62 ASCII octets, then a 2-octet character that would straddle the 63-octet limit. */
    memset(name, 'a', 62);
    memcpy(name + 62, "\xc3\xa9xyz", 6);
    meshrpr_cdb_init(&cdb, mesh_uuid, name);
    assert_int_equal(strlen(cdb.mesh_name), 62);
    meshrpr_cdb_init(&cdb, mesh_uuid, NULL);
    assert_string_equal(cdb.mesh_name, "");
}

static void net_and_app_keys(void **state)
{
    struct meshrpr_cdb cdb;
    TEST_HEX(net_key, NET_KEY);
    TEST_HEX(app_key, APP_KEY);

    (void)state;
    meshrpr_cdb_init(&cdb, mesh_uuid, "Home");
    assert_int_equal(meshrpr_cdb_subnet_add(&cdb, 0x1000, net_key), -EINVAL);
    assert_int_equal(meshrpr_cdb_subnet_add(&cdb, 0x0567, net_key), 0);
    assert_int_equal(meshrpr_cdb_subnet_add(&cdb, 0x0567, net_key), -EEXIST);
    for (uint16_t i = 1; i < MESHRPR_CDB_SUBNET_COUNT; i++) {
        assert_int_equal(meshrpr_cdb_subnet_add(&cdb, i, net_key), 0);
    }
    assert_int_equal(meshrpr_cdb_subnet_add(&cdb, 0x0fff, net_key), -ENOMEM);
    struct meshrpr_cdb_subnet *sub = meshrpr_cdb_subnet_get(&cdb, 0x0567);
    assert_non_null(sub);
    assert_hex_equal(sub->key, 16, NET_KEY);
    assert_int_equal(sub->kr_phase, 0);
    assert_false(sub->has_old_key);
    assert_null(meshrpr_cdb_subnet_get(&cdb, 0x0fff));

    assert_int_equal(meshrpr_cdb_app_key_add(&cdb, 0x0100, 0, app_key), -ENOENT);
    assert_int_equal(meshrpr_cdb_app_key_add(&cdb, 0x0567, 0x1000, app_key), -EINVAL);
    assert_int_equal(meshrpr_cdb_app_key_add(&cdb, 0x1000, 0, app_key), -EINVAL);
    assert_int_equal(meshrpr_cdb_app_key_add(&cdb, 0x0567, 0x0123, app_key), 0);
    assert_int_equal(meshrpr_cdb_app_key_add(&cdb, 0x0001, 0x0123, app_key), -EEXIST);
    for (uint16_t i = 1; i < MESHRPR_CDB_APP_KEY_COUNT; i++) {
        assert_int_equal(meshrpr_cdb_app_key_add(&cdb, 0x0001, i, app_key), 0);
    }
    assert_int_equal(meshrpr_cdb_app_key_add(&cdb, 0x0001, 0x0fff, app_key), -ENOMEM);
    struct meshrpr_cdb_app_key *app = meshrpr_cdb_app_key_get(&cdb, 0x0123);
    assert_non_null(app);
    assert_int_equal(app->net_idx, 0x0567);
    assert_hex_equal(app->key, 16, APP_KEY);
    assert_null(meshrpr_cdb_app_key_get(&cdb, 0x0fff));
    assert_int_equal(meshrpr_cdb_check(&cdb, NULL, 0), 0);
}

static void lowest_free_with_gaps(void **state)
{
    struct meshrpr_cdb cdb;

    (void)state;
    meshrpr_cdb_init(&cdb, mesh_uuid, "Home");
    assert_int_equal(meshrpr_cdb_free_addr_get(&cdb, 1), 0x0001);
    assert_int_equal(meshrpr_cdb_free_addr_get(&cdb, 0), 0);

    /* 0x0001..0x0002, then 0x0005, then 0x0008..0x000a: gaps 0x0003..0x0004 and 0x0006..7. */
    struct meshrpr_cdb_node *a = add_node(&cdb, 1, 0, 2);
    assert_non_null(a);
    assert_int_equal(a->addr, 0x0001);
    assert_int_equal(a->num_elem, 2);
    assert_non_null(add_node(&cdb, 2, 0x0005, 1));
    assert_non_null(add_node(&cdb, 3, 0x0008, 3));

    assert_int_equal(meshrpr_cdb_free_addr_get(&cdb, 1), 0x0003);
    assert_int_equal(meshrpr_cdb_free_addr_get(&cdb, 2), 0x0003);
    assert_int_equal(meshrpr_cdb_free_addr_get(&cdb, 3), 0x000b);

    /* Allocation takes the lowest fitting gap. */
    struct meshrpr_cdb_node *b = add_node(&cdb, 4, 0, 2);
    assert_non_null(b);
    assert_int_equal(b->addr, 0x0003);
    assert_int_equal(meshrpr_cdb_free_addr_get(&cdb, 1), 0x0006);
    assert_int_equal(meshrpr_cdb_free_addr_get(&cdb, 2), 0x0006);
    assert_int_equal(meshrpr_cdb_free_addr_get(&cdb, 3), 0x000b);

    /* Deleting the first node frees 0x0001..0x0002 only. */
    meshrpr_cdb_node_del(&cdb, a);
    assert_false(a->valid);
    assert_int_equal(meshrpr_cdb_free_addr_get(&cdb, 2), 0x0001);
    assert_int_equal(meshrpr_cdb_free_addr_get(&cdb, 3), 0x000b);
    assert_ptr_equal(add_node(&cdb, 5, 0, 1), a); /* the freed slot is reused */
    assert_int_equal(a->addr, 0x0001);
    assert_int_equal(meshrpr_cdb_node_count(&cdb), 4);
}

static void allocation_window_and_full_range(void **state)
{
    struct meshrpr_cdb cdb;

    (void)state;
    meshrpr_cdb_init(&cdb, mesh_uuid, "Home");
    cdb.alloc_low = 0x0100;
    cdb.alloc_high = 0x0104;
    /* A node outside the window (explicit address) does not count against it. */
    assert_non_null(add_node(&cdb, 1, 0x0001, 1));
    assert_int_equal(meshrpr_cdb_free_addr_get(&cdb, 1), 0x0100);
    assert_int_equal(meshrpr_cdb_free_addr_get(&cdb, 5), 0x0100);
    assert_int_equal(meshrpr_cdb_free_addr_get(&cdb, 6), 0);
    /* A node straddling the window's start pushes allocation past it. */
    assert_non_null(add_node(&cdb, 2, 0x00ff, 2));
    assert_int_equal(meshrpr_cdb_free_addr_get(&cdb, 4), 0x0101);
    assert_int_equal(meshrpr_cdb_free_addr_get(&cdb, 5), 0);
    assert_non_null(add_node(&cdb, 3, 0, 3));
    assert_int_equal(meshrpr_cdb_free_addr_get(&cdb, 1), 0x0104);
    assert_non_null(add_node(&cdb, 4, 0, 1));
    /* Full: nothing fits, allocation with address 0 fails. */
    assert_int_equal(meshrpr_cdb_free_addr_get(&cdb, 1), 0);
    assert_null(add_node(&cdb, 5, 0, 1));
    assert_int_equal(meshrpr_cdb_node_count(&cdb), 4);

    /* The top of the unicast range: 0x7ffe..0x7fff fits, three elements do not. */
    meshrpr_cdb_init(&cdb, mesh_uuid, "Home");
    cdb.alloc_low = 0x7ffe;
    assert_int_equal(meshrpr_cdb_free_addr_get(&cdb, 2), 0x7ffe);
    assert_int_equal(meshrpr_cdb_free_addr_get(&cdb, 3), 0);
    assert_int_equal(meshrpr_cdb_free_addr_get(&cdb, 255), 0);
    /* A broken window allocates nothing. */
    cdb.alloc_low = 0;
    assert_int_equal(meshrpr_cdb_free_addr_get(&cdb, 1), 0);
    cdb.alloc_low = 0x0010;
    cdb.alloc_high = 0x000f;
    assert_int_equal(meshrpr_cdb_free_addr_get(&cdb, 1), 0);
    cdb.alloc_low = 0x7000;
    cdb.alloc_high = 0x8000;
    assert_int_equal(meshrpr_cdb_free_addr_get(&cdb, 1), 0);
}

static void explicit_addresses_duplicates_and_limits(void **state)
{
    struct meshrpr_cdb cdb;
    uint8_t uuid[16];

    (void)state;
    meshrpr_cdb_init(&cdb, mesh_uuid, "Home");
    assert_non_null(add_node(&cdb, 1, 0x0010, 4)); /* 0x0010..0x0013 */
    /* Overlaps: inside, covering the start, covering the end, covering all. */
    assert_null(add_node(&cdb, 2, 0x0012, 1));
    assert_null(add_node(&cdb, 2, 0x000e, 3));
    assert_null(add_node(&cdb, 2, 0x0013, 2));
    assert_null(add_node(&cdb, 2, 0x000f, 6));
    /* Adjacent on both sides is fine. */
    assert_non_null(add_node(&cdb, 2, 0x000f, 1));
    assert_non_null(add_node(&cdb, 3, 0x0014, 1));
    /* Same UUID, even at a free address. */
    assert_null(add_node(&cdb, 1, 0x0100, 1));
    /* Outside the unicast range, no elements, a 13-bit NetKey index, no UUID. */
    assert_null(add_node(&cdb, 4, 0x8000, 1));
    assert_null(add_node(&cdb, 4, 0x7fff, 2));
    assert_null(add_node(&cdb, 4, 0x0100, 0));
    uuid_n(uuid, 4);
    assert_null(meshrpr_cdb_node_alloc(&cdb, uuid, 0x0100, 1, 0x1000));
    assert_null(meshrpr_cdb_node_alloc(&cdb, NULL, 0x0100, 1, 0));
    assert_non_null(add_node(&cdb, 4, 0x7fff, 1));
    assert_int_equal(meshrpr_cdb_node_count(&cdb), 4);
    assert_int_equal(meshrpr_cdb_check(&cdb, NULL, 0), 0);

    /* A full table refuses one more node. */
    meshrpr_cdb_init(&cdb, mesh_uuid, "Home");
    for (unsigned i = 0; i < MESHRPR_CDB_NODE_COUNT; i++) {
        assert_non_null(add_node(&cdb, (uint8_t)i, 0, 1));
    }
    assert_int_equal(meshrpr_cdb_node_count(&cdb), MESHRPR_CDB_NODE_COUNT);
    assert_null(add_node(&cdb, 200, 0, 1));
    assert_int_equal(meshrpr_cdb_free_addr_get(&cdb, 1), MESHRPR_CDB_NODE_COUNT + 1);
}

static void lookup_and_dev_key(void **state)
{
    struct meshrpr_cdb cdb;
    uint8_t uuid[16];
    uint8_t key[16];
    TEST_HEX(dev_key, DEV_KEY);

    (void)state;
    meshrpr_cdb_init(&cdb, mesh_uuid, "Home");
    assert_non_null(add_node(&cdb, 1, 0x0001, 1));
    uuid_n(uuid, 2);
    struct meshrpr_cdb_node *node = meshrpr_cdb_node_alloc(&cdb, uuid, 0x0b0c, 3, 0x0567);
    assert_non_null(node);
    memcpy(node->dev_key, dev_key, 16);
    assert_false(node->configured);
    assert_false(node->secure);
    assert_false(node->excluded);

    /* Every element address finds the node; the addresses around it do not. */
    assert_ptr_equal(meshrpr_cdb_node_get(&cdb, 0x0b0c), node);
    assert_ptr_equal(meshrpr_cdb_node_get(&cdb, 0x0b0d), node);
    assert_ptr_equal(meshrpr_cdb_node_get(&cdb, 0x0b0e), node);
    assert_null(meshrpr_cdb_node_get(&cdb, 0x0b0b));
    assert_null(meshrpr_cdb_node_get(&cdb, 0x0b0f));
    assert_null(meshrpr_cdb_node_get(&cdb, 0x0000));
    assert_ptr_equal(meshrpr_cdb_node_by_uuid(&cdb, uuid), node);
    uuid_n(uuid, 3);
    assert_null(meshrpr_cdb_node_by_uuid(&cdb, uuid));

    /* The dev_key_get hook, by primary and by secondary element address. */
    memset(key, 0, sizeof(key));
    assert_int_equal(meshrpr_cdb_dev_key_get(&cdb, 0x0b0c, key), 0);
    assert_hex_equal(key, 16, DEV_KEY);
    memset(key, 0, sizeof(key));
    assert_int_equal(meshrpr_cdb_dev_key_get(&cdb, 0x0b0e, key), 0);
    assert_hex_equal(key, 16, DEV_KEY);
    assert_int_equal(meshrpr_cdb_dev_key_get(&cdb, 0x0b0f, key), -ENOENT);
    /* The node at 0x0001 has no known device key. */
    assert_int_equal(meshrpr_cdb_dev_key_get(&cdb, 0x0001, key), -ENOENT);

    /* The hook has exactly the node config's signature. */
    int (*hook)(void *ctx, uint16_t addr, uint8_t dev_key[16]) = meshrpr_cdb_dev_key_get;
    assert_int_equal(hook(&cdb, 0x0b0d, key), 0);

    /* Deleting wipes the entry: the key is gone. */
    meshrpr_cdb_node_del(&cdb, node);
    assert_int_equal(meshrpr_cdb_dev_key_get(&cdb, 0x0b0c, key), -ENOENT);
    for (size_t i = 0; i < 16; i++) {
        assert_int_equal(node->dev_key[i], 0);
    }
    /* Deleting something that is not an entry of this table is ignored. */
    struct meshrpr_cdb_node stray = { .valid = true };
    meshrpr_cdb_node_del(&cdb, &stray);
    meshrpr_cdb_node_del(&cdb, NULL);
    assert_true(stray.valid);
    assert_int_equal(meshrpr_cdb_node_count(&cdb), 1);
}

static void provisioners(void **state)
{
    struct meshrpr_cdb cdb;
    uint8_t p1[16];
    uint8_t p2[16];
    uint8_t p3[16];

    (void)state;
    uuid_n(p1, 0xa1);
    uuid_n(p2, 0xa2);
    uuid_n(p3, 0xa3);
    meshrpr_cdb_init(&cdb, mesh_uuid, "Home");
    assert_null(meshrpr_cdb_provisioner_add(&cdb, p1, "bad", 0x0000, 0x00ff));
    assert_null(meshrpr_cdb_provisioner_add(&cdb, p1, "bad", 0x0100, 0x00ff));
    assert_null(meshrpr_cdb_provisioner_add(&cdb, p1, "bad", 0x7000, 0x8000));

    struct meshrpr_cdb_provisioner *a = meshrpr_cdb_provisioner_add(&cdb, p1, "phone", 1, 0xff);
    assert_non_null(a);
    assert_string_equal(a->name, "phone");
    assert_int_equal(a->unicast_count, 1);
    assert_int_equal(a->group_count, 0);
    assert_int_equal(a->scene_count, 0);
    /* The first provisioner sets the allocation window. */
    assert_int_equal(cdb.alloc_low, 0x0001);
    assert_int_equal(cdb.alloc_high, 0x00ff);

    /* Same UUID, or a unicast range overlapping the phone's: refused. */
    assert_null(meshrpr_cdb_provisioner_add(&cdb, p1, "again", 0x0100, 0x01ff));
    assert_null(meshrpr_cdb_provisioner_add(&cdb, p2, "meshrpr", 0x00ff, 0x01ff));
    struct meshrpr_cdb_provisioner *b =
        meshrpr_cdb_provisioner_add(&cdb, p2, "meshrpr", 0x0100, 0x01ff);
    assert_non_null(b);
    assert_int_equal(cdb.alloc_low, 0x0001);
    b->group[0] = (struct meshrpr_cdb_range){ 0xc000, 0xc0ff };
    b->group_count = 1;

    /* Using the second one moves it to the front and allocates from its range. */
    assert_int_equal(meshrpr_cdb_provisioner_use(&cdb, p3), -ENOENT);
    assert_int_equal(meshrpr_cdb_provisioner_use(&cdb, p2), 0);
    assert_memory_equal(cdb.provisioners[0].uuid, p2, 16);
    assert_string_equal(cdb.provisioners[0].name, "meshrpr");
    assert_int_equal(cdb.provisioners[0].group_count, 1);
    assert_memory_equal(cdb.provisioners[1].uuid, p1, 16);
    assert_int_equal(cdb.alloc_low, 0x0100);
    assert_int_equal(cdb.alloc_high, 0x01ff);
    assert_int_equal(meshrpr_cdb_free_addr_get(&cdb, 1), 0x0100);
    assert_ptr_equal(meshrpr_cdb_provisioner_get(&cdb, p1), &cdb.provisioners[1]);
    assert_null(meshrpr_cdb_provisioner_get(&cdb, p3));

    /* One without a unicast range cannot allocate. */
    cdb.provisioners[1].unicast_count = 0;
    assert_int_equal(meshrpr_cdb_provisioner_use(&cdb, p1), -EINVAL);
    assert_int_equal(meshrpr_cdb_check(&cdb, NULL, 0), 0);

    /* A full table refuses one more. */
    for (uint8_t i = 2; i < MESHRPR_CDB_PROVISIONER_COUNT; i++) {
        uint8_t u[16];
        uuid_n(u, (uint8_t)(0xb0 + i));
        assert_non_null(
            meshrpr_cdb_provisioner_add(&cdb, u, "x", (uint16_t)(0x1000 * i), 0x1000 * i + 1));
    }
    assert_null(meshrpr_cdb_provisioner_add(&cdb, p3, "x", 0x7f00, 0x7f01));
}

/* Expect meshrpr_cdb_check() to refuse with a message containing what. */
static void expect_refused(const struct meshrpr_cdb *cdb, const char *what)
{
    char err[160];

    err[0] = '\0';
    assert_int_equal(meshrpr_cdb_check(cdb, err, sizeof(err)), -EINVAL);
    if (strstr(err, what) == NULL) {
        fail_msg("message \"%s\" lacks \"%s\"", err, what);
    }
    assert_null(strchr(err, '\n'));
}

static void check_invariants(void **state)
{
    struct meshrpr_cdb base;
    struct meshrpr_cdb cdb;
    uint8_t uuid[16];
    TEST_HEX(net_key, NET_KEY);

    (void)state;
    uuid_n(uuid, 0xa1);
    meshrpr_cdb_init(&base, mesh_uuid, "Home");
    assert_int_equal(meshrpr_cdb_subnet_add(&base, 0, net_key), 0);
    assert_int_equal(meshrpr_cdb_subnet_add(&base, 1, net_key), 0);
    assert_int_equal(meshrpr_cdb_app_key_add(&base, 0, 0, net_key), 0);
    assert_int_equal(meshrpr_cdb_app_key_add(&base, 1, 1, net_key), 0);
    assert_non_null(meshrpr_cdb_provisioner_add(&base, uuid, "p", 0x0001, 0x00ff));
    assert_non_null(add_node(&base, 1, 0x0001, 2));
    assert_non_null(add_node(&base, 2, 0x0003, 1));
    assert_int_equal(meshrpr_cdb_check(&base, NULL, 0), 0);

    cdb = base;
    memset(cdb.mesh_name, 'x', sizeof(cdb.mesh_name));
    expect_refused(&cdb, "meshName");
    cdb = base;
    cdb.timestamp[0] = '\0';
    expect_refused(&cdb, "timestamp");
    cdb = base;
    cdb.subnets[1].net_idx = 0x1000;
    expect_refused(&cdb, "netKeys[1].index");
    cdb = base;
    cdb.subnets[1].net_idx = 0;
    cdb.app_keys[1].net_idx = 0;
    expect_refused(&cdb, "netKeys[1].index: 0 already used by netKeys[0]");
    cdb = base;
    cdb.subnets[0].kr_phase = 3;
    expect_refused(&cdb, "netKeys[0].phase");
    cdb = base;
    cdb.app_keys[1].app_idx = 0;
    expect_refused(&cdb, "appKeys[1].index: 0 already used");
    cdb = base;
    cdb.app_keys[1].app_idx = 0x1000;
    expect_refused(&cdb, "appKeys[1].index");
    cdb = base;
    cdb.app_keys[1].net_idx = 7;
    expect_refused(&cdb, "appKeys[1].boundNetKey: no NetKey with index 7");
    cdb = base;
    cdb.nodes[1].addr = 0x8000;
    expect_refused(&cdb, "nodes[1].unicastAddress: 8000 is not a unicast address");
    cdb = base;
    cdb.nodes[1].addr = 0x7fff;
    cdb.nodes[1].num_elem = 2;
    expect_refused(&cdb, "nodes[1].elements");
    cdb = base;
    cdb.nodes[1].num_elem = 0;
    expect_refused(&cdb, "nodes[1].elements");
    cdb = base;
    cdb.nodes[1].net_idx = 0x1000;
    expect_refused(&cdb, "nodes[1].netKeys");
    cdb = base;
    cdb.nodes[1].addr = 0x0002;
    expect_refused(&cdb, "nodes[1].unicastAddress: elements 0002..0002 overlap nodes[0]");
    cdb = base;
    memcpy(cdb.nodes[1].uuid, cdb.nodes[0].uuid, 16);
    expect_refused(&cdb, "nodes[1].UUID: same as nodes[0]");
    cdb = base;
    cdb.provisioners[0].unicast[0].high = 0x8000;
    expect_refused(&cdb, "provisioners[0].allocatedUnicastRange[0]");
    cdb = base;
    cdb.provisioners[0].group[0] = (struct meshrpr_cdb_range){ 0x7000, 0xc000 };
    cdb.provisioners[0].group_count = 1;
    expect_refused(&cdb, "provisioners[0].allocatedGroupRange[0]");
    cdb = base;
    cdb.provisioners[0].scene[0] = (struct meshrpr_cdb_range){ 0, 5 };
    cdb.provisioners[0].scene_count = 1;
    expect_refused(&cdb, "provisioners[0].allocatedSceneRange[0]");
    cdb = base;
    cdb.provisioners[0].unicast_count = MESHRPR_CDB_RANGE_COUNT + 1;
    expect_refused(&cdb, "provisioners[0].allocatedUnicastRange: more than");
    cdb = base;
    cdb.provisioners[2] = cdb.provisioners[0];
    expect_refused(&cdb, "provisioners[2].UUID: same as provisioners[0]");
    cdb = base;
    memset(cdb.provisioners[0].name, 'x', sizeof(cdb.provisioners[0].name));
    expect_refused(&cdb, "provisioners[0].provisionerName");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(init_defaults),
        cmocka_unit_test(long_name_cut_at_character),
        cmocka_unit_test(net_and_app_keys),
        cmocka_unit_test(lowest_free_with_gaps),
        cmocka_unit_test(allocation_window_and_full_range),
        cmocka_unit_test(explicit_addresses_duplicates_and_limits),
        cmocka_unit_test(lookup_and_dev_key),
        cmocka_unit_test(provisioners),
        cmocka_unit_test(check_invariants),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

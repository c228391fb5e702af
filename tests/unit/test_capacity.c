/* SPDX-License-Identifier: Apache-2.0 */
/* Run-time capacities: the replay protection list sized by the application (struct
 * meshrpr_node_capacity) and its paged storage; the node database with the application's
 * node table (meshrpr_cdb_nodes_set()) and its JSON round trip. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#include "fake_platform.h"
#include "mem_storage.h"
#include "net/replay.h"

#include <meshrpr/cdb.h>
#include <meshrpr/node.h>

struct fixture {
    struct fake_platform fp;
    struct meshrpr_node node;
};

static int setup(void **state)
{
    struct fixture *f = test_calloc(1, sizeof(*f));

    fake_platform_init(&f->fp, 1);
    f->node.platform = f->fp.platform;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    test_free(*state);
    return 0;
}

/* A list sized at run time (struct meshrpr_node_capacity) holds that many sources, stores
 * them in pages of 32 under "rpl", "rpl/1"..., rewriting only the page of a changed entry,
 * and restores them all. */
static void test_run_time_size(void **state)
{
    struct fixture *f = *state;
    static struct meshrpr_rpl_entry table[100];
    struct mem_storage *mem = test_calloc(1, sizeof(*mem));
    const struct meshrpr_node_capacity cap = { .rpl = table, .rpl_size = 100 };

    mem_storage_init(mem);
    f->node.cfg.storage = &mem->storage;
    f->node.cfg.capacity = &cap;
    meshrpr_replay_init(&f->node);
    assert_int_equal(f->node.rpl.size, 100);
    for (uint16_t src = 1; src <= 100; src++) {
        assert_int_equal(meshrpr_replay_update(&f->node, src, 1, src), 0);
    }
    assert_int_equal(meshrpr_replay_update(&f->node, 101, 1, 1), -ENOMEM);
    assert_true(meshrpr_replay_check(&f->node, 101, 1, 1));
    /* Four pages: 32 + 32 + 32 + 4 entries. */
    const char *keys[] = { "rpl", "rpl/1", "rpl/2", "rpl/3" };
    const size_t lens[] = { 1 + 32 * 9, 1 + 32 * 9, 1 + 32 * 9, 1 + 4 * 9 };
    for (size_t k = 0; k < 4; k++) {
        bool found = false;
        for (size_t i = 0; i < MEM_STORAGE_SLOTS; i++) {
            if (mem->slots[i].used && strcmp(mem->slots[i].key, keys[k]) == 0) {
                assert_int_equal(mem->slots[i].len, lens[k]);
                found = true;
            }
        }
        assert_true(found);
    }

    memset(table, 0, sizeof(table));
    assert_int_equal(meshrpr_replay_restore(&f->node), 0);
    for (uint16_t src = 1; src <= 100; src++) {
        assert_true(meshrpr_replay_check(&f->node, src, 1, src));
        assert_false(meshrpr_replay_check(&f->node, src, 1, src + 1u));
    }
    f->node.cfg.capacity = NULL;
    test_free(mem);
}

/* A node database with the application's table (meshrpr_cdb_nodes_set()) holds that many
 * nodes, keeps those it had, survives a JSON round trip into a database with an equal
 * table, and a database with the built-in table refuses that file with a clear message. */
static void test_cdb_node_table(void **state)
{
    (void)state;
    enum { N = 3 * MESHRPR_CDB_NODE_COUNT };
    struct meshrpr_cdb *cdb = test_calloc(1, sizeof(*cdb));
    struct meshrpr_cdb *back = test_calloc(1, sizeof(*back));
    struct meshrpr_cdb_node *table = test_calloc(N, sizeof(*table));
    struct meshrpr_cdb_node *back_table = test_calloc(N, sizeof(*back_table));
    const uint8_t mesh_uuid[16] = { 1 };
    const uint8_t net_key[16] = { 2 };
    uint8_t uuid[16] = { 0xaa };
    char err[160];

    meshrpr_cdb_init(cdb, mesh_uuid, "building");
    assert_int_equal(meshrpr_cdb_node_capacity(cdb), MESHRPR_CDB_NODE_COUNT);
    assert_int_equal(meshrpr_cdb_subnet_add(cdb, 0, net_key), 0);
    assert_non_null(meshrpr_cdb_provisioner_add(cdb, mesh_uuid, "p", 0x0001, 0x7fff));
    uuid[15] = 0;
    assert_non_null(meshrpr_cdb_node_alloc(cdb, uuid, 0x0002, 1, 0));
    assert_int_equal(meshrpr_cdb_nodes_set(cdb, table, 0), -EINVAL);
    assert_int_equal(meshrpr_cdb_nodes_set(cdb, table, N), 0);
    assert_int_equal(meshrpr_cdb_node_capacity(cdb), N);
    assert_int_equal(meshrpr_cdb_node_count(cdb), 1); /* moved along */
    assert_ptr_equal(meshrpr_cdb_node_get(cdb, 0x0002), &table[0]);
    for (size_t i = 1; i < N; i++) {
        uuid[14] = (uint8_t)(i >> 8);
        uuid[15] = (uint8_t)i;
        assert_non_null(meshrpr_cdb_node_alloc(cdb, uuid, 0, 1, 0));
    }
    assert_int_equal(meshrpr_cdb_node_count(cdb), N);
    uuid[0] = 0xbb;
    assert_null(meshrpr_cdb_node_alloc(cdb, uuid, 0, 1, 0)); /* full */
    assert_null(meshrpr_cdb_node_at(cdb, N));
    assert_int_equal(meshrpr_cdb_check(cdb, err, sizeof(err)), 0);
    /* Back to the built-in table: the nodes do not fit. */
    assert_int_equal(meshrpr_cdb_nodes_set(cdb, NULL, 0), -ENOSPC);

    char *text = NULL;
    size_t len = 0;
    assert_int_equal(meshrpr_cdb_json_print(cdb, &text, &len), 0);
    meshrpr_cdb_init(back, NULL, NULL);
    assert_int_equal(meshrpr_cdb_json_parse(back, text, len, err, sizeof(err)), -ENOMEM);
    assert_non_null(strstr(err, "more than the"));
    assert_int_equal(meshrpr_cdb_node_count(back), 0);
    assert_int_equal(meshrpr_cdb_nodes_set(back, back_table, N), 0);
    assert_int_equal(meshrpr_cdb_json_parse(back, text, len, err, sizeof(err)), 0);
    assert_ptr_equal(meshrpr_cdb_node_at(back, 0), &back_table[0]);
    assert_int_equal(meshrpr_cdb_node_count(back), N);
    for (size_t i = 0; i < N; i++) {
        const struct meshrpr_cdb_node *a = meshrpr_cdb_node_at(cdb, i);
        const struct meshrpr_cdb_node *b = meshrpr_cdb_node_get(back, a->addr);
        assert_non_null(b);
        assert_memory_equal(a->uuid, b->uuid, 16);
    }
    free(text);
    test_free(back_table);
    test_free(table);
    test_free(back);
    test_free(cdb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_run_time_size, setup, teardown),
        cmocka_unit_test(test_cdb_node_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

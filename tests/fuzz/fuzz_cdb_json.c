/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for the Mesh Configuration Database JSON loader: users hand-edit these files
 * and other tools write them, so any octets must be either refused, with a one-line message
 * and the caller's database untouched, or accepted as a database that passes the invariant
 * check, prints, and reads back to the same struct and the same text; and printed over the
 * input itself (the save of a loaded file), it reads back to the same struct again.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <meshrpr/cdb.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int ok)
{
    if (!ok) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t mesh_uuid[16] = { 0x3f, 0x25, 0x04, 0xe0, 0x4f, 0x89, 0x41, 0xd3,
                                           0x9a, 0x0c, 0x03, 0x05, 0xe8, 0x2c, 0x33, 0x01 };
    static const uint8_t key[16] = { 0x7d, 0xd7, 0x36, 0x4c, 0xd8, 0x42, 0xad, 0x18,
                                     0xc1, 0x7c, 0x2b, 0x82, 0x0c, 0x84, 0xc3, 0xd6 };
    struct meshrpr_cdb *cdb = malloc(sizeof(*cdb));
    struct meshrpr_cdb *before = malloc(sizeof(*before));
    struct meshrpr_cdb *again = malloc(sizeof(*again));
    char err[128];
    char *text = NULL;
    char *text2 = NULL;
    size_t len = 0;
    size_t len2 = 0;
    int rc;

    require(cdb != NULL && before != NULL && again != NULL);
    /* A database with something in it, so a refused load visibly leaves it alone. */
    meshrpr_cdb_init(cdb, mesh_uuid, "fuzz");
    require(meshrpr_cdb_subnet_add(cdb, 0, key) == 0);
    require(meshrpr_cdb_node_alloc(cdb, mesh_uuid, 0, 2, 0) != NULL);
    memcpy(before, cdb, sizeof(*cdb));

    err[0] = '\0';
    rc = meshrpr_cdb_json_parse(cdb, (const char *)data, size, err, sizeof(err));
    if (rc != 0) {
        require(rc == -EINVAL || rc == -ENOMEM);
        require(memcmp(cdb, before, sizeof(*cdb)) == 0);
        require(err[0] != '\0' && strchr(err, '\n') == NULL);
        goto out;
    }
    require(meshrpr_cdb_check(cdb, NULL, 0) == 0);
    require(meshrpr_cdb_json_print(cdb, &text, &len) == 0);
    require(len == strlen(text));
    /* What we print we read back identically (padding included: both come from a zeroed
     * scratch struct), and print identically. */
    require(meshrpr_cdb_json_parse(again, text, len, err, sizeof(err)) == 0);
    require(memcmp(again, cdb, sizeof(*cdb)) == 0);
    require(meshrpr_cdb_json_print(again, &text2, &len2) == 0);
    require(len2 == len && memcmp(text, text2, len) == 0);
    free(text2);
    text2 = NULL;

    /* Written over what it was loaded from, nothing the tables hold changes. */
    require(meshrpr_cdb_json_merge(cdb, (const char *)data, size, &text2, &len2) == 0);
    require(len2 == strlen(text2));
    memset(again, 0, sizeof(*again));
    require(meshrpr_cdb_json_parse(again, text2, len2, err, sizeof(err)) == 0);
    require(memcmp(again, cdb, sizeof(*cdb)) == 0);

    /* Lookups on whatever was loaded stay in bounds. */
    for (size_t i = 0; i < MESHRPR_CDB_NODE_COUNT; i++) {
        if (cdb->nodes[i].valid) {
            uint8_t dev_key[16];
            uint16_t last = (uint16_t)(cdb->nodes[i].addr + cdb->nodes[i].num_elem - 1);
            require(meshrpr_cdb_node_get(cdb, last) == &cdb->nodes[i]);
            (void)meshrpr_cdb_dev_key_get(cdb, last, dev_key);
        }
    }
    (void)meshrpr_cdb_free_addr_get(cdb, 3);

out:
    free(text);
    free(text2);
    free(cdb);
    free(before);
    free(again);
    return 0;
}

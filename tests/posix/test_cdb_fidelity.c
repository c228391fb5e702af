/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Mesh CDB JSON fidelity (libmeshrpr_posix, issue #14): files in the shapes other provisioners
 * write (tests/cdb_corpus: nRF Mesh, BlueZ mesh-cfgclient's export and working file, a
 * Silicon Labs-like gateway export, all written by hand from the format's facts) load and save
 * without losing anything: both files, parsed with cJSON, are the same tree, except for the
 * members a writer must add (empty groups / scenes / networkExclusions, and "partial" where a
 * device key is unknown). Changes made to the database reach the file while everything around
 * them stays; exclusions hold addresses out of allocation; minSecurity follows every holder of
 * a key and never turns "insecure" into "secure"; partial and deviceKey agree; timestamps
 * change with the content only, to the host's UTC time; a known composition is written.
 *
 * argv[1]: the corpus directory. Outputs go to the working directory (the build tree).
 */
#define _DEFAULT_SOURCE     /* timegm() */
#define _XOPEN_SOURCE   700 /* strptime() */

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "test_util.h"

#include <meshrpr/cdb.h>
#include <meshrpr/mesh.h>
#include <meshrpr/posix_host.h>

#include "node/node_internal.h"

static const char *corpus_dir;

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    if (len != NULL) {
        *len = (size_t)n;
    }
    return buf;
}

static cJSON *parse_file(const char *path)
{
    char *text = slurp(path, NULL);
    cJSON *doc = cJSON_Parse(text);

    free(text);
    if (doc == NULL) {
        fail_msg("%s: not JSON", path);
    }
    return doc;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

/* The corpus files, sorted. */
static size_t corpus_files(char names[][64], size_t max)
{
    DIR *d = opendir(corpus_dir);
    struct dirent *e;
    size_t n = 0;

    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len > 5 && len < 64 && strcmp(e->d_name + len - 5, ".json") == 0 && n < max) {
            memcpy(names[n++], e->d_name, len + 1);
        }
    }
    closedir(d);
    qsort(names, n, sizeof(names[0]), (int (*)(const void *, const void *))strcmp);
    return n;
}

/* Whether a non-excluded node of doc has no deviceKey: then a writer says "partial": true. */
static bool lacks_device_key(const cJSON *doc)
{
    const cJSON *node;

    cJSON_ArrayForEach(node, cJSON_GetObjectItemCaseSensitive(doc, "nodes"))
    {
        if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(node, "excluded")) &&
            cJSON_GetObjectItemCaseSensitive(node, "deviceKey") == NULL) {
            return true;
        }
    }
    return false;
}

/* saved says what orig says: the same tree (cJSON_Compare, case-sensitive), but for the members
 * a writer adds when the original left them out. where names the file in messages. */
static void assert_same_document(const char *where, const cJSON *orig, const cJSON *saved)
{
    static const char added_arrays[][18] = { "groups", "scenes", "networkExclusions" };
    cJSON *expect = cJSON_Duplicate(orig, 1);
    const cJSON *item;

    assert_non_null(expect);
    for (size_t i = 0; i < sizeof(added_arrays) / sizeof(added_arrays[0]); i++) {
        if (cJSON_GetObjectItemCaseSensitive(expect, added_arrays[i]) == NULL) {
            item = cJSON_GetObjectItemCaseSensitive(saved, added_arrays[i]);
            if (!cJSON_IsArray(item) || cJSON_GetArraySize(item) != 0) {
                fail_msg("%s: %s should be added as an empty array", where, added_arrays[i]);
            }
            cJSON_AddItemToObject(expect, added_arrays[i], cJSON_CreateArray());
        }
    }
    if (cJSON_GetObjectItemCaseSensitive(expect, "partial") == NULL && lacks_device_key(orig)) {
        item = cJSON_GetObjectItemCaseSensitive(saved, "partial");
        if (!cJSON_IsTrue(item)) {
            fail_msg("%s: a node without deviceKey, but the save does not say partial", where);
        }
        cJSON_AddItemToObject(expect, "partial", cJSON_CreateTrue());
    }
    if (!cJSON_Compare(expect, saved, true)) {
        /* Both trees into the build tree, to compare by hand. */
        char path[160];
        char *a = cJSON_Print(expect);
        char *b = cJSON_Print(saved);
        snprintf(path, sizeof(path), "fidelity_expected_%s", where);
        write_text(path, a);
        snprintf(path, sizeof(path), "fidelity_got_%s", where);
        write_text(path, b);
        free(a);
        free(b);
        fail_msg("%s: the saved file differs from the original", where);
    }
    cJSON_Delete(expect);
}

/* Every corpus file, loaded and saved to the build tree: the same document; saved again over
 * itself: the same octets; read back: the same tables. In memory (parse, merge) as well. */
static void corpus_round_trip(void **state)
{
    char names[32][64];
    size_t n = corpus_files(names, 32);

    (void)state;
    assert_true(n >= 4);
    for (size_t i = 0; i < n; i++) {
        static struct meshrpr_cdb cdb;
        static struct meshrpr_cdb again;
        char in[512];
        char out[160];
        char err[200] = "";
        char *first;
        char *second;
        char *text;
        char *merged;
        size_t text_len;
        size_t len1;
        size_t len2;
        size_t merged_len;
        cJSON *orig;
        cJSON *saved;

        snprintf(in, sizeof(in), "%s/%s", corpus_dir, names[i]);
        snprintf(out, sizeof(out), "fidelity_%s", names[i]);
        printf("corpus: %s\n", names[i]);
        remove(out);
        memset(&cdb, 0, sizeof(cdb));
        if (meshrpr_cdb_load(&cdb, in, err, sizeof(err)) != 0) {
            fail_msg("%s does not load: %s", names[i], err);
        }
        assert_true(cdb.json_path[0] == '/');
        assert_int_equal(meshrpr_cdb_save(&cdb, out), 0);
        orig = parse_file(in);
        saved = parse_file(out);
        assert_same_document(names[i], orig, saved);
        cJSON_Delete(saved);

        /* Loaded from the copy and saved over it: nothing moves, not even the timestamp. */
        memset(&again, 0, sizeof(again));
        assert_int_equal(meshrpr_cdb_load(&again, out, err, sizeof(err)), 0);
        first = slurp(out, &len1);
        assert_int_equal(meshrpr_cdb_save(&again, out), 0);
        second = slurp(out, &len2);
        assert_int_equal(len1, len2);
        assert_memory_equal(first, second, len1);
        memcpy(again.json_path, cdb.json_path, sizeof(cdb.json_path));
        assert_memory_equal(&again, &cdb, sizeof(cdb));

        /* From memory: parse, then print over the same text. */
        text = slurp(in, &text_len);
        memset(&again, 0, sizeof(again));
        assert_int_equal(meshrpr_cdb_json_parse(&again, text, text_len, err, sizeof(err)), 0);
        assert_string_equal(again.json_path, "");
        assert_int_equal(meshrpr_cdb_json_merge(&again, text, text_len, &merged, &merged_len), 0);
        saved = cJSON_Parse(merged);
        assert_non_null(saved);
        assert_same_document(names[i], orig, saved);
        cJSON_Delete(saved);
        free(merged);

        /* In an application's node table (meshrpr_cdb_nodes_set()): the same document. */
        static struct meshrpr_cdb_node table[40];
        memset(&again, 0, sizeof(again));
        memset(table, 0, sizeof(table));
        assert_int_equal(meshrpr_cdb_nodes_set(&again, table, 40), 0);
        assert_int_equal(meshrpr_cdb_load(&again, in, err, sizeof(err)), 0);
        assert_true(meshrpr_cdb_has_node_table(&again));
        assert_int_equal(meshrpr_cdb_node_count(&again), meshrpr_cdb_node_count(&cdb));
        snprintf(out, sizeof(out), "fidelity_table_%s", names[i]);
        remove(out);
        assert_int_equal(meshrpr_cdb_save(&again, out), 0);
        saved = parse_file(out);
        assert_same_document(names[i], orig, saved);
        cJSON_Delete(saved);
        cJSON_Delete(orig);
        free(text);
        free(first);
        free(second);
    }
}

static const cJSON *find_by(const cJSON *arr, const char *member, const char *value)
{
    const cJSON *entry;

    cJSON_ArrayForEach(entry, arr)
    {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(entry, member);
        if (cJSON_IsString(v) && strcasecmp(v->valuestring, value) == 0) {
            return entry;
        }
    }
    return NULL;
}

static const cJSON *member_of(const cJSON *obj, const char *name)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);

    if (item == NULL) {
        fail_msg("missing \"%s\"", name);
    }
    return item;
}

/* An ISO 8601 UTC time written by a save just now ("%Y-%m-%dT%H:%M:%SZ", within ten minutes of
 * the host clock: generous on a loaded machine, impossible for 1970 or a file's old value). */
static void assert_fresh(const char *ts)
{
    struct tm tm;
    const char *end;
    time_t t;
    time_t now = time(NULL);

    memset(&tm, 0, sizeof(tm));
    end = strptime(ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (end == NULL || *end != '\0') {
        fail_msg("timestamp \"%s\" is not UTC ISO 8601", ts);
    }
    t = timegm(&tm);
    if (t < now - 600 || t > now + 600) {
        fail_msg("timestamp \"%s\" is not the host's time", ts);
    }
}

/* Changes reach the file; what is around them stays. */
static void changes_are_written(void **state)
{
    static struct meshrpr_cdb cdb;
    char in[512];
    char err[200] = "";
    uint8_t uuid[16] = { 0x42, 0x42 };
    uint8_t key[16];
    /* Page 0 (MshPRTv1.1 §4.2.2.1): CID 05F1, PID 0007, VID 0001, CRPL 0010, Features 0001;
     * element Loc 0x0100 with SIG models 0000 and 1000 and vendor model 05F1:0002. */
    static const uint8_t page0[] = { 0xf1, 0x05, 0x07, 0x00, 0x01, 0x00, 0x10, 0x00,
                                     0x01, 0x00, 0x00, 0x01, 0x02, 0x01, 0x00, 0x00,
                                     0x00, 0x10, 0xf1, 0x05, 0x02, 0x00 };
    struct meshrpr_cdb_node *node;
    cJSON *orig;
    cJSON *saved;
    const cJSON *n;
    const cJSON *item;

    (void)state;
    snprintf(in, sizeof(in), "%s/nrf_mesh.json", corpus_dir);
    memset(&cdb, 0, sizeof(cdb));
    assert_int_equal(meshrpr_cdb_load(&cdb, in, err, sizeof(err)), 0);

    /* The garden sensor leaves the mesh for good; its address is excluded. */
    node = meshrpr_cdb_node_get(&cdb, 0x0004);
    assert_non_null(node);
    assert_int_equal(meshrpr_cdb_node_exclude(&cdb, node), 0);
    /* A new node takes the lowest address neither used nor excluded: 0005. */
    node = meshrpr_cdb_node_alloc(&cdb, uuid, 0, 1, 0);
    assert_non_null(node);
    assert_int_equal(node->addr, 0x0005);
    memset(node->dev_key, 0x77, 16);
    node->secure = true;
    assert_int_equal(meshrpr_cdb_node_comp_set(&cdb, node, page0, sizeof(page0)), 0);
    /* An AppKey changes. */
    memset(key, 0xab, sizeof(key));
    memcpy(meshrpr_cdb_app_key_get(&cdb, 1)->key, key, 16);
    /* The application changed the tables itself: it stamps them (a node does it for what it
     * changes, from its platform's wall clock). */
    assert_int_equal(meshrpr_cdb_timestamp_now(&cdb), 0);

    assert_int_equal(meshrpr_cdb_save(&cdb, "fidelity_changed.json"), 0);
    orig = parse_file(in);
    saved = parse_file("fidelity_changed.json");

    /* Untouched nodes say exactly what they said. */
    n = find_by(member_of(saved, "nodes"), "UUID", "70CF7C97-32A3-45B6-9149-4810D2E9CBF4");
    assert_true(cJSON_Compare(
        n, find_by(member_of(orig, "nodes"), "UUID", "70CF7C97-32A3-45B6-9149-4810D2E9CBF4"),
        true));
    assert_null(find_by(member_of(saved, "nodes"), "unicastAddress", "0004"));
    /* Exclusions: 0004 under IV Index 0 (with 0006), 0008-0009 under 1 as before. */
    item = member_of(saved, "networkExclusions");
    assert_int_equal(cJSON_GetArraySize(item), 2);
    {
        const cJSON *ex0 = cJSON_GetArrayItem(item, 0);
        const cJSON *addrs = member_of(ex0, "addresses");
        assert_int_equal((int)member_of(ex0, "ivIndex")->valuedouble, 0);
        assert_int_equal(cJSON_GetArraySize(addrs), 2);
        assert_string_equal(cJSON_GetArrayItem(addrs, 0)->valuestring, "0004");
        assert_string_equal(cJSON_GetArrayItem(addrs, 1)->valuestring, "0006");
        addrs = member_of(cJSON_GetArrayItem(item, 1), "addresses");
        assert_int_equal(cJSON_GetArraySize(addrs), 2);
        assert_string_equal(cJSON_GetArrayItem(addrs, 0)->valuestring, "0008");
    }
    /* The new node: its composition written (header and models). */
    n = find_by(member_of(saved, "nodes"), "unicastAddress", "0005");
    assert_non_null(n);
    assert_string_equal(member_of(n, "cid")->valuestring, "05F1");
    assert_string_equal(member_of(n, "pid")->valuestring, "0007");
    assert_string_equal(member_of(n, "vid")->valuestring, "0001");
    assert_string_equal(member_of(n, "crpl")->valuestring, "0010");
    assert_string_equal(member_of(n, "deviceKey")->valuestring, "77777777777777777777777777777777");
    {
        const cJSON *elem = cJSON_GetArrayItem(member_of(n, "elements"), 0);
        const cJSON *models = member_of(elem, "models");
        assert_string_equal(member_of(elem, "location")->valuestring, "0100");
        assert_int_equal(cJSON_GetArraySize(models), 3);
        assert_string_equal(member_of(cJSON_GetArrayItem(models, 0), "modelId")->valuestring,
                            "0000");
        assert_string_equal(member_of(cJSON_GetArrayItem(models, 1), "modelId")->valuestring,
                            "1000");
        assert_string_equal(member_of(cJSON_GetArrayItem(models, 2), "modelId")->valuestring,
                            "05F10002");
    }
    /* The changed AppKey keeps its name; the others are as they were. */
    n = cJSON_GetArrayItem(member_of(saved, "appKeys"), 1);
    assert_string_equal(member_of(n, "name")->valuestring, "Sensors");
    assert_string_equal(member_of(n, "key")->valuestring, "ABABABABABABABABABABABABABABABAB");
    assert_true(cJSON_Compare(cJSON_GetArrayItem(member_of(saved, "appKeys"), 0),
                              cJSON_GetArrayItem(member_of(orig, "appKeys"), 0), true));
    /* Groups, scenes, provisioners: as they were. */
    assert_true(cJSON_Compare(member_of(saved, "groups"), member_of(orig, "groups"), true));
    assert_true(cJSON_Compare(member_of(saved, "scenes"), member_of(orig, "scenes"), true));
    assert_true(
        cJSON_Compare(member_of(saved, "provisioners"), member_of(orig, "provisioners"), true));
    /* The content changed: the database's (fresh) time; the NetKeys did not: theirs stay. */
    assert_fresh(member_of(saved, "timestamp")->valuestring);
    assert_true(cJSON_Compare(member_of(saved, "netKeys"), member_of(orig, "netKeys"), true));
    cJSON_Delete(orig);
    cJSON_Delete(saved);

    /* Loaded back, the excluded address stays out of allocation. */
    memset(&cdb, 0, sizeof(cdb));
    assert_int_equal(meshrpr_cdb_load(&cdb, "fidelity_changed.json", err, sizeof(err)), 0);
    assert_true(meshrpr_cdb_addr_excluded(&cdb, 0x0004));
    uuid[0] = 0x43;
    assert_null(meshrpr_cdb_node_alloc(&cdb, uuid, 0x0004, 1, 0));
    assert_int_equal(meshrpr_cdb_free_addr_get(&cdb, 1), 0x0007);
}

/* networkExclusions: held while IV Index < ivIndex + 2, also across a range of elements. */
static void exclusions_hold_addresses(void **state)
{
    static struct meshrpr_cdb cdb;
    char in[512];
    char err[200] = "";
    uint8_t uuid[16] = { 0x55 };

    (void)state;
    /* The BlueZ working file: ivIndex 5, nodes at 0001 and 00b0..00b2. */
    snprintf(in, sizeof(in), "%s/bluez_cfgclient_working.json", corpus_dir);
    memset(&cdb, 0, sizeof(cdb));
    assert_int_equal(meshrpr_cdb_load(&cdb, in, err, sizeof(err)), 0);
    assert_int_equal(cdb.iv_index, 5);
    assert_int_equal(meshrpr_cdb_exclusion_add(&cdb, 4, 0x0002, 0x0003), 0);
    assert_int_equal(meshrpr_cdb_exclusion_add(&cdb, 4, 0x0005, 0x0005), 0);
    assert_int_equal(meshrpr_cdb_exclusion_add(&cdb, 4, 0x0004, 0x0004), 0);
    /* Merged into one range 0002..0005. */
    assert_true(cdb.exclusions[0].valid);
    assert_int_equal(cdb.exclusions[0].low, 0x0002);
    assert_int_equal(cdb.exclusions[0].high, 0x0005);
    assert_false(cdb.exclusions[1].valid);
    assert_int_equal(meshrpr_cdb_exclusion_add(&cdb, 4, 0, 1), -EINVAL);
    assert_int_equal(meshrpr_cdb_free_addr_get(&cdb, 1), 0x0006);
    /* Two elements must fit between exclusions and nodes. */
    assert_int_equal(meshrpr_cdb_exclusion_add(&cdb, 5, 0x0007, 0x0007), 0);
    assert_int_equal(meshrpr_cdb_free_addr_get(&cdb, 2), 0x0008);
    assert_null(meshrpr_cdb_node_alloc(&cdb, uuid, 0x0004, 1, 0));
    assert_null(meshrpr_cdb_node_alloc(&cdb, uuid, 0x0006, 2, 0));
    /* At IV Index 6 = 4 + 2 the first exclusion has run out; the one of IV Index 5 holds. */
    cdb.iv_index = 6;
    assert_false(meshrpr_cdb_addr_excluded(&cdb, 0x0004));
    assert_true(meshrpr_cdb_addr_excluded(&cdb, 0x0007));
    assert_int_equal(meshrpr_cdb_free_addr_get(&cdb, 1), 0x0002);
    assert_non_null(meshrpr_cdb_node_alloc(&cdb, uuid, 0x0004, 1, 0));

    /* The table has a limit, and says so. */
    memset(&cdb, 0, sizeof(cdb));
    meshrpr_cdb_init(&cdb, NULL, "full");
    for (int i = 0; i < MESHRPR_CDB_EXCLUSION_COUNT; i++) {
        assert_int_equal(
            meshrpr_cdb_exclusion_add(&cdb, 0, (uint16_t)(2 * i + 1), (uint16_t)(2 * i + 1)), 0);
    }
    assert_int_equal(meshrpr_cdb_exclusion_add(&cdb, 0, 0x1000, 0x1000), -ENOMEM);
    /* ... but merging into a held range needs no room. */
    assert_int_equal(meshrpr_cdb_exclusion_add(&cdb, 0, 2, 2), 0);
}

/* A file that gets minSecurity and partial wrong by the format's rules is written right. */
static const char wrong_security[] =
    "{\"meshUUID\":\"6A7B1C2D-3E4F-4A5B-8C6D-7E8F90A1B2C3\",\"meshName\":\"m\","
    "\"timestamp\":\"2025-01-01T00:00:00Z\",\"partial\":false,"
    "\"netKeys\":[{\"index\":0,\"key\":\"00000000000000000000000000000001\",\"phase\":0,"
    "\"minSecurity\":\"secure\"},"
    "{\"index\":1,\"key\":\"00000000000000000000000000000002\",\"phase\":0,"
    "\"minSecurity\":\"insecure\"}],"
    "\"appKeys\":[],\"provisioners\":[],"
    "\"nodes\":[{\"UUID\":\"00000000-0000-4000-8000-000000000001\",\"unicastAddress\":\"0001\","
    "\"deviceKey\":\"00000000000000000000000000000011\",\"security\":\"secure\","
    "\"netKeys\":[{\"index\":1,\"updated\":false}],\"appKeys\":[],\"configComplete\":true,"
    "\"elements\":[{\"index\":0,\"location\":\"0000\",\"models\":[]}],\"excluded\":false},"
    "{\"UUID\":\"00000000-0000-4000-8000-000000000002\",\"unicastAddress\":\"0002\","
    "\"security\":\"insecure\","
    "\"netKeys\":[{\"index\":1,\"updated\":false},{\"index\":0,\"updated\":false}],"
    "\"appKeys\":[],\"configComplete\":true,"
    "\"elements\":[{\"index\":0,\"location\":\"0000\",\"models\":[]}],\"excluded\":false}]}";

static void security_and_partial(void **state)
{
    static struct meshrpr_cdb cdb;
    static const uint8_t key2[16] = { [15] = 0x22 };
    static const uint8_t key3[16] = { [15] = 0x03 };
    char err[200] = "";
    char *text;
    size_t len;
    cJSON *doc;
    const cJSON *keys;

    (void)state;
    assert_int_equal(
        meshrpr_cdb_json_parse(&cdb, wrong_security, strlen(wrong_security), err, sizeof(err)), 0);
    assert_int_equal(meshrpr_cdb_subnet_add(&cdb, 2, key3), 0);
    assert_int_equal(
        meshrpr_cdb_json_merge(&cdb, wrong_security, strlen(wrong_security), &text, &len), 0);
    doc = cJSON_Parse(text);
    assert_non_null(doc);
    keys = member_of(doc, "netKeys");
    /* NetKey 0: node 0002 holds it as its second NetKey, and is insecure. */
    assert_string_equal(member_of(cJSON_GetArrayItem(keys, 0), "minSecurity")->valuestring,
                        "insecure");
    /* NetKey 1: its holders' security does not make "insecure" "secure" again... */
    assert_string_equal(member_of(cJSON_GetArrayItem(keys, 1), "minSecurity")->valuestring,
                        "insecure");
    /* ... a new key no insecure node holds is "secure". */
    assert_string_equal(member_of(cJSON_GetArrayItem(keys, 2), "minSecurity")->valuestring,
                        "secure");
    /* Node 0002 has no device key: the file is partial. */
    assert_true(cJSON_IsTrue(member_of(doc, "partial")));
    cJSON_Delete(doc);
    free(text);

    /* With its key known, the file is complete and says it. */
    memcpy(meshrpr_cdb_node_get(&cdb, 0x0002)->dev_key, key2, 16);
    assert_int_equal(
        meshrpr_cdb_json_merge(&cdb, wrong_security, strlen(wrong_security), &text, &len), 0);
    doc = cJSON_Parse(text);
    assert_non_null(doc);
    assert_true(cJSON_IsFalse(member_of(doc, "partial")));
    assert_string_equal(
        member_of(find_by(member_of(doc, "nodes"), "unicastAddress", "0002"), "deviceKey")
            ->valuestring,
        "00000000000000000000000000000022");
    cJSON_Delete(doc);
    free(text);
}

/* Timestamps: the database's own, set from the wall clock through the platform when the node
 * changes it; a save writes it only where the content changed, else the file's stays. */
static int dummy_adv_tx(void *ctx, uint8_t ad_type, const uint8_t *data, size_t len)
{
    (void)ctx;
    (void)ad_type;
    (void)data;
    (void)len;
    return 0;
}

static int fixed_utc(void *ctx, uint64_t *unix_ms)
{
    (void)ctx;
    *unix_ms = 1700000000123u; /* 2023-11-14T22:13:20.123Z */
    return 0;
}

static const struct bt_mesh_model stamp_models[] = { BT_MESH_MODEL_CFG_SRV };
static const struct bt_mesh_elem stamp_elems[] = { BT_MESH_ELEM(0, stamp_models,
                                                                BT_MESH_MODEL_NONE) };
static const struct bt_mesh_comp stamp_comp = { .elem = stamp_elems, .elem_count = 1 };

static void timestamps(void **state)
{
    static struct meshrpr_cdb cdb;
    static struct meshrpr_posix_host host;
    static struct meshrpr_node node;
    static const uint8_t key[16] = { 1 };
    static const uint8_t uuid[16] = { 9 };
    static const struct meshrpr_posix_radio_ops radio_ops = { .adv_tx = dummy_adv_tx };
    struct meshrpr_posix_radio radio = { .ops = &radio_ops };
    const struct meshrpr_platform *platform;
    struct meshrpr_platform with_clock;
    uint64_t unix_ms;
    char err[200] = "";
    char *text;
    cJSON *doc;

    (void)state;
    /* The calendar (Unix time to ISO 8601 UTC). */
    static const struct {
        uint64_t s;
        const char *iso;
    } dates[] = {
        { 0, "1970-01-01T00:00:00Z" },          { 951782400, "2000-02-29T00:00:00Z" },
        { 1700000000, "2023-11-14T22:13:20Z" }, { 1709251199, "2024-02-29T23:59:59Z" },
        { 4102444799, "2099-12-31T23:59:59Z" }, { 253402300799u, "9999-12-31T23:59:59Z" },
    };
    for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
        assert_int_equal(meshrpr_cdb_timestamp_set(&cdb, dates[i].s), 0);
        assert_string_equal(cdb.timestamp, dates[i].iso);
    }
    assert_int_equal(meshrpr_cdb_timestamp_set(&cdb, 253402300800u), -EINVAL);

    /* The POSIX host's wall clock is the host's. */
    meshrpr_posix_host_init(&host);
    assert_int_equal(meshrpr_posix_host_node_add(&host, &node, &radio, "n", &platform), 0);
    assert_non_null(platform->utc_time_ms);
    assert_int_equal(platform->utc_time_ms(platform->ctx, &unix_ms), 0);
    assert_true(unix_ms / 1000u + 600 > (uint64_t)time(NULL) &&
                unix_ms / 1000u < (uint64_t)time(NULL) + 600);
    assert_int_equal(meshrpr_posix_host_node_remove(&host, &node), 0);

    /* A provisioner node stamps its database when it changes it (before it stores it). */
    {
        struct meshrpr_node_config cfg = { 0 };
        static const uint8_t dev_key[16] = { 2 };

        meshrpr_cdb_init(&cdb, uuid, "stamped");
        assert_int_equal(meshrpr_cdb_subnet_add(&cdb, 0, key), 0);
        assert_int_equal(meshrpr_posix_host_node_add(&host, &node, &radio, "p", &platform), 0);
        with_clock = *platform;
        with_clock.utc_time_ms = fixed_utc;
        cfg.platform = &with_clock;
        cfg.comp = &stamp_comp;
        cfg.cdb = &cdb;
        assert_int_equal(meshrpr_node_init(&node, &cfg), 0);
        assert_int_equal(meshrpr_node_provision(&node, key, 0, 0, 0, 0x0001, dev_key), 0);
        /* Provisioning a device ends in a database store; one without a device stores too. */
        assert_int_equal(meshrpr_node_cdb_store(&node), 0);
        assert_string_equal(cdb.timestamp, "2023-11-14T22:13:20Z");
        meshrpr_node_deinit(&node);
        assert_int_equal(meshrpr_posix_host_node_remove(&host, &node), 0);
    }

    /* Never stamped, a fresh database says 1970 only until the application stamps it. */
    meshrpr_cdb_init(&cdb, uuid, "fresh");
    assert_int_equal(meshrpr_cdb_subnet_add(&cdb, 0, key), 0);
    assert_int_equal(meshrpr_cdb_timestamp_now(&cdb), 0);
    remove("fidelity_fresh.json");
    assert_int_equal(meshrpr_cdb_save(&cdb, "fidelity_fresh.json"), 0);
    doc = parse_file("fidelity_fresh.json");
    assert_fresh(member_of(doc, "timestamp")->valuestring);
    assert_fresh(
        member_of(cJSON_GetArrayItem(member_of(doc, "netKeys"), 0), "timestamp")->valuestring);
    cJSON_Delete(doc);

    /* A file saved without a change keeps its timestamps, whatever the database's says. */
    text = slurp("fidelity_fresh.json", NULL);
    {
        /* The top-level member is written last (after the keys' own). */
        char *p = NULL;
        for (char *q = strstr(text, "\"timestamp\":"); q != NULL;
             q = strstr(q + 1, "\"timestamp\":")) {
            p = q;
        }
        assert_non_null(p);
        p = strchr(p + 12, '"');
        assert_non_null(p);
        memcpy(p + 1, "2001-02-03T04:05:06Z", 20);
    }
    write_text("fidelity_old.json", text);
    free(text);
    assert_int_equal(meshrpr_cdb_load(&cdb, "fidelity_old.json", err, sizeof(err)), 0);
    assert_string_equal(cdb.timestamp, "2001-02-03T04:05:06Z");
    assert_int_equal(meshrpr_cdb_timestamp_set(&cdb, 1700000000), 0);
    assert_int_equal(meshrpr_cdb_save(&cdb, "fidelity_old.json"), 0);
    doc = parse_file("fidelity_old.json");
    assert_string_equal(member_of(doc, "timestamp")->valuestring, "2001-02-03T04:05:06Z");
    cJSON_Delete(doc);

    /* A NetKey's material changes: its timestamp and the file's are the database's. */
    meshrpr_cdb_subnet_get(&cdb, 0)->kr_phase = 1;
    meshrpr_cdb_subnet_get(&cdb, 0)->has_old_key = true;
    assert_int_equal(meshrpr_cdb_save(&cdb, "fidelity_old.json"), 0);
    doc = parse_file("fidelity_old.json");
    assert_string_equal(member_of(doc, "timestamp")->valuestring, "2023-11-14T22:13:20Z");
    assert_string_equal(
        member_of(cJSON_GetArrayItem(member_of(doc, "netKeys"), 0), "timestamp")->valuestring,
        "2023-11-14T22:13:20Z");
    cJSON_Delete(doc);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(corpus_round_trip),
        cmocka_unit_test(changes_are_written),
        cmocka_unit_test(exclusions_hold_addresses),
        cmocka_unit_test(security_and_partial),
        cmocka_unit_test(timestamps),
    };

    if (argc != 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
        return 2;
    }
    corpus_dir = argv[1];
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The provisioner's database as Mesh Configuration Database JSON: a full database survives
 * save -> load field by field and a second save is byte-identical; hand-written files in the
 * shapes nRF Mesh and BlueZ export load with the expected values; our output has the members
 * and encodings those importers require; every kind of bad file (truncated, malformed, missing
 * or mistyped members, bad hex, out-of-range values, duplicates, too many entries) is refused
 * with a one-line message naming the member and the caller's database untouched; saves are
 * atomic (no temporary file left, a failed save leaves the old file as it was).
 * Keys and UUIDs are the Mesh Protocol sample values (MshPRTv1.1 §8).
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_util.h"

#include <cjson/cJSON.h>
#include <meshrpr/cdb.h>

/* MshPRTv1.1 §8.1 NetKey, §8.17.1 provisioning NetKey, §8 AppKey, §8.17.1 / §8.17.2 device
 * keys and the §8.1 device key. */
#define NET_KEY_0  "7DD7364CD842AD18C17C2B820C84C3D6"
#define NET_KEY_1  "EFB2255E6422D330088E09BB015ED707"
#define APP_KEY    "63964771734FBD76E3B40519D1D94A48"
#define DEV_KEY    "0520ADAD5E0142AA3E325087B4EC16D8"
#define DEV_KEY_2  "2770852A737CF05D8813768F22AF3A2D"
#define OTHER_KEY  "9D6DD0E96EB25DC19A40ED9914F8F03F"
#define MESH_UUID  "3F2504E0-4F89-41D3-9A0C-0305E82C3301"
#define DEV_UUID   "70CF7C97-32A3-45B6-9149-4810D2E9CBF4"
#define PROV_UUID  "A1B2C3D4-0000-4000-8000-000000000001"
#define PROV2_UUID "A1B2C3D4-0000-4000-8000-000000000002"

struct fixture {
    char dir[64];
    char path[96];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    snprintf(f->dir, sizeof(f->dir), "/tmp/meshrpr-cdb-XXXXXX");
    if (mkdtemp(f->dir) == NULL) {
        free(f);
        return -1;
    }
    snprintf(f->path, sizeof(f->path), "%s/mesh.json", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[96];

    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    int rc = system(cmd);
    free(f);
    return rc;
}

static size_t dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t n = 0;

    while (d != NULL && (e = readdir(d)) != NULL) {
        if (e->d_name[0] != '.') {
            n++;
        }
    }
    if (d != NULL) {
        closedir(d);
    }
    return n;
}

/* Whole file into a malloc'd, NUL-terminated buffer; NULL if it cannot be read. */
static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long size;

    if (f == NULL) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)size + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    buf[size] = '\0';
    if (len != NULL) {
        *len = (size_t)size;
    }
    return buf;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
}

static void uuid_from(uint8_t uuid[16], const char *dashed)
{
    char plain[33];
    size_t n = 0;

    for (const char *p = dashed; *p != '\0'; p++) {
        if (*p != '-') {
            plain[n++] = *p;
        }
    }
    plain[n] = '\0';
    test_hex(plain, uuid, 16);
}

/* A database using every field the JSON keeps. */
static void full_cdb(struct meshrpr_cdb *cdb)
{
    uint8_t uuid[16];
    TEST_HEX(net_key_0, NET_KEY_0);
    TEST_HEX(net_key_1, NET_KEY_1);
    TEST_HEX(app_key, APP_KEY);
    TEST_HEX(dev_key, DEV_KEY);
    TEST_HEX(dev_key_2, DEV_KEY_2);
    TEST_HEX(other_key, OTHER_KEY);

    uuid_from(uuid, MESH_UUID);
    meshrpr_cdb_init(cdb, uuid, "Maison \xc3\xa9t\xc3\xa9 \"quoted\" \\ tab\t");
    snprintf(cdb->timestamp, sizeof(cdb->timestamp), "2026-01-15T10:00:00Z");
    cdb->iv_index = 0x12345678;
    cdb->iv_update = true;

    assert_int_equal(meshrpr_cdb_subnet_add(cdb, 0x0000, net_key_0), 0);
    assert_int_equal(meshrpr_cdb_subnet_add(cdb, 0x0567, net_key_1), 0);
    struct meshrpr_cdb_subnet *sub = meshrpr_cdb_subnet_get(cdb, 0x0567);
    sub->kr_phase = 1;
    sub->has_old_key = true;
    memcpy(sub->old_key, other_key, 16);
    assert_int_equal(meshrpr_cdb_app_key_add(cdb, 0x0000, 0x0000, app_key), 0);
    assert_int_equal(meshrpr_cdb_app_key_add(cdb, 0x0567, 0x0fff, other_key), 0);
    struct meshrpr_cdb_app_key *app = meshrpr_cdb_app_key_get(cdb, 0x0fff);
    app->has_old_key = true;
    memcpy(app->old_key, app_key, 16);

    uuid_from(uuid, PROV_UUID);
    struct meshrpr_cdb_provisioner *prov =
        meshrpr_cdb_provisioner_add(cdb, uuid, "meshrpr", 0x0001, 0x0fff);
    assert_non_null(prov);
    prov->unicast[1] = (struct meshrpr_cdb_range){ 0x2000, 0x20ff };
    prov->unicast_count = 2;
    prov->group[0] = (struct meshrpr_cdb_range){ 0xc000, 0xc0ff };
    prov->group_count = 1;
    prov->scene[0] = (struct meshrpr_cdb_range){ 0x0001, 0x00ff };
    prov->scene[1] = (struct meshrpr_cdb_range){ 0x1000, 0xffff };
    prov->scene_count = 2;
    uuid_from(uuid, PROV2_UUID);
    assert_non_null(meshrpr_cdb_provisioner_add(cdb, uuid, "phone", 0x1000, 0x1fff));

    uuid_from(uuid, PROV_UUID);
    struct meshrpr_cdb_node *node = meshrpr_cdb_node_alloc(cdb, uuid, 0, 1, 0x0000);
    assert_non_null(node);
    memcpy(node->dev_key, dev_key_2, 16);
    node->configured = true;
    node->secure = true;
    uuid_from(uuid, DEV_UUID);
    node = meshrpr_cdb_node_alloc(cdb, uuid, 0x0b0c, 3, 0x0567);
    assert_non_null(node);
    memcpy(node->dev_key, dev_key, 16);
    node->secure = true;
    uuid[15] ^= 0xff;
    node = meshrpr_cdb_node_alloc(cdb, uuid, 0x7fff, 1, 0x0000);
    assert_non_null(node);
    node->excluded = true; /* and no device key */
    assert_int_equal(meshrpr_cdb_check(cdb, NULL, 0), 0);
}

static void assert_range_equal(const struct meshrpr_cdb_range *a, const struct meshrpr_cdb_range *b,
                               size_t count)
{
    for (size_t i = 0; i < count; i++) {
        assert_int_equal(a[i].low, b[i].low);
        assert_int_equal(a[i].high, b[i].high);
    }
}

static void assert_cdb_equal(const struct meshrpr_cdb *a, const struct meshrpr_cdb *b)
{
    assert_memory_equal(a->mesh_uuid, b->mesh_uuid, 16);
    assert_string_equal(a->mesh_name, b->mesh_name);
    /* A save stamps the file with the host's time when its content changed: the timestamps
     * are checked where that is the point (test_cdb_fidelity). */
    assert_true(a->timestamp[0] != '\0' && b->timestamp[0] != '\0');
    assert_int_equal(a->iv_index, b->iv_index);
    assert_int_equal(a->iv_update, b->iv_update);
    assert_int_equal(a->alloc_low, b->alloc_low);
    assert_int_equal(a->alloc_high, b->alloc_high);
    for (size_t i = 0; i < MESHRPR_CDB_SUBNET_COUNT; i++) {
        const struct meshrpr_cdb_subnet *x = &a->subnets[i];
        const struct meshrpr_cdb_subnet *y = &b->subnets[i];
        assert_int_equal(x->valid, y->valid);
        if (x->valid) {
            assert_int_equal(x->net_idx, y->net_idx);
            assert_memory_equal(x->key, y->key, 16);
            assert_int_equal(x->kr_phase, y->kr_phase);
            assert_int_equal(x->has_old_key, y->has_old_key);
            assert_memory_equal(x->old_key, y->old_key, 16);
        }
    }
    for (size_t i = 0; i < MESHRPR_CDB_APP_KEY_COUNT; i++) {
        const struct meshrpr_cdb_app_key *x = &a->app_keys[i];
        const struct meshrpr_cdb_app_key *y = &b->app_keys[i];
        assert_int_equal(x->valid, y->valid);
        if (x->valid) {
            assert_int_equal(x->app_idx, y->app_idx);
            assert_int_equal(x->net_idx, y->net_idx);
            assert_memory_equal(x->key, y->key, 16);
            assert_int_equal(x->has_old_key, y->has_old_key);
            assert_memory_equal(x->old_key, y->old_key, 16);
        }
    }
    for (size_t i = 0; i < MESHRPR_CDB_PROVISIONER_COUNT; i++) {
        const struct meshrpr_cdb_provisioner *x = &a->provisioners[i];
        const struct meshrpr_cdb_provisioner *y = &b->provisioners[i];
        assert_int_equal(x->valid, y->valid);
        if (x->valid) {
            assert_memory_equal(x->uuid, y->uuid, 16);
            assert_string_equal(x->name, y->name);
            assert_int_equal(x->unicast_count, y->unicast_count);
            assert_int_equal(x->group_count, y->group_count);
            assert_int_equal(x->scene_count, y->scene_count);
            assert_range_equal(x->unicast, y->unicast, x->unicast_count);
            assert_range_equal(x->group, y->group, x->group_count);
            assert_range_equal(x->scene, y->scene, x->scene_count);
        }
    }
    for (size_t i = 0; i < MESHRPR_CDB_NODE_COUNT; i++) {
        const struct meshrpr_cdb_node *x = &a->nodes[i];
        const struct meshrpr_cdb_node *y = &b->nodes[i];
        assert_int_equal(x->valid, y->valid);
        if (x->valid) {
            assert_memory_equal(x->uuid, y->uuid, 16);
            assert_int_equal(x->addr, y->addr);
            assert_int_equal(x->net_idx, y->net_idx);
            assert_int_equal(x->num_elem, y->num_elem);
            assert_memory_equal(x->dev_key, y->dev_key, 16);
            assert_int_equal(x->configured, y->configured);
            assert_int_equal(x->secure, y->secure);
            assert_int_equal(x->excluded, y->excluded);
        }
    }
}

/* Two files say the same, timestamps aside. */
static void drop_timestamps(cJSON *item)
{
    for (; item != NULL; item = item->next) {
        cJSON_DeleteItemFromObjectCaseSensitive(item, "timestamp");
        drop_timestamps(item->child);
    }
}

static void assert_same_but_timestamps(const char *a, const char *b)
{
    cJSON *x = cJSON_Parse(a);
    cJSON *y = cJSON_Parse(b);

    assert_non_null(x);
    assert_non_null(y);
    cJSON_DeleteItemFromObjectCaseSensitive(x, "timestamp");
    cJSON_DeleteItemFromObjectCaseSensitive(y, "timestamp");
    drop_timestamps(x->child);
    drop_timestamps(y->child);
    assert_true(cJSON_Compare(x, y, true));
    cJSON_Delete(x);
    cJSON_Delete(y);
}

static void round_trip(void **state)
{
    struct fixture *f = *state;
    struct meshrpr_cdb saved;
    struct meshrpr_cdb loaded;
    char err[160] = "";
    char path2[128];

    full_cdb(&saved);
    assert_int_equal(meshrpr_cdb_save(&saved, f->path), 0);
    meshrpr_cdb_init(&loaded, NULL, "something else");
    assert_int_equal(meshrpr_cdb_load(&loaded, f->path, err, sizeof(err)), 0);
    assert_string_equal(err, "");
    assert_cdb_equal(&saved, &loaded);

    /* Saving what was loaded gives the same octets. */
    snprintf(path2, sizeof(path2), "%s/again.json", f->dir);
    assert_int_equal(meshrpr_cdb_save(&loaded, path2), 0);
    size_t len1;
    size_t len2;
    char *first = read_file(f->path, &len1);
    char *second = read_file(path2, &len2);
    assert_non_null(first);
    assert_non_null(second);
    assert_int_equal(len1, len2);
    assert_memory_equal(first, second, len1);
    /* In memory too. */
    char *text;
    size_t len;
    assert_int_equal(meshrpr_cdb_json_print(&loaded, &text, &len), 0);
    assert_int_equal(len, len1);
    assert_memory_equal(text, first, len);
    assert_int_equal(text[len - 1], '\n');
    free(text);
    free(first);
    free(second);

    /* Only the two files: no temporary left behind. Saved files are private (keys). */
    assert_int_equal(dir_entries(f->dir), 2);
    struct stat st;
    assert_int_equal(stat(f->path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    /* An empty database round-trips too. */
    meshrpr_cdb_init(&saved, NULL, "");
    assert_int_equal(meshrpr_cdb_save(&saved, f->path), 0);
    assert_int_equal(meshrpr_cdb_load(&loaded, f->path, err, sizeof(err)), 0);
    assert_cdb_equal(&saved, &loaded);
}

/* Our output, read back with cJSON itself: the members and encodings the importers need
 * (provisioning-facts §6): dashed upper-case UUIDs, 4- and 32-digit upper-case hex, the
 * required members of each object. */
static const cJSON *get(const cJSON *obj, const char *name)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);

    if (item == NULL) {
        fail_msg("missing \"%s\"", name);
    }
    return item;
}

static void assert_str(const cJSON *obj, const char *name, const char *expected)
{
    const cJSON *item = get(obj, name);

    assert_true(cJSON_IsString(item));
    assert_string_equal(item->valuestring, expected);
}

static void assert_num(const cJSON *obj, const char *name, double expected)
{
    const cJSON *item = get(obj, name);

    assert_true(cJSON_IsNumber(item));
    assert_true(item->valuedouble == expected);
}

static void assert_bool(const cJSON *obj, const char *name, bool expected)
{
    const cJSON *item = get(obj, name);

    assert_true(cJSON_IsBool(item));
    assert_int_equal(cJSON_IsTrue(item), expected);
}

static const cJSON *array_item(const cJSON *obj, const char *name, int size, int index)
{
    const cJSON *arr = get(obj, name);

    assert_true(cJSON_IsArray(arr));
    assert_int_equal(cJSON_GetArraySize(arr), size);
    return index >= 0 ? cJSON_GetArrayItem(arr, index) : NULL;
}

static void output_format(void **state)
{
    struct meshrpr_cdb cdb;
    char *text;
    size_t len;

    (void)state;
    full_cdb(&cdb);
    assert_int_equal(meshrpr_cdb_json_print(&cdb, &text, &len), 0);
    cJSON *root = cJSON_Parse(text);
    assert_non_null(root);

    assert_str(root, "$schema", "http://json-schema.org/draft-04/schema#");
    assert_str(root, "id",
               "https://www.bluetooth.com/specifications/specs/mesh-cdb-1-0-1-schema.json#");
    assert_str(root, "version", "1.0.1");
    assert_str(root, "meshUUID", MESH_UUID);
    assert_str(root, "meshName", "Maison \xc3\xa9t\xc3\xa9 \"quoted\" \\ tab\t");
    assert_str(root, "timestamp", "2026-01-15T10:00:00Z");
    assert_bool(root, "partial", false);
    assert_num(root, "ivIndex", 0x12345678);
    assert_bool(root, "ivUpdate", true);
    array_item(root, "groups", 0, -1);
    array_item(root, "scenes", 0, -1);
    array_item(root, "networkExclusions", 0, -1);

    const cJSON *nk = array_item(root, "netKeys", 2, 1);
    assert_str(nk, "name", "NetKey 1383");
    assert_num(nk, "index", 0x0567);
    assert_str(nk, "key", NET_KEY_1);
    assert_str(nk, "oldKey", OTHER_KEY);
    assert_num(nk, "phase", 1);
    assert_str(nk, "minSecurity", "secure"); /* its only node is secure */
    assert_str(nk, "timestamp", "2026-01-15T10:00:00Z");
    nk = array_item(root, "netKeys", 2, 0);
    assert_str(nk, "minSecurity", "insecure"); /* the excluded node was not */
    assert_null(cJSON_GetObjectItemCaseSensitive(nk, "oldKey"));

    const cJSON *ak = array_item(root, "appKeys", 2, 1);
    assert_str(ak, "name", "AppKey 4095");
    assert_num(ak, "index", 0x0fff);
    assert_num(ak, "boundNetKey", 0x0567);
    assert_str(ak, "key", OTHER_KEY);
    assert_str(ak, "oldKey", APP_KEY);

    const cJSON *prov = array_item(root, "provisioners", 2, 0);
    assert_str(prov, "provisionerName", "meshrpr");
    assert_str(prov, "UUID", PROV_UUID);
    const cJSON *range = array_item(prov, "allocatedUnicastRange", 2, 1);
    assert_str(range, "lowAddress", "2000");
    assert_str(range, "highAddress", "20FF");
    range = array_item(prov, "allocatedGroupRange", 1, 0);
    assert_str(range, "lowAddress", "C000");
    assert_str(range, "highAddress", "C0FF");
    range = array_item(prov, "allocatedSceneRange", 2, 1);
    assert_str(range, "firstScene", "1000");
    assert_str(range, "lastScene", "FFFF");
    prov = array_item(root, "provisioners", 2, 1);
    array_item(prov, "allocatedGroupRange", 0, -1);
    array_item(prov, "allocatedSceneRange", 0, -1);

    const cJSON *node = array_item(root, "nodes", 3, 1);
    assert_str(node, "UUID", DEV_UUID);
    assert_str(node, "unicastAddress", "0B0C");
    assert_str(node, "deviceKey", DEV_KEY);
    assert_str(node, "security", "secure");
    const cJSON *key = array_item(node, "netKeys", 1, 0);
    assert_num(key, "index", 0x0567);
    assert_bool(key, "updated", false);
    array_item(node, "appKeys", 0, -1);
    assert_bool(node, "configComplete", false);
    assert_bool(node, "excluded", false);
    const cJSON *elem = array_item(node, "elements", 3, 2);
    assert_num(elem, "index", 2);
    assert_str(elem, "location", "0000");
    array_item(elem, "models", 0, -1);
    node = array_item(root, "nodes", 3, 2);
    assert_str(node, "unicastAddress", "7FFF");
    assert_null(cJSON_GetObjectItemCaseSensitive(node, "deviceKey"));
    assert_str(node, "security", "insecure");
    assert_bool(node, "excluded", true);
    node = array_item(root, "nodes", 3, 0);
    assert_str(node, "UUID", PROV_UUID); /* the provisioner's own node: same UUID */
    assert_str(node, "unicastAddress", "0001");
    assert_bool(node, "configComplete", true);

    cJSON_Delete(root);
    free(text);

    /* An invalid database is not printed. */
    cdb.nodes[0].addr = 0;
    text = (char *)1;
    assert_int_equal(meshrpr_cdb_json_print(&cdb, &text, &len), -EINVAL);
    assert_null(text);
}

/* A file in the shape nRF Mesh exports (CDB 1.0.1), written by hand: names, composition,
 * model bindings and publication, features, groups, scenes, exclusions and a vendor member
 * the loader has to skip. */
static const char *const nrf_export[] = {
    "{\n"
    "  \"$schema\": \"http://json-schema.org/draft-04/schema#\",\n"
    "  \"id\": \"https://www.bluetooth.com/specifications/specs/mesh-cdb-1-0-1-schema.json#\",\n"
    "  \"version\": \"1.0.1\",\n"
    "  \"meshUUID\": \"" MESH_UUID "\",\n"
    "  \"meshName\": \"Cottage\",\n"
    "  \"timestamp\": \"2025-06-01T18:30:05+02:00\",\n"
    "  \"partial\": false,\n"
    "  \"netKeys\": [\n"
    "    { \"name\": \"Primary Network Key\", \"index\": 0, \"key\": \"" NET_KEY_0 "\",\n"
    "      \"phase\": 0, \"minSecurity\": \"secure\", \"timestamp\": \"2025-06-01T18:00:00+02:00\" "
    "},\n"
    "    { \"name\": \"Guests\", \"index\": 1383, \"key\": \"" NET_KEY_1
    "\", \"oldKey\": \"" OTHER_KEY "\",\n"
    "      \"phase\": 2, \"minSecurity\": \"insecure\", \"timestamp\": "
    "\"2025-06-01T18:10:00+02:00\" }\n"
    "  ],\n"
    "  \"appKeys\": [\n"
    "    { \"name\": \"Home Automation\", \"index\": 0, \"boundNetKey\": 0, \"key\": \"" APP_KEY
    "\" },\n"
    "    { \"name\": \"Guest lights\", \"index\": 7, \"boundNetKey\": 1383,\n"
    "      \"key\": \"" DEV_KEY_2 "\", \"oldKey\": \"" NET_KEY_0 "\" }\n"
    "  ],\n"
    "  \"provisioners\": [\n"
    "    { \"provisionerName\": \"Pixel 8\", \"UUID\": \"" PROV2_UUID "\",\n"
    "      \"allocatedUnicastRange\": [ { \"lowAddress\": \"0001\", \"highAddress\": \"199A\" },\n"
    "                                 { \"lowAddress\": \"6000\", \"highAddress\": \"60FF\" } ],\n"
    "      \"allocatedGroupRange\": [ { \"lowAddress\": \"C000\", \"highAddress\": \"CC9A\" } ],\n"
    "      \"allocatedSceneRange\": [ { \"firstScene\": \"0001\", \"lastScene\": \"3333\" } ] },\n"
    "    { \"provisionerName\": \"meshrpr\", \"UUID\": \"" PROV_UUID "\",\n"
    "      \"allocatedUnicastRange\": [ { \"lowAddress\": \"199B\", \"highAddress\": \"3334\" } "
    "],\n"
    "      \"allocatedGroupRange\": [],\n"
    "      \"allocatedSceneRange\": [] }\n"
    "  ],\n",
    /* Split in two: ISO C only promises string literals of 4095 characters. */
    "  \"nodes\": [\n"
    "    { \"UUID\": \"" PROV2_UUID "\", \"name\": \"Pixel 8\", \"unicastAddress\": \"0001\",\n"
    "      \"deviceKey\": \"" OTHER_KEY "\", \"security\": \"secure\",\n"
    "      \"netKeys\": [ { \"index\": 0, \"updated\": false }, { \"index\": 1383, \"updated\": "
    "true "
    "} ],\n"
    "      \"appKeys\": [ { \"index\": 0, \"updated\": false } ], \"configComplete\": true,\n"
    "      \"features\": { \"relay\": 2, \"proxy\": 2, \"friend\": 2, \"lowPower\": 2 },\n"
    "      \"defaultTTL\": 5,\n"
    "      \"elements\": [ { \"name\": \"Primary Element\", \"index\": 0, \"location\": \"0000\",\n"
    "        \"models\": [ { \"modelId\": \"0001\", \"bind\": [], \"subscribe\": [] } ] } ],\n"
    "      \"excluded\": false },\n"
    "    { \"UUID\": \"" DEV_UUID "\", \"name\": \"Kitchen light\", \"unicastAddress\": \"0B0C\",\n"
    "      \"deviceKey\": \"" DEV_KEY "\", \"security\": \"insecure\",\n"
    "      \"cid\": \"0059\", \"pid\": \"0001\", \"vid\": \"0002\", \"crpl\": \"0028\",\n"
    "      \"features\": { \"relay\": 1, \"proxy\": 0, \"friend\": 2, \"lowPower\": 2 },\n"
    "      \"secureNetworkBeacon\": true, \"defaultTTL\": 7,\n"
    "      \"networkTransmit\": { \"count\": 3, \"interval\": 20 },\n"
    "      \"relayRetransmit\": { \"count\": 2, \"interval\": 30 },\n"
    "      \"netKeys\": [ { \"index\": 1383, \"updated\": false } ],\n"
    "      \"appKeys\": [ { \"index\": 7, \"updated\": false } ], \"configComplete\": false,\n"
    "      \"elements\": [\n"
    "        { \"name\": \"Lamp\", \"index\": 0, \"location\": \"0100\", \"models\": [\n"
    "          { \"modelId\": \"0000\", \"bind\": [], \"subscribe\": [] },\n"
    "          { \"modelId\": \"1000\", \"bind\": [ 7 ], \"subscribe\": [ \"C001\" ],\n"
    "            \"publish\": { \"address\": \"C002\", \"index\": 7, \"ttl\": 255,\n"
    "              \"period\": { \"numberOfSteps\": 10, \"resolution\": 1000 },\n"
    "              \"credentials\": 0, \"retransmit\": { \"count\": 1, \"interval\": 100 } } },\n"
    "          { \"modelId\": \"00591234\", \"bind\": [ 7 ], \"subscribe\": [] } ] },\n"
    "        { \"index\": 1, \"location\": \"0101\", \"models\": [] }\n"
    "      ],\n"
    "      \"excluded\": false },\n"
    "    { \"UUID\": \"0123456789abcdef0123456789abcdef\", \"unicastAddress\": \"1000\",\n"
    "      \"security\": \"insecure\", \"netKeys\": [ { \"index\": 0, \"updated\": false } ],\n"
    "      \"appKeys\": [], \"configComplete\": false, \"elements\": [], \"blacklisted\": true }\n"
    "  ],\n"
    "  \"groups\": [ { \"name\": \"Kitchen\", \"address\": \"C001\", \"parentAddress\": \"0000\" "
    "},\n"
    "              { \"name\": \"Virtual\", \"address\": \"0073E7E4D8B9440FAF8415DF4C56C0E1\",\n"
    "                \"parentAddress\": \"C001\" } ],\n"
    "  \"scenes\": [ { \"name\": \"Evening\", \"number\": \"0001\", \"addresses\": [ \"0B0C\" ] } "
    "],\n"
    "  \"networkExclusions\": [ { \"ivIndex\": 0, \"addresses\": [ \"0B0A\" ] } ],\n"
    "  \"com.example.vendor\": { \"anything\": [ 1, 2.5, null, \"x\" ] }\n"
    "}\n",
};

static void loads_nrf_export(void **state)
{
    struct fixture *f = *state;
    struct meshrpr_cdb cdb;
    char err[160] = "";
    uint8_t uuid[16];
    uint8_t key[16];

    FILE *out = fopen(f->path, "wb");
    assert_non_null(out);
    for (size_t i = 0; i < sizeof(nrf_export) / sizeof(nrf_export[0]); i++) {
        fputs(nrf_export[i], out);
    }
    assert_int_equal(fclose(out), 0);
    memset(&cdb, 0x5a, sizeof(cdb));
    assert_int_equal(meshrpr_cdb_load(&cdb, f->path, err, sizeof(err)), 0);
    assert_string_equal(err, "");

    assert_hex_equal(cdb.mesh_uuid, 16, "3F2504E04F8941D39A0C0305E82C3301");
    assert_string_equal(cdb.mesh_name, "Cottage");
    assert_string_equal(cdb.timestamp, "2025-06-01T18:30:05+02:00");
    assert_int_equal(cdb.iv_index, 0); /* not in a CDB export */
    assert_false(cdb.iv_update);

    struct meshrpr_cdb_subnet *sub = meshrpr_cdb_subnet_get(&cdb, 0);
    assert_non_null(sub);
    assert_hex_equal(sub->key, 16, NET_KEY_0);
    assert_int_equal(sub->kr_phase, 0);
    assert_false(sub->has_old_key);
    sub = meshrpr_cdb_subnet_get(&cdb, 1383);
    assert_non_null(sub);
    assert_hex_equal(sub->key, 16, NET_KEY_1);
    assert_int_equal(sub->kr_phase, 2);
    assert_true(sub->has_old_key);
    assert_hex_equal(sub->old_key, 16, OTHER_KEY);

    struct meshrpr_cdb_app_key *app = meshrpr_cdb_app_key_get(&cdb, 0);
    assert_non_null(app);
    assert_int_equal(app->net_idx, 0);
    assert_hex_equal(app->key, 16, APP_KEY);
    assert_false(app->has_old_key);
    app = meshrpr_cdb_app_key_get(&cdb, 7);
    assert_non_null(app);
    assert_int_equal(app->net_idx, 1383);
    assert_hex_equal(app->key, 16, DEV_KEY_2);
    assert_true(app->has_old_key);
    assert_hex_equal(app->old_key, 16, NET_KEY_0);

    /* Provisioners in file order; the first one's first range is the allocation window. */
    struct meshrpr_cdb_provisioner *prov = &cdb.provisioners[0];
    assert_true(prov->valid);
    assert_string_equal(prov->name, "Pixel 8");
    assert_hex_equal(prov->uuid, 16, "A1B2C3D4000040008000000000000002");
    assert_int_equal(prov->unicast_count, 2);
    assert_int_equal(prov->unicast[0].low, 0x0001);
    assert_int_equal(prov->unicast[0].high, 0x199a);
    assert_int_equal(prov->unicast[1].low, 0x6000);
    assert_int_equal(prov->unicast[1].high, 0x60ff);
    assert_int_equal(prov->group_count, 1);
    assert_int_equal(prov->group[0].low, 0xc000);
    assert_int_equal(prov->group[0].high, 0xcc9a);
    assert_int_equal(prov->scene_count, 1);
    assert_int_equal(prov->scene[0].low, 0x0001);
    assert_int_equal(prov->scene[0].high, 0x3333);
    prov = &cdb.provisioners[1];
    assert_true(prov->valid);
    assert_string_equal(prov->name, "meshrpr");
    assert_int_equal(prov->unicast_count, 1);
    assert_int_equal(prov->group_count, 0);
    assert_int_equal(prov->scene_count, 0);
    assert_false(cdb.provisioners[2].valid);
    assert_int_equal(cdb.alloc_low, 0x0001);
    assert_int_equal(cdb.alloc_high, 0x199a);

    /* Nodes: the phone's own node, the light, and an old-style excluded node. */
    assert_int_equal(meshrpr_cdb_node_count(&cdb), 3);
    struct meshrpr_cdb_node *node = meshrpr_cdb_node_get(&cdb, 0x0001);
    assert_non_null(node);
    assert_hex_equal(node->uuid, 16, "A1B2C3D4000040008000000000000002");
    assert_int_equal(node->net_idx, 0); /* the first of its NetKeys */
    assert_int_equal(node->num_elem, 1);
    assert_true(node->configured);
    assert_true(node->secure);
    assert_false(node->excluded);

    uuid_from(uuid, DEV_UUID);
    node = meshrpr_cdb_node_by_uuid(&cdb, uuid);
    assert_non_null(node);
    assert_int_equal(node->addr, 0x0b0c);
    assert_int_equal(node->num_elem, 2);
    assert_int_equal(node->net_idx, 1383);
    assert_hex_equal(node->dev_key, 16, DEV_KEY);
    assert_false(node->configured);
    assert_false(node->secure);
    assert_false(node->excluded);
    assert_int_equal(meshrpr_cdb_dev_key_get(&cdb, 0x0b0d, key), 0);
    assert_hex_equal(key, 16, DEV_KEY);
    assert_int_equal(meshrpr_cdb_dev_key_get(&cdb, 0x0b0e, key), -ENOENT);

    /* 32-digit lower-case UUID, no device key, no elements, "blacklisted". */
    test_hex("0123456789abcdef0123456789abcdef", uuid, 16);
    node = meshrpr_cdb_node_by_uuid(&cdb, uuid);
    assert_non_null(node);
    assert_int_equal(node->addr, 0x1000);
    assert_int_equal(node->num_elem, 1);
    assert_true(node->excluded);
    assert_int_equal(meshrpr_cdb_dev_key_get(&cdb, 0x1000, key), -ENOENT);

    /* Allocation skips the nodes. */
    assert_int_equal(meshrpr_cdb_free_addr_get(&cdb, 1), 0x0002);
    /* Allocating from our own entry instead. */
    uuid_from(uuid, PROV_UUID);
    assert_int_equal(meshrpr_cdb_provisioner_use(&cdb, uuid), 0);
    assert_int_equal(meshrpr_cdb_free_addr_get(&cdb, 1), 0x199b);

    /* Saved and loaded again, it keeps what the tables hold. */
    struct meshrpr_cdb again;
    assert_int_equal(meshrpr_cdb_save(&cdb, f->path), 0);
    assert_int_equal(meshrpr_cdb_load(&again, f->path, err, sizeof(err)), 0);
    assert_cdb_equal(&cdb, &again);
}

/* BlueZ mesh-cfgclient: CDB 1.0.0 id, lower-case hex and UUIDs, its private "token" and
 * "ivIndex" members, no meshName. */
static const char bluez_export[] =
    "{\n"
    "  \"token\":\"a1b2c3d4e5f60718\",\n"
    "  \"meshUUID\":\"3f2504e0-4f89-41d3-9a0c-0305e82c3301\",\n"
    "  \"nodes\":[\n"
    "    {\n"
    "      \"UUID\":\"70cf7c97-32a3-45b6-9149-4810d2e9cbf4\",\n"
    "      \"security\":\"secure\",\n"
    "      \"excluded\":false,\n"
    "      \"configComplete\":false,\n"
    "      \"elements\":[\n"
    "        { \"index\":0, \"location\":\"0000\", \"models\":[] },\n"
    "        { \"index\":1, \"location\":\"0000\", \"models\":[] }\n"
    "      ],\n"
    "      \"netKeys\":[ { \"index\":0, \"updated\":false } ],\n"
    "      \"appKeys\":[],\n"
    "      \"unicastAddress\":\"00aa\",\n"
    "      \"deviceKey\":\"0520adad5e0142aa3e325087b4ec16d8\"\n"
    "    }\n"
    "  ],\n"
    "  \"provisioners\":[\n"
    "    {\n"
    "      \"provisionerName\":\"BlueZ\",\n"
    "      \"UUID\":\"a1b2c3d4-0000-4000-8000-000000000001\",\n"
    "      \"allocatedUnicastRange\":[ { \"lowAddress\":\"00aa\", \"highAddress\":\"7fff\" } ],\n"
    "      \"allocatedGroupRange\":[ { \"lowAddress\":\"c000\", \"highAddress\":\"cfff\" } ],\n"
    "      \"allocatedSceneRange\":[]\n"
    "    }\n"
    "  ],\n"
    "  \"netKeys\":[ { \"index\":0, \"phase\":0, \"key\":\"7dd7364cd842ad18c17c2b820c84c3d6\" } "
    "],\n"
    "  \"appKeys\":[],\n"
    "  \"networkExclusions\":[],\n"
    "  \"ivIndex\":305419896,\n"
    "  \"timestamp\":\"2025-03-02T09:08:07Z\",\n"
    "  \"$schema\":\"http://json-schema.org/draft-04/schema#\",\n"
    "  \"id\":\"http://www.bluetooth.com/specifications/assigned-numbers/mesh-profile/"
    "cdb-schema.json#\",\n"
    "  \"version\":\"1.0.0\",\n"
    "  \"scenes\":[],\n"
    "  \"partial\":false\n"
    "}\n";

static void loads_bluez_export(void **state)
{
    struct meshrpr_cdb cdb;
    char err[160] = "";
    uint8_t key[16];

    (void)state;
    assert_int_equal(
        meshrpr_cdb_json_parse(&cdb, bluez_export, strlen(bluez_export), err, sizeof(err)), 0);
    assert_hex_equal(cdb.mesh_uuid, 16, "3F2504E04F8941D39A0C0305E82C3301");
    assert_string_equal(cdb.mesh_name, "");
    assert_int_equal(cdb.iv_index, 0x12345678);
    assert_hex_equal(meshrpr_cdb_subnet_get(&cdb, 0)->key, 16, NET_KEY_0);
    struct meshrpr_cdb_node *node = meshrpr_cdb_node_get(&cdb, 0x00ab);
    assert_non_null(node);
    assert_hex_equal(node->uuid, 16, "70CF7C9732A345B691494810D2E9CBF4");
    assert_int_equal(node->addr, 0x00aa);
    assert_int_equal(node->num_elem, 2);
    assert_true(node->secure);
    assert_int_equal(meshrpr_cdb_dev_key_get(&cdb, 0x00aa, key), 0);
    assert_hex_equal(key, 16, DEV_KEY);
    assert_int_equal(cdb.alloc_low, 0x00aa);
    assert_int_equal(cdb.alloc_high, 0x7fff);
    assert_int_equal(meshrpr_cdb_free_addr_get(&cdb, 1), 0x00ac);
}

/* The base document the refusal cases edit: one of everything, lines numbered. */
static const char base_json[] =
    "{\"meshUUID\":\"" MESH_UUID
    "\",\"meshName\":\"Base\",\"timestamp\":\"2024-05-01T08:00:00Z\",\n"
    "\"netKeys\":[{\"name\":\"Primary\",\"index\":0,\"key\":\"" NET_KEY_0 "\",\"phase\":0,\n"
    "\"minSecurity\":\"secure\",\"timestamp\":\"2024-05-01T08:00:00Z\"}],\n"
    "\"appKeys\":[{\"name\":\"A\",\"index\":0,\"boundNetKey\":0,\"key\":\"" APP_KEY "\"}],\n"
    "\"provisioners\":[{\"provisionerName\":\"P\",\"UUID\":\"" PROV_UUID "\",\n"
    "\"allocatedUnicastRange\":[{\"lowAddress\":\"0001\",\"highAddress\":\"00FF\"}],\n"
    "\"allocatedGroupRange\":[{\"lowAddress\":\"C000\",\"highAddress\":\"C0FF\"}],\n"
    "\"allocatedSceneRange\":[{\"firstScene\":\"0001\",\"lastScene\":\"000F\"}]}],\n"
    "\"nodes\":[{\"UUID\":\"" DEV_UUID "\",\"unicastAddress\":\"0B0C\",\n"
    "\"deviceKey\":\"" DEV_KEY "\",\"security\":\"secure\",\n"
    "\"netKeys\":[{\"index\":0,\"updated\":false}],\"appKeys\":[{\"index\":0,\"updated\":false}],\n"
    "\"configComplete\":true,\"elements\":[{\"index\":0,\"location\":\"0000\",\"models\":[]},\n"
    "{\"index\":1,\"location\":\"0000\",\"models\":[]}],\"excluded\":false}],\n"
    "\"groups\":[],\"scenes\":[],\"networkExclusions\":[]}\n";

#define SECOND_NODE_PREFIX                                                                         \
    "\"excluded\":false},{\"security\":\"secure\",\"netKeys\":[{\"index\":0}],"                    \
    "\"elements\":[{}],"

struct bad_case {
    const char *from; /* replaced, once, in base_json */
    const char *to;
    int err;
    const char *msg; /* expected within the message */
};

static const struct bad_case bad_cases[] = {
    /* Missing required members. */
    { "\"meshUUID\":\"" MESH_UUID "\",", "", -EINVAL, "missing \"meshUUID\"" },
    { "\"Base\",\"timestamp\"", "\"Base\",\"stamp\"", -EINVAL, "missing \"timestamp\"" },
    { "\"netKeys\":[{\"name\"", "\"netKeyz\":[{\"name\"", -EINVAL, "missing \"netKeys\"" },
    { "\"appKeys\":[{\"name\"", "\"AppKeys\":[{\"name\"", -EINVAL, "missing \"appKeys\"" },
    { "\"provisioners\"", "\"provisioner\"", -EINVAL, "missing \"provisioners\"" },
    { "\"nodes\"", "\"node\"", -EINVAL, "missing \"nodes\"" },
    { "\"index\":0,\"key\"", "\"index\":0,\"Key\"", -EINVAL, "netKeys[0]: missing \"key\"" },
    { "\"name\":\"Primary\",\"index\"", "\"name\":\"Primary\",\"idx\"", -EINVAL,
      "netKeys[0]: missing \"index\"" },
    { "\"boundNetKey\"", "\"boundNetkey\"", -EINVAL, "appKeys[0]: missing \"boundNetKey\"" },
    { "\"UUID\":\"" PROV_UUID "\"", "\"uuid\":\"" PROV_UUID "\"", -EINVAL,
      "provisioners[0]: missing \"UUID\"" },
    { "\"allocatedUnicastRange\"", "\"allocatedUnicastRanges\"", -EINVAL,
      "provisioners[0]: missing \"allocatedUnicastRange\"" },
    { "\"highAddress\":\"00FF\"", "\"high\":\"00FF\"", -EINVAL,
      "provisioners[0].allocatedUnicastRange[0]: missing \"highAddress\"" },
    { "\"UUID\":\"" DEV_UUID "\",", "", -EINVAL, "nodes[0]: missing \"UUID\"" },
    { "\"unicastAddress\"", "\"unicastAdress\"", -EINVAL, "nodes[0]: missing \"unicastAddress\"" },
    { "\"security\":\"secure\",\n\"netKeys\"", "\"security\":\"secure\",\n\"netkeys\"", -EINVAL,
      "nodes[0]: missing \"netKeys\"" },
    { "\"elements\"", "\"element\"", -EINVAL, "nodes[0]: missing \"elements\"" },
    { "\"netKeys\":[{\"index\":0,\"updated\":false}]", "\"netKeys\":[{\"updated\":false}]", -EINVAL,
      "nodes[0].netKeys[0]: missing \"index\"" },
    /* Wrong types. */
    { "\"meshName\":\"Base\"", "\"meshName\":5", -EINVAL, "meshName: expected a string" },
    { "\"groups\":[]", "\"groups\":{}", -EINVAL, "groups: expected an array" },
    { "\"netKeys\":[{\"name\"", "\"netKeys\":\"x\",\"netKeyz\":[{\"name\"", -EINVAL,
      "netKeys: expected an array" },
    { "\"index\":0,\"key\"", "\"index\":\"0\",\"key\"", -EINVAL,
      "netKeys[0].index: expected a number" },
    { "\"configComplete\":true", "\"configComplete\":\"yes\"", -EINVAL,
      "nodes[0].configComplete: expected true or false" },
    { "\"excluded\":false", "\"excluded\":0", -EINVAL,
      "nodes[0].excluded: expected true or false" },
    { "\"nodes\":[{", "\"nodes\":[1,{", -EINVAL, "nodes[0]: expected an object" },
    { "\"models\":[]},\n{", "\"models\":[]},\n7,{", -EINVAL,
      "nodes[0].elements[1]: expected an object" },
    { "\"models\":[]},\n{", "\"models\":{}},\n{", -EINVAL,
      "nodes[0].elements[0].models: expected an array" },
    { "\"key\":\"" APP_KEY "\"", "\"key\":null", -EINVAL, "appKeys[0].key: expected a string" },
    { "\"meshName\":\"Base\"", "\"meshName\":\"Base\",\"partial\":\"no\"", -EINVAL,
      "partial: expected true or false" },
    { "\"meshName\":\"Base\"", "\"meshName\":\"Base\",\"version\":1", -EINVAL,
      "version: expected a string" },
    { "{\"meshUUID\"", "[{\"meshUUID\"", -EINVAL, "line 14: truncated JSON" },
    /* Bad hex and UUIDs. */
    { NET_KEY_0, "7DD7364CD842AD18C17C2B820C84C3DG", -EINVAL, "netKeys[0].key: expected 32 hex" },
    { NET_KEY_0, "7DD7364CD842AD18C17C2B820C84C3", -EINVAL, "netKeys[0].key: expected 32 hex" },
    { NET_KEY_0, "7DD7364CD842AD18C17C2B820C84C3D6FF", -EINVAL, "netKeys[0].key: expected 32 hex" },
    { DEV_KEY, " 520ADAD5E0142AA3E325087B4EC16D8", -EINVAL, "nodes[0].deviceKey: expected 32 hex" },
    { "\"0B0C\"", "\"0B0\"", -EINVAL, "nodes[0].unicastAddress: expected 4 hex digits" },
    { "\"0B0C\"", "\"0x0C\"", -EINVAL, "nodes[0].unicastAddress: expected 4 hex digits" },
    { "\"0B0C\"", "\"+B0C\"", -EINVAL, "nodes[0].unicastAddress: expected 4 hex digits" },
    { "\"C0FF\"", "\"C0F\"", -EINVAL, "provisioners[0].allocatedGroupRange[0].highAddress" },
    { "\"000F\"", "\"00 F\"", -EINVAL, "provisioners[0].allocatedSceneRange[0].lastScene" },
    { DEV_UUID, "70CF7C9-732A3-45B6-9149-4810D2E9CBF4", -EINVAL, "nodes[0].UUID: expected a UUID" },
    { DEV_UUID, "70CF7C97-32A3-45B6-9149-4810D2E9CBF", -EINVAL, "nodes[0].UUID: expected a UUID" },
    { DEV_UUID, "70CF7C97_32A3_45B6_9149_4810D2E9CBF4", -EINVAL, "nodes[0].UUID: expected a UUID" },
    { MESH_UUID, "3F2504E04F8941D39A0C0305E82C330", -EINVAL, "meshUUID: expected a UUID" },
    { MESH_UUID, "3F2504E04F8941D39A0C0305E82C33-1", -EINVAL, "meshUUID: expected a UUID" },
    /* Out of range. */
    { "\"0B0C\"", "\"8000\"", -EINVAL, "nodes[0].unicastAddress: 8000 is not a unicast address" },
    { "\"0B0C\"", "\"0000\"", -EINVAL, "nodes[0].unicastAddress: 0000 is not a unicast address" },
    { "\"0B0C\"", "\"7FFF\"", -EINVAL, "nodes[0].elements: 2 elements from 7FFF" },
    { "\"index\":0,\"key\"", "\"index\":4096,\"key\"", -EINVAL,
      "netKeys[0].index: expected an integer 0..4095" },
    { "\"index\":0,\"key\"", "\"index\":-1,\"key\"", -EINVAL,
      "netKeys[0].index: expected an integer 0..4095" },
    { "\"index\":0,\"key\"", "\"index\":0.5,\"key\"", -EINVAL,
      "netKeys[0].index: expected an integer 0..4095" },
    { "\"index\":0,\"key\"", "\"index\":1e400,\"key\"", -EINVAL,
      "netKeys[0].index: expected an integer 0..4095" },
    { "\"phase\":0", "\"phase\":3", -EINVAL, "netKeys[0].phase: expected an integer 0..2" },
    { "\"boundNetKey\":0", "\"boundNetKey\":5", -EINVAL,
      "appKeys[0].boundNetKey: no NetKey with index 5" },
    { "\"boundNetKey\":0", "\"boundNetKey\":4096", -EINVAL,
      "appKeys[0].boundNetKey: expected an integer 0..4095" },
    { "\"netKeys\":[{\"index\":0,\"updated\":false}]", "\"netKeys\":[{\"index\":4096}]", -EINVAL,
      "nodes[0].netKeys[0].index: expected an integer 0..4095" },
    { "\"netKeys\":[{\"index\":0,\"updated\":false}]", "\"netKeys\":[]", -EINVAL,
      "nodes[0].netKeys: a node holds at least one NetKey" },
    { "\"highAddress\":\"00FF\"", "\"highAddress\":\"8000\"", -EINVAL,
      "provisioners[0].allocatedUnicastRange[0]: range 0001..8000" },
    { "\"lowAddress\":\"0001\"", "\"lowAddress\":\"0100\"", -EINVAL,
      "provisioners[0].allocatedUnicastRange[0]: range 0100..00FF" },
    { "\"lowAddress\":\"C000\"", "\"lowAddress\":\"0001\"", -EINVAL,
      "provisioners[0].allocatedGroupRange[0]" },
    { "\"firstScene\":\"0001\"", "\"firstScene\":\"0000\"", -EINVAL,
      "provisioners[0].allocatedSceneRange[0]" },
    { "\"security\":\"secure\"", "\"security\":\"high\"", -EINVAL,
      "nodes[0].security: expected \"secure\" or \"insecure\"" },
    { "\"minSecurity\":\"secure\"", "\"minSecurity\":\"low\"", -EINVAL,
      "netKeys[0].minSecurity: expected \"secure\" or \"insecure\"" },
    { "\"timestamp\":\"2024-05-01T08:00:00Z\",\n\"netKeys\"", "\"timestamp\":\"\",\n\"netKeys\"",
      -EINVAL, "timestamp: expected an ISO 8601" },
    { "\"timestamp\":\"2024-05-01T08:00:00Z\",\n\"netKeys\"",
      "\"timestamp\":\"2024-05-01T08:00:00.123456789012345678+01:00\",\n\"netKeys\"", -EINVAL,
      "timestamp: expected an ISO 8601" },
    { "\"groups\":[]", "\"groups\":[],\"ivIndex\":-1", -EINVAL,
      "ivIndex: expected an integer 0..4294967295" },
    { "\"groups\":[]", "\"groups\":[],\"ivIndex\":4294967296", -EINVAL,
      "ivIndex: expected an integer 0..4294967295" },
    { "\"groups\":[]", "\"groups\":[],\"ivUpdate\":1", -EINVAL,
      "ivUpdate: expected true or false" },
    { "{\"index\":1,\"location\":\"0000\"", "{\"index\":256,\"location\":\"0000\"", -EINVAL,
      "nodes[0].elements[1].index: expected an integer 0..255" },
    /* Duplicates and overlaps. */
    { "\"excluded\":false}",
      SECOND_NODE_PREFIX "\"UUID\":\"" DEV_UUID "\",\"unicastAddress\":\"0100\"}", -EINVAL,
      "nodes[1].UUID: same as nodes[0]" },
    { "\"excluded\":false}",
      SECOND_NODE_PREFIX
      "\"UUID\":\"70cf7c9732a345b691494810d2e9cbf4\",\"unicastAddress\":\"0100\"}",
      -EINVAL, "nodes[1].UUID: same as nodes[0]" },
    { "\"excluded\":false}",
      SECOND_NODE_PREFIX "\"UUID\":\"" PROV_UUID "\",\"unicastAddress\":\"0B0D\"}", -EINVAL,
      "nodes[1].unicastAddress: elements 0B0D..0B0D overlap nodes[0] (0B0C..0B0D)" },
    { "\"timestamp\":\"2024-05-01T08:00:00Z\"}]",
      "\"timestamp\":\"2024-05-01T08:00:00Z\"},{\"index\":0,\"key\":\"" NET_KEY_1 "\"}]", -EINVAL,
      "netKeys[1].index: 0 already used by netKeys[0]" },
    { "\"key\":\"" APP_KEY "\"}]",
      "\"key\":\"" APP_KEY "\"},{\"index\":0,\"boundNetKey\":0,\"key\":\"" APP_KEY "\"}]", -EINVAL,
      "appKeys[1].index: 0 already used by appKeys[0]" },
    { "\"lastScene\":\"000F\"}]}]",
      "\"lastScene\":\"000F\"}]},{\"UUID\":\"" PROV_UUID "\",\"allocatedUnicastRange\":[]}]",
      -EINVAL, "provisioners[1].UUID: same as provisioners[0]" },
    /* Syntax. */
    { "\"networkExclusions\":[]}", "\"networkExclusions\":[]}}", -EINVAL, "malformed JSON" },
    { "\"boundNetKey\":0,", "\"boundNetKey\":0,,", -EINVAL, "line 4, column " },
    { "\"meshName\":\"Base\"", "'meshName':'Base'", -EINVAL, "line 1, column " },
    { "\"phase\":0,", "\"phase\":0 ", -EINVAL, "line 3, column 1: malformed JSON" },
    { "\"configComplete\":true", "\"configComplete\":tru", -EINVAL, "line 12, column " },
    { "\"networkExclusions\":[]}", "\"networkExclusions\":[", -EINVAL,
      "line 14: truncated JSON (unexpected end of file)" },
    { "\"Base\"", "\"Ba\\u0000se\"", 0, "" }, /* an escaped NUL is just text */
};

/* Parse text into a populated database; expect err and a one-line message containing msg,
 * and the database untouched. */
static void expect_refused(const char *text, size_t len, int expected_err, const char *msg)
{
    struct meshrpr_cdb cdb;
    struct meshrpr_cdb before;
    char err[200];

    full_cdb(&cdb);
    memcpy(&before, &cdb, sizeof(cdb));
    strcpy(err, "untouched");
    int rc = meshrpr_cdb_json_parse(&cdb, text, len, err, sizeof(err));
    if (rc != expected_err) {
        fail_msg("expected %d, got %d (\"%s\") for:\n%.*s", expected_err, rc, err, (int)len, text);
    }
    if (expected_err == 0) {
        return;
    }
    assert_memory_equal(&cdb, &before, sizeof(cdb));
    if (strstr(err, msg) == NULL) {
        fail_msg("message \"%s\" lacks \"%s\"", err, msg);
    }
    assert_null(strchr(err, '\n'));
    assert_true(strlen(err) > 0);
}

static void refuses_bad_files(void **state)
{
    struct meshrpr_cdb cdb;
    char err[200];
    char *text;

    (void)state;
    /* The base document itself is fine. */
    assert_int_equal(meshrpr_cdb_json_parse(&cdb, base_json, strlen(base_json), err, sizeof(err)),
                     0);
    assert_int_equal(meshrpr_cdb_node_count(&cdb), 1);

    for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
        const struct bad_case *c = &bad_cases[i];
        const char *at = strstr(base_json, c->from);
        if (at == NULL) {
            if (c->err == 0) {
                continue;
            }
            fail_msg("case %zu: \"%s\" not in the base document", i, c->from);
        }
        size_t head = (size_t)(at - base_json);
        size_t len = strlen(base_json) - strlen(c->from) + strlen(c->to);
        text = malloc(len + 1);
        memcpy(text, base_json, head);
        memcpy(text + head, c->to, strlen(c->to));
        strcpy(text + head + strlen(c->to), at + strlen(c->from));
        expect_refused(text, len, c->err, c->msg);
        free(text);
    }
}

/* A database with count single-element nodes at 0x0001, 0x0002, ... */
static int many_nodes(char *big, size_t cap, int count)
{
    int n = snprintf(big, cap,
                     "{\"meshUUID\":\"" MESH_UUID "\",\"timestamp\":\"t\",\"netKeys\":[],"
                     "\"appKeys\":[],\"provisioners\":[],\"nodes\":[");

    for (int i = 0; i < count; i++) {
        n += snprintf(big + n, cap - (size_t)n,
                      "%s{\"UUID\":\"70CF7C9732A345B691494810D2E9CB%02X\",\"unicastAddress\":"
                      "\"%04X\",\"netKeys\":[{\"index\":0}],\"elements\":[{}]}",
                      i == 0 ? "" : ",", i, i + 1);
    }
    n += snprintf(big + n, cap - (size_t)n, "]}");
    return n;
}

static void refuses_truncated_and_odd_input(void **state)
{
    size_t len = strlen(base_json);

    (void)state;
    /* Every cut of the document is refused, most as truncated. */
    for (size_t cut = 0; cut < len - 1; cut++) {
        expect_refused(base_json, cut, -EINVAL, cut == 0 ? "empty file" : "");
    }
    expect_refused(base_json, len / 2, -EINVAL, "truncated JSON");
    expect_refused(base_json, len - 2, -EINVAL, "line 14: truncated JSON");
    expect_refused(base_json, 40, -EINVAL, "line 1: truncated JSON");
    expect_refused(" \n\t\r\n", 5, -EINVAL, "empty file");
    expect_refused("[]", 2, -EINVAL, "top level is not an object");
    expect_refused("\"cdb\"", 5, -EINVAL, "top level is not an object");
    expect_refused("{}", 2, -EINVAL, "missing \"meshUUID\"");
    /* A NUL octet inside the text (not an escaped one). */
    char *text = strdup(base_json);
    text[strstr(text, "Base") - text] = '\0';
    expect_refused(text, len, -EINVAL, "line 1, column 64: NUL character");
    free(text);
    /* Deep nesting is refused without exhausting the stack. */
    static char deep[4100];
    memset(deep, '[', 2050);
    memset(deep + 2050, ']', 2050);
    expect_refused(deep, 4100, -EINVAL, "");

    /* More entries than the tables hold; one fewer fits. */
    size_t cap = 1 << 16;
    char *big = malloc(cap);
    int n = many_nodes(big, cap, MESHRPR_CDB_NODE_COUNT + 1);
    expect_refused(big, (size_t)n, -ENOMEM, "nodes: 65 nodes, more than the 64");
    struct meshrpr_cdb cdb;
    char err[200];
    n = many_nodes(big, cap, MESHRPR_CDB_NODE_COUNT);
    assert_int_equal(meshrpr_cdb_json_parse(&cdb, big, (size_t)n, err, sizeof(err)), 0);
    assert_int_equal(meshrpr_cdb_node_count(&cdb), MESHRPR_CDB_NODE_COUNT);
    assert_int_equal(cdb.nodes[63].addr, 64);

    n = snprintf(big, cap,
                 "{\"meshUUID\":\"" MESH_UUID "\",\"timestamp\":\"t\",\"appKeys\":[],"
                 "\"provisioners\":[],\"nodes\":[],\"netKeys\":[");
    for (int i = 0; i <= MESHRPR_CDB_SUBNET_COUNT; i++) {
        n += snprintf(big + n, cap - (size_t)n, "%s{\"index\":%d,\"key\":\"%s\"}",
                      i == 0 ? "" : ",", i, NET_KEY_0);
    }
    n += snprintf(big + n, cap - (size_t)n, "]}");
    expect_refused(big, (size_t)n, -ENOMEM, "netKeys: 5 keys");
    free(big);

    /* A message buffer of any size, or none, is fine. */
    assert_int_equal(meshrpr_cdb_json_parse(&cdb, "[]", 2, NULL, 0), -EINVAL);
    err[0] = 'x';
    assert_int_equal(meshrpr_cdb_json_parse(&cdb, "[]", 2, err, 1), -EINVAL);
    assert_int_equal(err[0], '\0');
}

static void load_errors_leave_file_and_cdb(void **state)
{
    struct fixture *f = *state;
    struct meshrpr_cdb cdb;
    struct meshrpr_cdb before;
    char err[200];
    size_t len;

    full_cdb(&cdb);
    memcpy(&before, &cdb, sizeof(cdb));
    char path[128];
    snprintf(path, sizeof(path), "%s/missing.json", f->dir);
    assert_int_equal(meshrpr_cdb_load(&cdb, path, err, sizeof(err)), -ENOENT);
    assert_non_null(strstr(err, "missing.json"));
    assert_memory_equal(&cdb, &before, sizeof(cdb));

    /* A truncated file on disk: refused, the file itself left as it was. */
    char *truncated = strdup(base_json);
    truncated[strlen(truncated) / 3] = '\0';
    write_file(f->path, truncated);
    assert_int_equal(meshrpr_cdb_load(&cdb, f->path, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "truncated JSON"));
    assert_memory_equal(&cdb, &before, sizeof(cdb));
    char *after = read_file(f->path, &len);
    assert_string_equal(after, truncated);
    free(after);
    free(truncated);

    /* A directory is not a database. */
    assert_int_equal(meshrpr_cdb_load(&cdb, f->dir, err, sizeof(err)), -EIO);
    assert_memory_equal(&cdb, &before, sizeof(cdb));
}

static void atomic_save(void **state)
{
    struct fixture *f = *state;
    struct meshrpr_cdb cdb;
    struct meshrpr_cdb other;
    char path[160];
    char *old;
    char *now;
    size_t old_len;
    size_t now_len;

    full_cdb(&cdb);
    assert_int_equal(meshrpr_cdb_save(&cdb, f->path), 0);
    old = read_file(f->path, &old_len);

    /* Saving over it replaces it; one file, no temporary left. */
    meshrpr_cdb_init(&other, cdb.mesh_uuid, "Other");
    assert_int_equal(meshrpr_cdb_save(&other, f->path), 0);
    now = read_file(f->path, &now_len);
    assert_non_null(strstr(now, "\"Other\""));
    free(now);
    assert_int_equal(dir_entries(f->dir), 1);
    assert_int_equal(meshrpr_cdb_save(&cdb, f->path), 0);
    now = read_file(f->path, &now_len);
    /* The same content again; only the timestamps say when it was written. */
    assert_same_but_timestamps(now, old);
    free(old);
    old = now;
    old_len = now_len;

    /* A directory that does not exist: refused; nothing created, the old file as it was. */
    snprintf(path, sizeof(path), "%s/no/such/dir/mesh.json", f->dir);
    assert_int_equal(meshrpr_cdb_save(&other, path), -ENOENT);
    assert_int_equal(dir_entries(f->dir), 1);
    now = read_file(f->path, &now_len);
    assert_int_equal(now_len, old_len);
    assert_memory_equal(now, old, old_len);
    free(now);

    /* The target is a directory: the rename fails, the temporary file is removed. */
    snprintf(path, sizeof(path), "%s/adir", f->dir);
    assert_int_equal(mkdir(path, 0700), 0);
    assert_true(meshrpr_cdb_save(&other, path) < 0);
    assert_int_equal(dir_entries(f->dir), 2);
    rmdir(path);

    /* An invalid database is not written at all. */
    other.nodes[0].valid = true;
    other.nodes[0].addr = 0x8000;
    other.nodes[0].num_elem = 1;
    assert_int_equal(meshrpr_cdb_save(&other, f->path), -EINVAL);
    now = read_file(f->path, &now_len);
    assert_int_equal(now_len, old_len);
    assert_memory_equal(now, old, old_len);
    free(now);
    assert_int_equal(dir_entries(f->dir), 1);
    free(old);

    /* A relative path in the current directory works too. */
    char cwd[256];
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    assert_int_equal(chdir(f->dir), 0);
    assert_int_equal(meshrpr_cdb_save(&cdb, "relative.json"), 0);
    assert_int_equal(meshrpr_cdb_load(&other, "relative.json", NULL, 0), 0);
    assert_int_equal(chdir(cwd), 0);
    assert_cdb_equal(&cdb, &other);
}

static void timestamp_now(void **state)
{
    struct meshrpr_cdb cdb;

    (void)state;
    meshrpr_cdb_init(&cdb, NULL, "x");
    assert_int_equal(meshrpr_cdb_timestamp_now(&cdb), 0);
    /* "YYYY-MM-DDTHH:MM:SSZ" */
    assert_int_equal(strlen(cdb.timestamp), 20);
    assert_int_equal(cdb.timestamp[4], '-');
    assert_int_equal(cdb.timestamp[10], 'T');
    assert_int_equal(cdb.timestamp[19], 'Z');
    assert_int_equal(meshrpr_cdb_check(&cdb, NULL, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(round_trip, setup, teardown),
        cmocka_unit_test(output_format),
        cmocka_unit_test_setup_teardown(loads_nrf_export, setup, teardown),
        cmocka_unit_test(loads_bluez_export),
        cmocka_unit_test(refuses_bad_files),
        cmocka_unit_test(refuses_truncated_and_odd_input),
        cmocka_unit_test_setup_teardown(load_errors_leave_file_and_cdb, setup, teardown),
        cmocka_unit_test_setup_teardown(atomic_save, setup, teardown),
        cmocka_unit_test(timestamp_now),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

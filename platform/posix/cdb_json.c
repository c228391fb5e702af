/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The provisioner's database as a Bluetooth SIG Mesh Configuration Database (CDB 1.0.1) JSON
 * file, with cJSON: the format nRF Mesh and BlueZ's mesh-cfgclient import and export. Loading
 * accepts what those tools write (dashed or plain UUIDs, either letter case, unknown members)
 * and refuses anything truncated, malformed, mistyped or out of range with a one-line message
 * naming the member; it parses into a scratch struct and copies into the caller's only once
 * everything validated. Saving writes a temporary file next to the target, flushes and fsyncs
 * it and renames it over the target, so a crash leaves the old file or the new one, whole.
 */
#define _POSIX_C_SOURCE 200809L

#include <meshrpr/cdb.h>

#include <cjson/cJSON.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The Mesh Configuration Database Profile 1.0.1 header; 1.0.0 files (BlueZ) load as well, as
 * importers should not insist on a particular id. */
#define CDB_SCHEMA  "http://json-schema.org/draft-04/schema#"
#define CDB_ID      "https://www.bluetooth.com/specifications/specs/mesh-cdb-1-0-1-schema.json#"
#define CDB_VERSION "1.0.1"

#define CDB_FILE_MAX   (16u * 1024u * 1024u)
#define KEY_IDX_MAX    0x0fffu
#define PATH_TEXT_SIZE 96

#if defined(__GNUC__)
#define CDB_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define CDB_PRINTF(fmt, args)
#endif

/* Secrets (keys) pass through our buffers: clear them before they go back to the heap. */
static void wipe(void *p, size_t len)
{
    volatile unsigned char *v = p;

    while (len-- > 0) {
        *v++ = 0;
    }
}

static void wipe_tree(cJSON *item)
{
    for (; item != NULL; item = item->next) {
        if (item->valuestring != NULL) {
            wipe(item->valuestring, strlen(item->valuestring));
        }
        wipe_tree(item->child);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Parsing                                                                                   */

struct parse {
    char *err_msg;
    size_t err_msg_size;
};

static CDB_PRINTF(3, 4) int perr(struct parse *ps, int code, const char *fmt, ...)
{
    if (ps->err_msg != NULL && ps->err_msg_size > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ps->err_msg, ps->err_msg_size, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* snprintf for JSON paths in messages: a path too long for the buffer is cut, which is fine
 * for a message (and vsnprintf keeps gcc's truncation analysis out of it). */
static CDB_PRINTF(3, 4) void path_printf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, size, fmt, ap);
    va_end(ap);
}

/* "nodes[2]" + "UUID" -> "nodes[2].UUID"; the top level has an empty path. */
static const char *join(char *buf, size_t size, const char *path, const char *name)
{
    path_printf(buf, size, "%s%s%s", path, path[0] != '\0' ? "." : "", name);
    return buf;
}

enum kind { KIND_STRING, KIND_NUMBER, KIND_BOOL, KIND_ARRAY, KIND_OBJECT };

/* Arrays of characters, not of pointers: constant tables that need no relocation. */
static const char kind_names[][16] = {
    [KIND_STRING] = "a string", [KIND_NUMBER] = "a number",  [KIND_BOOL] = "true or false",
    [KIND_ARRAY] = "an array",  [KIND_OBJECT] = "an object",
};

static bool is_kind(const cJSON *item, enum kind kind)
{
    switch (kind) {
    case KIND_STRING:
        return cJSON_IsString(item) && item->valuestring != NULL;
    case KIND_NUMBER:
        return cJSON_IsNumber(item);
    case KIND_BOOL:
        return cJSON_IsBool(item);
    case KIND_ARRAY:
        return cJSON_IsArray(item);
    default:
        return cJSON_IsObject(item);
    }
}

/* Member name of obj: *out is NULL when it is absent and optional. */
static int member(struct parse *ps, const cJSON *obj, const char *path, const char *name,
                  enum kind kind, bool required, const cJSON **out)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
    char where[PATH_TEXT_SIZE];

    *out = NULL;
    if (item == NULL) {
        if (required) {
            return perr(ps, -EINVAL, "%s%smissing \"%s\"", path, path[0] != '\0' ? ": " : "", name);
        }
        return 0;
    }
    if (!is_kind(item, kind)) {
        return perr(ps, -EINVAL, "%s: expected %s", join(where, sizeof(where), path, name),
                    kind_names[kind]);
    }
    *out = item;
    return 0;
}

static int get_uint(struct parse *ps, const cJSON *obj, const char *path, const char *name,
                    bool required, uint32_t max, uint32_t *out)
{
    const cJSON *item;
    char where[PATH_TEXT_SIZE];
    int err = member(ps, obj, path, name, KIND_NUMBER, required, &item);
    double d;

    if (err != 0 || item == NULL) {
        return err;
    }
    d = item->valuedouble;
    /* NaN and infinities fail the range test; the cast is safe once it passed. */
    if (!(d >= 0.0 && d <= (double)max) || d != (double)(uint32_t)d) {
        return perr(ps, -EINVAL, "%s: expected an integer 0..%lu",
                    join(where, sizeof(where), path, name), (unsigned long)max);
    }
    *out = (uint32_t)d;
    return 0;
}

static int get_bool(struct parse *ps, const cJSON *obj, const char *path, const char *name,
                    bool *out)
{
    const cJSON *item;
    int err = member(ps, obj, path, name, KIND_BOOL, false, &item);

    if (err == 0 && item != NULL) {
        *out = cJSON_IsTrue(item);
    }
    return err;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Decode exactly 2 * len hex digits (either case). */
static bool hex_decode(const char *s, uint8_t *out, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        int hi = hex_digit(s[2 * i]);
        int lo = hi < 0 ? -1 : hex_digit(s[2 * i + 1]);
        if (lo < 0) {
            return false;
        }
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

/* A 4-hex-digit value: addresses and scene numbers. */
static int get_hex16(struct parse *ps, const cJSON *obj, const char *path, const char *name,
                     bool required, uint16_t *out)
{
    const cJSON *item;
    char where[PATH_TEXT_SIZE];
    uint8_t b[2];
    int err = member(ps, obj, path, name, KIND_STRING, required, &item);

    if (err != 0 || item == NULL) {
        return err;
    }
    if (strlen(item->valuestring) != 4 || !hex_decode(item->valuestring, b, 2)) {
        return perr(ps, -EINVAL, "%s: expected 4 hex digits",
                    join(where, sizeof(where), path, name));
    }
    *out = (uint16_t)(b[0] << 8 | b[1]);
    return 0;
}

/* A 128-bit key as 32 hex digits. *present tells whether an optional key was there. */
static int get_key(struct parse *ps, const cJSON *obj, const char *path, const char *name,
                   bool required, uint8_t out[16], bool *present)
{
    const cJSON *item;
    char where[PATH_TEXT_SIZE];
    int err = member(ps, obj, path, name, KIND_STRING, required, &item);

    if (present != NULL) {
        *present = false;
    }
    if (err != 0 || item == NULL) {
        return err;
    }
    if (strlen(item->valuestring) != 32 || !hex_decode(item->valuestring, out, 16)) {
        return perr(ps, -EINVAL, "%s: expected 32 hex digits",
                    join(where, sizeof(where), path, name));
    }
    if (present != NULL) {
        *present = true;
    }
    return 0;
}

/* UUIDs: the dashed 8-4-4-4-12 form the Profile uses, or 32 plain hex digits (older nRF). */
static bool uuid_decode(const char *s, uint8_t out[16])
{
    size_t len = strlen(s);
    char plain[33];
    size_t n = 0;

    if (len == 32) {
        return hex_decode(s, out, 16);
    }
    if (len != 36) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        bool dash_pos = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash_pos != (s[i] == '-')) {
            return false;
        }
        if (!dash_pos) {
            plain[n++] = s[i];
        }
    }
    plain[n] = '\0';
    return hex_decode(plain, out, 16);
}

static int get_uuid(struct parse *ps, const cJSON *obj, const char *path, const char *name,
                    uint8_t out[16])
{
    const cJSON *item;
    char where[PATH_TEXT_SIZE];
    int err = member(ps, obj, path, name, KIND_STRING, true, &item);

    if (err != 0) {
        return err;
    }
    if (!uuid_decode(item->valuestring, out)) {
        return perr(ps, -EINVAL,
                    "%s: expected a UUID (XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX or 32 hex digits)",
                    join(where, sizeof(where), path, name));
    }
    return 0;
}

/* A user-chosen name: kept up to size - 1 bytes, cut at a UTF-8 character boundary. */
static int get_name(struct parse *ps, const cJSON *obj, const char *path, const char *name,
                    char *dst, size_t size)
{
    const cJSON *item;
    int err = member(ps, obj, path, name, KIND_STRING, false, &item);
    size_t len;

    if (err != 0 || item == NULL || dst == NULL) {
        return err;
    }
    len = strlen(item->valuestring);
    if (len >= size) {
        len = size - 1;
        while (len > 0 && ((unsigned char)item->valuestring[len] & 0xc0u) == 0x80u) {
            len--;
        }
    }
    memset(dst, 0, size);
    memcpy(dst, item->valuestring, len);
    return 0;
}

/* "secure" / "insecure" (nodes' security, keys' minSecurity). */
static int get_security(struct parse *ps, const cJSON *obj, const char *path, const char *name,
                        bool *secure)
{
    const cJSON *item;
    char where[PATH_TEXT_SIZE];
    int err = member(ps, obj, path, name, KIND_STRING, false, &item);

    if (err != 0 || item == NULL) {
        return err;
    }
    if (strcmp(item->valuestring, "secure") != 0 && strcmp(item->valuestring, "insecure") != 0) {
        return perr(ps, -EINVAL, "%s: expected \"secure\" or \"insecure\"",
                    join(where, sizeof(where), path, name));
    }
    if (secure != NULL) {
        *secure = strcmp(item->valuestring, "secure") == 0;
    }
    return 0;
}

static int get_timestamp(struct parse *ps, const cJSON *obj, const char *path, bool required,
                         char *dst, size_t size)
{
    const cJSON *item;
    char where[PATH_TEXT_SIZE];
    int err = member(ps, obj, path, "timestamp", KIND_STRING, required, &item);
    size_t len;

    if (err != 0 || item == NULL) {
        return err;
    }
    len = strlen(item->valuestring);
    if (len == 0 || len >= MESHRPR_CDB_TIMESTAMP_SIZE) {
        return perr(ps, -EINVAL, "%s: expected an ISO 8601 date and time of 1..%d characters",
                    join(where, sizeof(where), path, "timestamp"), MESHRPR_CDB_TIMESTAMP_SIZE - 1);
    }
    if (dst != NULL) {
        memset(dst, 0, size);
        memcpy(dst, item->valuestring, len);
    }
    return 0;
}

/* An array member whose entries must all be objects; *count is its length. */
static int get_object_array(struct parse *ps, const cJSON *obj, const char *path, const char *name,
                            bool required, const cJSON **out, size_t *count)
{
    char where[PATH_TEXT_SIZE];
    const cJSON *entry;
    size_t i = 0;
    int err = member(ps, obj, path, name, KIND_ARRAY, required, out);

    *count = 0;
    if (err != 0 || *out == NULL) {
        return err;
    }
    cJSON_ArrayForEach(entry, *out)
    {
        if (!cJSON_IsObject(entry)) {
            join(where, sizeof(where), path, name);
            return perr(ps, -EINVAL, "%s[%zu]: expected an object", where, i);
        }
        i++;
    }
    *count = i;
    return 0;
}

static int parse_net_keys(struct parse *ps, const cJSON *root, struct meshrpr_cdb *cdb)
{
    const cJSON *arr;
    const cJSON *entry;
    size_t count;
    size_t i = 0;
    int err = get_object_array(ps, root, "", "netKeys", true, &arr, &count);

    if (err != 0) {
        return err;
    }
    if (count > MESHRPR_CDB_SUBNET_COUNT) {
        return perr(ps, -ENOMEM, "netKeys: %zu keys, more than the %d this build holds", count,
                    MESHRPR_CDB_SUBNET_COUNT);
    }
    cJSON_ArrayForEach(entry, arr)
    {
        struct meshrpr_cdb_subnet *sub = &cdb->subnets[i];
        char path[PATH_TEXT_SIZE];
        uint32_t idx = 0;
        uint32_t phase = 0;

        path_printf(path, sizeof(path), "netKeys[%zu]", i++);
        sub->valid = true;
        err = get_uint(ps, entry, path, "index", true, KEY_IDX_MAX, &idx);
        if (err == 0) {
            err = get_key(ps, entry, path, "key", true, sub->key, NULL);
        }
        if (err == 0) {
            err = get_key(ps, entry, path, "oldKey", false, sub->old_key, &sub->has_old_key);
        }
        if (err == 0) {
            err = get_uint(ps, entry, path, "phase", false, 2, &phase);
        }
        if (err == 0) {
            err = get_name(ps, entry, path, "name", NULL, 0);
        }
        if (err == 0) {
            err = get_security(ps, entry, path, "minSecurity", NULL);
        }
        if (err == 0) {
            err = get_timestamp(ps, entry, path, false, NULL, 0);
        }
        if (err != 0) {
            return err;
        }
        sub->net_idx = (uint16_t)idx;
        sub->kr_phase = (uint8_t)phase;
    }
    return 0;
}

static int parse_app_keys(struct parse *ps, const cJSON *root, struct meshrpr_cdb *cdb)
{
    const cJSON *arr;
    const cJSON *entry;
    size_t count;
    size_t i = 0;
    int err = get_object_array(ps, root, "", "appKeys", true, &arr, &count);

    if (err != 0) {
        return err;
    }
    if (count > MESHRPR_CDB_APP_KEY_COUNT) {
        return perr(ps, -ENOMEM, "appKeys: %zu keys, more than the %d this build holds", count,
                    MESHRPR_CDB_APP_KEY_COUNT);
    }
    cJSON_ArrayForEach(entry, arr)
    {
        struct meshrpr_cdb_app_key *app = &cdb->app_keys[i];
        char path[PATH_TEXT_SIZE];
        uint32_t idx = 0;
        uint32_t net_idx = 0;

        path_printf(path, sizeof(path), "appKeys[%zu]", i++);
        app->valid = true;
        err = get_uint(ps, entry, path, "index", true, KEY_IDX_MAX, &idx);
        if (err == 0) {
            err = get_uint(ps, entry, path, "boundNetKey", true, KEY_IDX_MAX, &net_idx);
        }
        if (err == 0) {
            err = get_key(ps, entry, path, "key", true, app->key, NULL);
        }
        if (err == 0) {
            err = get_key(ps, entry, path, "oldKey", false, app->old_key, &app->has_old_key);
        }
        if (err == 0) {
            err = get_name(ps, entry, path, "name", NULL, 0);
        }
        if (err != 0) {
            return err;
        }
        app->app_idx = (uint16_t)idx;
        app->net_idx = (uint16_t)net_idx;
    }
    return 0;
}

static int parse_ranges(struct parse *ps, const cJSON *prov, const char *path, const char *name,
                        bool required, const char *low_name, const char *high_name,
                        struct meshrpr_cdb_range *ranges, uint8_t *count)
{
    const cJSON *arr;
    const cJSON *entry;
    size_t n;
    size_t i = 0;
    char base[PATH_TEXT_SIZE];
    int err = get_object_array(ps, prov, path, name, required, &arr, &n);

    *count = 0;
    if (err != 0 || arr == NULL) {
        return err;
    }
    join(base, sizeof(base), path, name);
    if (n > MESHRPR_CDB_RANGE_COUNT) {
        return perr(ps, -ENOMEM, "%s: %zu ranges, more than the %d this build holds", base, n,
                    MESHRPR_CDB_RANGE_COUNT);
    }
    cJSON_ArrayForEach(entry, arr)
    {
        char where[PATH_TEXT_SIZE + 8];
        path_printf(where, sizeof(where), "%s[%zu]", base, i);
        err = get_hex16(ps, entry, where, low_name, true, &ranges[i].low);
        if (err == 0) {
            err = get_hex16(ps, entry, where, high_name, true, &ranges[i].high);
        }
        if (err != 0) {
            return err;
        }
        i++;
    }
    *count = (uint8_t)n;
    return 0;
}

static int parse_provisioners(struct parse *ps, const cJSON *root, struct meshrpr_cdb *cdb)
{
    const cJSON *arr;
    const cJSON *entry;
    size_t count;
    size_t i = 0;
    int err = get_object_array(ps, root, "", "provisioners", true, &arr, &count);

    if (err != 0) {
        return err;
    }
    if (count > MESHRPR_CDB_PROVISIONER_COUNT) {
        return perr(ps, -ENOMEM,
                    "provisioners: %zu provisioners, more than the %d this build "
                    "holds",
                    count, MESHRPR_CDB_PROVISIONER_COUNT);
    }
    cJSON_ArrayForEach(entry, arr)
    {
        struct meshrpr_cdb_provisioner *prov = &cdb->provisioners[i];
        char path[PATH_TEXT_SIZE];

        path_printf(path, sizeof(path), "provisioners[%zu]", i++);
        prov->valid = true;
        err = get_uuid(ps, entry, path, "UUID", prov->uuid);
        if (err == 0) {
            err = get_name(ps, entry, path, "provisionerName", prov->name, sizeof(prov->name));
        }
        if (err == 0) {
            err = parse_ranges(ps, entry, path, "allocatedUnicastRange", true, "lowAddress",
                               "highAddress", prov->unicast, &prov->unicast_count);
        }
        if (err == 0) {
            err = parse_ranges(ps, entry, path, "allocatedGroupRange", false, "lowAddress",
                               "highAddress", prov->group, &prov->group_count);
        }
        if (err == 0) {
            err = parse_ranges(ps, entry, path, "allocatedSceneRange", false, "firstScene",
                               "lastScene", prov->scene, &prov->scene_count);
        }
        if (err != 0) {
            return err;
        }
    }
    return 0;
}

/* A node's netKeys / appKeys: [{ "index": n, "updated": bool }]. */
static int parse_node_keys(struct parse *ps, const cJSON *node, const char *path, const char *name,
                           bool required, uint16_t *first)
{
    const cJSON *arr;
    const cJSON *entry;
    size_t count;
    size_t i = 0;
    char base[PATH_TEXT_SIZE];
    int err = get_object_array(ps, node, path, name, required, &arr, &count);

    if (err != 0 || arr == NULL) {
        return err;
    }
    join(base, sizeof(base), path, name);
    if (first != NULL && count == 0) {
        return perr(ps, -EINVAL, "%s: a node holds at least one NetKey", base);
    }
    cJSON_ArrayForEach(entry, arr)
    {
        char where[PATH_TEXT_SIZE + 8];
        uint32_t idx = 0;
        bool updated = false;

        path_printf(where, sizeof(where), "%s[%zu]", base, i);
        err = get_uint(ps, entry, where, "index", true, KEY_IDX_MAX, &idx);
        if (err == 0) {
            err = get_bool(ps, entry, where, "updated", &updated);
        }
        if (err != 0) {
            return err;
        }
        if (first != NULL && i == 0) {
            *first = (uint16_t)idx;
        }
        i++;
    }
    return 0;
}

/* Elements: only their number matters here (it sizes the node's address range). */
static int parse_elements(struct parse *ps, const cJSON *node, const char *path, uint8_t *num_elem)
{
    const cJSON *arr;
    const cJSON *entry;
    size_t count;
    size_t i = 0;
    char base[PATH_TEXT_SIZE];
    int err = get_object_array(ps, node, path, "elements", true, &arr, &count);

    if (err != 0) {
        return err;
    }
    join(base, sizeof(base), path, "elements");
    if (count > 255) {
        return perr(ps, -EINVAL, "%s: %zu elements, more than 255", base, count);
    }
    cJSON_ArrayForEach(entry, arr)
    {
        char where[PATH_TEXT_SIZE + 8];
        const cJSON *models;
        uint32_t index = 0;
        uint16_t location = 0;

        path_printf(where, sizeof(where), "%s[%zu]", base, i++);
        err = get_uint(ps, entry, where, "index", false, 255, &index);
        if (err == 0) {
            err = get_hex16(ps, entry, where, "location", false, &location);
        }
        if (err == 0) {
            err = get_name(ps, entry, where, "name", NULL, 0);
        }
        if (err == 0) {
            err = member(ps, entry, where, "models", KIND_ARRAY, false, &models);
        }
        if (err != 0) {
            return err;
        }
    }
    /* A node whose composition was never read may be listed with no elements; its primary
     * address is still taken. */
    *num_elem = count > 0 ? (uint8_t)count : 1;
    return 0;
}

/* The private "meshrprPending" member: a change the node may have taken (cdb.h), so a
 * provisioner restarted from its file still knows what to reconcile. Other importers ignore it. */
static int parse_pending(struct parse *ps, const cJSON *entry, const char *path,
                         struct meshrpr_cdb_node *node)
{
    const cJSON *pend;
    const cJSON *kind;
    char where[PATH_TEXT_SIZE];
    uint32_t elems = 0;
    int err = member(ps, entry, path, "meshrprPending", KIND_OBJECT, false, &pend);

    if (err != 0 || pend == NULL) {
        return err;
    }
    join(where, sizeof(where), path, "meshrprPending");
    err = member(ps, pend, where, "kind", KIND_STRING, true, &kind);
    if (err != 0) {
        return err;
    }
    if (strcmp(kind->valuestring, "provision") == 0) {
        node->pending = MESHRPR_CDB_PENDING_PROVISION;
        return 0;
    }
    if (strcmp(kind->valuestring, "refresh") != 0) {
        return perr(ps, -EINVAL, "%s: kind: expected \"provision\" or \"refresh\"", where);
    }
    node->pending = MESHRPR_CDB_PENDING_REFRESH;
    err = get_hex16(ps, pend, where, "unicastAddress", true, &node->pending_addr);
    if (err == 0) {
        err = get_uint(ps, pend, where, "elements", true, 255, &elems);
    }
    if (err == 0) {
        err = get_key(ps, pend, where, "deviceKey", true, node->pending_dev_key, NULL);
    }
    if (err == 0 && (elems == 0 || node->pending_addr == 0 || node->pending_addr > 0x7fff)) {
        err = perr(ps, -EINVAL, "%s: not a unicast range", where);
    }
    node->pending_num_elem = (uint8_t)elems;
    return err;
}

static int parse_nodes(struct parse *ps, const cJSON *root, struct meshrpr_cdb *cdb)
{
    const cJSON *arr;
    const cJSON *entry;
    size_t count;
    size_t i = 0;
    int err = get_object_array(ps, root, "", "nodes", true, &arr, &count);

    if (err != 0) {
        return err;
    }
    if (count > meshrpr_cdb_node_capacity(cdb)) {
        return perr(ps, -ENOMEM, "nodes: %zu nodes, more than the %zu the database holds", count,
                    meshrpr_cdb_node_capacity(cdb));
    }
    cJSON_ArrayForEach(entry, arr)
    {
        struct meshrpr_cdb_node *node = meshrpr_cdb_node_at(cdb, i);
        char path[PATH_TEXT_SIZE];
        bool excluded = false;

        path_printf(path, sizeof(path), "nodes[%zu]", i++);
        node->valid = true;
        err = get_uuid(ps, entry, path, "UUID", node->uuid);
        if (err == 0) {
            err = get_hex16(ps, entry, path, "unicastAddress", true, &node->addr);
        }
        if (err == 0) {
            err = get_key(ps, entry, path, "deviceKey", false, node->dev_key, NULL);
        }
        if (err == 0) {
            err = get_security(ps, entry, path, "security", &node->secure);
        }
        if (err == 0) {
            err = parse_node_keys(ps, entry, path, "netKeys", true, &node->net_idx);
        }
        if (err == 0) {
            err = parse_node_keys(ps, entry, path, "appKeys", false, NULL);
        }
        if (err == 0) {
            err = get_bool(ps, entry, path, "configComplete", &node->configured);
        }
        if (err == 0) {
            err = parse_elements(ps, entry, path, &node->num_elem);
        }
        /* Older nRF Mesh exports said "blacklisted" for "excluded". */
        if (err == 0) {
            err = get_bool(ps, entry, path, "blacklisted", &excluded);
        }
        if (err == 0) {
            err = get_bool(ps, entry, path, "excluded", &excluded);
        }
        if (err == 0) {
            err = get_name(ps, entry, path, "name", NULL, 0);
        }
        if (err == 0) {
            err = parse_pending(ps, entry, path, node);
        }
        if (err != 0) {
            return err;
        }
        node->excluded = excluded;
    }
    return 0;
}

static int parse_root(struct parse *ps, const cJSON *root, struct meshrpr_cdb *cdb)
{
    static const char header[][8] = { "$schema", "id", "version" };
    static const char ignored_arrays[][18] = { "groups", "scenes", "networkExclusions" };
    const cJSON *item;
    uint32_t iv_index = 0;
    int err = 0;

    if (!cJSON_IsObject(root)) {
        return perr(ps, -EINVAL,
                    "not a Mesh Configuration Database: the top level is not an "
                    "object");
    }
    for (size_t i = 0; err == 0 && i < sizeof(header) / sizeof(header[0]); i++) {
        err = member(ps, root, "", header[i], KIND_STRING, false, &item);
    }
    for (size_t i = 0; err == 0 && i < sizeof(ignored_arrays) / sizeof(ignored_arrays[0]); i++) {
        err = member(ps, root, "", ignored_arrays[i], KIND_ARRAY, false, &item);
    }
    if (err == 0) {
        err = get_uuid(ps, root, "", "meshUUID", cdb->mesh_uuid);
    }
    if (err == 0) {
        err = get_name(ps, root, "", "meshName", cdb->mesh_name, sizeof(cdb->mesh_name));
    }
    if (err == 0) {
        err = get_timestamp(ps, root, "", true, cdb->timestamp, sizeof(cdb->timestamp));
    }
    if (err == 0) {
        bool partial = false;
        err = get_bool(ps, root, "", "partial", &partial);
    }
    if (err == 0) {
        err = get_uint(ps, root, "", "ivIndex", false, 0xffffffffu, &iv_index);
    }
    if (err == 0) {
        err = get_bool(ps, root, "", "ivUpdate", &cdb->iv_update);
    }
    if (err == 0) {
        err = parse_net_keys(ps, root, cdb);
    }
    if (err == 0) {
        err = parse_app_keys(ps, root, cdb);
    }
    if (err == 0) {
        err = parse_provisioners(ps, root, cdb);
    }
    if (err == 0) {
        err = parse_nodes(ps, root, cdb);
    }
    if (err != 0) {
        return err;
    }
    cdb->iv_index = iv_index;
    /* This provisioner is the first one listed (BlueZ assumes the same). */
    if (cdb->provisioners[0].valid && cdb->provisioners[0].unicast_count > 0) {
        cdb->alloc_low = cdb->provisioners[0].unicast[0].low;
        cdb->alloc_high = cdb->provisioners[0].unicast[0].high;
    } else {
        cdb->alloc_low = 0x0001;
        cdb->alloc_high = 0x7fff;
    }
    return meshrpr_cdb_check(cdb, ps->err_msg, ps->err_msg_size);
}

static void line_column(const char *text, size_t pos, size_t *line, size_t *column)
{
    *line = 1;
    *column = 1;
    for (size_t i = 0; i < pos; i++) {
        if (text[i] == '\n') {
            (*line)++;
            *column = 1;
        } else {
            (*column)++;
        }
    }
}

/* Whether the text ends inside a string or with a { or [ still open: cJSON reports where the
 * unfinished value began, but the message should say the file is cut short. */
static bool ends_open(const char *text, size_t len)
{
    size_t depth = 0;
    bool in_string = false;

    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (in_string) {
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if ((c == '}' || c == ']') && depth > 0) {
            depth--;
        }
    }
    return in_string || depth > 0;
}

/* text holds len octets followed by a NUL. */
static int parse_terminated(struct meshrpr_cdb *cdb, const char *text, size_t len, struct parse *ps)
{
    const char *end = NULL;
    struct meshrpr_cdb *tmp;
    cJSON *root;
    size_t blank = 0;
    int err;

    while (blank < len && strchr(" \t\r\n", text[blank]) != NULL) {
        blank++;
    }
    if (blank == len) {
        return perr(ps, -EINVAL, "empty file");
    }
    if (memchr(text, '\0', len) != NULL) {
        size_t line;
        size_t column;
        line_column(text, (size_t)((const char *)memchr(text, '\0', len) - text), &line, &column);
        return perr(ps, -EINVAL, "line %zu, column %zu: NUL character in JSON text", line, column);
    }
    root = cJSON_ParseWithLengthOpts(text, len + 1, &end, 1);
    if (root == NULL) {
        size_t pos = end != NULL && end >= text && end <= text + len ? (size_t)(end - text) : 0;
        size_t line;
        size_t column;
        line_column(text, pos, &line, &column);
        if (pos >= len || ends_open(text, len)) {
            /* Name the last line that has text on it. */
            size_t end_pos = len;
            while (end_pos > 0 && strchr(" \t\r\n", text[end_pos - 1]) != NULL) {
                end_pos--;
            }
            line_column(text, end_pos, &line, &column);
            return perr(ps, -EINVAL, "line %zu: truncated JSON (unexpected end of file)", line);
        }
        return perr(ps, -EINVAL, "line %zu, column %zu: malformed JSON", line, column);
    }
    tmp = calloc(1, sizeof(*tmp));
    if (tmp == NULL) {
        wipe_tree(root);
        cJSON_Delete(root);
        return perr(ps, -ENOMEM, "out of memory");
    }
    /* A database with its own node table (meshrpr_cdb_nodes_set()) is parsed into a
     * temporary table of the same size, so a failed load leaves it as it was. */
    struct meshrpr_cdb_node *table = NULL;
    const size_t table_size = meshrpr_cdb_has_node_table(cdb) ? cdb->node_table_size : 0;
    if (table_size > 0) {
        table = calloc(table_size, sizeof(table[0]));
        if (table == NULL) {
            free(tmp);
            wipe_tree(root);
            cJSON_Delete(root);
            return perr(ps, -ENOMEM, "out of memory");
        }
        (void)meshrpr_cdb_nodes_set(tmp, table, table_size);
    }
    err = parse_root(ps, root, tmp);
    if (err == 0) {
        if (table != NULL) {
            memcpy(cdb->node_table, table, table_size * sizeof(table[0]));
            tmp->node_table = cdb->node_table;
            tmp->node_table_check = cdb->node_table_check;
        }
        memcpy(cdb, tmp, sizeof(*cdb));
    }
    if (table != NULL) {
        wipe(table, table_size * sizeof(table[0]));
        free(table);
    }
    wipe(tmp, sizeof(*tmp));
    free(tmp);
    wipe_tree(root);
    cJSON_Delete(root);
    return err;
}

int meshrpr_cdb_json_parse(struct meshrpr_cdb *cdb, const char *text, size_t len, char *err_msg,
                           size_t err_msg_size)
{
    struct parse ps = { .err_msg = err_msg, .err_msg_size = err_msg_size };
    char *copy;
    int err;

    if (err_msg != NULL && err_msg_size > 0) {
        err_msg[0] = '\0';
    }
    if (len > CDB_FILE_MAX) {
        return perr(&ps, -EFBIG, "larger than %u octets", CDB_FILE_MAX);
    }
    /* cJSON wants the terminating NUL to tell trailing garbage from the end. */
    copy = malloc(len + 1);
    if (copy == NULL) {
        return perr(&ps, -ENOMEM, "out of memory");
    }
    if (len > 0) {
        memcpy(copy, text, len);
    }
    copy[len] = '\0';
    err = parse_terminated(cdb, copy, len, &ps);
    wipe(copy, len);
    free(copy);
    return err;
}

int meshrpr_cdb_load(struct meshrpr_cdb *cdb, const char *path, char *err_msg, size_t err_msg_size)
{
    struct parse ps = { .err_msg = err_msg, .err_msg_size = err_msg_size };
    size_t cap = 64 * 1024;
    size_t len = 0;
    char *text;
    FILE *f;
    int err;

    if (err_msg != NULL && err_msg_size > 0) {
        err_msg[0] = '\0';
    }
    f = fopen(path, "rb");
    if (f == NULL) {
        err = errno;
        return perr(&ps, err == ENOENT ? -ENOENT : -EIO, "%s: %s", path, strerror(err));
    }
    text = malloc(cap + 1);
    for (;;) {
        size_t n;
        if (text == NULL) {
            fclose(f);
            return perr(&ps, -ENOMEM, "out of memory");
        }
        n = fread(text + len, 1, cap - len, f);
        len += n;
        if (len < cap) {
            break;
        }
        if (cap > CDB_FILE_MAX) {
            wipe(text, len);
            free(text);
            fclose(f);
            return perr(&ps, -EFBIG, "%s: larger than %u octets", path, CDB_FILE_MAX);
        }
        /* Grow without realloc so no copy of the keys is left behind in freed memory. */
        char *bigger = malloc(cap * 2 + 1);
        if (bigger != NULL) {
            memcpy(bigger, text, len);
        }
        wipe(text, len);
        free(text);
        text = bigger;
        cap *= 2;
    }
    if (ferror(f)) {
        wipe(text, len);
        free(text);
        fclose(f);
        return perr(&ps, -EIO, "%s: read error", path);
    }
    fclose(f);
    if (len > CDB_FILE_MAX) {
        wipe(text, len);
        free(text);
        return perr(&ps, -EFBIG, "%s: larger than %u octets", path, CDB_FILE_MAX);
    }
    text[len] = '\0';
    err = parse_terminated(cdb, text, len, &ps);
    wipe(text, len);
    free(text);
    return err;
}

/* ---------------------------------------------------------------------------------------- */
/* Printing                                                                                  */

static void hex_encode(const uint8_t *in, size_t len, char *out)
{
    static const char digits[] = "0123456789ABCDEF";

    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 0x0f];
    }
    out[2 * len] = '\0';
}

static bool add_hex(cJSON *obj, const char *name, const uint8_t *in, size_t len)
{
    char buf[33];

    hex_encode(in, len, buf);
    return cJSON_AddStringToObject(obj, name, buf) != NULL;
}

static bool add_hex16(cJSON *obj, const char *name, uint16_t value)
{
    uint8_t b[2] = { (uint8_t)(value >> 8), (uint8_t)value };

    return add_hex(obj, name, b, sizeof(b));
}

static bool add_uuid(cJSON *obj, const char *name, const uint8_t uuid[16])
{
    char hex[33];
    char buf[37];

    hex_encode(uuid, 16, hex);
    snprintf(buf, sizeof(buf), "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16,
             hex + 20);
    return cJSON_AddStringToObject(obj, name, buf) != NULL;
}

static bool add_number(cJSON *obj, const char *name, double value)
{
    return cJSON_AddNumberToObject(obj, name, value) != NULL;
}

static bool add_bool(cJSON *obj, const char *name, bool value)
{
    return cJSON_AddBoolToObject(obj, name, value) != NULL;
}

/* Append a new object to arr; NULL when out of memory. */
static cJSON *add_object(cJSON *arr)
{
    cJSON *obj = cJSON_CreateObject();

    if (obj != NULL && !cJSON_AddItemToArray(arr, obj)) {
        cJSON_Delete(obj);
        obj = NULL;
    }
    return obj;
}

/* MshCDB: a NetKey's minSecurity is "secure" only if every node holding it was provisioned
 * securely. */
static bool subnet_secure(const struct meshrpr_cdb *cdb, uint16_t net_idx)
{
    for (size_t i = 0; i < meshrpr_cdb_node_capacity(cdb); i++) {
        const struct meshrpr_cdb_node *node = meshrpr_cdb_node_at(cdb, i);
        if (node->valid && node->net_idx == net_idx && !node->secure) {
            return false;
        }
    }
    return true;
}

static bool print_keys(const struct meshrpr_cdb *cdb, cJSON *root)
{
    cJSON *net_keys = cJSON_AddArrayToObject(root, "netKeys");
    cJSON *app_keys = cJSON_AddArrayToObject(root, "appKeys");
    bool ok = net_keys != NULL && app_keys != NULL;

    for (size_t i = 0; ok && i < MESHRPR_CDB_SUBNET_COUNT; i++) {
        const struct meshrpr_cdb_subnet *sub = &cdb->subnets[i];
        cJSON *obj;
        char name[24];

        if (!sub->valid) {
            continue;
        }
        obj = add_object(net_keys);
        snprintf(name, sizeof(name), "NetKey %u", (unsigned)sub->net_idx);
        ok = obj != NULL && cJSON_AddStringToObject(obj, "name", name) != NULL &&
             add_number(obj, "index", sub->net_idx) && add_hex(obj, "key", sub->key, 16) &&
             (!sub->has_old_key || add_hex(obj, "oldKey", sub->old_key, 16)) &&
             add_number(obj, "phase", sub->kr_phase) &&
             cJSON_AddStringToObject(obj, "minSecurity",
                                     subnet_secure(cdb, sub->net_idx) ? "secure" : "insecure") !=
                 NULL &&
             cJSON_AddStringToObject(obj, "timestamp", cdb->timestamp) != NULL;
    }
    for (size_t i = 0; ok && i < MESHRPR_CDB_APP_KEY_COUNT; i++) {
        const struct meshrpr_cdb_app_key *app = &cdb->app_keys[i];
        cJSON *obj;
        char name[24];

        if (!app->valid) {
            continue;
        }
        obj = add_object(app_keys);
        snprintf(name, sizeof(name), "AppKey %u", (unsigned)app->app_idx);
        ok = obj != NULL && cJSON_AddStringToObject(obj, "name", name) != NULL &&
             add_number(obj, "index", app->app_idx) &&
             add_number(obj, "boundNetKey", app->net_idx) && add_hex(obj, "key", app->key, 16) &&
             (!app->has_old_key || add_hex(obj, "oldKey", app->old_key, 16));
    }
    return ok;
}

static bool print_ranges(cJSON *prov, const char *name, const char *low_name, const char *high_name,
                         const struct meshrpr_cdb_range *ranges, size_t count)
{
    cJSON *arr = cJSON_AddArrayToObject(prov, name);
    bool ok = arr != NULL;

    for (size_t r = 0; ok && r < count; r++) {
        cJSON *obj = add_object(arr);
        ok = obj != NULL && add_hex16(obj, low_name, ranges[r].low) &&
             add_hex16(obj, high_name, ranges[r].high);
    }
    return ok;
}

static bool print_provisioners(const struct meshrpr_cdb *cdb, cJSON *root)
{
    cJSON *arr = cJSON_AddArrayToObject(root, "provisioners");
    bool ok = arr != NULL;

    for (size_t i = 0; ok && i < MESHRPR_CDB_PROVISIONER_COUNT; i++) {
        const struct meshrpr_cdb_provisioner *prov = &cdb->provisioners[i];
        cJSON *obj;

        if (!prov->valid) {
            continue;
        }
        obj = add_object(arr);
        ok = obj != NULL && cJSON_AddStringToObject(obj, "provisionerName", prov->name) != NULL &&
             add_uuid(obj, "UUID", prov->uuid) &&
             print_ranges(obj, "allocatedUnicastRange", "lowAddress", "highAddress", prov->unicast,
                          prov->unicast_count) &&
             print_ranges(obj, "allocatedGroupRange", "lowAddress", "highAddress", prov->group,
                          prov->group_count) &&
             print_ranges(obj, "allocatedSceneRange", "firstScene", "lastScene", prov->scene,
                          prov->scene_count);
    }
    return ok;
}

static bool print_node(const struct meshrpr_cdb_node *node, cJSON *obj)
{
    static const uint8_t zero_key[16];
    cJSON *net_keys;
    cJSON *elements;
    cJSON *key;
    bool ok;

    ok = add_uuid(obj, "UUID", node->uuid) && add_hex16(obj, "unicastAddress", node->addr) &&
         (memcmp(node->dev_key, zero_key, sizeof(zero_key)) == 0 ||
          add_hex(obj, "deviceKey", node->dev_key, 16)) &&
         cJSON_AddStringToObject(obj, "security", node->secure ? "secure" : "insecure") != NULL;
    net_keys = ok ? cJSON_AddArrayToObject(obj, "netKeys") : NULL;
    key = net_keys != NULL ? add_object(net_keys) : NULL;
    ok = key != NULL && add_number(key, "index", node->net_idx) &&
         add_bool(key, "updated", false) && cJSON_AddArrayToObject(obj, "appKeys") != NULL &&
         add_bool(obj, "configComplete", node->configured);
    elements = ok ? cJSON_AddArrayToObject(obj, "elements") : NULL;
    ok = elements != NULL;
    /* Composition is not kept: each element is written with its index only, as BlueZ does
     * before it has read the Composition Data. */
    for (unsigned e = 0; ok && e < node->num_elem; e++) {
        cJSON *elem = add_object(elements);
        ok = elem != NULL && add_number(elem, "index", e) && add_hex16(elem, "location", 0) &&
             cJSON_AddArrayToObject(elem, "models") != NULL;
    }
    ok = ok && add_bool(obj, "excluded", node->excluded);
    if (ok && node->pending != MESHRPR_CDB_PENDING_NONE) {
        cJSON *pend = cJSON_AddObjectToObject(obj, "meshrprPending");
        bool refresh = node->pending == MESHRPR_CDB_PENDING_REFRESH;
        ok = pend != NULL &&
             cJSON_AddStringToObject(pend, "kind", refresh ? "refresh" : "provision") != NULL &&
             (!refresh || (add_hex16(pend, "unicastAddress", node->pending_addr) &&
                           add_number(pend, "elements", node->pending_num_elem) &&
                           add_hex(pend, "deviceKey", node->pending_dev_key, 16)));
    }
    return ok;
}

static bool print_nodes(const struct meshrpr_cdb *cdb, cJSON *root)
{
    cJSON *arr = cJSON_AddArrayToObject(root, "nodes");
    bool ok = arr != NULL;

    for (size_t i = 0; ok && i < meshrpr_cdb_node_capacity(cdb); i++) {
        if (meshrpr_cdb_node_at(cdb, i)->valid) {
            cJSON *obj = add_object(arr);
            ok = obj != NULL && print_node(meshrpr_cdb_node_at(cdb, i), obj);
        }
    }
    return ok;
}

int meshrpr_cdb_json_print(const struct meshrpr_cdb *cdb, char **text, size_t *len)
{
    cJSON *root;
    char *printed = NULL;
    bool ok;
    int err = meshrpr_cdb_check(cdb, NULL, 0);

    *text = NULL;
    if (len != NULL) {
        *len = 0;
    }
    if (err != 0) {
        return err;
    }
    root = cJSON_CreateObject();
    ok = root != NULL && cJSON_AddStringToObject(root, "$schema", CDB_SCHEMA) != NULL &&
         cJSON_AddStringToObject(root, "id", CDB_ID) != NULL &&
         cJSON_AddStringToObject(root, "version", CDB_VERSION) != NULL &&
         add_uuid(root, "meshUUID", cdb->mesh_uuid) &&
         cJSON_AddStringToObject(root, "meshName", cdb->mesh_name) != NULL &&
         cJSON_AddStringToObject(root, "timestamp", cdb->timestamp) != NULL &&
         add_bool(root, "partial", false) && print_keys(cdb, root) &&
         print_provisioners(cdb, root) && print_nodes(cdb, root) &&
         cJSON_AddArrayToObject(root, "groups") != NULL &&
         cJSON_AddArrayToObject(root, "scenes") != NULL &&
         cJSON_AddArrayToObject(root, "networkExclusions") != NULL &&
         add_number(root, "ivIndex", cdb->iv_index) && add_bool(root, "ivUpdate", cdb->iv_update);
    if (ok) {
        printed = cJSON_Print(root);
    }
    if (root != NULL) {
        wipe_tree(root);
        cJSON_Delete(root);
    }
    if (printed == NULL) {
        return -ENOMEM;
    }
    /* End the file with a newline, like every text file. */
    size_t n = strlen(printed);
    char *out = malloc(n + 2);
    if (out != NULL) {
        memcpy(out, printed, n);
        out[n] = '\n';
        out[n + 1] = '\0';
    }
    wipe(printed, n);
    cJSON_free(printed);
    if (out == NULL) {
        return -ENOMEM;
    }
    *text = out;
    if (len != NULL) {
        *len = n + 1;
    }
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Files                                                                                     */

/* fsync the directory holding path, so the rename itself survives a crash. Best effort: some
 * file systems refuse fsync on a directory. */
static void sync_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir;
    int fd;

    if (slash == NULL) {
        dir = strdup(".");
    } else if (slash == path) {
        dir = strdup("/");
    } else {
        dir = strndup(path, (size_t)(slash - path));
    }
    if (dir == NULL) {
        return;
    }
    fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

static int write_atomic(const char *path, const char *text, size_t len)
{
    size_t path_len = strlen(path);
    char *tmp = malloc(path_len + sizeof(".XXXXXX"));
    FILE *f;
    int fd;
    int err = 0;

    if (tmp == NULL) {
        return -ENOMEM;
    }
    /* Same directory as the target, so rename() replaces it atomically. mkstemp creates the
     * file with mode 0600: the database holds keys. */
    memcpy(tmp, path, path_len);
    memcpy(tmp + path_len, ".XXXXXX", sizeof(".XXXXXX"));
    fd = mkstemp(tmp);
    if (fd < 0) {
        err = -errno;
        free(tmp);
        return err;
    }
    f = fdopen(fd, "wb");
    if (f == NULL) {
        err = -errno;
        close(fd);
    } else {
        errno = 0;
        if (fwrite(text, 1, len, f) != len || fflush(f) != 0) {
            err = errno != 0 ? -errno : -EIO;
        } else if (fsync(fileno(f)) != 0) {
            err = -errno;
        }
        if (fclose(f) != 0 && err == 0) {
            err = -errno;
        }
    }
    if (err == 0 && rename(tmp, path) != 0) {
        err = -errno;
    }
    if (err != 0) {
        unlink(tmp);
    } else {
        sync_dir(path);
    }
    free(tmp);
    return err;
}

int meshrpr_cdb_save(const struct meshrpr_cdb *cdb, const char *path)
{
    char *text;
    size_t len;
    int err = meshrpr_cdb_json_print(cdb, &text, &len);

    if (err != 0) {
        return err;
    }
    err = write_atomic(path, text, len);
    wipe(text, len);
    free(text);
    return err;
}

int meshrpr_cdb_timestamp_now(struct meshrpr_cdb *cdb)
{
    time_t now = time(NULL);
    struct tm tm;

    if (now == (time_t)-1 || gmtime_r(&now, &tm) == NULL ||
        strftime(cdb->timestamp, sizeof(cdb->timestamp), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
        return -EIO;
    }
    return 0;
}

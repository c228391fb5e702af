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
#define _XOPEN_SOURCE   700 /* realpath() */

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

/* A node's composition, when the file gives it (cid, pid, vid, crpl and every element's
 * location and models): rebuilt as Composition Data page 0 (MshPRTv1.1 §4.2.2.1) and kept in
 * the database, so a later Composition Data Status can be compared with it and a save writes
 * it back. Page 0's Features field stays 0: the file's "features" are states, kept from the
 * file itself. Anything missing or unreadable leaves the composition unknown, never an error:
 * the members are written back as they were either way. */
static void parse_node_comp(const cJSON *entry, struct meshrpr_cdb *cdb,
                            struct meshrpr_cdb_node *node)
{
    static const char ids[][5] = { "cid", "pid", "vid", "crpl" };
    uint8_t page[MESHRPR_CDB_COMP_POOL_SIZE < 1024 ? MESHRPR_CDB_COMP_POOL_SIZE : 1024];
    size_t len = 0;
    const cJSON *elements = cJSON_GetObjectItemCaseSensitive(entry, "elements");
    const cJSON *elem;

    if (!cJSON_IsArray(elements) || cJSON_GetArraySize(elements) == 0 || sizeof(page) < 10) {
        return;
    }
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        const cJSON *item = cJSON_GetObjectItemCaseSensitive(entry, ids[i]);
        uint8_t b[2];
        if (!cJSON_IsString(item) || item->valuestring == NULL || strlen(item->valuestring) != 4 ||
            !hex_decode(item->valuestring, b, 2)) {
            return;
        }
        page[len++] = b[1];
        page[len++] = b[0];
    }
    page[len++] = 0;
    page[len++] = 0;
    cJSON_ArrayForEach(elem, elements)
    {
        const cJSON *loc = cJSON_GetObjectItemCaseSensitive(elem, "location");
        const cJSON *models = cJSON_GetObjectItemCaseSensitive(elem, "models");
        const cJSON *model;
        size_t head = len;
        uint8_t b[4];
        unsigned nsig = 0;
        unsigned nvnd = 0;

        if (!cJSON_IsString(loc) || loc->valuestring == NULL || strlen(loc->valuestring) != 4 ||
            !hex_decode(loc->valuestring, b, 2) || !cJSON_IsArray(models) ||
            sizeof(page) - len < 4) {
            return;
        }
        page[len++] = b[1];
        page[len++] = b[0];
        len += 2;
        /* SIG models first, then vendor models (the page 0 layout). */
        for (int vnd = 0; vnd < 2; vnd++) {
            cJSON_ArrayForEach(model, models)
            {
                const cJSON *id = cJSON_GetObjectItemCaseSensitive(model, "modelId");
                size_t id_len;
                if (!cJSON_IsString(id) || id->valuestring == NULL) {
                    return;
                }
                id_len = strlen(id->valuestring);
                if ((id_len != 4 && id_len != 8) || !hex_decode(id->valuestring, b, id_len / 2)) {
                    return;
                }
                if ((id_len == 8) != (vnd == 1)) {
                    continue;
                }
                if (sizeof(page) - len < id_len / 2 || (vnd ? nvnd : nsig) == 255) {
                    return;
                }
                if (vnd) {
                    /* "CCCCMMMM": the company (high 16 bits), then the model. */
                    page[len++] = b[1];
                    page[len++] = b[0];
                    page[len++] = b[3];
                    page[len++] = b[2];
                    nvnd++;
                } else {
                    page[len++] = b[1];
                    page[len++] = b[0];
                    nsig++;
                }
            }
        }
        page[head + 2] = (uint8_t)nsig;
        page[head + 3] = (uint8_t)nvnd;
    }
    /* A full pool only loses the composition, as for a node never asked for it. */
    (void)meshrpr_cdb_node_comp_set(cdb, node, page, len);
}

/* networkExclusions (MshCDB 1.0.1): [{ "ivIndex": n, "addresses": ["0005", ...] }]. */
static int parse_exclusions(struct parse *ps, const cJSON *root, struct meshrpr_cdb *cdb)
{
    const cJSON *arr;
    const cJSON *entry;
    size_t count;
    size_t i = 0;
    int err = get_object_array(ps, root, "", "networkExclusions", false, &arr, &count);

    if (err != 0 || arr == NULL) {
        return err;
    }
    cJSON_ArrayForEach(entry, arr)
    {
        char path[PATH_TEXT_SIZE];
        const cJSON *addrs;
        const cJSON *addr;
        uint32_t iv_index = 0;
        size_t a = 0;

        path_printf(path, sizeof(path), "networkExclusions[%zu]", i++);
        err = get_uint(ps, entry, path, "ivIndex", true, 0xffffffffu, &iv_index);
        if (err == 0) {
            err = member(ps, entry, path, "addresses", KIND_ARRAY, true, &addrs);
        }
        if (err != 0) {
            return err;
        }
        cJSON_ArrayForEach(addr, addrs)
        {
            uint8_t b[2];
            uint16_t value;

            if (!cJSON_IsString(addr) || addr->valuestring == NULL ||
                strlen(addr->valuestring) != 4 || !hex_decode(addr->valuestring, b, 2)) {
                return perr(ps, -EINVAL, "%s.addresses[%zu]: expected 4 hex digits", path, a);
            }
            value = (uint16_t)(b[0] << 8 | b[1]);
            if (value == 0 || value > 0x7fff) {
                return perr(ps, -EINVAL,
                            "%s.addresses[%zu]: %04X is not a unicast address (0001..7FFF)", path,
                            a, (unsigned)value);
            }
            if (meshrpr_cdb_exclusion_add(cdb, iv_index, value, value) != 0) {
                return perr(ps, -ENOMEM,
                            "networkExclusions: more than the %d address ranges this build "
                            "holds",
                            MESHRPR_CDB_EXCLUSION_COUNT);
            }
            a++;
        }
    }
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
        parse_node_comp(entry, cdb, node);
    }
    return 0;
}

static int parse_root(struct parse *ps, const cJSON *root, struct meshrpr_cdb *cdb)
{
    static const char header[][8] = { "$schema", "id", "version" };
    static const char ignored_arrays[][18] = { "groups", "scenes" };
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
    cdb->iv_index = iv_index;
    if (err == 0) {
        err = parse_exclusions(ps, root, cdb);
    }
    if (err == 0) {
        err = parse_nodes(ps, root, cdb);
    }
    if (err != 0) {
        return err;
    }
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
static int parse_terminated(struct meshrpr_cdb *cdb, const char *text, size_t len, struct parse *ps,
                            const char *source)
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
    /* Remember the file: what it holds beyond the tables is written back by the next save. A
     * path too long to remember only costs that. */
    if (err == 0 && source != NULL && strlen(source) < sizeof(tmp->json_path)) {
        memcpy(tmp->json_path, source, strlen(source) + 1);
    }
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
    err = parse_terminated(cdb, copy, len, &ps, NULL);
    wipe(copy, len);
    free(copy);
    return err;
}

static int read_file(struct parse *ps, const char *path, char **out, size_t *out_len);

int meshrpr_cdb_load(struct meshrpr_cdb *cdb, const char *path, char *err_msg, size_t err_msg_size)
{
    struct parse ps = { .err_msg = err_msg, .err_msg_size = err_msg_size };
    char *resolved;
    char *text;
    size_t len;
    int err;

    if (err_msg != NULL && err_msg_size > 0) {
        err_msg[0] = '\0';
    }
    err = read_file(&ps, path, &text, &len);
    if (err != 0) {
        return err;
    }
    /* The absolute path, so a later save finds the file from any working directory. */
    resolved = realpath(path, NULL);
    err = parse_terminated(cdb, text, len, &ps, resolved != NULL ? resolved : path);
    free(resolved);
    wipe(text, len);
    free(text);
    return err;
}

/* ---------------------------------------------------------------------------------------- */
/* Printing                                                                                  */
/*
 * A save writes the tables of struct meshrpr_cdb over the file they came from (the base: the
 * file the database was loaded from, or the one at the destination, when it holds the same
 * mesh): every member the tables model is rewritten from them, and everything else the base
 * holds (names, composition, model configuration, extra NetKeys and AppKeys of nodes, groups,
 * scenes, unknown members) is kept verbatim, entries matched by their identity (NetKeys and
 * AppKeys by index, provisioners and nodes by UUID). A value the tables hold that the base
 * already says, in any spelling (letter case, dashes), keeps the base's spelling, so loading a
 * file and saving it changes nothing. Without a base the tables alone are written.
 */

static void hex_encode(const uint8_t *in, size_t len, char *out)
{
    static const char digits[] = "0123456789ABCDEF";

    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 0x0f];
    }
    out[2 * len] = '\0';
}

static cJSON *hex_item(const uint8_t *in, size_t len)
{
    char buf[33];

    hex_encode(in, len, buf);
    return cJSON_CreateString(buf);
}

static cJSON *hex16_item(uint16_t value)
{
    uint8_t b[2] = { (uint8_t)(value >> 8), (uint8_t)value };

    return hex_item(b, sizeof(b));
}

static cJSON *uuid_item(const uint8_t uuid[16])
{
    char hex[33];
    char buf[37];

    hex_encode(uuid, 16, hex);
    snprintf(buf, sizeof(buf), "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16,
             hex + 20);
    return cJSON_CreateString(buf);
}

/* A string of hex digits and dashes: the spellings of one value that differ only in letter
 * case and dashes are the same value (keys, addresses, UUIDs). */
static bool hexish(const char *s)
{
    if (*s == '\0') {
        return false;
    }
    for (; *s != '\0'; s++) {
        if (*s != '-' && hex_digit(*s) < 0) {
            return false;
        }
    }
    return true;
}

static bool same_hexish(const char *a, const char *b)
{
    for (;;) {
        while (*a == '-') {
            a++;
        }
        while (*b == '-') {
            b++;
        }
        if (*a == '\0' || *b == '\0') {
            return *a == *b;
        }
        if (hex_digit(*a) != hex_digit(*b)) {
            return false;
        }
        a++;
        b++;
    }
}

/* Whether two JSON values say the same: objects with the same members (in any order), arrays
 * element by element, strings equal or spelling the same hex value, numbers and literals
 * equal. Depth is bounded by cJSON's nesting limit. */
static bool same_value(const cJSON *a, const cJSON *b)
{
    if (a == NULL || b == NULL) {
        return a == b;
    }
    if (cJSON_IsString(a) && cJSON_IsString(b)) {
        const char *sa = a->valuestring;
        const char *sb = b->valuestring;
        if (sa == NULL || sb == NULL) {
            return sa == sb;
        }
        return strcmp(sa, sb) == 0 || (hexish(sa) && hexish(sb) && same_hexish(sa, sb));
    }
    if (cJSON_IsArray(a) && cJSON_IsArray(b)) {
        const cJSON *x = a->child;
        const cJSON *y = b->child;
        for (; x != NULL && y != NULL; x = x->next, y = y->next) {
            if (!same_value(x, y)) {
                return false;
            }
        }
        return x == NULL && y == NULL;
    }
    if (cJSON_IsObject(a) && cJSON_IsObject(b)) {
        const cJSON *x;
        int na = 0;
        int nb = 0;
        cJSON_ArrayForEach(x, a)
        {
            if (x->string == NULL ||
                !same_value(x, cJSON_GetObjectItemCaseSensitive(b, x->string))) {
                return false;
            }
            na++;
        }
        cJSON_ArrayForEach(x, b)
        {
            nb++;
        }
        return na == nb;
    }
    if (cJSON_IsNumber(a) && cJSON_IsNumber(b)) {
        return a->valuedouble == b->valuedouble;
    }
    return (a->type & 0xff) == (b->type & 0xff) && !cJSON_IsString(a) && !cJSON_IsArray(a) &&
           !cJSON_IsObject(a) && !cJSON_IsNumber(a);
}

/* Whether the printed document says what the base says, leaving out member name (the
 * timestamp) and what a writer adds where the base had none: empty arrays (groups, scenes,
 * networkExclusions) and "partial" (which follows from the device keys). */
static bool same_except(const cJSON *a, const cJSON *b, const char *name)
{
    const cJSON *x;
    int na = 0;
    int nb = 0;

    if (!cJSON_IsObject(a) || !cJSON_IsObject(b)) {
        return false;
    }
    cJSON_ArrayForEach(x, a)
    {
        const cJSON *y;

        if (x->string != NULL && strcmp(x->string, name) == 0) {
            continue;
        }
        y = x->string != NULL ? cJSON_GetObjectItemCaseSensitive(b, x->string) : NULL;
        if (y == NULL && ((cJSON_IsArray(x) && x->child == NULL) ||
                          (x->string != NULL && strcmp(x->string, "partial") == 0))) {
            continue;
        }
        if (x->string == NULL || !same_value(x, y)) {
            return false;
        }
        na++;
    }
    cJSON_ArrayForEach(x, b)
    {
        nb += (x->string != NULL && strcmp(x->string, name) == 0) ? 0 : 1;
    }
    return na == nb;
}

/* Everything a print builds; ok goes false at the first allocation failure. */
struct printer {
    const struct meshrpr_cdb *cdb;
    const cJSON *base; /* the base document, or NULL */
    /* What a changed timestamp becomes: the host's time (a save) or cdb->timestamp. */
    const char *stamp;
    bool ok;
};

/* Set member name of obj to item (taking it), unless obj already says the same: then the
 * existing spelling stays. NULL item: remove the member. */
static void put(struct printer *pr, cJSON *obj, const char *name, cJSON *item)
{
    cJSON *old = cJSON_GetObjectItemCaseSensitive(obj, name);

    if (item == NULL) {
        if (old != NULL) {
            cJSON *gone = cJSON_DetachItemViaPointer(obj, old);
            wipe_tree(gone);
            cJSON_Delete(gone);
        }
        return;
    }
    if (old != NULL && same_value(old, item)) {
        wipe_tree(item);
        cJSON_Delete(item);
        return;
    }
    if (old != NULL) {
        wipe_tree(old->child);
        if (old->valuestring != NULL) {
            wipe(old->valuestring, strlen(old->valuestring));
        }
        if (!cJSON_ReplaceItemInObjectCaseSensitive(obj, name, item)) {
            cJSON_Delete(item);
            pr->ok = false;
        }
        return;
    }
    if (!cJSON_AddItemToObject(obj, name, item)) {
        cJSON_Delete(item);
        pr->ok = false;
    }
}

/* put() of a freshly created item: a NULL from cJSON means out of memory. */
static void put_new(struct printer *pr, cJSON *obj, const char *name, cJSON *item)
{
    if (item == NULL) {
        pr->ok = false;
        return;
    }
    put(pr, obj, name, item);
}

static void put_string(struct printer *pr, cJSON *obj, const char *name, const char *value)
{
    put_new(pr, obj, name, cJSON_CreateString(value));
}

static void put_number(struct printer *pr, cJSON *obj, const char *name, double value)
{
    put_new(pr, obj, name, cJSON_CreateNumber(value));
}

static void put_bool(struct printer *pr, cJSON *obj, const char *name, bool value)
{
    put_new(pr, obj, name, cJSON_CreateBool(value));
}

/* Append item to arr (taking it). */
static void append(struct printer *pr, cJSON *arr, cJSON *item)
{
    if (item == NULL || !cJSON_AddItemToArray(arr, item)) {
        cJSON_Delete(item);
        pr->ok = false;
    }
}

/* The base's array member name of obj (NULL when absent or not an array). */
static const cJSON *base_array(const cJSON *obj, const char *name)
{
    const cJSON *arr = obj != NULL ? cJSON_GetObjectItemCaseSensitive(obj, name) : NULL;

    return cJSON_IsArray(arr) ? arr : NULL;
}

/* The entry of a base array whose member name is the number value. */
static const cJSON *base_by_index(const cJSON *arr, const char *name, uint32_t value)
{
    const cJSON *entry;

    cJSON_ArrayForEach(entry, arr)
    {
        const cJSON *idx = cJSON_GetObjectItemCaseSensitive(entry, name);
        if (cJSON_IsNumber(idx) && idx->valuedouble == (double)value) {
            return entry;
        }
    }
    return NULL;
}

/* The entry of a base array whose member name is this UUID (in any accepted spelling). */
static const cJSON *base_by_uuid(const cJSON *arr, const char *name, const uint8_t uuid[16])
{
    const cJSON *entry;

    cJSON_ArrayForEach(entry, arr)
    {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(entry, name);
        uint8_t b[16];
        if (cJSON_IsString(id) && id->valuestring != NULL && uuid_decode(id->valuestring, b) &&
            memcmp(b, uuid, 16) == 0) {
            return entry;
        }
    }
    return NULL;
}

/* A copy of the base entry, or a new object. */
static cJSON *entry_from(struct printer *pr, const cJSON *base_entry)
{
    cJSON *obj = base_entry != NULL ? cJSON_Duplicate(base_entry, 1) : cJSON_CreateObject();

    if (obj == NULL) {
        pr->ok = false;
    }
    return obj;
}

/* Whether the node holds NetKey net_idx: its first one (the table's), or another one the
 * base lists for it. */
static bool node_holds(const struct meshrpr_cdb_node *node, const cJSON *base_node,
                       uint16_t net_idx)
{
    return node->net_idx == net_idx ||
           base_by_index(base_array(base_node, "netKeys"), "index", net_idx) != NULL;
}

/* MshCDB minSecurity: "secure" only while every node holding the key was provisioned
 * securely; once "insecure", a key stays so (an insecure node may have seen it). */
static bool net_key_secure(const struct printer *pr, const struct meshrpr_cdb_subnet *sub,
                           const cJSON *base_entry)
{
    const cJSON *was = cJSON_GetObjectItemCaseSensitive(base_entry, "minSecurity");
    const cJSON *base_nodes = base_array(pr->base, "nodes");

    if (cJSON_IsString(was) && was->valuestring != NULL &&
        strcmp(was->valuestring, "insecure") == 0) {
        return false;
    }
    for (size_t i = 0; i < meshrpr_cdb_node_capacity(pr->cdb); i++) {
        const struct meshrpr_cdb_node *node = meshrpr_cdb_node_at(pr->cdb, i);
        if (node->valid && !node->secure &&
            node_holds(node, base_by_uuid(base_nodes, "UUID", node->uuid), sub->net_idx)) {
            return false;
        }
    }
    return true;
}

/* The members of a key entry that make its key material: changed ones get a new timestamp. */
static bool key_changed(const cJSON *before, const cJSON *after)
{
    static const char names[][8] = { "key", "oldKey", "phase" };

    if (before == NULL) {
        return true;
    }
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (!same_value(cJSON_GetObjectItemCaseSensitive(before, names[i]),
                        cJSON_GetObjectItemCaseSensitive(after, names[i]))) {
            return true;
        }
    }
    return false;
}

static void print_keys(struct printer *pr, cJSON *root)
{
    const struct meshrpr_cdb *cdb = pr->cdb;
    const cJSON *base_nets = base_array(pr->base, "netKeys");
    const cJSON *base_apps = base_array(pr->base, "appKeys");
    cJSON *nets = cJSON_CreateArray();
    cJSON *apps = cJSON_CreateArray();

    if (nets == NULL || apps == NULL) {
        cJSON_Delete(nets);
        cJSON_Delete(apps);
        pr->ok = false;
        return;
    }
    for (size_t i = 0; pr->ok && i < MESHRPR_CDB_SUBNET_COUNT; i++) {
        const struct meshrpr_cdb_subnet *sub = &cdb->subnets[i];
        const cJSON *was;
        cJSON *obj;
        char name[24];

        if (!sub->valid) {
            continue;
        }
        was = base_by_index(base_nets, "index", sub->net_idx);
        obj = entry_from(pr, was);
        if (obj == NULL) {
            break;
        }
        append(pr, nets, obj);
        if (!pr->ok) {
            break;
        }
        /* A new key gets a name; a file's key keeps what it had (BlueZ writes none). */
        if (was == NULL) {
            snprintf(name, sizeof(name), "NetKey %u", (unsigned)sub->net_idx);
            put_string(pr, obj, "name", name);
        }
        put_number(pr, obj, "index", sub->net_idx);
        put_new(pr, obj, "key", hex_item(sub->key, 16));
        if (sub->has_old_key) {
            put_new(pr, obj, "oldKey", hex_item(sub->old_key, 16));
        } else {
            put(pr, obj, "oldKey", NULL);
        }
        put_number(pr, obj, "phase", sub->kr_phase);
        put_string(pr, obj, "minSecurity", net_key_secure(pr, sub, was) ? "secure" : "insecure");
        /* A key's timestamp: when its material last changed. */
        if (key_changed(was, obj)) {
            put_string(pr, obj, "timestamp", pr->stamp);
        }
    }
    for (size_t i = 0; pr->ok && i < MESHRPR_CDB_APP_KEY_COUNT; i++) {
        const struct meshrpr_cdb_app_key *app = &cdb->app_keys[i];
        const cJSON *was;
        cJSON *obj;
        char name[24];

        if (!app->valid) {
            continue;
        }
        was = base_by_index(base_apps, "index", app->app_idx);
        obj = entry_from(pr, was);
        if (obj == NULL) {
            break;
        }
        append(pr, apps, obj);
        if (!pr->ok) {
            break;
        }
        if (was == NULL) {
            snprintf(name, sizeof(name), "AppKey %u", (unsigned)app->app_idx);
            put_string(pr, obj, "name", name);
        }
        put_number(pr, obj, "index", app->app_idx);
        put_number(pr, obj, "boundNetKey", app->net_idx);
        put_new(pr, obj, "key", hex_item(app->key, 16));
        if (app->has_old_key) {
            put_new(pr, obj, "oldKey", hex_item(app->old_key, 16));
        } else {
            put(pr, obj, "oldKey", NULL);
        }
    }
    put(pr, root, "netKeys", nets);
    put(pr, root, "appKeys", apps);
}

static cJSON *ranges_item(struct printer *pr, const char *low_name, const char *high_name,
                          const struct meshrpr_cdb_range *ranges, size_t count)
{
    cJSON *arr = cJSON_CreateArray();

    for (size_t r = 0; arr != NULL && pr->ok && r < count; r++) {
        cJSON *obj = cJSON_CreateObject();
        append(pr, arr, obj);
        if (pr->ok) {
            put_new(pr, obj, low_name, hex16_item(ranges[r].low));
            put_new(pr, obj, high_name, hex16_item(ranges[r].high));
        }
    }
    if (arr == NULL) {
        pr->ok = false;
    }
    return arr;
}

static void print_provisioners(struct printer *pr, cJSON *root)
{
    const cJSON *base_provs = base_array(pr->base, "provisioners");
    cJSON *arr = cJSON_CreateArray();

    if (arr == NULL) {
        pr->ok = false;
        return;
    }
    for (size_t i = 0; pr->ok && i < MESHRPR_CDB_PROVISIONER_COUNT; i++) {
        const struct meshrpr_cdb_provisioner *prov = &pr->cdb->provisioners[i];
        cJSON *obj;

        if (!prov->valid) {
            continue;
        }
        obj = entry_from(pr, base_by_uuid(base_provs, "UUID", prov->uuid));
        if (obj == NULL) {
            break;
        }
        append(pr, arr, obj);
        if (!pr->ok) {
            break;
        }
        put_string(pr, obj, "provisionerName", prov->name);
        put_new(pr, obj, "UUID", uuid_item(prov->uuid));
        put_new(pr, obj, "allocatedUnicastRange",
                ranges_item(pr, "lowAddress", "highAddress", prov->unicast, prov->unicast_count));
        put_new(pr, obj, "allocatedGroupRange",
                ranges_item(pr, "lowAddress", "highAddress", prov->group, prov->group_count));
        put_new(pr, obj, "allocatedSceneRange",
                ranges_item(pr, "firstScene", "lastScene", prov->scene, prov->scene_count));
    }
    put(pr, root, "provisioners", arr);
}

/* One element of a page 0 (the database checked its layout when it stored it). */
struct comp_elem {
    uint16_t loc;
    uint8_t nsig;
    uint8_t nvnd;
    const uint8_t *models;
};

static bool comp_elem_next(const uint8_t *page, size_t len, size_t *pos, struct comp_elem *elem)
{
    if (*pos + 4 > len) {
        return false;
    }
    elem->loc = (uint16_t)(page[*pos] | page[*pos + 1] << 8);
    elem->nsig = page[*pos + 2];
    elem->nvnd = page[*pos + 3];
    elem->models = &page[*pos + 4];
    if (*pos + 4 + (size_t)elem->nsig * 2 + (size_t)elem->nvnd * 4 > len) {
        return false;
    }
    *pos += 4 + (size_t)elem->nsig * 2 + (size_t)elem->nvnd * 4;
    return true;
}

/* The modelId of model m of an element: 4 hex digits (SIG) or 8 (CID, then model ID). */
static void comp_model_id(const struct comp_elem *elem, unsigned m, char out[9])
{
    if (m < elem->nsig) {
        const uint8_t *p = &elem->models[m * 2];
        uint8_t b[2] = { p[1], p[0] };
        hex_encode(b, 2, out);
    } else {
        const uint8_t *p = &elem->models[elem->nsig * 2 + (m - elem->nsig) * 4];
        uint8_t b[4] = { p[1], p[0], p[3], p[2] };
        hex_encode(b, 4, out);
    }
}

/* The base model object of an element with this modelId. */
static const cJSON *base_model(const cJSON *base_elem, const char *id)
{
    const cJSON *model;

    cJSON_ArrayForEach(model, base_array(base_elem, "models"))
    {
        const cJSON *mid = cJSON_GetObjectItemCaseSensitive(model, "modelId");
        if (cJSON_IsString(mid) && mid->valuestring != NULL && hexish(mid->valuestring) &&
            same_hexish(mid->valuestring, id)) {
            return model;
        }
    }
    return NULL;
}

/* Whether the base element lists exactly the composition's models. */
static bool comp_models_listed(const cJSON *base_elem, const struct comp_elem *elem)
{
    const cJSON *models = base_array(base_elem, "models");
    unsigned count = (unsigned)elem->nsig + elem->nvnd;

    if (models == NULL || cJSON_GetArraySize(models) != (int)count) {
        return false;
    }
    for (unsigned m = 0; m < count; m++) {
        char id[9];
        comp_model_id(elem, m, id);
        if (base_model(base_elem, id) == NULL) {
            return false;
        }
    }
    return true;
}

/* Element e of a node whose composition says elem: the base element with its model
 * configuration, and a models list that is the composition's (the base's entry for a model
 * kept, a new one {modelId, bind [], subscribe []} for a model the base does not list). */
static cJSON *element_from_comp(struct printer *pr, const cJSON *base_elem, unsigned e,
                                const struct comp_elem *elem)
{
    cJSON *obj = entry_from(pr, base_elem);
    cJSON *models = cJSON_CreateArray();

    if (obj == NULL || models == NULL) {
        cJSON_Delete(obj);
        cJSON_Delete(models);
        pr->ok = false;
        return NULL;
    }
    put_number(pr, obj, "index", e);
    put_new(pr, obj, "location", hex16_item(elem->loc));
    /* The same models as the base lists (in whatever order): its list stays as it is. */
    if (comp_models_listed(base_elem, elem)) {
        cJSON_Delete(models);
        return obj;
    }
    for (unsigned m = 0; pr->ok && m < (unsigned)elem->nsig + elem->nvnd; m++) {
        char id[9];
        const cJSON *was;
        cJSON *model;

        comp_model_id(elem, m, id);
        was = base_model(base_elem, id);
        model = entry_from(pr, was);
        append(pr, models, model);
        if (pr->ok && was == NULL) {
            put_string(pr, model, "modelId", id);
            put_new(pr, model, "bind", cJSON_CreateArray());
            put_new(pr, model, "subscribe", cJSON_CreateArray());
        }
    }
    put(pr, obj, "models", models);
    return obj;
}

static void print_elements(struct printer *pr, const struct meshrpr_cdb_node *node,
                           const cJSON *base_node, cJSON *obj)
{
    const cJSON *base_elems = base_array(base_node, "elements");
    size_t comp_len = 0;
    const uint8_t *comp = meshrpr_cdb_node_comp_get(pr->cdb, node, &comp_len);
    size_t pos = 10;
    cJSON *arr = cJSON_CreateArray();

    if (arr == NULL) {
        pr->ok = false;
        return;
    }
    for (unsigned e = 0; pr->ok && e < node->num_elem; e++) {
        const cJSON *base_elem = cJSON_GetArrayItem(base_elems, (int)e);
        struct comp_elem elem;
        cJSON *item;

        if (comp != NULL && comp_elem_next(comp, comp_len, &pos, &elem)) {
            item = element_from_comp(pr, base_elem, e, &elem);
        } else {
            /* Composition not known (or shorter): what the base says, or a bare element. */
            item = entry_from(pr, base_elem);
            if (item != NULL) {
                put_number(pr, item, "index", e);
                if (base_elem == NULL) {
                    put_new(pr, item, "location", hex16_item(0));
                    put_new(pr, item, "models", cJSON_CreateArray());
                }
            }
        }
        append(pr, arr, item);
    }
    put(pr, obj, "elements", arr);
    if (comp != NULL) {
        /* Page 0's header: CID, PID, VID, CRPL (little-endian). */
        static const char names[][5] = { "cid", "pid", "vid", "crpl" };
        for (size_t i = 0; i < 4; i++) {
            put_new(pr, obj, names[i], hex16_item((uint16_t)(comp[i * 2] | comp[i * 2 + 1] << 8)));
        }
    }
}

/* A node's netKeys: the table's NetKey first, then the others the base lists for it. */
static cJSON *node_net_keys(struct printer *pr, const struct meshrpr_cdb_node *node,
                            const cJSON *base_node)
{
    const cJSON *base_keys = base_array(base_node, "netKeys");
    const cJSON *first = base_by_index(base_keys, "index", node->net_idx);
    const cJSON *entry;
    cJSON *arr = cJSON_CreateArray();
    cJSON *obj;

    if (arr == NULL) {
        pr->ok = false;
        return NULL;
    }
    obj = entry_from(pr, first);
    append(pr, arr, obj);
    if (pr->ok) {
        put_number(pr, obj, "index", node->net_idx);
        if (cJSON_GetObjectItemCaseSensitive(obj, "updated") == NULL) {
            put_bool(pr, obj, "updated", false);
        }
    }
    cJSON_ArrayForEach(entry, base_keys)
    {
        if (entry != first && pr->ok) {
            append(pr, arr, cJSON_Duplicate(entry, 1));
        }
    }
    return arr;
}

static void print_node(struct printer *pr, const struct meshrpr_cdb_node *node,
                       const cJSON *base_node, cJSON *obj)
{
    static const uint8_t zero_key[16];
    const cJSON *blacklisted = cJSON_GetObjectItemCaseSensitive(obj, "blacklisted");

    put_new(pr, obj, "UUID", uuid_item(node->uuid));
    put_new(pr, obj, "unicastAddress", hex16_item(node->addr));
    if (memcmp(node->dev_key, zero_key, sizeof(zero_key)) != 0) {
        put_new(pr, obj, "deviceKey", hex_item(node->dev_key, 16));
    } else {
        put(pr, obj, "deviceKey", NULL);
    }
    put_string(pr, obj, "security", node->secure ? "secure" : "insecure");
    put_new(pr, obj, "netKeys", node_net_keys(pr, node, base_node));
    if (cJSON_GetObjectItemCaseSensitive(obj, "appKeys") == NULL) {
        put_new(pr, obj, "appKeys", cJSON_CreateArray());
    }
    put_bool(pr, obj, "configComplete", node->configured);
    print_elements(pr, node, base_node, obj);
    put_bool(pr, obj, "excluded", node->excluded);
    /* The old spelling stays only while it agrees. */
    if (blacklisted != NULL &&
        (!cJSON_IsBool(blacklisted) || (cJSON_IsTrue(blacklisted) != 0) != node->excluded)) {
        put(pr, obj, "blacklisted", NULL);
    }
    if (node->pending != MESHRPR_CDB_PENDING_NONE) {
        bool refresh = node->pending == MESHRPR_CDB_PENDING_REFRESH;
        cJSON *pend = cJSON_CreateObject();
        if (pend == NULL) {
            pr->ok = false;
            return;
        }
        put_string(pr, pend, "kind", refresh ? "refresh" : "provision");
        if (refresh) {
            put_new(pr, pend, "unicastAddress", hex16_item(node->pending_addr));
            put_number(pr, pend, "elements", node->pending_num_elem);
            put_new(pr, pend, "deviceKey", hex_item(node->pending_dev_key, 16));
        }
        put(pr, obj, "meshrprPending", pend);
    } else {
        put(pr, obj, "meshrprPending", NULL);
    }
}

static void print_nodes(struct printer *pr, cJSON *root)
{
    const cJSON *base_nodes = base_array(pr->base, "nodes");
    cJSON *arr = cJSON_CreateArray();

    if (arr == NULL) {
        pr->ok = false;
        return;
    }
    for (size_t i = 0; pr->ok && i < meshrpr_cdb_node_capacity(pr->cdb); i++) {
        const struct meshrpr_cdb_node *node = meshrpr_cdb_node_at(pr->cdb, i);
        const cJSON *was;
        cJSON *obj;

        if (!node->valid) {
            continue;
        }
        was = base_by_uuid(base_nodes, "UUID", node->uuid);
        obj = entry_from(pr, was);
        append(pr, arr, obj);
        if (pr->ok) {
            print_node(pr, node, was, obj);
        }
    }
    put(pr, root, "nodes", arr);
}

/* networkExclusions from the table: one entry per IV Index, its addresses in order. */
static cJSON *exclusions_item(struct printer *pr, const struct meshrpr_cdb_exclusion *table)
{
    cJSON *arr = cJSON_CreateArray();
    cJSON *addrs = NULL;

    for (size_t i = 0; arr != NULL && pr->ok && i < MESHRPR_CDB_EXCLUSION_COUNT; i++) {
        const struct meshrpr_cdb_exclusion *ex = &table[i];
        if (!ex->valid) {
            continue;
        }
        if (addrs == NULL || i == 0 || table[i - 1].iv_index != ex->iv_index) {
            cJSON *obj = cJSON_CreateObject();
            append(pr, arr, obj);
            if (!pr->ok) {
                break;
            }
            put_number(pr, obj, "ivIndex", ex->iv_index);
            addrs = cJSON_CreateArray();
            put_new(pr, obj, "addresses", addrs);
        }
        for (uint32_t a = ex->low; pr->ok && a <= ex->high; a++) {
            append(pr, addrs, hex16_item((uint16_t)a));
        }
    }
    if (arr == NULL) {
        pr->ok = false;
    }
    return arr;
}

/* The base's exclusions as a table, to tell whether the database's differ. */
static bool base_exclusions_same(const struct printer *pr)
{
    const cJSON *arr = base_array(pr->base, "networkExclusions");
    struct meshrpr_cdb *scratch;
    struct parse ps = { 0 };
    bool same;

    if (arr == NULL) {
        for (size_t i = 0; i < MESHRPR_CDB_EXCLUSION_COUNT; i++) {
            if (pr->cdb->exclusions[i].valid) {
                return false;
            }
        }
        return true;
    }
    scratch = calloc(1, sizeof(*scratch));
    if (scratch == NULL) {
        return false;
    }
    same = parse_exclusions(&ps, pr->base, scratch) == 0;
    /* Member by member: the structs' padding is not part of the value. */
    for (size_t i = 0; same && i < MESHRPR_CDB_EXCLUSION_COUNT; i++) {
        const struct meshrpr_cdb_exclusion *x = &scratch->exclusions[i];
        const struct meshrpr_cdb_exclusion *y = &pr->cdb->exclusions[i];
        same =
            x->valid == y->valid &&
            (!x->valid || (x->iv_index == y->iv_index && x->low == y->low && x->high == y->high));
    }
    free(scratch);
    return same;
}

/* Whether the file is a partial export: the base says so, or the device key of a node still
 * in the mesh is unknown (MshCDB: a complete database holds their deviceKey; an excluded
 * node's key is of no more use). */
static bool print_partial(const struct printer *pr)
{
    static const uint8_t zero_key[16];
    const cJSON *was =
        pr->base != NULL ? cJSON_GetObjectItemCaseSensitive(pr->base, "partial") : NULL;

    if (cJSON_IsTrue(was)) {
        return true;
    }
    for (size_t i = 0; i < meshrpr_cdb_node_capacity(pr->cdb); i++) {
        const struct meshrpr_cdb_node *node = meshrpr_cdb_node_at(pr->cdb, i);
        if (node->valid && !node->excluded &&
            memcmp(node->dev_key, zero_key, sizeof(zero_key)) == 0) {
            return true;
        }
    }
    return false;
}

static cJSON *print_tree(const struct meshrpr_cdb *cdb, const cJSON *base)
{
    const cJSON *base_ts =
        base != NULL ? cJSON_GetObjectItemCaseSensitive(base, "timestamp") : NULL;
    /* A change is stamped with the database's timestamp: the node sets it from its platform's
     * wall clock when it changes the database (meshrpr_cdb_timestamp_set()). */
    const char *stamp = cdb->timestamp;
    struct printer pr = { .cdb = cdb, .base = base, .stamp = stamp, .ok = true };
    cJSON *root = base != NULL ? cJSON_Duplicate(base, 1) : cJSON_CreateObject();

    if (root == NULL) {
        return NULL;
    }
    /* A file keeps its own header (BlueZ's working file has none, 1.0.0 files say so). */
    if (base == NULL) {
        put_string(&pr, root, "$schema", CDB_SCHEMA);
        put_string(&pr, root, "id", CDB_ID);
        put_string(&pr, root, "version", CDB_VERSION);
    }
    put_new(&pr, root, "meshUUID", uuid_item(cdb->mesh_uuid));
    put_string(&pr, root, "meshName", cdb->mesh_name);
    if (base == NULL || cJSON_GetObjectItemCaseSensitive(base, "partial") != NULL ||
        print_partial(&pr)) {
        put_bool(&pr, root, "partial", print_partial(&pr));
    }
    print_keys(&pr, root);
    print_provisioners(&pr, root);
    print_nodes(&pr, root);
    if (cJSON_GetObjectItemCaseSensitive(root, "groups") == NULL) {
        put_new(&pr, root, "groups", cJSON_CreateArray());
    }
    if (cJSON_GetObjectItemCaseSensitive(root, "scenes") == NULL) {
        put_new(&pr, root, "scenes", cJSON_CreateArray());
    }
    if (!base_exclusions_same(&pr) ||
        cJSON_GetObjectItemCaseSensitive(root, "networkExclusions") == NULL) {
        put_new(&pr, root, "networkExclusions", exclusions_item(&pr, cdb->exclusions));
    }
    /* The IV Index is no CDB field: private members, written while they say something. */
    if (base == NULL || cJSON_GetObjectItemCaseSensitive(base, "ivIndex") != NULL ||
        cdb->iv_index != 0) {
        put_number(&pr, root, "ivIndex", cdb->iv_index);
    }
    if (base == NULL || cJSON_GetObjectItemCaseSensitive(base, "ivUpdate") != NULL ||
        cdb->iv_update) {
        put_bool(&pr, root, "ivUpdate", cdb->iv_update);
    }
    /* The timestamp says when the content last changed (MshCDB): the base's while nothing
     * did. */
    if (!cJSON_IsString(base_ts) || !same_except(root, base, "timestamp")) {
        put_string(&pr, root, "timestamp", stamp);
    }
    if (!pr.ok) {
        wipe_tree(root);
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

/* Read a whole file (at most CDB_FILE_MAX octets) into a NUL-terminated buffer. */
static int read_file(struct parse *ps, const char *path, char **out, size_t *out_len)
{
    size_t cap = 64 * 1024;
    size_t len = 0;
    char *text;
    FILE *f;
    int err;

    *out = NULL;
    *out_len = 0;
    f = fopen(path, "rb");
    if (f == NULL) {
        err = errno;
        return perr(ps, err == ENOENT ? -ENOENT : -EIO, "%s: %s", path, strerror(err));
    }
    text = malloc(cap + 1);
    for (;;) {
        size_t n;
        if (text == NULL) {
            fclose(f);
            return perr(ps, -ENOMEM, "out of memory");
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
            return perr(ps, -EFBIG, "%s: larger than %u octets", path, CDB_FILE_MAX);
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
        return perr(ps, -EIO, "%s: read error", path);
    }
    fclose(f);
    if (len > CDB_FILE_MAX) {
        wipe(text, len);
        free(text);
        return perr(ps, -EFBIG, "%s: larger than %u octets", path, CDB_FILE_MAX);
    }
    text[len] = '\0';
    *out = text;
    *out_len = len;
    return 0;
}

/* The document in text when it is a valid database (it loads) of this mesh (its meshUUID),
 * else NULL: only such a base is merged, so its members have the types the loader checks. */
static cJSON *base_parse(const struct meshrpr_cdb *cdb, const char *text, size_t len)
{
    struct parse ps = { 0 };
    struct meshrpr_cdb *scratch;
    cJSON *doc = cJSON_ParseWithLength(text, len);
    bool ok;

    if (doc == NULL) {
        return NULL;
    }
    scratch = calloc(1, sizeof(*scratch));
    ok = scratch != NULL && parse_root(&ps, doc, scratch) == 0 &&
         memcmp(scratch->mesh_uuid, cdb->mesh_uuid, 16) == 0;
    if (scratch != NULL) {
        wipe(scratch, sizeof(*scratch));
        free(scratch);
    }
    if (!ok) {
        wipe_tree(doc);
        cJSON_Delete(doc);
        return NULL;
    }
    return doc;
}

static cJSON *base_load(const struct meshrpr_cdb *cdb, const char *path)
{
    struct parse ps = { 0 };
    char *text;
    size_t len;
    cJSON *doc;

    if (path == NULL || path[0] == '\0' || read_file(&ps, path, &text, &len) != 0) {
        return NULL;
    }
    doc = base_parse(cdb, text, len);
    wipe(text, len);
    free(text);
    return doc;
}

/* The text of a tree, ending with a newline like every text file. */
static int tree_text(cJSON *root, char **text, size_t *len)
{
    char *printed = cJSON_Print(root);
    size_t n;
    char *out;

    if (printed == NULL) {
        return -ENOMEM;
    }
    n = strlen(printed);
    out = malloc(n + 2);
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

/* Print merged with base_doc (taken), else the base at base_path or at alt_path. */
static int print_merged(const struct meshrpr_cdb *cdb, cJSON *base_doc, const char *base_path,
                        const char *alt_path, char **text, size_t *len)
{
    cJSON *base = base_doc;
    cJSON *root;
    int err = meshrpr_cdb_check(cdb, NULL, 0);

    *text = NULL;
    if (len != NULL) {
        *len = 0;
    }
    if (err != 0) {
        if (base != NULL) {
            wipe_tree(base);
            cJSON_Delete(base);
        }
        return err;
    }
    if (base == NULL) {
        base = base_load(cdb, base_path);
    }
    if (base == NULL) {
        base = base_load(cdb, alt_path);
    }
    root = print_tree(cdb, base);
    if (base != NULL) {
        wipe_tree(base);
        cJSON_Delete(base);
    }
    if (root == NULL) {
        return -ENOMEM;
    }
    err = tree_text(root, text, len);
    wipe_tree(root);
    cJSON_Delete(root);
    return err;
}

int meshrpr_cdb_json_print(const struct meshrpr_cdb *cdb, char **text, size_t *len)
{
    return print_merged(cdb, NULL, cdb->json_path, NULL, text, len);
}

int meshrpr_cdb_json_merge(const struct meshrpr_cdb *cdb, const char *base, size_t base_len,
                           char **text, size_t *len)
{
    cJSON *doc = NULL;

    if (base != NULL && base_len <= CDB_FILE_MAX) {
        char *copy = malloc(base_len + 1);
        if (copy == NULL) {
            return -ENOMEM;
        }
        memcpy(copy, base, base_len);
        copy[base_len] = '\0';
        doc = base_parse(cdb, copy, base_len);
        wipe(copy, base_len);
        free(copy);
    }
    return print_merged(cdb, doc, NULL, NULL, text, len);
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
    /* The base is the file the database came from, else the one being replaced. */
    int err = print_merged(cdb, NULL, cdb->json_path, path, &text, &len);

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

    if (now == (time_t)-1 || now < 0) {
        return -EIO;
    }
    return meshrpr_cdb_timestamp_set(cdb, (uint64_t)now);
}

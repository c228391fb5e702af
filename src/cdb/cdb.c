/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The provisioner's node database: fixed tables of NetKeys, AppKeys, provisioners and nodes,
 * lowest-free unicast address allocation, node lookup by any element address or by UUID, the
 * device-key hook a provisioner node uses for its Configuration Client, and the invariant check
 * shared by the JSON saver and loader (platform/posix/cdb_json.c). No allocation, no I/O.
 */
#include <meshrpr/cdb.h>

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* MshPRTv1.1 §3.4.2: unicast addresses 0x0001..0x7FFF; group addresses 0xC000..0xFEFF for
 * allocation (0xFF00.. are fixed groups); key indexes are 12 bits (§4.3.1.1). */
#define ADDR_UNICAST_MAX 0x7fffu
#define ADDR_GROUP_MIN   0xc000u
#define ADDR_GROUP_MAX   0xfeffu
#define KEY_IDX_MAX      0x0fffu

#if defined(__GNUC__)
#define CDB_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define CDB_PRINTF(fmt, args)
#endif

static CDB_PRINTF(3, 4) int check_fail(char *err_msg, size_t err_msg_size, const char *fmt, ...)
{
    if (err_msg != NULL && err_msg_size > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err_msg, err_msg_size, fmt, ap);
        va_end(ap);
    }
    return -EINVAL;
}

/* Copy a NUL-terminated name into a fixed field, cutting at a UTF-8 character boundary. */
static void name_copy(char *dst, size_t size, const char *src)
{
    size_t len = src != NULL ? strlen(src) : 0;

    if (len >= size) {
        len = size - 1;
        /* Back off over continuation octets (10xxxxxx) so no character is split. */
        while (len > 0 && ((unsigned char)src[len] & 0xc0u) == 0x80u) {
            len--;
        }
    }
    if (len > 0) {
        memcpy(dst, src, len);
    }
    memset(dst + len, 0, size - len);
}

static bool is_zero(const uint8_t *p, size_t len)
{
    uint8_t acc = 0;

    for (size_t i = 0; i < len; i++) {
        acc |= p[i];
    }
    return acc == 0;
}

static bool terminated(const char *s, size_t size)
{
    return memchr(s, '\0', size) != NULL;
}

void meshrpr_cdb_init(struct meshrpr_cdb *cdb, const uint8_t mesh_uuid[16], const char *name)
{
    memset(cdb, 0, sizeof(*cdb));
    if (mesh_uuid != NULL) {
        memcpy(cdb->mesh_uuid, mesh_uuid, sizeof(cdb->mesh_uuid));
    }
    name_copy(cdb->mesh_name, sizeof(cdb->mesh_name), name);
    name_copy(cdb->timestamp, sizeof(cdb->timestamp), "1970-01-01T00:00:00Z");
    cdb->alloc_low = 0x0001;
    cdb->alloc_high = ADDR_UNICAST_MAX;
}

int meshrpr_cdb_timestamp_set(struct meshrpr_cdb *cdb, uint64_t unix_s)
{
    /* 9999-12-31T23:59:59Z: ISO 8601 years have four digits. */
    static const uint64_t last_s = 253402300799u;
    uint64_t days = unix_s / 86400u;
    uint32_t secs = (uint32_t)(unix_s % 86400u);
    uint32_t year = 1970;
    uint32_t month = 1;

    if (unix_s > last_s) {
        return -EINVAL;
    }
    /* Gregorian calendar: walk whole years, then months (at most 8000 + 12 steps). */
    for (;;) {
        bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        uint32_t len = leap ? 366u : 365u;
        if (days < len) {
            break;
        }
        days -= len;
        year++;
    }
    for (;; month++) {
        static const uint8_t month_days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
        bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        uint32_t len = month_days[month - 1] + (month == 2 && leap ? 1u : 0u);
        if (days < len) {
            break;
        }
        days -= len;
    }
    snprintf(cdb->timestamp, sizeof(cdb->timestamp), "%04u-%02u-%02uT%02u:%02u:%02uZ",
             (unsigned)year, (unsigned)month, (unsigned)days + 1, (unsigned)(secs / 3600u),
             (unsigned)(secs / 60u % 60u), (unsigned)(secs % 60u));
    return 0;
}

struct meshrpr_cdb_subnet *meshrpr_cdb_subnet_get(struct meshrpr_cdb *cdb, uint16_t net_idx)
{
    for (size_t i = 0; i < MESHRPR_CDB_SUBNET_COUNT; i++) {
        if (cdb->subnets[i].valid && cdb->subnets[i].net_idx == net_idx) {
            return &cdb->subnets[i];
        }
    }
    return NULL;
}

int meshrpr_cdb_subnet_add(struct meshrpr_cdb *cdb, uint16_t net_idx, const uint8_t key[16])
{
    if (net_idx > KEY_IDX_MAX || key == NULL) {
        return -EINVAL;
    }
    if (meshrpr_cdb_subnet_get(cdb, net_idx) != NULL) {
        return -EEXIST;
    }
    for (size_t i = 0; i < MESHRPR_CDB_SUBNET_COUNT; i++) {
        struct meshrpr_cdb_subnet *sub = &cdb->subnets[i];
        if (!sub->valid) {
            memset(sub, 0, sizeof(*sub));
            sub->valid = true;
            sub->net_idx = net_idx;
            memcpy(sub->key, key, sizeof(sub->key));
            return 0;
        }
    }
    return -ENOMEM;
}

struct meshrpr_cdb_app_key *meshrpr_cdb_app_key_get(struct meshrpr_cdb *cdb, uint16_t app_idx)
{
    for (size_t i = 0; i < MESHRPR_CDB_APP_KEY_COUNT; i++) {
        if (cdb->app_keys[i].valid && cdb->app_keys[i].app_idx == app_idx) {
            return &cdb->app_keys[i];
        }
    }
    return NULL;
}

int meshrpr_cdb_app_key_add(struct meshrpr_cdb *cdb, uint16_t net_idx, uint16_t app_idx,
                            const uint8_t key[16])
{
    if (net_idx > KEY_IDX_MAX || app_idx > KEY_IDX_MAX || key == NULL) {
        return -EINVAL;
    }
    if (meshrpr_cdb_app_key_get(cdb, app_idx) != NULL) {
        return -EEXIST;
    }
    if (meshrpr_cdb_subnet_get(cdb, net_idx) == NULL) {
        return -ENOENT;
    }
    for (size_t i = 0; i < MESHRPR_CDB_APP_KEY_COUNT; i++) {
        struct meshrpr_cdb_app_key *app = &cdb->app_keys[i];
        if (!app->valid) {
            memset(app, 0, sizeof(*app));
            app->valid = true;
            app->net_idx = net_idx;
            app->app_idx = app_idx;
            memcpy(app->key, key, sizeof(app->key));
            return 0;
        }
    }
    return -ENOMEM;
}

static bool ranges_overlap(uint32_t a_low, uint32_t a_high, uint32_t b_low, uint32_t b_high)
{
    return a_low <= b_high && b_low <= a_high;
}

static const struct meshrpr_cdb_provisioner *first_provisioner(const struct meshrpr_cdb *cdb)
{
    for (size_t i = 0; i < MESHRPR_CDB_PROVISIONER_COUNT; i++) {
        if (cdb->provisioners[i].valid) {
            return &cdb->provisioners[i];
        }
    }
    return NULL;
}

struct meshrpr_cdb_provisioner *meshrpr_cdb_provisioner_get(struct meshrpr_cdb *cdb,
                                                            const uint8_t uuid[16])
{
    for (size_t i = 0; i < MESHRPR_CDB_PROVISIONER_COUNT; i++) {
        struct meshrpr_cdb_provisioner *prov = &cdb->provisioners[i];
        if (prov->valid && memcmp(prov->uuid, uuid, sizeof(prov->uuid)) == 0) {
            return prov;
        }
    }
    return NULL;
}

struct meshrpr_cdb_provisioner *meshrpr_cdb_provisioner_add(struct meshrpr_cdb *cdb,
                                                            const uint8_t uuid[16],
                                                            const char *name, uint16_t low,
                                                            uint16_t high)
{
    struct meshrpr_cdb_provisioner *slot = NULL;
    bool first = first_provisioner(cdb) == NULL;

    if (uuid == NULL || low == 0 || low > high || high > ADDR_UNICAST_MAX ||
        meshrpr_cdb_provisioner_get(cdb, uuid) != NULL) {
        return NULL;
    }
    /* MshCDB: the provisioners' allocated unicast ranges shall not overlap. */
    for (size_t i = 0; i < MESHRPR_CDB_PROVISIONER_COUNT; i++) {
        const struct meshrpr_cdb_provisioner *prov = &cdb->provisioners[i];
        if (!prov->valid) {
            if (slot == NULL) {
                slot = &cdb->provisioners[i];
            }
            continue;
        }
        for (size_t r = 0; r < prov->unicast_count && r < MESHRPR_CDB_RANGE_COUNT; r++) {
            if (ranges_overlap(low, high, prov->unicast[r].low, prov->unicast[r].high)) {
                return NULL;
            }
        }
    }
    if (slot == NULL) {
        return NULL;
    }
    memset(slot, 0, sizeof(*slot));
    slot->valid = true;
    memcpy(slot->uuid, uuid, sizeof(slot->uuid));
    name_copy(slot->name, sizeof(slot->name), name);
    slot->unicast_count = 1;
    slot->unicast[0].low = low;
    slot->unicast[0].high = high;
    if (first) {
        cdb->alloc_low = low;
        cdb->alloc_high = high;
    }
    return slot;
}

int meshrpr_cdb_provisioner_use(struct meshrpr_cdb *cdb, const uint8_t uuid[16])
{
    struct meshrpr_cdb_provisioner *prov = meshrpr_cdb_provisioner_get(cdb, uuid);
    struct meshrpr_cdb_provisioner chosen;
    size_t pos;

    if (prov == NULL) {
        return -ENOENT;
    }
    if (prov->unicast_count == 0) {
        return -EINVAL;
    }
    /* Move it to the front, keeping the others in order: a load takes the first one. */
    chosen = *prov;
    pos = (size_t)(prov - cdb->provisioners);
    memmove(&cdb->provisioners[1], &cdb->provisioners[0], pos * sizeof(cdb->provisioners[0]));
    cdb->provisioners[0] = chosen;
    cdb->alloc_low = chosen.unicast[0].low;
    cdb->alloc_high = chosen.unicast[0].high;
    return 0;
}

/* The end of the element range of a node, one past its last address. */
static uint32_t node_end(const struct meshrpr_cdb_node *node)
{
    return (uint32_t)node->addr + node->num_elem;
}

/* An exclusion holds its addresses until the IV Index is at least two past the one it was
 * made under (MshCDB networkExclusions; the rule nRF Mesh applies). */
static bool exclusion_in_force(const struct meshrpr_cdb *cdb,
                               const struct meshrpr_cdb_exclusion *ex)
{
    return ex->valid && (uint64_t)cdb->iv_index < (uint64_t)ex->iv_index + 2;
}

bool meshrpr_cdb_addr_excluded(const struct meshrpr_cdb *cdb, uint16_t addr)
{
    for (size_t i = 0; i < MESHRPR_CDB_EXCLUSION_COUNT; i++) {
        const struct meshrpr_cdb_exclusion *ex = &cdb->exclusions[i];
        if (exclusion_in_force(cdb, ex) && addr >= ex->low && addr <= ex->high) {
            return true;
        }
    }
    return false;
}

/* Order: IV Index, then low address. */
static bool exclusion_before(const struct meshrpr_cdb_exclusion *a,
                             const struct meshrpr_cdb_exclusion *b)
{
    return a->iv_index < b->iv_index || (a->iv_index == b->iv_index && a->low < b->low);
}

int meshrpr_cdb_exclusion_add(struct meshrpr_cdb *cdb, uint32_t iv_index, uint16_t low,
                              uint16_t high)
{
    struct meshrpr_cdb_exclusion table[MESHRPR_CDB_EXCLUSION_COUNT + 1];
    struct meshrpr_cdb_exclusion add;
    size_t n = 0;
    size_t out = 0;

    if (low == 0 || low > high || high > ADDR_UNICAST_MAX) {
        return -EINVAL;
    }
    /* Zeroed padding too: equal databases are equal octets (a copy of one compares equal). */
    memset(table, 0, sizeof(table));
    memset(&add, 0, sizeof(add));
    add.valid = true;
    add.iv_index = iv_index;
    add.low = low;
    add.high = high;
    /* Insert in order, then merge what overlaps or touches within one IV Index: the table
     * is the same whatever order the addresses came in. */
    for (size_t i = 0; i < MESHRPR_CDB_EXCLUSION_COUNT; i++) {
        if (cdb->exclusions[i].valid) {
            table[n++] = cdb->exclusions[i];
        }
    }
    size_t pos = n;
    for (size_t i = 0; i < n; i++) {
        if (exclusion_before(&add, &table[i])) {
            pos = i;
            break;
        }
    }
    memmove(&table[pos + 1], &table[pos], (n - pos) * sizeof(table[0]));
    table[pos] = add;
    n++;
    for (size_t i = 0; i < n; i++) {
        if (out > 0 && table[out - 1].iv_index == table[i].iv_index &&
            (uint32_t)table[i].low <= (uint32_t)table[out - 1].high + 1) {
            if (table[i].high > table[out - 1].high) {
                table[out - 1].high = table[i].high;
            }
        } else {
            table[out++] = table[i];
        }
    }
    if (out > MESHRPR_CDB_EXCLUSION_COUNT) {
        return -ENOMEM;
    }
    memset(cdb->exclusions, 0, sizeof(cdb->exclusions));
    memcpy(cdb->exclusions, table, out * sizeof(table[0]));
    return 0;
}

uint16_t meshrpr_cdb_free_addr_get(const struct meshrpr_cdb *cdb, uint8_t num_elem)
{
    uint32_t addr = cdb->alloc_low;
    uint32_t high = cdb->alloc_high;

    if (num_elem == 0 || addr == 0 || high > ADDR_UNICAST_MAX || addr > high) {
        return 0;
    }
    while (addr + num_elem - 1 <= high) {
        uint32_t next = addr;
        /* Skip past every node whose element range meets [addr, addr + num_elem). */
        for (size_t i = 0; i < meshrpr_cdb_node_capacity(cdb); i++) {
            const struct meshrpr_cdb_node *node = meshrpr_cdb_node_at(cdb, i);
            if (node->valid &&
                ranges_overlap(addr, addr + num_elem - 1, node->addr, node_end(node) - 1)) {
                if (node_end(node) > next) {
                    next = node_end(node);
                }
            }
        }
        /* Nor the addresses of removed nodes, while their exclusion holds. */
        for (size_t i = 0; i < MESHRPR_CDB_EXCLUSION_COUNT; i++) {
            const struct meshrpr_cdb_exclusion *ex = &cdb->exclusions[i];
            if (exclusion_in_force(cdb, ex) &&
                ranges_overlap(addr, addr + num_elem - 1, ex->low, ex->high) &&
                (uint32_t)ex->high + 1 > next) {
                next = (uint32_t)ex->high + 1;
            }
        }
        if (next == addr) {
            return (uint16_t)addr;
        }
        addr = next;
    }
    return 0;
}

static bool addr_range_free(const struct meshrpr_cdb *cdb, uint32_t addr, uint8_t num_elem)
{
    for (size_t i = 0; i < meshrpr_cdb_node_capacity(cdb); i++) {
        const struct meshrpr_cdb_node *node = meshrpr_cdb_node_at(cdb, i);
        if (node->valid &&
            ranges_overlap(addr, addr + num_elem - 1, node->addr, node_end(node) - 1)) {
            return false;
        }
    }
    for (size_t i = 0; i < MESHRPR_CDB_EXCLUSION_COUNT; i++) {
        const struct meshrpr_cdb_exclusion *ex = &cdb->exclusions[i];
        if (exclusion_in_force(cdb, ex) &&
            ranges_overlap(addr, addr + num_elem - 1, ex->low, ex->high)) {
            return false;
        }
    }
    return true;
}

struct meshrpr_cdb_node *meshrpr_cdb_node_alloc(struct meshrpr_cdb *cdb, const uint8_t uuid[16],
                                                uint16_t addr, uint8_t num_elem, uint16_t net_idx)
{
    if (uuid == NULL || num_elem == 0 || net_idx > KEY_IDX_MAX ||
        meshrpr_cdb_node_by_uuid(cdb, uuid) != NULL) {
        return NULL;
    }
    if (addr == 0) {
        addr = meshrpr_cdb_free_addr_get(cdb, num_elem);
        if (addr == 0) {
            return NULL;
        }
    } else if (addr > ADDR_UNICAST_MAX || (uint32_t)addr + num_elem - 1 > ADDR_UNICAST_MAX ||
               !addr_range_free(cdb, addr, num_elem)) {
        return NULL;
    }
    for (size_t i = 0; i < meshrpr_cdb_node_capacity(cdb); i++) {
        struct meshrpr_cdb_node *node = meshrpr_cdb_node_at(cdb, i);
        if (!node->valid) {
            memset(node, 0, sizeof(*node));
            node->valid = true;
            memcpy(node->uuid, uuid, sizeof(node->uuid));
            node->addr = addr;
            node->num_elem = num_elem;
            node->net_idx = net_idx;
            return node;
        }
    }
    return NULL;
}

struct meshrpr_cdb_node *meshrpr_cdb_node_get(struct meshrpr_cdb *cdb, uint16_t addr)
{
    for (size_t i = 0; i < meshrpr_cdb_node_capacity(cdb); i++) {
        struct meshrpr_cdb_node *node = meshrpr_cdb_node_at(cdb, i);
        if (node->valid && addr >= node->addr && addr < node_end(node)) {
            return node;
        }
    }
    return NULL;
}

struct meshrpr_cdb_node *meshrpr_cdb_node_by_uuid(struct meshrpr_cdb *cdb, const uint8_t uuid[16])
{
    for (size_t i = 0; i < meshrpr_cdb_node_capacity(cdb); i++) {
        struct meshrpr_cdb_node *node = meshrpr_cdb_node_at(cdb, i);
        if (node->valid && memcmp(node->uuid, uuid, sizeof(node->uuid)) == 0) {
            return node;
        }
    }
    return NULL;
}

/* Whether @p node is an entry of the database's node table (built-in or set). */
static bool node_in_table(const struct meshrpr_cdb *cdb, const struct meshrpr_cdb_node *node)
{
    const struct meshrpr_cdb_node *table = meshrpr_cdb_node_at(cdb, 0);

    return node != NULL && node >= table && node < table + meshrpr_cdb_node_capacity(cdb);
}

/* Take a node's composition out of the pool, closing the gap. */
static void comp_drop(struct meshrpr_cdb *cdb, struct meshrpr_cdb_node *node)
{
    uint32_t off = node->comp_off;
    uint32_t len = node->comp_len;

    if (len == 0 || off + len > cdb->comp_used) {
        node->comp_off = 0;
        node->comp_len = 0;
        return;
    }
    memmove(&cdb->comp_pool[off], &cdb->comp_pool[off + len], cdb->comp_used - off - len);
    cdb->comp_used = (uint16_t)(cdb->comp_used - len);
    memset(&cdb->comp_pool[cdb->comp_used], 0, len);
    for (size_t i = 0; i < meshrpr_cdb_node_capacity(cdb); i++) {
        struct meshrpr_cdb_node *other = meshrpr_cdb_node_at(cdb, i);
        if (other != node && other->comp_len != 0 && other->comp_off > off) {
            other->comp_off = (uint16_t)(other->comp_off - len);
        }
    }
    node->comp_off = 0;
    node->comp_len = 0;
}

/* Page 0 (MshPRTv1.1 §4.2.2.1): the 10-octet header, then whole elements (Loc, NumS, NumV,
 * 2 octets per SIG model, 4 per vendor model) filling the rest exactly. */
static bool comp_page0_valid(const uint8_t *p, size_t len)
{
    size_t pos = 10;

    if (len < 10) {
        return false;
    }
    while (pos < len) {
        if (len - pos < 4) {
            return false;
        }
        size_t elem_len = 4 + (size_t)p[pos + 2] * 2 + (size_t)p[pos + 3] * 4;
        if (len - pos < elem_len) {
            return false;
        }
        pos += elem_len;
    }
    return true;
}

int meshrpr_cdb_node_comp_set(struct meshrpr_cdb *cdb, struct meshrpr_cdb_node *node,
                              const uint8_t *page0, size_t len)
{
    if (!node_in_table(cdb, node) || !node->valid || page0 == NULL ||
        !comp_page0_valid(page0, len)) {
        return -EINVAL;
    }
    if (node->comp_len == len && memcmp(&cdb->comp_pool[node->comp_off], page0, len) == 0) {
        return 0;
    }
    if (len > (size_t)MESHRPR_CDB_COMP_POOL_SIZE - cdb->comp_used + node->comp_len) {
        return -ENOMEM;
    }
    comp_drop(cdb, node);
    memcpy(&cdb->comp_pool[cdb->comp_used], page0, len);
    node->comp_off = cdb->comp_used;
    node->comp_len = (uint16_t)len;
    cdb->comp_used = (uint16_t)(cdb->comp_used + len);
    return 0;
}

const uint8_t *meshrpr_cdb_node_comp_get(const struct meshrpr_cdb *cdb,
                                         const struct meshrpr_cdb_node *node, size_t *len)
{
    if (node == NULL || !node->valid || node->comp_len == 0 ||
        (uint32_t)node->comp_off + node->comp_len > cdb->comp_used) {
        if (len != NULL) {
            *len = 0;
        }
        return NULL;
    }
    if (len != NULL) {
        *len = node->comp_len;
    }
    return &cdb->comp_pool[node->comp_off];
}

int meshrpr_cdb_node_exclude(struct meshrpr_cdb *cdb, struct meshrpr_cdb_node *node)
{
    int err;

    if (!node_in_table(cdb, node) || !node->valid || node->addr == 0 ||
        node_end(node) - 1 > ADDR_UNICAST_MAX) {
        return -EINVAL;
    }
    err = meshrpr_cdb_exclusion_add(cdb, cdb->iv_index, node->addr, (uint16_t)(node_end(node) - 1));
    if (err == 0) {
        meshrpr_cdb_node_del(cdb, node);
    }
    return err;
}

void meshrpr_cdb_node_del(struct meshrpr_cdb *cdb, struct meshrpr_cdb_node *node)
{
    if (!node_in_table(cdb, node)) {
        return;
    }
    comp_drop(cdb, node);
    /* Plain memset: the entry stays in use by the caller's struct, so it is not elided. */
    memset(node, 0, sizeof(*node));
}

struct meshrpr_cdb_node *meshrpr_cdb_node_next(struct meshrpr_cdb *cdb,
                                               const struct meshrpr_cdb_node *prev)
{
    size_t i = 0;

    if (prev != NULL) {
        if (!node_in_table(cdb, prev)) {
            return NULL;
        }
        i = (size_t)(prev - meshrpr_cdb_node_at(cdb, 0)) + 1;
    }
    for (; i < meshrpr_cdb_node_capacity(cdb); i++) {
        struct meshrpr_cdb_node *node = meshrpr_cdb_node_at(cdb, i);
        if (node->valid) {
            return node;
        }
    }
    return NULL;
}

void meshrpr_cdb_app_key_del(struct meshrpr_cdb *cdb, struct meshrpr_cdb_app_key *app)
{
    if (app == NULL || app < cdb->app_keys || app >= cdb->app_keys + MESHRPR_CDB_APP_KEY_COUNT) {
        return;
    }
    memset(app, 0, sizeof(*app));
}

void meshrpr_cdb_subnet_del(struct meshrpr_cdb *cdb, struct meshrpr_cdb_subnet *sub)
{
    if (sub == NULL || sub < cdb->subnets || sub >= cdb->subnets + MESHRPR_CDB_SUBNET_COUNT ||
        !sub->valid) {
        return;
    }
    /* An AppKey is bound to one NetKey (MshPRTv1.1 §3.8.6.4): it cannot outlive it. */
    for (size_t i = 0; i < MESHRPR_CDB_APP_KEY_COUNT; i++) {
        if (cdb->app_keys[i].valid && cdb->app_keys[i].net_idx == sub->net_idx) {
            meshrpr_cdb_app_key_del(cdb, &cdb->app_keys[i]);
        }
    }
    memset(sub, 0, sizeof(*sub));
}

size_t meshrpr_cdb_node_count(const struct meshrpr_cdb *cdb)
{
    size_t count = 0;

    for (size_t i = 0; i < meshrpr_cdb_node_capacity(cdb); i++) {
        count += meshrpr_cdb_node_at(cdb, i)->valid ? 1 : 0;
    }
    return count;
}

static uintptr_t table_check(const struct meshrpr_cdb_node *table)
{
    return table != NULL ? (uintptr_t)table ^ (uintptr_t)0x5a3c96e1u : 0;
}

bool meshrpr_cdb_has_node_table(const struct meshrpr_cdb *cdb)
{
    return cdb->node_table != NULL && cdb->node_table_size > 0 &&
           cdb->node_table_check == table_check(cdb->node_table);
}

size_t meshrpr_cdb_node_capacity(const struct meshrpr_cdb *cdb)
{
    return meshrpr_cdb_has_node_table(cdb) ? cdb->node_table_size : MESHRPR_CDB_NODE_COUNT;
}

struct meshrpr_cdb_node *meshrpr_cdb_node_at(const struct meshrpr_cdb *cdb, size_t i)
{
    if (i >= meshrpr_cdb_node_capacity(cdb)) {
        return NULL;
    }
    /* The database does not own its nodes' constness: the caller's cdb decides (as strchr). */
    struct meshrpr_cdb_node *table = meshrpr_cdb_has_node_table(cdb)
                                         ? cdb->node_table
                                         : (struct meshrpr_cdb_node *)(uintptr_t)cdb->nodes;
    return &table[i];
}

int meshrpr_cdb_nodes_set(struct meshrpr_cdb *cdb, struct meshrpr_cdb_node *table, size_t size)
{
    if ((table != NULL && size == 0) || (table == NULL && size != 0)) {
        return -EINVAL;
    }
    const size_t new_size = table != NULL ? size : MESHRPR_CDB_NODE_COUNT;
    struct meshrpr_cdb_node *dst = table != NULL ? table : cdb->nodes;
    struct meshrpr_cdb_node *src = meshrpr_cdb_node_at(cdb, 0);
    const size_t old_size = meshrpr_cdb_node_capacity(cdb);

    if (dst == src) {
        cdb->node_table = table;
        cdb->node_table_size = table != NULL ? size : 0;
        cdb->node_table_check = table_check(table);
        return 0;
    }
    if (meshrpr_cdb_node_count(cdb) > new_size) {
        return -ENOSPC;
    }
    /* Valid nodes keep their order; the rest of the new table is free. Both tables may not
     * overlap (one is the built-in table, or they are distinct application tables). */
    size_t n = 0;
    for (size_t i = 0; i < old_size; i++) {
        if (src[i].valid) {
            dst[n++] = src[i];
        }
    }
    memset(&dst[n], 0, (new_size - n) * sizeof(dst[0]));
    memset(src, 0, old_size * sizeof(src[0])); /* no device keys left behind */
    cdb->node_table = table;
    cdb->node_table_size = table != NULL ? size : 0;
    cdb->node_table_check = table_check(table);
    return 0;
}

int meshrpr_cdb_dev_key_get(void *ctx, uint16_t addr, uint8_t dev_key[16])
{
    struct meshrpr_cdb_node *node = meshrpr_cdb_node_get(ctx, addr);

    if (node == NULL || is_zero(node->dev_key, sizeof(node->dev_key))) {
        return -ENOENT;
    }
    memcpy(dev_key, node->dev_key, sizeof(node->dev_key));
    return 0;
}

static int check_ranges(size_t p, const char *what, const struct meshrpr_cdb_range *ranges,
                        size_t count, uint32_t min, uint32_t max, char *err_msg,
                        size_t err_msg_size)
{
    if (count > MESHRPR_CDB_RANGE_COUNT) {
        return check_fail(err_msg, err_msg_size, "provisioners[%zu].%s: more than %d ranges", p,
                          what, MESHRPR_CDB_RANGE_COUNT);
    }
    for (size_t r = 0; r < count; r++) {
        if (ranges[r].low < min || ranges[r].high > max || ranges[r].low > ranges[r].high) {
            return check_fail(err_msg, err_msg_size,
                              "provisioners[%zu].%s[%zu]: range %04X..%04X outside %04X..%04X "
                              "or reversed",
                              p, what, r, (unsigned)ranges[r].low, (unsigned)ranges[r].high,
                              (unsigned)min, (unsigned)max);
        }
    }
    return 0;
}

static int check_provisioners(const struct meshrpr_cdb *cdb, char *err_msg, size_t err_msg_size)
{
    for (size_t p = 0; p < MESHRPR_CDB_PROVISIONER_COUNT; p++) {
        const struct meshrpr_cdb_provisioner *prov = &cdb->provisioners[p];
        int err;

        if (!prov->valid) {
            continue;
        }
        if (!terminated(prov->name, sizeof(prov->name))) {
            return check_fail(err_msg, err_msg_size,
                              "provisioners[%zu].provisionerName: not terminated", p);
        }
        err = check_ranges(p, "allocatedUnicastRange", prov->unicast, prov->unicast_count, 0x0001,
                           ADDR_UNICAST_MAX, err_msg, err_msg_size);
        if (err == 0) {
            err = check_ranges(p, "allocatedGroupRange", prov->group, prov->group_count,
                               ADDR_GROUP_MIN, ADDR_GROUP_MAX, err_msg, err_msg_size);
        }
        if (err == 0) {
            err = check_ranges(p, "allocatedSceneRange", prov->scene, prov->scene_count, 0x0001,
                               0xffff, err_msg, err_msg_size);
        }
        if (err != 0) {
            return err;
        }
        for (size_t q = 0; q < p; q++) {
            if (cdb->provisioners[q].valid &&
                memcmp(cdb->provisioners[q].uuid, prov->uuid, sizeof(prov->uuid)) == 0) {
                return check_fail(err_msg, err_msg_size,
                                  "provisioners[%zu].UUID: same as provisioners[%zu]", p, q);
            }
        }
    }
    return 0;
}

static int check_keys(const struct meshrpr_cdb *cdb, char *err_msg, size_t err_msg_size)
{
    for (size_t i = 0; i < MESHRPR_CDB_SUBNET_COUNT; i++) {
        const struct meshrpr_cdb_subnet *sub = &cdb->subnets[i];
        if (!sub->valid) {
            continue;
        }
        if (sub->net_idx > KEY_IDX_MAX) {
            return check_fail(err_msg, err_msg_size, "netKeys[%zu].index: %u is over 4095", i,
                              (unsigned)sub->net_idx);
        }
        if (sub->kr_phase > 2) {
            return check_fail(err_msg, err_msg_size, "netKeys[%zu].phase: %u is not 0, 1 or 2", i,
                              (unsigned)sub->kr_phase);
        }
        for (size_t j = 0; j < i; j++) {
            if (cdb->subnets[j].valid && cdb->subnets[j].net_idx == sub->net_idx) {
                return check_fail(err_msg, err_msg_size,
                                  "netKeys[%zu].index: %u already used by netKeys[%zu]", i,
                                  (unsigned)sub->net_idx, j);
            }
        }
    }
    for (size_t i = 0; i < MESHRPR_CDB_APP_KEY_COUNT; i++) {
        const struct meshrpr_cdb_app_key *app = &cdb->app_keys[i];
        bool bound = false;
        if (!app->valid) {
            continue;
        }
        if (app->app_idx > KEY_IDX_MAX) {
            return check_fail(err_msg, err_msg_size, "appKeys[%zu].index: %u is over 4095", i,
                              (unsigned)app->app_idx);
        }
        for (size_t j = 0; j < i; j++) {
            if (cdb->app_keys[j].valid && cdb->app_keys[j].app_idx == app->app_idx) {
                return check_fail(err_msg, err_msg_size,
                                  "appKeys[%zu].index: %u already used by appKeys[%zu]", i,
                                  (unsigned)app->app_idx, j);
            }
        }
        for (size_t j = 0; j < MESHRPR_CDB_SUBNET_COUNT; j++) {
            bound |= cdb->subnets[j].valid && cdb->subnets[j].net_idx == app->net_idx;
        }
        if (!bound) {
            return check_fail(err_msg, err_msg_size,
                              "appKeys[%zu].boundNetKey: no NetKey with index %u", i,
                              (unsigned)app->net_idx);
        }
    }
    return 0;
}

static int check_exclusions(const struct meshrpr_cdb *cdb, char *err_msg, size_t err_msg_size)
{
    for (size_t i = 0; i < MESHRPR_CDB_EXCLUSION_COUNT; i++) {
        const struct meshrpr_cdb_exclusion *ex = &cdb->exclusions[i];
        if (ex->valid && (ex->low == 0 || ex->low > ex->high || ex->high > ADDR_UNICAST_MAX)) {
            return check_fail(err_msg, err_msg_size,
                              "networkExclusions: %04X..%04X is not a unicast range",
                              (unsigned)ex->low, (unsigned)ex->high);
        }
    }
    return 0;
}

static int check_nodes(const struct meshrpr_cdb *cdb, char *err_msg, size_t err_msg_size)
{
    if (cdb->comp_used > MESHRPR_CDB_COMP_POOL_SIZE) {
        return check_fail(err_msg, err_msg_size, "composition pool overrun");
    }
    for (size_t i = 0; i < meshrpr_cdb_node_capacity(cdb); i++) {
        const struct meshrpr_cdb_node *node = meshrpr_cdb_node_at(cdb, i);
        if (!node->valid) {
            continue;
        }
        if (node->comp_len != 0 &&
            ((uint32_t)node->comp_off + node->comp_len > cdb->comp_used ||
             !comp_page0_valid(&cdb->comp_pool[node->comp_off], node->comp_len))) {
            return check_fail(err_msg, err_msg_size, "nodes[%zu]: composition out of its pool", i);
        }
        if (node->addr == 0 || node->addr > ADDR_UNICAST_MAX) {
            return check_fail(err_msg, err_msg_size,
                              "nodes[%zu].unicastAddress: %04X is not a unicast address "
                              "(0001..7FFF)",
                              i, (unsigned)node->addr);
        }
        if (node->num_elem == 0 || node_end(node) - 1 > ADDR_UNICAST_MAX) {
            return check_fail(err_msg, err_msg_size,
                              "nodes[%zu].elements: %u elements from %04X leave the unicast "
                              "range",
                              i, (unsigned)node->num_elem, (unsigned)node->addr);
        }
        if (node->net_idx > KEY_IDX_MAX) {
            return check_fail(err_msg, err_msg_size, "nodes[%zu].netKeys: index %u is over 4095", i,
                              (unsigned)node->net_idx);
        }
        for (size_t j = 0; j < i; j++) {
            const struct meshrpr_cdb_node *other = meshrpr_cdb_node_at(cdb, j);
            if (!other->valid) {
                continue;
            }
            if (memcmp(other->uuid, node->uuid, sizeof(node->uuid)) == 0) {
                return check_fail(err_msg, err_msg_size, "nodes[%zu].UUID: same as nodes[%zu]", i,
                                  j);
            }
            if (ranges_overlap(node->addr, node_end(node) - 1, other->addr, node_end(other) - 1)) {
                return check_fail(err_msg, err_msg_size,
                                  "nodes[%zu].unicastAddress: elements %04X..%04X overlap "
                                  "nodes[%zu] (%04X..%04X)",
                                  i, (unsigned)node->addr, (unsigned)(node_end(node) - 1), j,
                                  (unsigned)other->addr, (unsigned)(node_end(other) - 1));
            }
        }
    }
    return 0;
}

int meshrpr_cdb_check(const struct meshrpr_cdb *cdb, char *err_msg, size_t err_msg_size)
{
    int err;

    if (!terminated(cdb->mesh_name, sizeof(cdb->mesh_name))) {
        return check_fail(err_msg, err_msg_size, "meshName: not terminated");
    }
    if (!terminated(cdb->timestamp, sizeof(cdb->timestamp)) || cdb->timestamp[0] == '\0') {
        return check_fail(err_msg, err_msg_size, "timestamp: empty or not terminated");
    }
    err = check_keys(cdb, err_msg, err_msg_size);
    if (err == 0) {
        err = check_provisioners(cdb, err_msg, err_msg_size);
    }
    if (err == 0) {
        err = check_nodes(cdb, err_msg, err_msg_size);
    }
    if (err == 0) {
        err = check_exclusions(cdb, err_msg, err_msg_size);
    }
    if (err == 0 && !terminated(cdb->json_path, sizeof(cdb->json_path))) {
        err = check_fail(err_msg, err_msg_size, "json_path: not terminated");
    }
    return err;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * World files of the meshrpr tool (see world.h): the layout of a new simulated building, and
 * the JSON reader and writer. The reader checks every member it uses (types, ranges, the node
 * roles, the embedded Mesh Configuration Database through meshrpr_cdb_json_parse()) and names
 * the offending member in its message, so a damaged world is refused before anything runs.
 */
#include "world.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <meshrpr/config.h>
#include <meshrpr/prov.h>

#include "util.h"
#include <meshrpr/sim.h>

/* Largest world file read (a full world is well under 1 MiB). */
#define WORLD_FILE_MAX (16u * 1024u * 1024u)
/* Largest seed: JSON numbers are doubles, exact up to 2^53. */
#define WORLD_SEED_MAX 9007199254740991ull
/* The PRNG stream a new world's keys and UUIDs come from (the simulator uses 0..nodes). */
#define WORLD_RNG_STREAM 0x6d657368ull

struct world *world_alloc(void)
{
    struct world *w = calloc(1, sizeof(*w));

    if (w != NULL) {
        for (size_t i = 0; i < WORLD_MAX_NODES; i++) {
            kv_init(&w->nodes[i].store);
        }
    }
    return w;
}

void world_free(struct world *w)
{
    if (w == NULL) {
        return;
    }
    for (size_t i = 0; i < WORLD_MAX_NODES; i++) {
        kv_free(&w->nodes[i].store);
    }
    memset(&w->cdb, 0, sizeof(w->cdb));
    free(w);
}

/* Nodes a building may have besides the provisioner: its replay protection list less two
 * entries for NPPI address refreshes (see world_params_check()). */
static unsigned max_nodes(void)
{
    return MESHRPR_RPL_SIZE - 2;
}

/* The most devices servers servers can bring: 4 per server, within max_nodes(). */
static unsigned max_devices_for(unsigned servers)
{
    unsigned by_scan = 4 * servers;
    unsigned by_rpl = servers < max_nodes() ? max_nodes() - servers : 0;
    unsigned n = by_scan < by_rpl ? by_scan : by_rpl;

    return n < WORLD_MAX_DEVICES ? n : WORLD_MAX_DEVICES;
}

unsigned world_max_devices(unsigned *servers)
{
    unsigned best = 0, best_servers = 1;

    for (unsigned s = 1; s <= WORLD_MAX_SERVERS; s++) {
        if (max_devices_for(s) > best) {
            best = max_devices_for(s);
            best_servers = s;
        }
    }
    if (servers != NULL) {
        *servers = best_servers;
    }
    return best;
}

int world_params_check(const struct world_params *p, char *err, size_t err_size)
{
    unsigned best_servers;
    unsigned most = world_max_devices(&best_servers);

    if (p->servers < 1 || p->servers > WORLD_MAX_SERVERS) {
        tool_msg(err, err_size, "--servers: 1 to %d", WORLD_MAX_SERVERS);
        return -EINVAL;
    }
    if (p->near > WORLD_MAX_NEAR) {
        tool_msg(err, err_size, "--near: at most %d devices beside the provisioner",
                 WORLD_MAX_NEAR);
        return -EINVAL;
    }
    if (p->near > 0 && p->servers + p->devices + p->near > max_nodes()) {
        tool_msg(err, err_size,
                 "--near %u: servers, devices and bench devices together are at most %u", p->near,
                 max_nodes());
        return -EINVAL;
    }
    if (p->devices > most) {
        tool_msg(err, err_size,
                 "--devices %u: at most %u devices (with --servers %u): each server's scan "
                 "reports 4 devices at most, and servers and devices together are at most %u, "
                 "as the provisioner's replay protection list holds %d sources "
                 "(MESHRPR_RPL_SIZE)",
                 p->devices, most, best_servers, max_nodes(), MESHRPR_RPL_SIZE);
        return -EINVAL;
    }
    if (p->devices > max_devices_for(p->servers)) {
        unsigned need = (p->devices + 3) / 4;
        if (p->devices > 4 * p->servers && need + p->devices <= max_nodes()) {
            tool_msg(err, err_size,
                     "--devices %u needs --servers %u or more (each server's scan reports 4 "
                     "devices at most)",
                     p->devices, need);
        } else {
            tool_msg(err, err_size,
                     "--servers %u --devices %u: at most %u nodes besides the provisioner, whose "
                     "replay protection list holds %d sources (MESHRPR_RPL_SIZE): with %u "
                     "servers at most %u devices",
                     p->servers, p->devices, max_nodes(), MESHRPR_RPL_SIZE, p->servers,
                     max_devices_for(p->servers));
        }
        return -EINVAL;
    }
    return 0;
}

/* ---- Layout ----------------------------------------------------------------------------- */

static void uuid_v4(struct meshrpr_sim_rng *rng, uint8_t uuid[16])
{
    meshrpr_sim_rng_fill(rng, uuid, 16);
    uuid[6] = (uint8_t)((uuid[6] & 0x0f) | 0x40); /* version 4 (random) */
    uuid[8] = (uint8_t)((uuid[8] & 0x3f) | 0x80); /* RFC 4122 variant */
}

static struct world_node *node_add(struct world *w, enum world_role role, const char *name,
                                   double x_m, double y_m, struct meshrpr_sim_rng *rng)
{
    struct world_node *n = &w->nodes[w->node_count++];

    snprintf(n->name, sizeof(n->name), "%s", name);
    n->role = role;
    n->x_m = x_m;
    n->y_m = y_m;
    n->elements = 1;
    uuid_v4(rng, n->uuid);
    return n;
}

/* The database entry of a node installed with the building (provisioner, servers): its address
 * and a fresh device key, which building_install() gives the node. */
static bool infra_entry(struct world *w, const struct world_node *n, uint16_t addr,
                        struct meshrpr_sim_rng *rng)
{
    struct meshrpr_cdb_node *entry = meshrpr_cdb_node_alloc(&w->cdb, n->uuid, addr, 1, 0);

    if (entry == NULL) {
        return false;
    }
    meshrpr_sim_rng_fill(rng, entry->dev_key, 16);
    entry->configured = true;
    return true;
}

int world_generate(struct world *w, const struct world_params *p, char *err, size_t err_size)
{
    /* Corridors from the provisioner: east, north, west, south, three servers deep. */
    static const double dir[4][2] = { { 1, 0 }, { 0, 1 }, { -1, 0 }, { 0, -1 } };
    /* Where the i-th server goes (corridor, depth): the first six give a corridor one, two and
     * three hops long, so servers in different corridors share no relay. */
    static const uint8_t slot[WORLD_MAX_SERVERS][2] = {
        { 0, 1 }, { 1, 1 }, { 1, 2 }, { 2, 1 }, { 2, 2 }, { 2, 3 },
        { 3, 1 }, { 3, 2 }, { 3, 3 }, { 0, 2 }, { 0, 3 }, { 1, 3 },
    };
    struct meshrpr_sim_rng rng;
    uint8_t key[16];
    uint8_t mesh_uuid[16];
    const double spacing_m = WORLD_SERVER_SPACING_M * p->range_m / WORLD_DEFAULT_RANGE_M;
    const double offset_m = WORLD_DEVICE_OFFSET_M * p->range_m / WORLD_DEFAULT_RANGE_M;
    struct world_node *prov;

    if (world_params_check(p, err, err_size) != 0) {
        return -EINVAL;
    }
    if (p->devices > WORLD_MAX_DEVICES || !(p->range_m > 0) || p->loss < 0 || p->loss > 1 ||
        p->seed > WORLD_SEED_MAX) {
        tool_msg(err, err_size, "bad world parameters");
        return -EINVAL;
    }
    w->seed = p->seed;
    w->generation = 0;
    w->time_ms = 0;
    w->range_m = p->range_m;
    w->loss = p->loss;
    w->node_count = 0;
    w->label_count = 0;
    w->found_count = 0;
    meshrpr_sim_rng_seed_stream(&rng, p->seed, WORLD_RNG_STREAM);

    uuid_v4(&rng, mesh_uuid);
    meshrpr_cdb_init(&w->cdb, mesh_uuid, "meshrpr simulated building");
    meshrpr_sim_rng_fill(&rng, key, sizeof(key));
    if (meshrpr_cdb_subnet_add(&w->cdb, WORLD_NET_IDX, key) != 0) {
        goto fail;
    }
    meshrpr_sim_rng_fill(&rng, key, sizeof(key));
    if (meshrpr_cdb_app_key_add(&w->cdb, WORLD_NET_IDX, 0x000, key) != 0) {
        goto fail;
    }

    prov = node_add(w, WORLD_PROVISIONER, WORLD_PROV_NAME, 0, 0, &rng);
    if (meshrpr_cdb_provisioner_add(&w->cdb, prov->uuid, "meshrpr tool", WORLD_PROV_ADDR, 0x7fff) ==
            NULL ||
        !infra_entry(w, prov, WORLD_PROV_ADDR, &rng)) {
        goto fail;
    }

    /* Infrastructure: servers along the corridors, each in range of the previous one only, so
     * the k-th server of a corridor is k hops from the provisioner. */
    for (unsigned i = 0; i < p->servers; i++) {
        const double *d = dir[slot[i][0]];
        double depth = (double)slot[i][1] * spacing_m;
        char name[WORLD_NAME_SIZE];
        struct world_node *n;

        snprintf(name, sizeof(name), "srv-%u", i + 1);
        n = node_add(w, WORLD_SERVER, name, d[0] * depth, d[1] * depth, &rng);
        if (!infra_entry(w, n, (uint16_t)(WORLD_PROV_ADDR + 1 + i), &rng)) {
            goto fail;
        }
    }

    /* Devices in rooms beside the servers: out of the provisioner's range. */
    for (unsigned j = 0; j < p->devices; j++) {
        unsigned s = j % p->servers;
        unsigned k = j / p->servers;
        const struct world_node *srv = &w->nodes[1 + s];
        const double *d = dir[slot[s][0]];
        double side = (k % 2 == 0) ? 1.0 : -1.0;
        double along = (double)(k / 2) * 2.0 * p->range_m / WORLD_DEFAULT_RANGE_M;
        char name[WORLD_NAME_SIZE];
        struct world_node *n;

        snprintf(name, sizeof(name), "dev-%u", j + 1);
        n = node_add(w, WORLD_DEVICE, name, srv->x_m - d[1] * side * offset_m + d[0] * along,
                     srv->y_m + d[0] * side * offset_m + d[1] * along, &rng);
        n->elements = (uint8_t)(1 + j % 2);
        n->comp_change = j % 4 == 0;
        if (j % 2 == 0) {
            snprintf(n->uri, sizeof(n->uri), "https://meshrpr.example/%s", name);
        }
        switch (j % 3) {
        case 1: {
            struct world_label *l = &w->labels[w->label_count++];
            n->static_oob_len = 16;
            meshrpr_sim_rng_fill(&rng, n->static_oob, 16);
            n->oob_info = BT_MESH_PROV_OOB_NUMBER | BT_MESH_PROV_OOB_ON_BOX;
            /* The installer has the value from the box. */
            memcpy(l->uuid, n->uuid, 16);
            memcpy(l->value, n->static_oob, 16);
            l->len = 16;
            break;
        }
        case 2:
            n->output_actions = BT_MESH_DISPLAY_NUMBER;
            n->output_size = 4;
            n->oob_info = BT_MESH_PROV_OOB_ON_DEV;
            break;
        default:
            break;
        }
        if (hypot(n->x_m, n->y_m) <= p->range_m) {
            tool_msg(err, err_size, "layout error: %s is in the provisioner's range", name);
            return -EINVAL;
        }
    }
    /* Devices on the installer's bench, on the diagonals 0.4 range from the provisioner: in
     * its own radio range, for local PB-ADV provisioning. Laid out last, so the rest of a
     * world is the same with or without them. */
    for (unsigned j = 0; j < p->near; j++) {
        static const double diag[4][2] = { { 1, 1 }, { -1, 1 }, { -1, -1 }, { 1, -1 } };
        const double r_m = 0.4 * p->range_m / sqrt(2.0);
        char name[WORLD_NAME_SIZE];
        struct world_node *n;

        snprintf(name, sizeof(name), "bench-%u", (unsigned)(uint8_t)(j + 1));
        n = node_add(w, WORLD_DEVICE, name, diag[j % 4][0] * r_m, diag[j % 4][1] * r_m, &rng);
        n->elements = 1;
    }
    return 0;
fail:
    tool_msg(err, err_size, "cannot build the node database");
    return -EINVAL;
}

/* ---- Lookups -------------------------------------------------------------------------------- */

struct world_node *world_node_by_uuid(struct world *w, const uint8_t uuid[16])
{
    for (size_t i = 0; i < w->node_count; i++) {
        if (memcmp(w->nodes[i].uuid, uuid, 16) == 0) {
            return &w->nodes[i];
        }
    }
    return NULL;
}

const struct world_label *world_label_get(const struct world *w, const uint8_t uuid[16])
{
    for (size_t i = 0; i < w->label_count; i++) {
        if (memcmp(w->labels[i].uuid, uuid, 16) == 0) {
            return &w->labels[i];
        }
    }
    return NULL;
}

void world_found_put(struct world *w, const struct world_found *f)
{
    size_t i;

    for (i = 0; i < w->found_count; i++) {
        if (w->found[i].server == f->server && w->found[i].ext == f->ext &&
            memcmp(w->found[i].uuid, f->uuid, 16) == 0) {
            w->found[i] = *f;
            return;
        }
    }
    if (w->found_count == WORLD_MAX_FOUND) {
        /* Full: the oldest result goes. */
        memmove(&w->found[0], &w->found[1], (WORLD_MAX_FOUND - 1) * sizeof(w->found[0]));
        w->found_count--;
    }
    w->found[w->found_count++] = *f;
}

/* FNV-1a over the database's JSON printed with a fixed timestamp: equal digests, equal tables
 * (the file's per-key timestamps follow the database's). 0 when it does not print. */
static uint64_t cdb_digest(struct meshrpr_cdb *cdb)
{
    char saved[sizeof(cdb->timestamp)];
    char *text = NULL;
    size_t len = 0;
    uint64_t h = 14695981039346656037u;
    int rc;

    memcpy(saved, cdb->timestamp, sizeof(saved));
    (void)meshrpr_cdb_timestamp_set(cdb, 0);
    rc = meshrpr_cdb_json_print(cdb, &text, &len);
    memcpy(cdb->timestamp, saved, sizeof(saved));
    if (rc != 0 || text == NULL) {
        return 0;
    }
    for (size_t i = 0; i < len; i++) {
        h = (h ^ (uint8_t)text[i]) * 1099511628211u;
    }
    /* The text holds the keys. */
    for (volatile char *p = text; p < text + len; p++) {
        *p = 0;
    }
    free(text);
    return h != 0 ? h : 1;
}

/* The host's UTC time in seconds; SOURCE_DATE_EPOCH (the reproducible-builds.org variable, a
 * decimal count of seconds since 1970) stands in for the clock when it is set and valid. */
static int utc_now_s(uint64_t *unix_s)
{
    const char *env = getenv("SOURCE_DATE_EPOCH");

    if (env != NULL && env[0] >= '0' && env[0] <= '9') {
        char *end = NULL;
        errno = 0;
        unsigned long long v = strtoull(env, &end, 10);
        if (errno == 0 && end != NULL && *end == '\0') {
            *unix_s = (uint64_t)v;
            return 0;
        }
    }
    time_t now = time(NULL);
    if (now == (time_t)-1 || now < 0) {
        return -EIO;
    }
    *unix_s = (uint64_t)now;
    return 0;
}

void world_cdb_timestamp(struct world *w)
{
    uint64_t digest = cdb_digest(&w->cdb);
    uint64_t now_s;

    /* MshCDB: the timestamp says when the database last changed, not when it was saved. */
    if (digest != 0 && digest == w->cdb_digest) {
        return;
    }
    if (utc_now_s(&now_s) == 0 && meshrpr_cdb_timestamp_set(&w->cdb, now_s) == 0) {
        w->cdb_digest = digest;
    }
}

const char *world_uri_ad(const char *uri, char *out)
{
    /* Bluetooth URI scheme name string mapping: 0x16 "http:", 0x17 "https:". */
    if (strncmp(uri, "https:", 6) == 0) {
        snprintf(out, WORLD_URI_SIZE, "\x17%s", uri + 6);
    } else if (strncmp(uri, "http:", 5) == 0) {
        snprintf(out, WORLD_URI_SIZE, "\x16%s", uri + 5);
    } else {
        return NULL;
    }
    return out;
}

/* ---- JSON writer ---------------------------------------------------------------------------- */

static const char *role_name(enum world_role role)
{
    switch (role) {
    case WORLD_PROVISIONER:
        return "provisioner";
    case WORLD_SERVER:
        return "server";
    case WORLD_DEVICE:
        return "device";
    }
    return "?";
}

static bool add_hex(cJSON *obj, const char *name, const uint8_t *data, size_t len)
{
    char hex[2 * 64 + 1];

    if (len > 64) {
        return false;
    }
    tool_hex(hex, data, len);
    return cJSON_AddStringToObject(obj, name, hex) != NULL;
}

static cJSON *node_to_json(const struct world_node *n)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *store;
    bool ok;

    if (o == NULL) {
        return NULL;
    }
    ok = cJSON_AddStringToObject(o, "name", n->name) != NULL &&
         cJSON_AddStringToObject(o, "role", role_name(n->role)) != NULL &&
         cJSON_AddNumberToObject(o, "x_m", n->x_m) != NULL &&
         cJSON_AddNumberToObject(o, "y_m", n->y_m) != NULL && add_hex(o, "uuid", n->uuid, 16);
    if (ok && n->uri[0] != '\0') {
        ok = cJSON_AddStringToObject(o, "uri", n->uri) != NULL;
    }
    if (ok && n->role == WORLD_DEVICE) {
        ok = cJSON_AddNumberToObject(o, "elements", n->elements) != NULL &&
             cJSON_AddBoolToObject(o, "composition_change", n->comp_change) != NULL &&
             cJSON_AddNumberToObject(o, "oob_info", n->oob_info) != NULL;
        if (ok && n->static_oob_len > 0) {
            ok = add_hex(o, "static_oob", n->static_oob, n->static_oob_len);
        }
        if (ok && n->output_actions != 0) {
            ok = cJSON_AddNumberToObject(o, "output_actions", n->output_actions) != NULL &&
                 cJSON_AddNumberToObject(o, "output_size", n->output_size) != NULL;
        }
    }
    store = ok ? kv_to_json(&n->store) : NULL;
    if (store == NULL || !cJSON_AddItemToObject(o, "storage", store)) {
        cJSON_Delete(store);
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static cJSON *found_to_json(const struct world_found *f)
{
    cJSON *o = cJSON_CreateObject();
    bool ok = o != NULL && add_hex(o, "uuid", f->uuid, 16) &&
              cJSON_AddNumberToObject(o, "server", f->server) != NULL &&
              cJSON_AddNumberToObject(o, "rssi", f->rssi) != NULL &&
              cJSON_AddNumberToObject(o, "oob_info", f->oob_info) != NULL &&
              cJSON_AddBoolToObject(o, "extended", f->ext) != NULL &&
              cJSON_AddNumberToObject(o, "time_ms", (double)f->time_ms) != NULL;

    if (ok && f->has_uri_hash) {
        ok = cJSON_AddNumberToObject(o, "uri_hash", f->uri_hash) != NULL;
    }
    if (ok && f->ext) {
        ok = add_hex(o, "ad", f->ad, f->ad_len);
    }
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

char *world_to_text(struct world *w, char *err, size_t err_size)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *radio, *nodes, *installer, *labels, *found, *cdb = NULL;
    char *cdb_text = NULL;
    size_t cdb_len = 0;
    char *text = NULL;
    int rc;

    if (root == NULL) {
        goto nomem;
    }
    world_cdb_timestamp(w);
    rc = meshrpr_cdb_json_print(&w->cdb, &cdb_text, &cdb_len);
    if (rc != 0) {
        tool_msg(err, err_size, "the node database is not valid (%s)", tool_errno_text(rc));
        cJSON_Delete(root);
        return NULL;
    }
    cdb = cJSON_ParseWithLength(cdb_text, cdb_len);
    free(cdb_text);
    if (cdb == NULL) {
        goto nomem;
    }
    if (cJSON_AddNumberToObject(root, "meshrpr_world", WORLD_FORMAT_VERSION) == NULL ||
        cJSON_AddNumberToObject(root, "seed", (double)w->seed) == NULL ||
        cJSON_AddNumberToObject(root, "generation", (double)w->generation) == NULL ||
        cJSON_AddNumberToObject(root, "time_ms", (double)w->time_ms) == NULL) {
        goto nomem;
    }
    radio = cJSON_AddObjectToObject(root, "radio");
    if (radio == NULL || cJSON_AddNumberToObject(radio, "range_m", w->range_m) == NULL ||
        cJSON_AddNumberToObject(radio, "loss", w->loss) == NULL ||
        cJSON_AddBoolToObject(radio, "collisions", w->collisions) == NULL ||
        cJSON_AddBoolToObject(radio, "half_duplex", w->half_duplex) == NULL) {
        goto nomem;
    }
    nodes = cJSON_AddArrayToObject(root, "nodes");
    if (nodes == NULL) {
        goto nomem;
    }
    for (size_t i = 0; i < w->node_count; i++) {
        cJSON *n = node_to_json(&w->nodes[i]);
        if (n == NULL || !cJSON_AddItemToArray(nodes, n)) {
            cJSON_Delete(n);
            goto nomem;
        }
    }
    installer = cJSON_AddObjectToObject(root, "installer");
    labels = installer != NULL ? cJSON_AddArrayToObject(installer, "static_oob") : NULL;
    if (labels == NULL) {
        goto nomem;
    }
    for (size_t i = 0; i < w->label_count; i++) {
        cJSON *l = cJSON_CreateObject();
        if (l == NULL || !cJSON_AddItemToArray(labels, l) ||
            !add_hex(l, "uuid", w->labels[i].uuid, 16) ||
            !add_hex(l, "value", w->labels[i].value, w->labels[i].len)) {
            goto nomem;
        }
    }
    found = cJSON_AddArrayToObject(root, "devices");
    if (found == NULL) {
        goto nomem;
    }
    for (size_t i = 0; i < w->found_count; i++) {
        cJSON *f = found_to_json(&w->found[i]);
        if (f == NULL || !cJSON_AddItemToArray(found, f)) {
            cJSON_Delete(f);
            goto nomem;
        }
    }
    if (!cJSON_AddItemToObject(root, "cdb", cdb)) {
        goto nomem;
    }
    cdb = NULL;
    text = cJSON_Print(root);
    cJSON_Delete(root);
    if (text == NULL) {
        tool_msg(err, err_size, "out of memory");
    }
    return text;
nomem:
    cJSON_Delete(cdb);
    cJSON_Delete(root);
    tool_msg(err, err_size, "out of memory");
    return NULL;
}

/* The directory part of path ("." when it has none), malloc'ed; NULL when out of memory. */
static char *dir_of(const char *path, const char **base)
{
    const char *slash = strrchr(path, '/');

    *base = slash != NULL ? slash + 1 : path;
    if (slash == NULL) {
        return strdup(".");
    }
    if (slash == path) {
        return strdup("/");
    }
    return strndup(path, (size_t)(slash - path));
}

/* Make the rename durable: the directory entry lives in the directory, and without this a
 * power cut after the rename may bring back the old world (or none). Best effort on file
 * systems that cannot sync a directory (EINVAL). @return 0 or a negative errno. */
static int sync_dir(const char *path)
{
    const char *base;
    char *dir = dir_of(path, &base);
    int fd, rc = 0;

    if (dir == NULL) {
        return -ENOMEM;
    }
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        rc = -errno;
    } else {
        if (fsync(fd) != 0 && errno != EINVAL && errno != ENOTSUP) {
            rc = -errno;
        }
        close(fd);
    }
    free(dir);
    return rc;
}

/* Whether name is one of world_save()'s temporary files of the world base: base.tmp.XXXXXX. */
static bool is_save_tmp(const char *name, const char *base)
{
    size_t len = strlen(base);

    return strncmp(name, base, len) == 0 && strncmp(name + len, ".tmp.", 5) == 0 &&
           strlen(name + len + 5) == 6;
}

int world_remove_stale_tmp(const char *path)
{
    const char *base;
    char *dir = dir_of(path, &base);
    DIR *d;
    struct dirent *e;
    int removed = 0;

    if (dir == NULL) {
        return -ENOMEM;
    }
    d = opendir(dir);
    if (d == NULL) {
        int rc = -errno;
        free(dir);
        return rc;
    }
    while ((e = readdir(d)) != NULL) {
        if (is_save_tmp(e->d_name, base) && unlinkat(dirfd(d), e->d_name, 0) == 0) {
            removed++;
        }
    }
    closedir(d);
    if (removed > 0) {
        (void)sync_dir(path);
    }
    free(dir);
    return removed;
}

int world_save(struct world *w, const char *path, char *err, size_t err_size)
{
    return world_save_locked(w, path, NULL, err, err_size);
}

int world_save_locked(struct world *w, const char *path, int *lock_fd, char *err, size_t err_size)
{
    char *text = world_to_text(w, err, err_size);
    char *tmp;
    size_t len;
    int fd;
    int rc = 0;

    if (text == NULL) {
        return -ENOMEM;
    }
    len = strlen(text);
    tmp = malloc(strlen(path) + 16);
    if (tmp == NULL) {
        free(text);
        return -ENOMEM;
    }
    /* A temporary file next to the target, then rename: readers see the old world or the new
     * one, never a mix (the world holds keys, hence mode 0600 from mkstemp). */
    sprintf(tmp, "%s.tmp.XXXXXX", path);
    fd = mkstemp(tmp);
    if (fd < 0) {
        rc = -errno;
        tool_msg(err, err_size, "cannot create a temporary file next to %s: %s", path,
                 strerror(errno));
        free(tmp);
        free(text);
        return rc;
    }
    for (size_t off = 0; off < len && rc == 0;) {
        ssize_t n = write(fd, text + off, len - off);
        if (n < 0) {
            rc = errno == EINTR ? 0 : -errno;
        } else {
            off += (size_t)n;
        }
    }
    if (rc == 0 && (write(fd, "\n", 1) != 1 || fsync(fd) != 0)) {
        rc = -EIO;
    }
    /* The holder of the world's lock (lock.h) locks the new file before it takes the path, so
     * the lock never leaves it across the save. Nobody else knows the file yet: no wait. */
    if (rc == 0 && lock_fd != NULL && flock(fd, LOCK_EX | LOCK_NB) != 0) {
        rc = -errno;
    }
    if (lock_fd == NULL && close(fd) != 0 && rc == 0) {
        rc = -EIO;
    }
    if (rc == 0 && rename(tmp, path) != 0) {
        rc = -errno;
    }
    if (lock_fd != NULL) {
        if (rc == 0) {
            close(*lock_fd);
            *lock_fd = fd;
        } else {
            close(fd);
        }
    }
    if (rc != 0) {
        tool_msg(err, err_size, "cannot write %s: %s", path, strerror(-rc));
        unlink(tmp);
    } else {
        int e = sync_dir(path);
        if (e != 0) {
            /* The new world is in place (the rename happened); only its durability is in
             * doubt, so say so without calling the save failed. */
            fprintf(stderr,
                    "meshrpr: warning: %s saved, but its directory could not be synced: %s\n", path,
                    strerror(-e));
        }
    }
    free(tmp);
    free(text);
    return rc;
}

/* ---- JSON reader ---------------------------------------------------------------------------- */

struct reader {
    char *err;
    size_t err_size;
    char where[48];
};

static int bad(struct reader *r, const char *member, const char *what)
{
    tool_msg(r->err, r->err_size, "%s%s: %s", r->where, member, what);
    return -EINVAL;
}

static int get_num(struct reader *r, const cJSON *obj, const char *name, double min, double max,
                   bool integral, double *out)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);

    if (!cJSON_IsNumber(item)) {
        return bad(r, name, "missing or not a number");
    }
    if (!isfinite(item->valuedouble) || item->valuedouble < min || item->valuedouble > max ||
        (integral && floor(item->valuedouble) != item->valuedouble)) {
        return bad(r, name, "out of range");
    }
    *out = item->valuedouble;
    return 0;
}

static int get_u64(struct reader *r, const cJSON *obj, const char *name, uint64_t max,
                   uint64_t *out)
{
    double v;
    int rc = get_num(r, obj, name, 0, (double)max, true, &v);

    if (rc == 0) {
        *out = (uint64_t)v;
    }
    return rc;
}

static int get_bool(struct reader *r, const cJSON *obj, const char *name, bool *out)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);

    if (!cJSON_IsBool(item)) {
        return bad(r, name, "missing or not true/false");
    }
    *out = cJSON_IsTrue(item);
    return 0;
}

static int get_hex(struct reader *r, const cJSON *obj, const char *name, uint8_t *out, size_t min,
                   size_t max, size_t *len)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
    size_t n;

    if (!cJSON_IsString(item) || tool_unhex(item->valuestring, out, max, &n) != 0 || n < min) {
        return bad(r, name, "missing or not a hex string of the right length");
    }
    if (len != NULL) {
        *len = n;
    }
    return 0;
}

static int read_node(struct reader *r, struct world *w, const cJSON *o, size_t index)
{
    struct world_node *n = &w->nodes[index];
    const cJSON *item;
    char kv_err[96];
    double v;
    int rc;

    snprintf(r->where, sizeof(r->where), "nodes[%zu].", index);
    if (!cJSON_IsObject(o)) {
        return bad(r, "", "not an object");
    }
    item = cJSON_GetObjectItemCaseSensitive(o, "name");
    if (!cJSON_IsString(item) || item->valuestring[0] == '\0' ||
        strlen(item->valuestring) >= WORLD_NAME_SIZE) {
        return bad(r, "name", "missing, empty or longer than 15 characters");
    }
    snprintf(n->name, sizeof(n->name), "%s", item->valuestring);
    item = cJSON_GetObjectItemCaseSensitive(o, "role");
    if (!cJSON_IsString(item)) {
        return bad(r, "role", "missing");
    }
    if (strcmp(item->valuestring, "provisioner") == 0) {
        n->role = WORLD_PROVISIONER;
    } else if (strcmp(item->valuestring, "server") == 0) {
        n->role = WORLD_SERVER;
    } else if (strcmp(item->valuestring, "device") == 0) {
        n->role = WORLD_DEVICE;
    } else {
        return bad(r, "role", "not provisioner, server or device");
    }
    if ((index == 0) != (n->role == WORLD_PROVISIONER)) {
        return bad(r, "role", "the first node, and only it, must be the provisioner");
    }
    if ((rc = get_num(r, o, "x_m", -1e6, 1e6, false, &n->x_m)) != 0 ||
        (rc = get_num(r, o, "y_m", -1e6, 1e6, false, &n->y_m)) != 0 ||
        (rc = get_hex(r, o, "uuid", n->uuid, 16, 16, NULL)) != 0) {
        return rc;
    }
    n->uri[0] = '\0';
    item = cJSON_GetObjectItemCaseSensitive(o, "uri");
    if (item != NULL) {
        char ad[WORLD_URI_SIZE];
        if (!cJSON_IsString(item) || strlen(item->valuestring) >= WORLD_URI_SIZE ||
            world_uri_ad(item->valuestring, ad) == NULL) {
            return bad(r, "uri", "not an http: or https: URI shorter than 48 characters");
        }
        snprintf(n->uri, sizeof(n->uri), "%s", item->valuestring);
    }
    n->elements = 1;
    n->comp_change = false;
    n->static_oob_len = 0;
    n->output_actions = 0;
    n->output_size = 0;
    n->oob_info = 0;
    if (n->role == WORLD_DEVICE) {
        size_t len;
        if ((rc = get_num(r, o, "elements", 1, 2, true, &v)) != 0) {
            return rc;
        }
        n->elements = (uint8_t)v;
        if ((rc = get_bool(r, o, "composition_change", &n->comp_change)) != 0 ||
            (rc = get_num(r, o, "oob_info", 0, 0xffff, true, &v)) != 0) {
            return rc;
        }
        n->oob_info = (uint16_t)v;
        if (cJSON_GetObjectItemCaseSensitive(o, "static_oob") != NULL) {
            if ((rc = get_hex(r, o, "static_oob", n->static_oob, 1, 16, &len)) != 0) {
                return rc;
            }
            n->static_oob_len = (uint8_t)len;
        }
        if (cJSON_GetObjectItemCaseSensitive(o, "output_actions") != NULL) {
            if ((rc = get_num(r, o, "output_actions", 1, 0x1f, true, &v)) != 0) {
                return rc;
            }
            n->output_actions = (uint16_t)v;
            if ((rc = get_num(r, o, "output_size", 1, 8, true, &v)) != 0) {
                return rc;
            }
            n->output_size = (uint8_t)v;
        }
    }
    rc = kv_from_json(&n->store, cJSON_GetObjectItemCaseSensitive(o, "storage"), kv_err,
                      sizeof(kv_err));
    if (rc != 0) {
        return bad(r, "storage", kv_err);
    }
    for (size_t i = 0; i < index; i++) {
        if (strcmp(w->nodes[i].name, n->name) == 0) {
            return bad(r, "name", "used by another node");
        }
        if (memcmp(w->nodes[i].uuid, n->uuid, 16) == 0) {
            return bad(r, "uuid", "used by another node");
        }
    }
    return 0;
}

static int read_found(struct reader *r, struct world_found *f, const cJSON *o, size_t index)
{
    double v;
    size_t len;
    int rc;

    snprintf(r->where, sizeof(r->where), "devices[%zu].", index);
    if (!cJSON_IsObject(o)) {
        return bad(r, "", "not an object");
    }
    memset(f, 0, sizeof(*f));
    if ((rc = get_hex(r, o, "uuid", f->uuid, 16, 16, NULL)) != 0 ||
        (rc = get_num(r, o, "server", 1, 0x7fff, true, &v)) != 0) {
        return rc;
    }
    f->server = (uint16_t)v;
    if ((rc = get_num(r, o, "rssi", -128, 127, true, &v)) != 0) {
        return rc;
    }
    f->rssi = (int8_t)v;
    if ((rc = get_num(r, o, "oob_info", 0, 0xffff, true, &v)) != 0) {
        return rc;
    }
    f->oob_info = (uint16_t)v;
    if ((rc = get_bool(r, o, "extended", &f->ext)) != 0 ||
        (rc = get_u64(r, o, "time_ms", WORLD_SEED_MAX, &f->time_ms)) != 0) {
        return rc;
    }
    if (cJSON_GetObjectItemCaseSensitive(o, "uri_hash") != NULL) {
        if ((rc = get_num(r, o, "uri_hash", 0, 4294967295.0, true, &v)) != 0) {
            return rc;
        }
        f->has_uri_hash = true;
        f->uri_hash = (uint32_t)v;
    }
    if (f->ext) {
        if ((rc = get_hex(r, o, "ad", f->ad, 0, WORLD_AD_MAX, &len)) != 0) {
            return rc;
        }
        f->ad_len = (uint8_t)len;
    }
    return 0;
}

static int world_parse(struct world *w, const cJSON *root, struct reader *r)
{
    const cJSON *item, *radio, *nodes, *installer, *labels, *found, *cdb;
    char cdb_err[160];
    char *cdb_text;
    size_t i;
    int rc;

    r->where[0] = '\0';
    if (!cJSON_IsObject(root)) {
        return bad(r, "", "not a JSON object");
    }
    item = cJSON_GetObjectItemCaseSensitive(root, "meshrpr_world");
    if (!cJSON_IsNumber(item)) {
        return bad(r, "meshrpr_world", "missing: not a meshrpr world file");
    }
    if (item->valuedouble != WORLD_FORMAT_VERSION) {
        return bad(r, "meshrpr_world", "unsupported format version");
    }
    if ((rc = get_u64(r, root, "seed", WORLD_SEED_MAX, &w->seed)) != 0 ||
        (rc = get_u64(r, root, "generation", WORLD_SEED_MAX, &w->generation)) != 0 ||
        (rc = get_u64(r, root, "time_ms", WORLD_SEED_MAX, &w->time_ms)) != 0) {
        return rc;
    }
    radio = cJSON_GetObjectItemCaseSensitive(root, "radio");
    if (!cJSON_IsObject(radio)) {
        return bad(r, "radio", "missing or not an object");
    }
    snprintf(r->where, sizeof(r->where), "radio.");
    if ((rc = get_num(r, radio, "range_m", 0.001, 1e6, false, &w->range_m)) != 0 ||
        (rc = get_num(r, radio, "loss", 0, 1, false, &w->loss)) != 0 ||
        (rc = get_bool(r, radio, "collisions", &w->collisions)) != 0 ||
        (rc = get_bool(r, radio, "half_duplex", &w->half_duplex)) != 0) {
        return rc;
    }
    r->where[0] = '\0';
    nodes = cJSON_GetObjectItemCaseSensitive(root, "nodes");
    if (!cJSON_IsArray(nodes) || cJSON_GetArraySize(nodes) < 2 ||
        cJSON_GetArraySize(nodes) > (int)WORLD_MAX_NODES) {
        return bad(r, "nodes", "missing, or not an array of 2 to 53 nodes");
    }
    w->node_count = 0;
    i = 0;
    cJSON_ArrayForEach(item, nodes)
    {
        if ((rc = read_node(r, w, item, i)) != 0) {
            return rc;
        }
        w->node_count = ++i;
    }
    {
        size_t servers = 0, devices = 0;
        for (i = 0; i < w->node_count; i++) {
            servers += w->nodes[i].role == WORLD_SERVER;
            devices += w->nodes[i].role == WORLD_DEVICE;
        }
        if (servers == 0 || servers > WORLD_MAX_SERVERS || devices > WORLD_MAX_DEVICES) {
            r->where[0] = '\0';
            return bad(r, "nodes", "needs 1 to 12 servers and at most 40 devices");
        }
    }
    r->where[0] = '\0';
    installer = cJSON_GetObjectItemCaseSensitive(root, "installer");
    labels = cJSON_GetObjectItemCaseSensitive(installer, "static_oob");
    if (!cJSON_IsArray(labels) || cJSON_GetArraySize(labels) > WORLD_MAX_DEVICES) {
        return bad(r, "installer.static_oob", "missing or not an array of at most 40 labels");
    }
    w->label_count = 0;
    cJSON_ArrayForEach(item, labels)
    {
        struct world_label *l = &w->labels[w->label_count];
        size_t len;
        snprintf(r->where, sizeof(r->where), "installer.static_oob[%zu].", w->label_count);
        if ((rc = get_hex(r, item, "uuid", l->uuid, 16, 16, NULL)) != 0 ||
            (rc = get_hex(r, item, "value", l->value, 1, 16, &len)) != 0) {
            return rc;
        }
        l->len = (uint8_t)len;
        w->label_count++;
    }
    r->where[0] = '\0';
    found = cJSON_GetObjectItemCaseSensitive(root, "devices");
    if (!cJSON_IsArray(found) || cJSON_GetArraySize(found) > WORLD_MAX_FOUND) {
        return bad(r, "devices", "missing or not an array of at most 128 scan results");
    }
    w->found_count = 0;
    cJSON_ArrayForEach(item, found)
    {
        if ((rc = read_found(r, &w->found[w->found_count], item, w->found_count)) != 0) {
            return rc;
        }
        w->found_count++;
    }
    r->where[0] = '\0';
    cdb = cJSON_GetObjectItemCaseSensitive(root, "cdb");
    if (!cJSON_IsObject(cdb)) {
        return bad(r, "cdb", "missing or not an object");
    }
    cdb_text = cJSON_PrintUnformatted(cdb);
    if (cdb_text == NULL) {
        return -ENOMEM;
    }
    rc = meshrpr_cdb_json_parse(&w->cdb, cdb_text, strlen(cdb_text), cdb_err, sizeof(cdb_err));
    free(cdb_text);
    w->cdb_digest = rc == 0 ? cdb_digest(&w->cdb) : 0;
    if (rc != 0) {
        return bad(r, "cdb.", cdb_err);
    }
    if (meshrpr_cdb_subnet_get(&w->cdb, WORLD_NET_IDX) == NULL) {
        return bad(r, "cdb.netKeys", "no NetKey with index 0");
    }
    if (meshrpr_cdb_provisioner_get(&w->cdb, w->nodes[0].uuid) == NULL) {
        return bad(r, "cdb.provisioners", "the provisioner node is not listed");
    }
    return 0;
}

/* Line and column of a position in text, for a syntax error message. */
static void line_col(const char *text, const char *pos, unsigned *line, unsigned *col)
{
    *line = 1;
    *col = 1;
    for (const char *p = text; p < pos && *p != '\0'; p++) {
        if (*p == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

int world_load(struct world *w, const char *path, char *err, size_t err_size)
{
    FILE *f = fopen(path, "rb");
    struct reader r = { .err = err, .err_size = err_size };
    cJSON *root;
    char *text;
    size_t len = 0;
    int rc;

    if (f == NULL) {
        rc = -errno;
        tool_msg(err, err_size, "cannot open %s: %s", path, strerror(errno));
        return rc;
    }
    text = malloc(WORLD_FILE_MAX + 1);
    if (text == NULL) {
        fclose(f);
        return -ENOMEM;
    }
    len = fread(text, 1, WORLD_FILE_MAX + 1, f);
    if (ferror(f)) {
        fclose(f);
        free(text);
        tool_msg(err, err_size, "cannot read %s", path);
        return -EIO;
    }
    fclose(f);
    if (len > WORLD_FILE_MAX) {
        free(text);
        tool_msg(err, err_size, "%s: larger than 16 MiB, not a world file", path);
        return -EINVAL;
    }
    text[len] = '\0';
    if (strlen(text) != len) {
        free(text);
        tool_msg(err, err_size, "%s: binary data, not a world file", path);
        return -EINVAL;
    }
    root = cJSON_ParseWithLength(text, len);
    if (root == NULL) {
        unsigned line, col;
        const char *pos = cJSON_GetErrorPtr();
        line_col(text, pos != NULL ? pos : text + len, &line, &col);
        tool_msg(err, err_size, "%s: line %u, column %u: malformed JSON (not a world file?)", path,
                 line, col);
        free(text);
        return -EINVAL;
    }
    free(text);
    {
        char msg[256];
        r.err = msg;
        r.err_size = sizeof(msg);
        msg[0] = '\0';
        rc = world_parse(w, root, &r);
        if (rc != 0) {
            tool_msg(err, err_size, "%s: %s", path, msg);
        }
    }
    cJSON_Delete(root);
    return rc;
}

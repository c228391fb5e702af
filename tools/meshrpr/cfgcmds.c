/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Configuration Client commands of the meshrpr tool (the requests include/meshrpr/cfg_cli.h
 * implements, named as BlueZ's mesh-cfgclient names them), node removal and the export and
 * import of the node database. Each request goes to the node --node (in the shell: or the
 * target), secured with the device key the database holds for it, and waits for its status
 * (MshPRTv1.1 §4.3.2), running the simulated network as long as that takes.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <meshrpr/cfg_cli.h>

#include "cmdtab.h"
#include "util.h"

/* Configuration status codes (MshPRTv1.1 §4.3.5, Table 4.308) in words. */
static const char *cfg_status(uint8_t status)
{
    static const char *const names[] = {
        "success",
        "invalid address",
        "invalid model",
        "invalid AppKey index",
        "invalid NetKey index",
        "insufficient resources",
        "key index already stored",
        "invalid publish parameters",
        "not a subscribe model",
        "storage failure",
        "feature not supported",
        "cannot update",
        "cannot remove",
        "cannot bind",
        "temporarily unable to change state",
        "cannot set",
        "unspecified error",
        "invalid binding",
    };

    return status < sizeof(names) / sizeof(names[0]) ? names[status] : "unknown status";
}

/* The node a request goes to: --node, resolved against the database. */
struct cfg_node {
    uint16_t addr;
    uint16_t net_idx;
    char name[7];
};

static int cfg_target(struct cmd_ctx *c, struct cfg_node *n)
{
    const struct meshrpr_cdb_node *entry;
    uint16_t addr;

    if (!c->a->set[OPT_NODE]) {
        return command_fail(c, TOOL_EXIT_USAGE, "%s needs --node ADDR (a node of the database)",
                            c->a->argv[0]);
    }
    if (tool_parse_addr(c->a->val[OPT_NODE], false, &addr) != 0) {
        return command_fail(c, TOOL_EXIT_USAGE,
                            "bad --node \"%s\" (a unicast address, e.g. 0x0005)",
                            c->a->val[OPT_NODE]);
    }
    entry = meshrpr_cdb_node_get(&c->w->cdb, addr);
    if (entry == NULL || entry->addr != addr) {
        char a[7];
        tool_addr_str(a, addr);
        return command_fail(c, TOOL_EXIT_USAGE,
                            "unknown node %s: no node with that primary address in the database "
                            "(see nodes)",
                            a);
    }
    n->addr = addr;
    n->net_idx = entry->net_idx;
    tool_addr_str(n->name, addr);
    out_num(c->out.root, "node", addr);
    return TOOL_EXIT_OK;
}

/* A request that failed to get a status. */
static int cfg_req_fail(struct cmd_ctx *c, const struct cfg_node *n, const char *what, int err)
{
    out_str(c->out.root, "errno", tool_errno_name(err));
    if (err == -ETIMEDOUT) {
        return command_fail(c, TOOL_EXIT_FAIL,
                            "%s to %s: no answer in time (the node is out of reach, or does not "
                            "use the device key the database holds)",
                            what, n->name);
    }
    return command_fail(c, TOOL_EXIT_FAIL, "%s to %s failed: %s", what, n->name,
                        tool_errno_text(err));
}

/* A status that is not success. */
static int cfg_status_result(struct cmd_ctx *c, const struct cfg_node *n, const char *what,
                             uint8_t status)
{
    out_str(c->out.root, "status", cfg_status(status));
    out_num(c->out.root, "status_code", status);
    if (status != MESHRPR_CFG_STATUS_SUCCESS) {
        return command_fail(c, TOOL_EXIT_FAIL, "%s: %s answered %s (0x%02x)", what, n->name,
                            cfg_status(status), (unsigned)status);
    }
    return TOOL_EXIT_OK;
}

/* A request's outcome: no status (err), or a status that is not success. */
static int cfg_answered(struct cmd_ctx *c, const struct cfg_node *n, const char *what, int err,
                        uint8_t status)
{
    return err != 0 ? cfg_req_fail(c, n, what, err) : cfg_status_result(c, n, what, status);
}

static int parse_u(struct cmd_ctx *c, const char *what, const char *s, uint64_t min, uint64_t max,
                   uint64_t *v)
{
    if (tool_parse_u64(s, min, max, v) != 0) {
        return command_fail(c, TOOL_EXIT_USAGE, "bad %s \"%s\" (%" PRIu64 "..%" PRIu64 ")", what, s,
                            min, max);
    }
    return TOOL_EXIT_OK;
}

#define CFG_BEGIN(n)                                                                               \
    struct cfg_node n;                                                                             \
    int rc_ = cfg_target(c, &n);                                                                   \
    if (rc_ != TOOL_EXIT_OK) {                                                                     \
        return rc_;                                                                                \
    }

/* ---- Composition Data ------------------------------------------------------------------ */

int cmd_composition_get(struct cmd_ctx *c, int argc, char *const *argv)
{
    NET_BUF_SIMPLE_DEFINE(comp, BT_MESH_RX_SDU_MAX);
    uint64_t page = 0;
    uint8_t rsp_page = 0;
    unsigned elements = 0, models = 0;
    char hex[2 * BT_MESH_RX_SDU_MAX + 1];
    int err;
    CFG_BEGIN(n);

    if (argc > 0 && (err = parse_u(c, "PAGE", argv[0], 0, 255, &page)) != TOOL_EXIT_OK) {
        return err;
    }
    err = meshrpr_cfg_cli_comp_data_get(building_cfg_cli(c->b), n.net_idx, n.addr, (uint8_t)page,
                                        &rsp_page, &comp);
    if (err != 0) {
        return cfg_req_fail(c, &n, "Composition Data Get", err);
    }
    tool_hex(hex, comp.data, comp.len);
    out_num(c->out.root, "page", rsp_page);
    out_hex(c->out.root, "data", comp.data, comp.len);
    if ((rsp_page == 0 || rsp_page == 128) &&
        building_comp_count(comp.data, comp.len, &elements, &models) == 0 && comp.len >= 10) {
        const uint8_t *d = comp.data;
        out_num(c->out.root, "cid", d[0] | d[1] << 8);
        out_num(c->out.root, "pid", d[2] | d[3] << 8);
        out_num(c->out.root, "vid", d[4] | d[5] << 8);
        out_num(c->out.root, "crpl", d[6] | d[7] << 8);
        out_num(c->out.root, "features", d[8] | d[9] << 8);
        out_num(c->out.root, "elements", elements);
        out_num(c->out.root, "models", models);
        out_text(&c->out,
                 "%s: Composition Data page %u: CID 0x%04x PID 0x%04x VID 0x%04x CRPL %u, "
                 "features 0x%04x, %u element%s, %u models",
                 n.name, (unsigned)rsp_page, (unsigned)(d[0] | d[1] << 8),
                 (unsigned)(d[2] | d[3] << 8), (unsigned)(d[4] | d[5] << 8),
                 (unsigned)(d[6] | d[7] << 8), (unsigned)(d[8] | d[9] << 8), elements,
                 elements == 1 ? "" : "s", models);
    } else {
        out_text(&c->out, "%s: Composition Data page %u: %s", n.name, (unsigned)rsp_page, hex);
    }
    return TOOL_EXIT_OK;
}

/* ---- One-octet states: beacon, TTL, friend, proxy ---------------------------------------- */

static const char *onoff_word(uint8_t v)
{
    return v == 0 ? "disabled" : v == 1 ? "enabled" : v == 2 ? "not supported" : "unknown";
}

static int print_state(struct cmd_ctx *c, const struct cfg_node *n, const char *what,
                       const char *key, uint8_t v, bool words)
{
    out_num(c->out.root, key, v);
    if (words) {
        out_str(c->out.root, "state", onoff_word(v));
        out_text(&c->out, "%s: %s %s", n->name, what, onoff_word(v));
    } else {
        out_text(&c->out, "%s: %s %u", n->name, what, (unsigned)v);
    }
    return TOOL_EXIT_OK;
}

static int parse_onoff(struct cmd_ctx *c, const char *s, uint8_t *v)
{
    if (strcmp(s, "1") == 0 || strcmp(s, "on") == 0) {
        *v = 1;
    } else if (strcmp(s, "0") == 0 || strcmp(s, "off") == 0) {
        *v = 0;
    } else {
        return command_fail(c, TOOL_EXIT_USAGE, "bad state \"%s\" (on or off, 1 or 0)", s);
    }
    return TOOL_EXIT_OK;
}

/* The states read with one request that answers one octet (MshPRTv1.1 §4.3.2). */
struct state_get {
    const char *request;
    const char *what;
    const char *key;
    bool words;
    int (*get)(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr, uint8_t *v);
};

static const struct state_get state_beacon = { "Beacon Get", "Secure Network Beacon", "beacon",
                                               true, meshrpr_cfg_cli_beacon_get };
static const struct state_get state_ttl = { "Default TTL Get", "Default TTL", "ttl", false,
                                            meshrpr_cfg_cli_ttl_get };
static const struct state_get state_friend = { "Friend Get", "Friend", "friend", true,
                                               meshrpr_cfg_cli_friend_get };
static const struct state_get state_proxy = { "GATT Proxy Get", "GATT Proxy", "proxy", true,
                                              meshrpr_cfg_cli_gatt_proxy_get };

static int run_state_get(struct cmd_ctx *c, const struct state_get *g)
{
    uint8_t v = 0;
    int err;
    CFG_BEGIN(n);

    err = g->get(building_cfg_cli(c->b), n.net_idx, n.addr, &v);
    return err != 0 ? cfg_req_fail(c, &n, g->request, err)
                    : print_state(c, &n, g->what, g->key, v, g->words);
}

int cmd_beacon_get(struct cmd_ctx *c, int argc, char *const *argv)
{
    (void)argc;
    (void)argv;
    return run_state_get(c, &state_beacon);
}

int cmd_ttl_get(struct cmd_ctx *c, int argc, char *const *argv)
{
    (void)argc;
    (void)argv;
    return run_state_get(c, &state_ttl);
}

int cmd_friend_get(struct cmd_ctx *c, int argc, char *const *argv)
{
    (void)argc;
    (void)argv;
    return run_state_get(c, &state_friend);
}

int cmd_proxy_get(struct cmd_ctx *c, int argc, char *const *argv)
{
    (void)argc;
    (void)argv;
    return run_state_get(c, &state_proxy);
}

int cmd_beacon_set(struct cmd_ctx *c, int argc, char *const *argv)
{
    uint8_t v = 0, got = 0;
    int err;
    CFG_BEGIN(n);

    (void)argc;
    if ((err = parse_onoff(c, argv[0], &v)) != TOOL_EXIT_OK) {
        return err;
    }
    err = meshrpr_cfg_cli_beacon_set(building_cfg_cli(c->b), n.net_idx, n.addr, v, &got);
    return err != 0 ? cfg_req_fail(c, &n, "Beacon Set", err)
                    : print_state(c, &n, "Secure Network Beacon", "beacon", got, true);
}

int cmd_ttl_set(struct cmd_ctx *c, int argc, char *const *argv)
{
    uint64_t ttl;
    uint8_t got;
    int err;
    CFG_BEGIN(n);

    (void)argc;
    /* MshPRTv1.1 §4.2.8: 0 or 2..127 (1 is prohibited). */
    if (tool_parse_u64(argv[0], 0, 127, &ttl) != 0 || ttl == 1) {
        return command_fail(c, TOOL_EXIT_USAGE, "bad TTL \"%s\" (0, or 2..127)", argv[0]);
    }
    err = meshrpr_cfg_cli_ttl_set(building_cfg_cli(c->b), n.net_idx, n.addr, (uint8_t)ttl, &got);
    if (err != 0) {
        return cfg_req_fail(c, &n, "Default TTL Set", err);
    }
    print_state(c, &n, "Default TTL", "ttl", got, false);
    if (got != ttl) {
        return command_fail(c, TOOL_EXIT_FAIL, "%s kept its Default TTL %u", n.name, (unsigned)got);
    }
    return TOOL_EXIT_OK;
}

/* ---- Relay and Network Transmit ---------------------------------------------------------- */

static void print_transmit(struct cmd_ctx *c, const char *what, uint8_t transmit)
{
    out_num(c->out.root, "count", BT_MESH_TRANSMIT_COUNT(transmit));
    out_num(c->out.root, "interval_ms", BT_MESH_TRANSMIT_INT(transmit));
    out_text(&c->out, "  %s: %u retransmission%s, %u ms apart", what,
             (unsigned)BT_MESH_TRANSMIT_COUNT(transmit),
             BT_MESH_TRANSMIT_COUNT(transmit) == 1 ? "" : "s",
             (unsigned)BT_MESH_TRANSMIT_INT(transmit));
}

/* COUNT (0..7) and INTERVAL_MS (10..320, steps of 10). */
static int parse_transmit(struct cmd_ctx *c, const char *count_s, const char *int_s, uint8_t *out)
{
    uint64_t count, interval;

    if (tool_parse_u64(count_s, 0, 7, &count) != 0) {
        return command_fail(c, TOOL_EXIT_USAGE, "bad COUNT \"%s\" (retransmissions, 0..7)",
                            count_s);
    }
    if (tool_parse_u64(int_s, 10, 320, &interval) != 0 || interval % 10 != 0) {
        return command_fail(c, TOOL_EXIT_USAGE, "bad INTERVAL_MS \"%s\" (10..320 in steps of 10)",
                            int_s);
    }
    *out = BT_MESH_TRANSMIT(count, interval);
    return TOOL_EXIT_OK;
}

int cmd_relay_get(struct cmd_ctx *c, int argc, char *const *argv)
{
    uint8_t v, transmit;
    int err;
    CFG_BEGIN(n);

    (void)argc;
    (void)argv;
    err = meshrpr_cfg_cli_relay_get(building_cfg_cli(c->b), n.net_idx, n.addr, &v, &transmit);
    if (err != 0) {
        return cfg_req_fail(c, &n, "Relay Get", err);
    }
    print_state(c, &n, "Relay", "relay", v, true);
    print_transmit(c, "Relay Retransmit", transmit);
    return TOOL_EXIT_OK;
}

int cmd_relay_set(struct cmd_ctx *c, int argc, char *const *argv)
{
    uint8_t v = 0, transmit = BT_MESH_TRANSMIT(2, 20), got = 0, got_transmit = 0;
    int err;
    CFG_BEGIN(n);

    if ((err = parse_onoff(c, argv[0], &v)) != TOOL_EXIT_OK) {
        return err;
    }
    if (argc == 2) {
        return command_fail(c, TOOL_EXIT_USAGE, "relay-set: COUNT needs INTERVAL_MS too");
    }
    if (argc == 3 && (err = parse_transmit(c, argv[1], argv[2], &transmit)) != TOOL_EXIT_OK) {
        return err;
    }
    err = meshrpr_cfg_cli_relay_set(building_cfg_cli(c->b), n.net_idx, n.addr, v, transmit, &got,
                                    &got_transmit);
    if (err != 0) {
        return cfg_req_fail(c, &n, "Relay Set", err);
    }
    print_state(c, &n, "Relay", "relay", got, true);
    print_transmit(c, "Relay Retransmit", got_transmit);
    if (got == BT_MESH_RELAY_NOT_SUPPORTED) {
        return command_fail(c, TOOL_EXIT_FAIL, "%s does not support relaying", n.name);
    }
    if (got != v) {
        return command_fail(c, TOOL_EXIT_FAIL, "%s kept relaying %s", n.name, onoff_word(got));
    }
    return TOOL_EXIT_OK;
}

int cmd_net_transmit_get(struct cmd_ctx *c, int argc, char *const *argv)
{
    uint8_t transmit;
    int err;
    CFG_BEGIN(n);

    (void)argc;
    (void)argv;
    err = meshrpr_cfg_cli_net_transmit_get(building_cfg_cli(c->b), n.net_idx, n.addr, &transmit);
    if (err != 0) {
        return cfg_req_fail(c, &n, "Network Transmit Get", err);
    }
    out_text(&c->out, "%s: Network Transmit", n.name);
    print_transmit(c, "transmissions", transmit);
    return TOOL_EXIT_OK;
}

int cmd_net_transmit_set(struct cmd_ctx *c, int argc, char *const *argv)
{
    uint8_t transmit, got;
    int err;
    CFG_BEGIN(n);

    (void)argc;
    if ((err = parse_transmit(c, argv[0], argv[1], &transmit)) != TOOL_EXIT_OK) {
        return err;
    }
    err =
        meshrpr_cfg_cli_net_transmit_set(building_cfg_cli(c->b), n.net_idx, n.addr, transmit, &got);
    if (err != 0) {
        return cfg_req_fail(c, &n, "Network Transmit Set", err);
    }
    out_text(&c->out, "%s: Network Transmit", n.name);
    print_transmit(c, "transmissions", got);
    return TOOL_EXIT_OK;
}

/* ---- Keys -------------------------------------------------------------------------------- */

/* A list of key indexes (digits 3) or addresses (digits 4), in hex. */
static void print_list(struct cmd_ctx *c, const char *what, const char *key, const uint16_t *v,
                       size_t n, int digits)
{
    cJSON *arr = out_arr(c->out.root, key);
    char text[512] = "";
    size_t used = 0;

    for (size_t i = 0; i < n; i++) {
        cJSON *num = cJSON_CreateNumber(v[i]);
        if (arr != NULL && num != NULL) {
            cJSON_AddItemToArray(arr, num);
        } else {
            cJSON_Delete(num);
        }
        used += (size_t)snprintf(text + used, used < sizeof(text) ? sizeof(text) - used : 0, "%s",
                                 i > 0 ? ", " : "");
        used += (size_t)snprintf(text + used, used < sizeof(text) ? sizeof(text) - used : 0,
                                 "0x%0*x", digits, (unsigned)v[i]);
    }
    out_text(&c->out, "%s: %s", what, n == 0 ? "none" : text);
}

int cmd_netkey_get(struct cmd_ctx *c, int argc, char *const *argv)
{
    uint16_t keys[16];
    size_t count = 16;
    char what[64];
    int err;
    CFG_BEGIN(n);

    (void)argc;
    (void)argv;
    err = meshrpr_cfg_cli_net_key_get(building_cfg_cli(c->b), n.net_idx, n.addr, keys, &count);
    if (err != 0) {
        return cfg_req_fail(c, &n, "NetKey Get", err);
    }
    snprintf(what, sizeof(what), "%s: NetKeys", n.name);
    print_list(c, what, "net_keys", keys, count, 3);
    return TOOL_EXIT_OK;
}

/* The AppKey app_idx of the database (the key the node is given). */
static const struct meshrpr_cdb_app_key *db_app_key(struct cmd_ctx *c, const char *s,
                                                    uint16_t *app_idx)
{
    uint64_t v;
    const struct meshrpr_cdb_app_key *k;

    if (tool_parse_u64(s, 0, 0xfff, &v) != 0) {
        command_fail(c, TOOL_EXIT_USAGE, "bad APP_IDX \"%s\" (0..4095)", s);
        return NULL;
    }
    *app_idx = (uint16_t)v;
    k = meshrpr_cdb_app_key_get(&c->w->cdb, (uint16_t)v);
    if (k == NULL) {
        command_fail(c, TOOL_EXIT_USAGE, "no AppKey with index %u in the database (see keys)",
                     (unsigned)v);
    }
    return k;
}

int cmd_appkey_add(struct cmd_ctx *c, int argc, char *const *argv)
{
    const struct meshrpr_cdb_app_key *k;
    uint16_t app_idx;
    uint8_t status = 0;
    int err;
    CFG_BEGIN(n);

    (void)argc;
    if ((k = db_app_key(c, argv[0], &app_idx)) == NULL) {
        return TOOL_EXIT_USAGE;
    }
    err = meshrpr_cfg_cli_app_key_add(building_cfg_cli(c->b), n.net_idx, n.addr, k->net_idx,
                                      app_idx, k->key, &status);
    if ((err = cfg_answered(c, &n, "AppKey Add", err, status)) != TOOL_EXIT_OK) {
        return err;
    }
    out_text(&c->out, "%s: AppKey 0x%03x added (bound to NetKey 0x%03x)", n.name, (unsigned)app_idx,
             (unsigned)k->net_idx);
    return TOOL_EXIT_OK;
}

int cmd_appkey_del(struct cmd_ctx *c, int argc, char *const *argv)
{
    const struct meshrpr_cdb_app_key *k;
    uint16_t app_idx;
    uint8_t status = 0;
    int err;
    CFG_BEGIN(n);

    (void)argc;
    if ((k = db_app_key(c, argv[0], &app_idx)) == NULL) {
        return TOOL_EXIT_USAGE;
    }
    err = meshrpr_cfg_cli_app_key_del(building_cfg_cli(c->b), n.net_idx, n.addr, k->net_idx,
                                      app_idx, &status);
    if ((err = cfg_answered(c, &n, "AppKey Delete", err, status)) != TOOL_EXIT_OK) {
        return err;
    }
    out_text(&c->out, "%s: AppKey 0x%03x deleted", n.name, (unsigned)app_idx);
    return TOOL_EXIT_OK;
}

int cmd_appkey_get(struct cmd_ctx *c, int argc, char *const *argv)
{
    uint16_t keys[16];
    size_t count = 16;
    uint64_t net_idx = 0;
    uint8_t status = 0;
    char what[64];
    int err;
    CFG_BEGIN(n);

    if (argc > 0 && (err = parse_u(c, "NET_IDX", argv[0], 0, 0xfff, &net_idx)) != TOOL_EXIT_OK) {
        return err;
    }
    err = meshrpr_cfg_cli_app_key_get(building_cfg_cli(c->b), n.net_idx, n.addr, (uint16_t)net_idx,
                                      &status, keys, &count);
    if ((err = cfg_answered(c, &n, "AppKey Get", err, status)) != TOOL_EXIT_OK) {
        return err;
    }
    snprintf(what, sizeof(what), "%s: AppKeys of NetKey 0x%03x", n.name, (unsigned)net_idx);
    print_list(c, what, "app_keys", keys, count, 3);
    return TOOL_EXIT_OK;
}

int cmd_krp_get(struct cmd_ctx *c, int argc, char *const *argv)
{
    uint64_t net_idx = 0;
    uint8_t status = 0, phase = 0;
    int err;
    CFG_BEGIN(n);

    if (argc > 0 && (err = parse_u(c, "NET_IDX", argv[0], 0, 0xfff, &net_idx)) != TOOL_EXIT_OK) {
        return err;
    }
    err = meshrpr_cfg_cli_krp_get(building_cfg_cli(c->b), n.net_idx, n.addr, (uint16_t)net_idx,
                                  &status, &phase);
    if ((err = cfg_answered(c, &n, "Key Refresh Phase Get", err, status)) != TOOL_EXIT_OK) {
        return err;
    }
    out_num(c->out.root, "phase", phase);
    out_text(&c->out, "%s: NetKey 0x%03x in Key Refresh phase %u", n.name, (unsigned)net_idx,
             (unsigned)phase);
    return TOOL_EXIT_OK;
}

/* ---- Model bindings and subscriptions ---------------------------------------------------- */

/* ELEM_ADDR (an element of the node) and MODEL (0xMMMM SIG, 0xCCCCMMMM vendor). */
static int parse_model(struct cmd_ctx *c, const struct cfg_node *n, const char *elem_s,
                       const char *model_s, uint16_t *elem, uint32_t *model, bool *vnd)
{
    const struct meshrpr_cdb_node *entry = meshrpr_cdb_node_get(&c->w->cdb, n->addr);
    uint64_t v;

    if (tool_parse_addr(elem_s, false, elem) != 0 || *elem < n->addr ||
        *elem >= n->addr + entry->num_elem) {
        return command_fail(
            c, TOOL_EXIT_USAGE, "bad ELEM_ADDR \"%s\" (an element address of %s: 0x%04x..0x%04x)",
            elem_s, n->name, (unsigned)n->addr, (unsigned)(n->addr + entry->num_elem - 1));
    }
    if (tool_parse_u64(model_s, 0, 0xffffffffu, &v) != 0) {
        return command_fail(c, TOOL_EXIT_USAGE,
                            "bad MODEL \"%s\" (0xMMMM for a SIG model, 0xCCCCMMMM for a vendor "
                            "model: company ID, model)",
                            model_s);
    }
    *model = (uint32_t)v;
    *vnd = v > 0xffff;
    return TOOL_EXIT_OK;
}

/* The requests that change a model's bindings or subscriptions: ELEM_ADDR, an AppKey index or
 * a group address, MODEL; the SIG and vendor forms take the same arguments but the company. */
struct model_change {
    const char *request;
    bool group; /* the second argument is a group address, not an AppKey index */
    const char *done;
    int (*sig)(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr, uint16_t elem_addr,
               uint16_t arg, uint16_t mod_id, uint8_t *status);
    int (*vnd)(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr, uint16_t elem_addr,
               uint16_t arg, uint16_t mod_id, uint16_t cid, uint8_t *status);
};

static const struct model_change change_bind = { "Model App Bind", false, "bound to",
                                                 meshrpr_cfg_cli_mod_app_bind,
                                                 meshrpr_cfg_cli_mod_app_bind_vnd };
static const struct model_change change_unbind = { "Model App Unbind", false, "unbound from",
                                                   meshrpr_cfg_cli_mod_app_unbind,
                                                   meshrpr_cfg_cli_mod_app_unbind_vnd };
static const struct model_change change_sub_add = { "Model Subscription Add", true, "subscribed to",
                                                    meshrpr_cfg_cli_mod_sub_add,
                                                    meshrpr_cfg_cli_mod_sub_add_vnd };
static const struct model_change change_sub_del = { "Model Subscription Delete", true,
                                                    "unsubscribed from",
                                                    meshrpr_cfg_cli_mod_sub_del,
                                                    meshrpr_cfg_cli_mod_sub_del_vnd };

static int run_model_change(struct cmd_ctx *c, char *const *argv, const struct model_change *r)
{
    uint16_t elem = 0, arg = 0;
    uint64_t group;
    uint32_t model = 0;
    bool vnd = false;
    uint8_t status = 0;
    char what[24];
    int err;
    CFG_BEGIN(n);

    if ((err = parse_model(c, &n, argv[0], argv[2], &elem, &model, &vnd)) != TOOL_EXIT_OK) {
        return err;
    }
    if (!r->group) {
        if (db_app_key(c, argv[1], &arg) == NULL) {
            return TOOL_EXIT_USAGE;
        }
        snprintf(what, sizeof(what), "AppKey 0x%03x", (unsigned)arg);
    } else {
        /* A group address (MshPRTv1.1 §3.4.2.4): 0xc000..0xfeff, or a fixed group. */
        if (tool_parse_u64(argv[1], 0xc000, 0xffff, &group) != 0 || group == 0xffff) {
            return command_fail(c, TOOL_EXIT_USAGE,
                                "bad GROUP \"%s\" (a group address, 0xc000..0xfffe)", argv[1]);
        }
        arg = (uint16_t)group;
        snprintf(what, sizeof(what), "group 0x%04x", (unsigned)arg);
    }
    err = vnd ? r->vnd(building_cfg_cli(c->b), n.net_idx, n.addr, elem, arg, (uint16_t)model,
                       (uint16_t)(model >> 16), &status)
              : r->sig(building_cfg_cli(c->b), n.net_idx, n.addr, elem, arg, (uint16_t)model,
                       &status);
    if ((err = cfg_answered(c, &n, r->request, err, status)) != TOOL_EXIT_OK) {
        return err;
    }
    out_text(&c->out, "%s: model 0x%0*" PRIx32 " on element 0x%04x %s %s", n.name, vnd ? 8 : 4,
             model, (unsigned)elem, r->done, what);
    return TOOL_EXIT_OK;
}

int cmd_bind(struct cmd_ctx *c, int argc, char *const *argv)
{
    (void)argc;
    return run_model_change(c, argv, &change_bind);
}

int cmd_unbind(struct cmd_ctx *c, int argc, char *const *argv)
{
    (void)argc;
    return run_model_change(c, argv, &change_unbind);
}

int cmd_sub_add(struct cmd_ctx *c, int argc, char *const *argv)
{
    (void)argc;
    return run_model_change(c, argv, &change_sub_add);
}

int cmd_sub_del(struct cmd_ctx *c, int argc, char *const *argv)
{
    (void)argc;
    return run_model_change(c, argv, &change_sub_del);
}

/* The requests that list what a model has: its bound AppKeys, its subscriptions. */
struct model_list {
    const char *request;
    const char *what;
    const char *key;
    int digits;
    int (*sig)(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr, uint16_t elem_addr,
               uint16_t mod_id, uint8_t *status, uint16_t *list, size_t *count);
    int (*vnd)(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr, uint16_t elem_addr,
               uint16_t mod_id, uint16_t cid, uint8_t *status, uint16_t *list, size_t *count);
};

static const struct model_list list_apps = { "Model App Get",
                                             "AppKeys bound to",
                                             "app_keys",
                                             3,
                                             meshrpr_cfg_cli_mod_app_get,
                                             meshrpr_cfg_cli_mod_app_get_vnd };
static const struct model_list list_subs = { "Model Subscription Get",
                                             "subscriptions of",
                                             "subscriptions",
                                             4,
                                             meshrpr_cfg_cli_mod_sub_get,
                                             meshrpr_cfg_cli_mod_sub_get_vnd };

static int run_model_list(struct cmd_ctx *c, char *const *argv, const struct model_list *r)
{
    uint16_t elem = 0, list[16];
    size_t count = 16;
    uint32_t model = 0;
    bool vnd = false;
    uint8_t status = 0;
    char what[96];
    int err;
    CFG_BEGIN(n);

    if ((err = parse_model(c, &n, argv[0], argv[1], &elem, &model, &vnd)) != TOOL_EXIT_OK) {
        return err;
    }
    err = vnd ? r->vnd(building_cfg_cli(c->b), n.net_idx, n.addr, elem, (uint16_t)model,
                       (uint16_t)(model >> 16), &status, list, &count)
              : r->sig(building_cfg_cli(c->b), n.net_idx, n.addr, elem, (uint16_t)model, &status,
                       list, &count);
    if ((err = cfg_answered(c, &n, r->request, err, status)) != TOOL_EXIT_OK) {
        return err;
    }
    snprintf(what, sizeof(what), "%s: %s model 0x%0*" PRIx32 " on 0x%04x", n.name, r->what,
             vnd ? 8 : 4, model, (unsigned)elem);
    print_list(c, what, r->key, list, count, r->digits);
    return TOOL_EXIT_OK;
}

int cmd_mod_appkey_get(struct cmd_ctx *c, int argc, char *const *argv)
{
    (void)argc;
    return run_model_list(c, argv, &list_apps);
}

int cmd_sub_get(struct cmd_ctx *c, int argc, char *const *argv)
{
    (void)argc;
    return run_model_list(c, argv, &list_subs);
}

/* ---- Removing nodes ---------------------------------------------------------------------- */

/* The database entry of a node (not the provisioner). */
static struct meshrpr_cdb_node *removable(struct cmd_ctx *c, const struct cfg_node *n)
{
    struct meshrpr_cdb_node *entry = meshrpr_cdb_node_get(&c->w->cdb, n->addr);

    if (n->addr == WORLD_PROV_ADDR) {
        command_fail(c, TOOL_EXIT_USAGE, "%s is the provisioner itself: it cannot be removed",
                     n->name);
        return NULL;
    }
    return entry;
}

int cmd_node_reset(struct cmd_ctx *c, int argc, char *const *argv)
{
    struct meshrpr_cdb_node *entry;
    bool confirmed = false;
    int err;
    CFG_BEGIN(n);

    (void)argc;
    (void)argv;
    if ((entry = removable(c, &n)) == NULL) {
        return TOOL_EXIT_USAGE;
    }
    err = meshrpr_cfg_cli_node_reset(building_cfg_cli(c->b), n.net_idx, n.addr, &confirmed);
    if (err != 0 || !confirmed) {
        return cfg_req_fail(c, &n, "Node Reset", err != 0 ? err : -ETIMEDOUT);
    }
    /* The node forgot the network: the database forgets it too. */
    meshrpr_cdb_node_del(&c->w->cdb, entry);
    out_bool(c->out.root, "removed", true);
    out_text(&c->out, "%s reset: it left the network and the node database", n.name);
    return TOOL_EXIT_OK;
}

int cmd_node_remove(struct cmd_ctx *c, int argc, char *const *argv)
{
    struct meshrpr_cdb_node *entry;
    CFG_BEGIN(n);

    (void)argc;
    (void)argv;
    if ((entry = removable(c, &n)) == NULL) {
        return TOOL_EXIT_USAGE;
    }
    /* Nothing is sent: for a node that is gone (broken, reset by hand). One that still runs
     * keeps its keys: node-reset asks it to leave first. */
    meshrpr_cdb_node_del(&c->w->cdb, entry);
    out_bool(c->out.root, "removed", true);
    out_text(&c->out, "%s removed from the node database (nothing was sent to it)", n.name);
    return TOOL_EXIT_OK;
}

/* ---- The database as Mesh CDB JSON ------------------------------------------------------- */

int cmd_db_export(struct cmd_ctx *c, int argc, char *const *argv)
{
    int err;

    (void)argc;
    world_cdb_timestamp(c->w);
    err = meshrpr_cdb_save(&c->w->cdb, argv[0]);
    if (err != 0) {
        return command_fail(c, TOOL_EXIT_FAIL, "cannot write the database to %s: %s", argv[0],
                            tool_errno_text(err));
    }
    out_str(c->out.root, "file", argv[0]);
    out_num(c->out.root, "nodes", (double)meshrpr_cdb_node_count(&c->w->cdb));
    out_text(&c->out, "database (%zu nodes) written to %s as Mesh CDB JSON",
             meshrpr_cdb_node_count(&c->w->cdb), argv[0]);
    return TOOL_EXIT_OK;
}

int cmd_db_import(struct cmd_ctx *c, int argc, char *const *argv)
{
    struct meshrpr_cdb *in = calloc(1, sizeof(*in));
    const struct meshrpr_cdb_subnet *ours, *theirs;
    const struct meshrpr_cdb_node *prov;
    char err[256];

    (void)argc;
    if (in == NULL) {
        return command_fail(c, TOOL_EXIT_FAIL, "out of memory");
    }
    if (meshrpr_cdb_load(in, argv[0], err, sizeof(err)) != 0) {
        free(in);
        return command_fail(c, TOOL_EXIT_USAGE, "cannot read the database %s: %s", argv[0], err);
    }
    /* Only a database of this network: the same primary NetKey, the provisioner in it. */
    ours = meshrpr_cdb_subnet_get(&c->w->cdb, WORLD_NET_IDX);
    theirs = meshrpr_cdb_subnet_get(in, WORLD_NET_IDX);
    prov = meshrpr_cdb_node_get(in, WORLD_PROV_ADDR);
    if (ours == NULL || theirs == NULL || memcmp(ours->key, theirs->key, 16) != 0) {
        free(in);
        return command_fail(c, TOOL_EXIT_USAGE,
                            "%s is the database of another network (its primary NetKey differs): "
                            "nothing was imported",
                            argv[0]);
    }
    if (prov == NULL || memcmp(prov->uuid, c->w->nodes[0].uuid, 16) != 0) {
        free(in);
        return command_fail(c, TOOL_EXIT_USAGE,
                            "%s does not hold this world's provisioner at 0x%04x: nothing was "
                            "imported",
                            argv[0], WORLD_PROV_ADDR);
    }
    c->w->cdb = *in;
    free(in);
    out_str(c->out.root, "file", argv[0]);
    out_num(c->out.root, "nodes", (double)meshrpr_cdb_node_count(&c->w->cdb));
    out_text(&c->out, "database of %zu nodes imported from %s", meshrpr_cdb_node_count(&c->w->cdb),
             argv[0]);
    return TOOL_EXIT_OK;
}

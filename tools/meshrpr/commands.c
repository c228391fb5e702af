/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The commands of the meshrpr tool (see commands.h). Each Remote Provisioning command makes
 * the documented call of include/meshrpr/rpr_cli.h on the world's provisioner, runs the
 * simulated network as long as the operation takes in virtual time, and prints what the
 * client's callbacks reported. Errors go to stderr as one clear line and a non-zero exit code.
 */
#include "commands.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdtab.h"
#include "demo.h"
#include "shell.h"
#include "util.h"

/* Extra virtual time after a scan's timeout for the last (acknowledged) reports to arrive. */
#define SCAN_GRACE_MS 3000u
/* Longest wait for one remote provisioning (120 s protocol timer with Input/Output OOB, plus
 * the link set-up). */
#define PROVISION_MAX_MS 150000u
/* Steps of run in the shell, between which background reports are printed. */
#define RUN_STEP_MS 100u
/* Extended Scan of the server's own information: it answers at once. */
#define SCAN_SRV_WAIT_MS 5000u

/* ---- Helpers ------------------------------------------------------------------------------- */

int command_fail(struct cmd_ctx *c, int code, const char *fmt, ...)
{
    char msg[320];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    tool_error("%s", msg);
    out_str(c->out.root, "error", msg);
    return code;
}

/* What a failed request means, in words. */
static const char *req_error(int err)
{
    return tool_errno_text(err);
}

static int req_fail(struct cmd_ctx *c, const char *what, int err)
{
    char addr[7];

    tool_addr_str(addr, c->srv.addr);
    /* The errno name only in the JSON result, for scripts; people read the words. */
    out_str(c->out.root, "errno", tool_errno_name(err));
    return command_fail(c, TOOL_EXIT_FAIL, "%s through %s failed: %s", what, addr, req_error(err));
}

static void add_server(struct cmd_ctx *c)
{
    out_num(c->out.root, "server", c->srv.addr);
}

static int parse_ad_types(struct cmd_ctx *c, int argc, char *const *argv, uint8_t *types, size_t *n)
{
    *n = 0;
    for (int i = 0; i < argc; i++) {
        uint64_t v;
        if (*n == 16) {
            return command_fail(c, TOOL_EXIT_USAGE, "at most 16 AD types");
        }
        if (tool_parse_u64(argv[i], 0, 0xff, &v) != 0) {
            return command_fail(c, TOOL_EXIT_USAGE,
                                "bad AD type \"%s\" (a number 0..255, e.g. 0x09)", argv[i]);
        }
        /* MshPRTv1.1 §4.3.4.7: the incomplete service UUID lists and the Shortened Local Name
         * may not be asked for, and no type twice. */
        if (v == 0x02 || v == 0x04 || v == 0x06 || v == 0x08) {
            return command_fail(
                c, TOOL_EXIT_USAGE,
                "AD type 0x%02x may not be asked for (incomplete UUID lists and the "
                "Shortened Local Name are prohibited in an Extended Scan)",
                (unsigned)v);
        }
        for (size_t k = 0; k < *n; k++) {
            if (types[k] == v) {
                return command_fail(c, TOOL_EXIT_USAGE, "AD type 0x%02x given twice", (unsigned)v);
            }
        }
        types[(*n)++] = (uint8_t)v;
    }
    if (*n == 0) {
        /* Without types: the Complete Local Name and the URI. */
        types[(*n)++] = 0x09;
        types[(*n)++] = 0x24;
    }
    return TOOL_EXIT_OK;
}

static void record_found(struct cmd_ctx *c, const struct b_scan_event *e)
{
    struct world_found f;

    memset(&f, 0, sizeof(f));
    memcpy(f.uuid, e->unprov.uuid, 16);
    f.server = e->server;
    f.rssi = e->unprov.rssi;
    f.oob_info = (uint16_t)e->unprov.oob;
    f.has_uri_hash = (e->unprov.flags & BT_MESH_RPR_UNPROV_HASH) != 0;
    f.uri_hash = e->unprov.hash;
    f.ext = e->ext;
    f.ad_len = e->ad_len;
    memcpy(f.ad, e->ad, e->ad_len);
    f.time_ms = e->time_ms;
    world_found_put(c->w, &f);
}

static void print_scan_status(struct cmd_ctx *c, const struct bt_mesh_rpr_scan_status *st)
{
    cJSON *o = out_obj(c->out.root, "scan_status");
    char addr[7];

    tool_addr_str(addr, c->srv.addr);
    out_str(o, "status", out_rpr_status(st->status));
    out_num(o, "status_code", st->status);
    out_str(o, "state", out_scan_state(st->scan));
    out_num(o, "max_devs", st->max_devs);
    out_num(o, "timeout_s", st->timeout);
    out_text(&c->out, "server %s: scan status %s, state %s, max devices %u, %u s left", addr,
             out_rpr_status(st->status), out_scan_state(st->scan), (unsigned)st->max_devs,
             (unsigned)st->timeout);
}

static int scan_status_result(struct cmd_ctx *c, const struct bt_mesh_rpr_scan_status *st)
{
    if (st->status != BT_MESH_RPR_SUCCESS) {
        char addr[7];
        tool_addr_str(addr, c->srv.addr);
        return command_fail(c, TOOL_EXIT_FAIL, "server %s answered %s", addr,
                            out_rpr_status(st->status));
    }
    return TOOL_EXIT_OK;
}

static void print_report(struct cmd_ctx *c, cJSON *arr, const struct b_scan_event *e)
{
    cJSON *o = out_arr_obj(arr);
    char uuid[33], oob[96], hash[24] = "";

    tool_uuid_str(uuid, e->unprov.uuid);
    out_oob_info((uint16_t)e->unprov.oob, oob, sizeof(oob));
    out_str(o, "uuid", uuid);
    out_num(o, "rssi", e->unprov.rssi);
    out_num(o, "oob_info", (uint16_t)e->unprov.oob);
    if (e->unprov.flags & BT_MESH_RPR_UNPROV_HASH) {
        out_num(o, "uri_hash", e->unprov.hash);
        snprintf(hash, sizeof(hash), ", uri hash %08" PRIx32, e->unprov.hash);
    }
    out_num(o, "time_ms", (double)e->time_ms);
    out_text(&c->out, "  %s  rssi %d dBm, oob %s%s", uuid, e->unprov.rssi, oob, hash);
}

/* ---- Remote Provisioning commands ---------------------------------------------------------- */

int cmd_scan_caps(struct cmd_ctx *c, int argc, char *const *argv)
{
    struct bt_mesh_rpr_caps caps;
    char addr[7];
    int err;

    (void)argc;
    (void)argv;
    add_server(c);
    err = bt_mesh_rpr_scan_caps_get(building_rpr_cli(c->b), &c->srv, &caps);
    if (err != 0) {
        return req_fail(c, "Scan Capabilities Get", err);
    }
    tool_addr_str(addr, c->srv.addr);
    out_num(c->out.root, "max_devs", caps.max_devs);
    out_bool(c->out.root, "active_scan", caps.active_scan);
    out_text(&c->out, "server %s: scans up to %u devices, active scanning %s", addr,
             (unsigned)caps.max_devs, caps.active_scan ? "supported" : "not supported");
    return TOOL_EXIT_OK;
}

int cmd_scan_get(struct cmd_ctx *c, int argc, char *const *argv)
{
    struct bt_mesh_rpr_scan_status st;
    int err;

    (void)argc;
    (void)argv;
    add_server(c);
    err = bt_mesh_rpr_scan_get(building_rpr_cli(c->b), &c->srv, &st);
    if (err != 0) {
        return req_fail(c, "Scan Get", err);
    }
    print_scan_status(c, &st);
    return scan_status_result(c, &st);
}

int cmd_scan_stop(struct cmd_ctx *c, int argc, char *const *argv)
{
    struct bt_mesh_rpr_scan_status st;
    int err;

    (void)argc;
    (void)argv;
    add_server(c);
    err = bt_mesh_rpr_scan_stop(building_rpr_cli(c->b), &c->srv, &st);
    if (err != 0) {
        return req_fail(c, "Scan Stop", err);
    }
    for (size_t i = 0; c->sh != NULL && i < SHELL_MAX_JOBS; i++) {
        struct shell_job *j = &c->sh->jobs[i];
        if (j->active && j->kind == SHELL_JOB_SCAN && j->server == c->srv.addr) {
            /* The scan is over: its job ends at the next poll. */
            j->deadline_ms = building_now_ms(c->b);
        }
    }
    print_scan_status(c, &st);
    return scan_status_result(c, &st);
}

struct scan_wait {
    uint16_t server;
    uint64_t since_ms;
    const uint8_t *uuid;
    bool ext;
};

static const struct b_scan_event *scan_event(const struct building *b, const struct scan_wait *w,
                                             size_t nth)
{
    for (size_t i = 0; i < b->scan_count; i++) {
        const struct b_scan_event *e = &b->scans[i];
        if (e->time_ms >= w->since_ms && (w->server == 0 || e->server == w->server) &&
            e->ext == w->ext && (w->uuid == NULL || memcmp(e->unprov.uuid, w->uuid, 16) == 0)) {
            if (nth-- == 0) {
                return e;
            }
        }
    }
    return NULL;
}

static bool scan_found(struct building *b, void *arg)
{
    return scan_event(b, arg, 0) != NULL;
}

int cmd_scan(struct cmd_ctx *c, int argc, char *const *argv)
{
    struct bt_mesh_rpr_scan_status st;
    struct scan_wait wait = { .server = c->srv.addr, .since_ms = building_now_ms(c->b) };
    uint8_t uuid[16];
    uint64_t timeout_s, max_devs = BT_MESH_RPR_SCAN_MAX_DEVS_ANY;
    const struct b_scan_event *e;
    cJSON *arr;
    size_t n = 0;
    int err;

    add_server(c);
    if (tool_parse_u64(argv[0], 1, 255, &timeout_s) != 0) {
        return command_fail(c, TOOL_EXIT_USAGE, "bad TIMEOUT \"%s\" (seconds, 1..255)", argv[0]);
    }
    if (argc > 1) {
        if (tool_parse_uuid(argv[1], uuid) != 0) {
            return command_fail(c, TOOL_EXIT_USAGE, "bad UUID \"%s\" (1 to 16 octets of hex)",
                                argv[1]);
        }
        wait.uuid = uuid;
    }
    if (c->a->set[OPT_MAX_DEVS] && tool_parse_u64(c->a->val[OPT_MAX_DEVS], 0, 255, &max_devs)) {
        return command_fail(c, TOOL_EXIT_USAGE,
                            "bad --max-devs (0..255, 0: as many as the server holds)");
    }
    err = bt_mesh_rpr_scan_start(building_rpr_cli(c->b), &c->srv, wait.uuid, (uint8_t)timeout_s,
                                 (uint8_t)max_devs, &st);
    if (err != 0) {
        return req_fail(c, "Scan Start", err);
    }
    print_scan_status(c, &st);
    if (st.status != BT_MESH_RPR_SUCCESS) {
        return scan_status_result(c, &st);
    }
    if (c->sh != NULL) {
        /* In the shell the scan runs on while the prompt stays live; reports follow. */
        struct shell_job j = { .kind = SHELL_JOB_SCAN,
                               .server = c->srv.addr,
                               .since_ms = wait.since_ms,
                               .deadline_ms = wait.since_ms + timeout_s * 1000 + SCAN_GRACE_MS };
        snprintf(j.command, sizeof(j.command), "scan");
        if (wait.uuid != NULL) {
            j.has_uuid = true;
            memcpy(j.uuid, uuid, 16);
        }
        return shell_job_start(c, &j);
    }
    /* The scan runs for its timeout (a single-device scan until that device is found); the
     * reports are acknowledged messages that may trail it a little. */
    if (wait.uuid != NULL) {
        (void)building_run_until(c->b, scan_found, &wait,
                                 wait.since_ms + timeout_s * 1000 + SCAN_GRACE_MS);
    } else {
        (void)building_run_for(c->b, wait.since_ms + timeout_s * 1000 + SCAN_GRACE_MS -
                                         building_now_ms(c->b));
    }
    arr = out_arr(c->out.root, "reports");
    while ((e = scan_event(c->b, &wait, n)) != NULL) {
        print_report(c, arr, e);
        record_found(c, e);
        n++;
    }
    out_text(&c->out, "%zu device%s found", n, n == 1 ? "" : "s");
    return TOOL_EXIT_OK;
}

/* What an Extended Scan through server reported (e; NULL: no report within the wait): the AD
 * structures, or why there are none. uuid NULL: the server's own information. */
static int ext_report(struct cmd_ctx *c, uint16_t server, const uint8_t *uuid, uint8_t timeout_s,
                      const struct b_scan_event *e)
{
    char addr[7], id[33], text[512];
    cJSON *report;

    tool_addr_str(addr, server);
    if (e == NULL) {
        return command_fail(c, TOOL_EXIT_FAIL, "no Extended Scan Report from %s", addr);
    }
    tool_uuid_str(id, e->unprov.uuid);
    report = out_obj(c->out.root, "report");
    out_str(report, "uuid", id);
    if (e->failed) {
        out_str(report, "status", out_rpr_status(e->status));
        if (e->status != BT_MESH_RPR_SUCCESS) {
            return command_fail(c, TOOL_EXIT_FAIL, "server %s refused the Extended Scan: %s", addr,
                                out_rpr_status(e->status));
        }
        return command_fail(c, TOOL_EXIT_FAIL, "server %s did not find %s within %u s", addr, id,
                            (unsigned)timeout_s);
    }
    out_str(report, "status", "success");
    out_num(report, "oob_info", (uint16_t)e->unprov.oob);
    out_hex(report, "ad_data", e->ad, e->ad_len);
    (void)out_ad(e->ad, e->ad_len, text, sizeof(text), out_arr(report, "ad"));
    out_text(&c->out, "server %s: %s: %s", addr, uuid != NULL ? id : "its own information",
             text[0] != '\0' ? text : "(no AD structures of those types)");
    if (uuid != NULL) {
        record_found(c, e);
    }
    return TOOL_EXIT_OK;
}

/* An Extended Scan (of a device, or of the server itself when uuid is NULL). In the shell, one
 * of a device runs in the background: it may take its whole timeout (until the server has
 * every AD type asked for), and the prompt stays live meanwhile. */
static int ext_scan(struct cmd_ctx *c, const uint8_t *uuid, uint8_t timeout_s, const uint8_t *types,
                    size_t n_types, uint64_t wait_ms)
{
    struct scan_wait wait = {
        .server = c->srv.addr, .since_ms = building_now_ms(c->b), .uuid = uuid, .ext = true
    };
    int err;

    add_server(c);
    for (size_t i = 0; c->sh != NULL && uuid != NULL && i < SHELL_MAX_JOBS; i++) {
        const struct shell_job *j = &c->sh->jobs[i];
        if (j->active && j->kind == SHELL_JOB_EXT_SCAN && j->server == c->srv.addr &&
            memcmp(j->uuid, uuid, 16) == 0) {
            /* Its report could not be told from the running one's. */
            return command_fail(c, TOOL_EXIT_USAGE,
                                "an Extended Scan of this device through 0x%04x is running "
                                "already: wait for its report",
                                (unsigned)c->srv.addr);
        }
    }
    err = bt_mesh_rpr_scan_start_ext(building_rpr_cli(c->b), &c->srv, uuid, timeout_s, types,
                                     n_types);
    if (err != 0) {
        return req_fail(c, "Extended Scan Start", err);
    }
    if (c->sh != NULL && uuid != NULL) {
        struct shell_job j = { .kind = SHELL_JOB_EXT_SCAN,
                               .server = c->srv.addr,
                               .has_uuid = true,
                               .since_ms = wait.since_ms,
                               .deadline_ms = wait.since_ms + wait_ms,
                               .timeout_s = timeout_s };
        memcpy(j.uuid, uuid, 16);
        snprintf(j.command, sizeof(j.command), "scan-ext");
        return shell_job_start(c, &j);
    }
    (void)building_run_until(c->b, scan_found, &wait, wait.since_ms + wait_ms);
    return ext_report(c, c->srv.addr, uuid, timeout_s, scan_event(c->b, &wait, 0));
}

int cmd_scan_ext(struct cmd_ctx *c, int argc, char *const *argv)
{
    uint8_t uuid[16], types[16];
    uint64_t timeout_s;
    size_t n;
    int rc;

    if (tool_parse_u64(argv[0], BT_MESH_RPR_EXT_SCAN_TIME_MIN, BT_MESH_RPR_EXT_SCAN_TIME_MAX,
                       &timeout_s) != 0) {
        return command_fail(c, TOOL_EXIT_USAGE, "bad TIMEOUT \"%s\" (seconds, 1..21)", argv[0]);
    }
    if (tool_parse_uuid(argv[1], uuid) != 0) {
        return command_fail(c, TOOL_EXIT_USAGE, "bad UUID \"%s\" (1 to 16 octets of hex)", argv[1]);
    }
    rc = parse_ad_types(c, argc - 2, argv + 2, types, &n);
    if (rc != TOOL_EXIT_OK) {
        return rc;
    }
    return ext_scan(c, uuid, (uint8_t)timeout_s, types, n, timeout_s * 1000 + SCAN_GRACE_MS);
}

int cmd_scan_srv(struct cmd_ctx *c, int argc, char *const *argv)
{
    uint8_t types[16];
    size_t n;
    int rc = parse_ad_types(c, argc, argv, types, &n);

    if (rc != TOOL_EXIT_OK) {
        return rc;
    }
    /* No UUID: the server's own information; the timeout is not used. */
    return ext_scan(c, NULL, BT_MESH_RPR_EXT_SCAN_TIME_MIN, types, n, SCAN_SRV_WAIT_MS);
}

static int print_link(struct cmd_ctx *c, const struct bt_mesh_rpr_link *l)
{
    char addr[7];

    tool_addr_str(addr, c->srv.addr);
    out_str(c->out.root, "status", out_rpr_status(l->status));
    out_num(c->out.root, "status_code", l->status);
    out_str(c->out.root, "state", out_link_state(l->state));
    out_text(&c->out, "server %s: link status %s, state %s", addr, out_rpr_status(l->status),
             out_link_state(l->state));
    if (l->status != BT_MESH_RPR_SUCCESS) {
        return command_fail(c, TOOL_EXIT_FAIL, "server %s answered %s", addr,
                            out_rpr_status(l->status));
    }
    return TOOL_EXIT_OK;
}

int cmd_link_get(struct cmd_ctx *c, int argc, char *const *argv)
{
    struct bt_mesh_rpr_link l;
    int err;

    (void)argc;
    (void)argv;
    add_server(c);
    err = bt_mesh_rpr_link_get(building_rpr_cli(c->b), &c->srv, &l);
    if (err != 0) {
        return req_fail(c, "Link Get", err);
    }
    return print_link(c, &l);
}

int cmd_link_close(struct cmd_ctx *c, int argc, char *const *argv)
{
    struct bt_mesh_rpr_link l;
    int err;

    (void)argc;
    (void)argv;
    add_server(c);
    err = bt_mesh_rpr_link_close(building_rpr_cli(c->b), &c->srv, &l);
    if (err != 0) {
        return req_fail(c, "Link Close", err);
    }
    return print_link(c, &l);
}

/* The server that reported the device in the last scans (the strongest signal). */
static bool server_for(struct cmd_ctx *c, const uint8_t uuid[16], uint16_t *server)
{
    const struct world_found *best = NULL;

    for (size_t i = 0; i < c->w->found_count; i++) {
        const struct world_found *f = &c->w->found[i];
        if (memcmp(f->uuid, uuid, 16) == 0 && !f->ext && (best == NULL || f->rssi > best->rssi)) {
            best = f;
        }
    }
    if (best != NULL) {
        *server = best->server;
    }
    return best != NULL;
}

/*
 * What can be known before any radio work about provisioning a device (uuid, NULL for an NPPI
 * address refresh) onto net_idx at addr (0: the lowest free): the subnet exists, the device is
 * not in the database yet, the address is free and inside the provisioner's range, and the
 * database has room. The device's element count comes only with its Provisioning
 * Capabilities, so a multi-element device that does not fit at addr is found then.
 * @return TOOL_EXIT_OK, or TOOL_EXIT_USAGE with the error printed.
 */
static int precheck_new_node(struct cmd_ctx *c, const uint8_t *uuid, uint16_t net_idx,
                             uint16_t addr)
{
    struct meshrpr_cdb *cdb = &c->w->cdb;
    const struct meshrpr_cdb_node *owner;
    char a[7];

    if (meshrpr_cdb_subnet_get(cdb, net_idx) == NULL) {
        return command_fail(c, TOOL_EXIT_USAGE,
                            "no NetKey with index %u in the database (see keys)",
                            (unsigned)net_idx);
    }
    if (uuid != NULL && (owner = meshrpr_cdb_node_by_uuid(cdb, uuid)) != NULL) {
        tool_addr_str(a, owner->addr);
        return command_fail(c, TOOL_EXIT_USAGE,
                            "the device is already in the node database, as %s (reprovision-remote "
                            "changes a node; node-remove forgets it)",
                            a);
    }
    if (uuid != NULL && meshrpr_cdb_node_count(cdb) >= MESHRPR_CDB_NODE_COUNT) {
        return command_fail(
            c, TOOL_EXIT_USAGE,
            "the node database is full (%d nodes, MESHRPR_CDB_NODE_COUNT): remove a node "
            "first (node-remove)",
            MESHRPR_CDB_NODE_COUNT);
    }
    if (addr == 0) {
        if (meshrpr_cdb_free_addr_get(cdb, 1) == 0) {
            return command_fail(
                c, TOOL_EXIT_USAGE,
                "no unicast address is free in the provisioner's range 0x%04x..0x%04x",
                (unsigned)cdb->alloc_low, (unsigned)cdb->alloc_high);
        }
        return TOOL_EXIT_OK;
    }
    tool_addr_str(a, addr);
    if (addr < cdb->alloc_low || addr > cdb->alloc_high) {
        return command_fail(c, TOOL_EXIT_USAGE,
                            "ADDR %s is outside the provisioner's unicast range 0x%04x..0x%04x", a,
                            (unsigned)cdb->alloc_low, (unsigned)cdb->alloc_high);
    }
    owner = meshrpr_cdb_node_get(cdb, addr);
    if (owner != NULL) {
        const struct world_node *wn = world_node_by_uuid(c->w, owner->uuid);
        char o[7];
        tool_addr_str(o, owner->addr);
        return command_fail(
            c, TOOL_EXIT_USAGE, "ADDR %s is taken: it is %s of node %s%s%s%s (0: the lowest free)",
            a, owner->addr == addr ? "the primary address" : "an element address", o,
            wn != NULL ? " (" : "", wn != NULL ? wn->name : "", wn != NULL ? ")" : "");
    }
    return TOOL_EXIT_OK;
}

static int prov_report(struct cmd_ctx *c, const uint8_t uuid[16], uint16_t server,
                       struct b_target *t, uint64_t since_ms, const struct b_outcome *op);

/* Whether a provisioning through server (0: PB-ADV) started at since_ms has ended. A PB-ADV
 * link that never opened ends without a report (no server tells of it): the session is
 * simply no longer busy. */
static bool prov_ended(struct building *b, const uint8_t uuid[16], uint16_t server,
                       uint64_t since_ms, struct b_outcome *o)
{
    if (building_prov_ended(b, uuid, server, since_ms, o)) {
        return true;
    }
    if (server != 0 || meshrpr_prov_is_busy(building_prov_node(b))) {
        return false;
    }
    if (o != NULL) {
        memset(o, 0, sizeof(*o));
        o->time_ms = building_now_ms(b);
        snprintf(o->why, sizeof(o->why),
                 "no answer over PB-ADV: the device is not within the provisioner's radio range "
                 "(provision-remote reaches it through a server)");
    }
    return true;
}

/* Provisioning Capabilities, the PDU type a provisioner reads a device's element count from
 * (MshPRTv1.1 §5.4.1, Table 5.18). */
#define PROV_PDU_CAPABILITIES 0x01

/*
 * A failed outcome in the words of what happened, where the provisioner's own result says more
 * than the Provisioning Failed code: a device refused right after its Capabilities for lack of
 * resources is one whose elements do not fit at the address asked for (the element count comes
 * only with the Capabilities, so no check before the link could see it).
 */
static void explain_failure(struct cmd_ctx *c, const uint8_t uuid[16], uint64_t since_ms,
                            struct b_outcome *o)
{
    const struct b_prov_event *e = building_prov_event(c->b, uuid, since_ms);

    if (o->ok || e == NULL || e->added || e->result.status != MESHRPR_PROV_STATUS_LOCAL_ERROR ||
        e->result.error_code != MESHRPR_PROV_ERR_OUT_OF_RESOURCES ||
        e->result.waiting_for != PROV_PDU_CAPABILITIES) {
        return;
    }
    snprintf(o->why, sizeof(o->why),
             "its elements do not fit: one free address each, from the one asked for on, "
             "inside 0x%04x..0x%04x",
             (unsigned)c->w->cdb.alloc_low, (unsigned)c->w->cdb.alloc_high);
}

struct prov_wait {
    const uint8_t *uuid;
    uint16_t server;
    uint64_t since_ms;
};

static bool prov_wait_done(struct building *b, void *arg)
{
    const struct prov_wait *w = arg;

    return prov_ended(b, w->uuid, w->server, w->since_ms, NULL);
}

/* provision-remote (remote) and provision (PB-ADV): UUID NET_IDX ADDR. */
static int provision(struct cmd_ctx *c, char *const *argv, bool remote)
{
    uint64_t since_ms = building_now_ms(c->b);
    struct b_outcome o;
    struct b_target *t;
    uint8_t uuid[16], static_val[16];
    size_t static_len = 0;
    uint64_t net_idx;
    uint16_t addr, server = 0;
    char id[33];
    int err, rc;

    if (tool_parse_uuid(argv[0], uuid) != 0) {
        return command_fail(c, TOOL_EXIT_USAGE, "bad UUID \"%s\" (1 to 16 octets of hex)", argv[0]);
    }
    if (tool_parse_u64(argv[1], 0, 0xfff, &net_idx) != 0) {
        return command_fail(c, TOOL_EXIT_USAGE, "bad NET_IDX \"%s\" (0..4095)", argv[1]);
    }
    if (tool_parse_addr(argv[2], true, &addr) != 0) {
        return command_fail(
            c, TOOL_EXIT_USAGE,
            "bad ADDR \"%s\" (a unicast address 0x0001..0x7fff, or 0 for the lowest free)",
            argv[2]);
    }
    if (c->a->set[OPT_STATIC_OOB] &&
        (tool_unhex(c->a->val[OPT_STATIC_OOB], static_val, sizeof(static_val), &static_len) != 0 ||
         static_len == 0)) {
        return command_fail(c, TOOL_EXIT_USAGE, "bad --static-oob (1 to 16 octets of hex)");
    }
    rc = precheck_new_node(c, uuid, (uint16_t)net_idx, addr);
    if (rc != TOOL_EXIT_OK) {
        return rc;
    }
    if (remote && !c->a->set[OPT_SERVER]) {
        uint16_t found;
        if (!server_for(c, uuid, &found)) {
            return command_fail(c, TOOL_EXIT_USAGE,
                                "--server ADDR is needed: no scan has found this device yet");
        }
        rc = command_server(c, found);
        if (rc != TOOL_EXIT_OK) {
            return rc;
        }
    }
    tool_uuid_str(id, uuid);
    if (remote) {
        server = c->srv.addr;
        add_server(c);
    }
    out_str(c->out.root, "uuid", id);
    t = building_target_add(c->b, uuid, static_len > 0 ? static_val : NULL, static_len);
    if (t == NULL) {
        return command_fail(c, TOOL_EXIT_FAIL, "too many provisionings at once");
    }
    if (remote) {
        err = bt_mesh_provision_remote(building_rpr_cli(c->b), &c->srv, uuid, (uint16_t)net_idx,
                                       addr);
    } else {
        err = meshrpr_provision_adv(building_prov_node(c->b), uuid, (uint16_t)net_idx, addr, 0);
    }
    if (err != 0) {
        building_target_del(c->b, t);
        if (remote) {
            return req_fail(c, "Remote provisioning", err);
        }
        out_str(c->out.root, "errno", tool_errno_name(err));
        return command_fail(c, TOOL_EXIT_FAIL, "provisioning over PB-ADV did not start: %s",
                            tool_errno_text(err));
    }
    if (c->sh != NULL) {
        /* In the shell the link runs on while the prompt stays live; the outcome follows. */
        struct shell_job j = { .kind = SHELL_JOB_PROV,
                               .server = server,
                               .has_uuid = true,
                               .since_ms = since_ms,
                               .deadline_ms = since_ms + PROVISION_MAX_MS,
                               .t = t };
        memcpy(j.uuid, uuid, 16);
        snprintf(j.command, sizeof(j.command), "%s", remote ? "provision-remote" : "provision");
        return shell_job_start(c, &j);
    }
    if (server != 0) {
        (void)building_prov_wait(c->b, uuid, server, since_ms, PROVISION_MAX_MS, &o);
    } else {
        struct prov_wait w = { .uuid = uuid, .server = 0, .since_ms = since_ms };
        if (building_run_until(c->b, prov_wait_done, &w, since_ms + PROVISION_MAX_MS) == 0) {
            (void)building_run_for(c->b, BUILDING_PROV_GRACE_MS);
        }
        if (!prov_ended(c->b, uuid, 0, since_ms, &o)) {
            memset(&o, 0, sizeof(o));
            o.time_ms = building_now_ms(c->b);
            snprintf(o.why, sizeof(o.why), "did not finish within %u s",
                     (unsigned)(PROVISION_MAX_MS / 1000));
        }
    }
    return prov_report(c, uuid, server, t, since_ms, &o);
}

int cmd_provision_remote(struct cmd_ctx *c, int argc, char *const *argv)
{
    (void)argc;
    return provision(c, argv, true);
}

int cmd_provision(struct cmd_ctx *c, int argc, char *const *argv)
{
    (void)argc;
    return provision(c, argv, false);
}

/* How a provisioning through server (0: PB-ADV) that started at since_ms ended; frees t. */
static int prov_report(struct cmd_ctx *c, const uint8_t uuid[16], uint16_t server,
                       struct b_target *t, uint64_t since_ms, const struct b_outcome *op)
{
    struct b_outcome o = *op;
    char id[33], srv[16], dev[7], took[24];

    explain_failure(c, uuid, since_ms, &o);
    tool_uuid_str(id, uuid);
    if (server != 0) {
        tool_addr_str(srv, server);
    } else {
        snprintf(srv, sizeof(srv), "PB-ADV");
    }
    tool_time_str(took, o.time_ms - since_ms);
    out_num(c->out.root, "time_ms", (double)(o.time_ms - since_ms));
    if (!o.ok) {
        building_target_del(c->b, t);
        out_str(c->out.root, "result", o.why);
        return command_fail(c, TOOL_EXIT_FAIL, "provisioning %s %s %s failed: %s", id,
                            server != 0 ? "through" : "over", srv, o.why);
    }
    tool_addr_str(dev, o.addr);
    out_num(c->out.root, "addr", o.addr);
    out_num(c->out.root, "elements", o.elements);
    out_str(c->out.root, "auth", t->auth != NULL ? t->auth : "none");
    out_text(&c->out, "provisioned %s as %s (%u element%s) %s %s in %s s, %s", id, dev,
             (unsigned)o.elements, o.elements == 1 ? "" : "s", server != 0 ? "through" : "over",
             srv, took,
             t->auth == NULL                  ? "no OOB authentication"
             : strcmp(t->auth, "static") == 0 ? "authenticated with Static OOB"
                                              : "authenticated with Output OOB");
    building_target_del(c->b, t);
    return TOOL_EXIT_OK;
}

static int parse_bool(const char *s, bool *out)
{
    if (strcmp(s, "1") == 0 || strcmp(s, "true") == 0 || strcmp(s, "yes") == 0) {
        *out = true;
    } else if (strcmp(s, "0") == 0 || strcmp(s, "false") == 0 || strcmp(s, "no") == 0) {
        *out = false;
    } else {
        return -EINVAL;
    }
    return 0;
}

/* --procedure: key, composition or address (the NPPI procedures, MshPRTv1.1 §3.11.8). */
static int parse_procedure(struct cmd_ctx *c, unsigned *procedure)
{
    const char *v = c->a->val[OPT_PROCEDURE];

    if (strcmp(v, "key") == 0) {
        *procedure = BT_MESH_RPR_NODE_REFRESH_DEVKEY;
    } else if (strcmp(v, "composition") == 0) {
        *procedure = BT_MESH_RPR_NODE_REFRESH_COMPOSITION;
    } else if (strcmp(v, "address") == 0) {
        *procedure = BT_MESH_RPR_NODE_REFRESH_ADDR;
    } else {
        return command_fail(c, TOOL_EXIT_USAGE,
                            "bad --procedure \"%s\" (key, composition or address)", v);
    }
    return TOOL_EXIT_OK;
}

static int nppi_run(struct cmd_ctx *c, uint16_t addr, bool comp);

int cmd_reprovision_remote(struct cmd_ctx *c, int argc, char *const *argv)
{
    uint16_t addr;
    bool comp = false;
    unsigned procedure = BT_MESH_RPR_NODE_REFRESH_DEVKEY;
    int rc;

    add_server(c);
    if (tool_parse_addr(argv[0], true, &addr) != 0) {
        return command_fail(
            c, TOOL_EXIT_USAGE,
            "bad ADDR \"%s\" (the node's new unicast address, its current one, or 0 for "
            "the lowest free)",
            argv[0]);
    }
    if (argc > 1 && parse_bool(argv[1], &comp) != 0) {
        return command_fail(c, TOOL_EXIT_USAGE, "bad COMP_CHANGED \"%s\" (0 or 1)", argv[1]);
    }
    if (c->a->set[OPT_PROCEDURE]) {
        /* The explicit choice must agree with what ADDR and COMP_CHANGED say. */
        if ((rc = parse_procedure(c, &procedure)) != TOOL_EXIT_OK) {
            return rc;
        }
        if (procedure == BT_MESH_RPR_NODE_REFRESH_ADDR && addr == c->srv.addr) {
            return command_fail(c, TOOL_EXIT_USAGE,
                                "--procedure address needs a new ADDR (0: the lowest free)");
        }
        if (procedure != BT_MESH_RPR_NODE_REFRESH_ADDR && addr != c->srv.addr) {
            return command_fail(c, TOOL_EXIT_USAGE,
                                "--procedure %s keeps the address: ADDR must be the node's own",
                                c->a->val[OPT_PROCEDURE]);
        }
        if (argc > 1 && comp != (procedure == BT_MESH_RPR_NODE_REFRESH_COMPOSITION)) {
            return command_fail(c, TOOL_EXIT_USAGE, "COMP_CHANGED %s contradicts --procedure %s",
                                argv[1], c->a->val[OPT_PROCEDURE]);
        }
        comp = procedure == BT_MESH_RPR_NODE_REFRESH_COMPOSITION;
    }
    return nppi_run(c, addr, comp);
}

int cmd_reprovision(struct cmd_ctx *c, int argc, char *const *argv)
{
    uint16_t node, addr;
    unsigned procedure = BT_MESH_RPR_NODE_REFRESH_DEVKEY;
    int rc;

    if (tool_parse_addr(argv[0], false, &node) != 0) {
        return command_fail(c, TOOL_EXIT_USAGE,
                            "bad NODE \"%s\" (a node's primary address, e.g. 0x0005)", argv[0]);
    }
    if ((rc = parse_procedure(c, &procedure)) != TOOL_EXIT_OK) {
        return rc;
    }
    if ((rc = command_server(c, node)) != TOOL_EXIT_OK) {
        return rc;
    }
    add_server(c);
    if (procedure == BT_MESH_RPR_NODE_REFRESH_ADDR) {
        if (argc < 2) {
            return command_fail(c, TOOL_EXIT_USAGE,
                                "--procedure address needs NEW_ADDR (0: the lowest free)");
        }
        if (tool_parse_addr(argv[1], true, &addr) != 0 || addr == node) {
            return command_fail(
                c, TOOL_EXIT_USAGE,
                "bad NEW_ADDR \"%s\" (a unicast address other than the node's, or 0 for "
                "the lowest free)",
                argv[1]);
        }
    } else {
        if (argc > 1) {
            return command_fail(c, TOOL_EXIT_USAGE, "--procedure %s takes no NEW_ADDR",
                                c->a->val[OPT_PROCEDURE]);
        }
        addr = node;
    }
    return nppi_run(c, addr, procedure == BT_MESH_RPR_NODE_REFRESH_COMPOSITION);
}

static int nppi_report(struct cmd_ctx *c, uint16_t from_addr, const uint8_t uuid[16],
                       const uint8_t old_key[16], unsigned procedure, uint64_t since_ms,
                       const struct b_outcome *o);

/* Run one NPPI procedure on the node c->srv: addr its new address (its own: key or composition
 * refresh, comp choosing), and report. In the shell it runs in the background. */
static int nppi_run(struct cmd_ctx *c, uint16_t addr, bool comp)
{
    uint64_t since_ms;
    const struct meshrpr_cdb_node *entry;
    struct b_outcome o;
    struct b_target *t;
    struct bt_mesh_rpr_node srv = c->srv;
    uint8_t old_key[16], uuid[16];
    unsigned procedure;
    char why[160];
    int err;

    if (addr != srv.addr) {
        /* The new address must be free before anything is sent. */
        int rc = precheck_new_node(c, NULL, srv.net_idx, addr);
        if (rc != TOOL_EXIT_OK) {
            return rc;
        }
    }
    /* NPPI comes with the Remote Provisioning Server's NPPI handler: without it every Link
     * Open(NPPI) is refused. Check first, so nothing is sent for a procedure that cannot
     * work, and say so plainly. */
    if (!commands_nppi_available(why, sizeof(why))) {
        building_activate(c->b);
        out_bool(c->out.root, "available", false);
        return command_fail(c, TOOL_EXIT_UNAVAILABLE,
                            "reprovision-remote: NPPI re-provisioning is not available yet in "
                            "this build of meshrpr (%s); nothing was sent and the world is "
                            "unchanged",
                            why);
    }
    building_activate(c->b);
    entry = meshrpr_cdb_node_get(&c->w->cdb, srv.addr);
    memcpy(old_key, entry->dev_key, 16);
    memcpy(uuid, entry->uuid, 16);
    procedure = addr != srv.addr ? BT_MESH_RPR_NODE_REFRESH_ADDR
                : comp           ? BT_MESH_RPR_NODE_REFRESH_COMPOSITION
                                 : BT_MESH_RPR_NODE_REFRESH_DEVKEY;
    t = building_target_add(c->b, uuid, NULL, 0);
    if (t == NULL) {
        return command_fail(c, TOOL_EXIT_FAIL, "too many provisionings at once");
    }
    since_ms = building_now_ms(c->b);
    err = bt_mesh_reprovision_remote(building_rpr_cli(c->b), &srv, addr, comp);
    if (err != 0) {
        building_target_del(c->b, t);
        return req_fail(c, out_procedure(procedure), err);
    }
    if (c->sh != NULL) {
        /* In the shell the procedure runs on while the prompt stays live; the outcome
         * follows. */
        struct shell_job j = { .kind = SHELL_JOB_NPPI,
                               .server = srv.addr,
                               .has_uuid = true,
                               .since_ms = since_ms,
                               .deadline_ms = since_ms + PROVISION_MAX_MS,
                               .t = t,
                               .procedure = procedure };
        memcpy(j.uuid, uuid, 16);
        memcpy(j.old_key, old_key, 16);
        out_str(c->out.root, "procedure", out_procedure(procedure));
        snprintf(j.command, sizeof(j.command), "%s", c->a->argv[0]);
        return shell_job_start(c, &j);
    }
    (void)building_prov_wait(c->b, uuid, srv.addr, since_ms, PROVISION_MAX_MS, &o);
    building_target_del(c->b, t);
    return nppi_report(c, srv.addr, uuid, old_key, procedure, since_ms, &o);
}

/* How the NPPI procedure on the node from_addr (the device uuid, old_key its device key
 * before) that started at since_ms ended: the database's new entry, and whether the node
 * answers with its new device key. */
static int nppi_report(struct cmd_ctx *c, uint16_t from_addr, const uint8_t uuid[16],
                       const uint8_t old_key[16], unsigned procedure, uint64_t since_ms,
                       const struct b_outcome *op)
{
    const struct meshrpr_cdb_node *entry;
    struct b_outcome outcome = *op;
    const struct b_outcome *o = &outcome;
    unsigned elements = 0, models = 0;
    char from[7], to[7], took[24];
    int err;

    explain_failure(c, uuid, since_ms, &outcome);

    tool_addr_str(from, from_addr);
    tool_time_str(took, o->time_ms - since_ms);
    out_str(c->out.root, "procedure", out_procedure(procedure));
    out_num(c->out.root, "time_ms", (double)(o->time_ms - since_ms));
    if (!o->ok) {
        out_str(c->out.root, "result", o->why);
        return command_fail(c, TOOL_EXIT_FAIL, "%s of %s failed: %s (the database is unchanged)",
                            out_procedure(procedure), from, o->why);
    }
    entry = meshrpr_cdb_node_by_uuid(&c->w->cdb, uuid);
    if (entry == NULL) {
        return command_fail(c, TOOL_EXIT_FAIL, "the node left the database");
    }
    tool_addr_str(to, entry->addr);
    out_num(c->out.root, "addr", entry->addr);
    out_bool(c->out.root, "new_dev_key", memcmp(entry->dev_key, old_key, 16) != 0);
    /* The node must answer with the new device key now (MshPRTv1.1 §3.11.8). */
    err = building_comp_get(c->b, entry->addr, 3, &elements, &models);
    out_bool(c->out.root, "answers_with_new_key", err == 0);
    if (memcmp(entry->dev_key, old_key, 16) == 0) {
        return command_fail(c, TOOL_EXIT_FAIL,
                            "%s of %s reported success but the database still holds "
                            "the old device key",
                            out_procedure(procedure), from);
    }
    out_text(&c->out, "%s of %s done in %s s: now %s with a new device key",
             out_procedure(procedure), from, took, to);
    if (err != 0) {
        return command_fail(c, TOOL_EXIT_FAIL,
                            "%s does not answer Composition Data Get with its new device "
                            "key: %s",
                            to, req_error(err));
    }
    out_num(c->out.root, "elements", elements);
    out_num(c->out.root, "models", models);
    out_text(&c->out, "%s answers Composition Data Get with the new key: %u element%s, %u models",
             to, elements, elements == 1 ? "" : "s", models);
    return TOOL_EXIT_OK;
}

/* ---- discover and the shell's background operations ----------------------------------- */

/* A report line of a running scan: "[t s] 0xSRV: UUID rssi R dBm, oob ...". */
static void print_live_report(struct cmd_ctx *c, const struct b_scan_event *e)
{
    char id[33], oob[96], at[24], srv[7];

    tool_uuid_str(id, e->unprov.uuid);
    tool_time_str(at, e->time_ms);
    tool_addr_str(srv, e->server);
    out_oob_info((uint16_t)e->unprov.oob, oob, sizeof(oob));
    out_str(c->out.root, "event", "report");
    out_num(c->out.root, "server", e->server);
    out_str(c->out.root, "uuid", id);
    out_num(c->out.root, "rssi", e->unprov.rssi);
    out_num(c->out.root, "time_ms", (double)e->time_ms);
    out_text(&c->out, "[%s s] %s: %s  rssi %d dBm, oob %s", at, srv, id, e->unprov.rssi, oob);
}

bool commands_job_ready(struct cmd_ctx *c, struct shell_job *j)
{
    struct b_outcome o;

    uint64_t now = building_now_ms(c->b);

    if (now >= j->deadline_ms) {
        return true;
    }
    if (j->kind == SHELL_JOB_SCAN) {
        struct scan_wait w = { .server = j->server,
                               .since_ms = j->since_ms,
                               .uuid = j->has_uuid ? j->uuid : NULL };
        return (j->has_uuid && j->reported > 0) || scan_event(c->b, &w, j->reported) != NULL;
    }
    if (j->kind == SHELL_JOB_EXT_SCAN) {
        struct scan_wait w = {
            .server = j->server, .since_ms = j->since_ms, .uuid = j->uuid, .ext = true
        };
        return scan_event(c->b, &w, 0) != NULL;
    }
    /* A link's end is printed after the grace for the session's own report (see
     * commands_job_poll()): nothing to print before. */
    if (j->ended_ms == 0 && prov_ended(c->b, j->uuid, j->server, j->since_ms, &o)) {
        j->ended_ms = o.time_ms > 0 ? o.time_ms : now;
    }
    return j->ended_ms != 0 && now >= j->ended_ms + BUILDING_PROV_GRACE_MS;
}

int commands_job_poll(struct cmd_ctx *c, struct shell_job *j, bool json)
{
    struct cmd_ctx jc = *c;
    uint64_t now = building_now_ms(c->b);
    int rc = -1;

    jc.sh = NULL;
    if (j->kind == SHELL_JOB_SCAN) {
        struct scan_wait w = { .server = j->server,
                               .since_ms = j->since_ms,
                               .uuid = j->has_uuid ? j->uuid : NULL };
        const struct b_scan_event *e;
        char srv[16], at[24];

        while ((e = scan_event(c->b, &w, j->reported)) != NULL) {
            if (out_begin(&jc.out, json, j->command) == 0) {
                print_live_report(&jc, e);
                out_end(&jc.out);
            }
            record_found(&jc, e);
            j->reported++;
        }
        if (!(j->has_uuid && j->reported > 0) && now < j->deadline_ms) {
            return -1;
        }
        if (j->server != 0) {
            tool_addr_str(srv, j->server);
        } else {
            snprintf(srv, sizeof(srv), "every server");
        }
        tool_time_str(at, now < j->deadline_ms ? now : j->deadline_ms);
        if (out_begin(&jc.out, json, j->command) == 0) {
            out_str(jc.out.root, "event", "end");
            out_num(jc.out.root, "devices", (double)j->reported);
            out_text(&jc.out, "[%s s] %s through %s over: %zu report%s", at, j->command, srv,
                     j->reported, j->reported == 1 ? "" : "s");
            out_end(&jc.out);
        }
        rc = TOOL_EXIT_OK;
    } else if (j->kind == SHELL_JOB_EXT_SCAN) {
        struct scan_wait w = {
            .server = j->server, .since_ms = j->since_ms, .uuid = j->uuid, .ext = true
        };
        const struct b_scan_event *e = scan_event(c->b, &w, 0);

        if (e == NULL && now < j->deadline_ms) {
            return -1;
        }
        if (out_begin(&jc.out, json, j->command) != 0) {
            rc = TOOL_EXIT_FAIL;
        } else {
            out_str(jc.out.root, "event", "report");
            out_num(jc.out.root, "server", j->server);
            rc = ext_report(&jc, j->server, j->uuid, j->timeout_s, e);
            out_end(&jc.out);
        }
    } else {
        struct b_outcome o;

        if (j->ended_ms == 0 && prov_ended(c->b, j->uuid, j->server, j->since_ms, &o)) {
            j->ended_ms = o.time_ms > 0 ? o.time_ms : now;
        }
        /* The session's own report may trail the link's end a little (building.h). */
        if (j->ended_ms != 0 && now >= j->ended_ms + BUILDING_PROV_GRACE_MS) {
            (void)prov_ended(c->b, j->uuid, j->server, j->since_ms, &o);
        } else if (now >= j->deadline_ms) {
            memset(&o, 0, sizeof(o));
            o.time_ms = now;
            snprintf(o.why, sizeof(o.why), "did not finish within %u s",
                     (unsigned)(PROVISION_MAX_MS / 1000));
        } else {
            return -1;
        }
        if (out_begin(&jc.out, json, j->command) != 0) {
            building_target_del(c->b, j->t);
            rc = TOOL_EXIT_FAIL;
        } else if (j->kind == SHELL_JOB_NPPI) {
            building_target_del(c->b, j->t);
            out_str(jc.out.root, "event", "result");
            out_num(jc.out.root, "server", j->server);
            rc = nppi_report(&jc, j->server, j->uuid, j->old_key, j->procedure, j->since_ms, &o);
            out_end(&jc.out);
        } else {
            out_str(jc.out.root, "event", "result");
            rc = prov_report(&jc, j->uuid, j->server, j->t, j->since_ms, &o);
            out_end(&jc.out);
        }
    }
    j->active = false;
    return rc;
}

int cmd_discover(struct cmd_ctx *c, int argc, char *const *argv)
{
    struct scan_wait wait = { .server = 0, .since_ms = building_now_ms(c->b) };
    uint64_t timeout_s = 10;
    const struct b_scan_event *e;
    cJSON *servers = out_arr(c->out.root, "servers");
    cJSON *arr;
    unsigned started = 0;
    size_t n = 0;
    char addr[7];

    if (argc > 0 && tool_parse_u64(argv[0], 1, 255, &timeout_s) != 0) {
        return command_fail(c, TOOL_EXIT_USAGE, "bad TIMEOUT \"%s\" (seconds, 1..255)", argv[0]);
    }
    /* One Scan Start on every node of the database but the provisioner: they scan side by
     * side, each reporting what it hears (MshPRTv1.1 §4.4.5.1). */
    for (size_t i = 0; i < MESHRPR_CDB_NODE_COUNT; i++) {
        const struct meshrpr_cdb_node *entry = &c->w->cdb.nodes[i];
        const struct world_node *wn;
        struct bt_mesh_rpr_scan_status st;
        struct bt_mesh_rpr_node srv;
        int err;

        if (!entry->valid || entry->addr == WORLD_PROV_ADDR) {
            continue;
        }
        wn = world_node_by_uuid(c->w, entry->uuid);
        if (wn != NULL && wn->role != WORLD_SERVER) {
            continue;
        }
        srv.addr = entry->addr;
        srv.net_idx = entry->net_idx;
        srv.ttl = BT_MESH_TTL_DEFAULT;
        tool_addr_str(addr, entry->addr);
        err = bt_mesh_rpr_scan_start(building_rpr_cli(c->b), &srv, NULL, (uint8_t)timeout_s,
                                     BT_MESH_RPR_SCAN_MAX_DEVS_ANY, &st);
        if (err != 0 || st.status != BT_MESH_RPR_SUCCESS) {
            cJSON *o = out_arr_obj(servers);
            out_num(o, "server", entry->addr);
            out_str(o, "error", err != 0 ? tool_errno_text(err) : out_rpr_status(st.status));
            out_text(&c->out, "server %s: no scan (%s)", addr,
                     err != 0 ? tool_errno_text(err) : out_rpr_status(st.status));
            continue;
        }
        out_num(out_arr_obj(servers), "server", entry->addr);
        started++;
    }
    if (started == 0) {
        return command_fail(c, TOOL_EXIT_FAIL, "no server could start a scan");
    }
    out_text(&c->out, "scanning through %u server%s for %u s", started, started == 1 ? "" : "s",
             (unsigned)timeout_s);
    if (c->sh != NULL) {
        struct shell_job j = { .kind = SHELL_JOB_SCAN,
                               .server = 0,
                               .since_ms = wait.since_ms,
                               .deadline_ms = wait.since_ms + timeout_s * 1000 + SCAN_GRACE_MS };
        snprintf(j.command, sizeof(j.command), "discover");
        return shell_job_start(c, &j);
    }
    (void)building_run_for(c->b, wait.since_ms + timeout_s * 1000 + SCAN_GRACE_MS -
                                     building_now_ms(c->b));
    while ((e = scan_event(c->b, &wait, n)) != NULL) {
        record_found(c, e);
        n++;
    }
    /* One line per device: the server that hears it best, and how many hear it. */
    arr = out_arr(c->out.root, "devices");
    out_text(&c->out, "%-32s %-7s %-5s %s", "UUID", "SERVER", "RSSI", "HEARD BY");
    for (size_t i = 0; i < n; i++) {
        const struct b_scan_event *a = scan_event(c->b, &wait, i);
        const struct b_scan_event *best = a;
        unsigned heard = 0;
        bool first = true;
        for (size_t k = 0; k < n; k++) {
            const struct b_scan_event *b2 = scan_event(c->b, &wait, k);
            if (memcmp(b2->unprov.uuid, a->unprov.uuid, 16) != 0) {
                continue;
            }
            first = first && k >= i;
            heard++;
            if (b2->unprov.rssi > best->unprov.rssi) {
                best = b2;
            }
        }
        if (first) {
            char id[33];
            cJSON *o = out_arr_obj(arr);
            tool_uuid_str(id, a->unprov.uuid);
            tool_addr_str(addr, best->server);
            out_str(o, "uuid", id);
            out_num(o, "server", best->server);
            out_num(o, "rssi", best->unprov.rssi);
            out_num(o, "heard_by", heard);
            out_bool(o, "provisioned",
                     meshrpr_cdb_node_by_uuid(&c->w->cdb, a->unprov.uuid) != NULL);
            out_text(&c->out, "%-32s %-7s %-5d %u server%s", id, addr, best->unprov.rssi, heard,
                     heard == 1 ? "" : "s");
        }
    }
    out_num(c->out.root, "reports", (double)n);
    out_text(&c->out, "%zu report%s from %u server%s", n, n == 1 ? "" : "s", started,
             started == 1 ? "" : "s");
    return TOOL_EXIT_OK;
}

/* ---- The tool's own commands --------------------------------------------------------------- */

static const struct world_node *node_of(struct world *w, const uint8_t uuid[16])
{
    return world_node_by_uuid(w, uuid);
}

static const char *role_word(const struct world_node *n)
{
    if (n == NULL) {
        return "unknown";
    }
    return n->role == WORLD_PROVISIONER ? "provisioner"
           : n->role == WORLD_SERVER    ? "server"
                                        : "device";
}

int cmd_nodes(struct cmd_ctx *c, int argc, char *const *argv)
{
    const struct meshrpr_cdb_node *order[MESHRPR_CDB_NODE_COUNT];
    size_t n = 0;
    cJSON *arr = out_arr(c->out.root, "nodes");

    (void)argc;
    (void)argv;
    for (size_t i = 0; i < MESHRPR_CDB_NODE_COUNT; i++) {
        if (c->w->cdb.nodes[i].valid) {
            size_t j = n++;
            /* Sorted by address. */
            while (j > 0 && order[j - 1]->addr > c->w->cdb.nodes[i].addr) {
                order[j] = order[j - 1];
                j--;
            }
            order[j] = &c->w->cdb.nodes[i];
        }
    }
    out_text(&c->out, "%-7s %-5s %-32s %-12s %s", "ADDR", "ELEMS", "UUID", "NAME", "ROLE");
    for (size_t i = 0; i < n; i++) {
        const struct meshrpr_cdb_node *e = order[i];
        const struct world_node *wn = node_of(c->w, e->uuid);
        cJSON *o = out_arr_obj(arr);
        char id[33], addr[7];

        tool_uuid_str(id, e->uuid);
        tool_addr_str(addr, e->addr);
        out_num(o, "addr", e->addr);
        out_num(o, "elements", e->num_elem);
        out_num(o, "net_idx", e->net_idx);
        out_str(o, "uuid", id);
        out_str(o, "name", wn != NULL ? wn->name : "");
        out_str(o, "role", role_word(wn));
        out_hex(o, "dev_key", e->dev_key, 16);
        out_text(&c->out, "%-7s %-5u %-32s %-12s %s", addr, (unsigned)e->num_elem, id,
                 wn != NULL ? wn->name : "-", role_word(wn));
    }
    out_text(&c->out, "%zu node%s in the database", n, n == 1 ? "" : "s");
    return TOOL_EXIT_OK;
}

/* The Scan Report (not extended) of f's device through f's server, or NULL. */
static const struct world_found *beacon_of(const struct world *w, const struct world_found *f)
{
    for (size_t i = 0; i < w->found_count; i++) {
        const struct world_found *g = &w->found[i];
        if (!g->ext && g->server == f->server && memcmp(g->uuid, f->uuid, 16) == 0) {
            return g;
        }
    }
    return NULL;
}

/* devices --unprovisioned: each device the scans found that the database does not hold, once,
 * with the server that heard it best (the one provision-remote picks). */
static int unprovisioned(struct cmd_ctx *c)
{
    cJSON *arr = out_arr(c->out.root, "devices");
    size_t n = 0;

    out_text(&c->out, "%-32s %-7s %-5s %-9s %s", "UUID", "SERVER", "RSSI", "FOUND AT", "OOB");
    for (size_t i = 0; i < c->w->found_count; i++) {
        const struct world_found *f = &c->w->found[i];
        const struct world_found *best = NULL;
        char id[33], srv[7], at[24], oob[96];
        bool seen = false;
        cJSON *o;

        if (f->ext || meshrpr_cdb_node_by_uuid(&c->w->cdb, f->uuid) != NULL) {
            continue;
        }
        for (size_t k = 0; k < c->w->found_count; k++) {
            const struct world_found *g = &c->w->found[k];
            if (g->ext || memcmp(g->uuid, f->uuid, 16) != 0) {
                continue;
            }
            seen = seen || k < i;
            if (best == NULL || g->rssi > best->rssi) {
                best = g;
            }
        }
        if (seen) {
            continue;
        }
        n++;
        tool_uuid_str(id, best->uuid);
        tool_addr_str(srv, best->server);
        tool_time_str(at, best->time_ms);
        out_oob_info(best->oob_info, oob, sizeof(oob));
        o = out_arr_obj(arr);
        out_str(o, "uuid", id);
        out_num(o, "server", best->server);
        out_num(o, "rssi", best->rssi);
        out_num(o, "oob_info", best->oob_info);
        out_num(o, "time_ms", (double)best->time_ms);
        out_text(&c->out, "%-32s %-7s %-5d %-9s %s", id, srv, best->rssi, at, oob);
    }
    out_text(&c->out, "%zu unprovisioned device%s", n, n == 1 ? "" : "s");
    return TOOL_EXIT_OK;
}

int cmd_devices(struct cmd_ctx *c, int argc, char *const *argv)
{
    cJSON *arr;

    (void)argc;
    (void)argv;
    if (c->a->set[OPT_UNPROVISIONED]) {
        return unprovisioned(c);
    }
    arr = out_arr(c->out.root, "devices");
    out_text(&c->out, "%-32s %-7s %-5s %-9s %s", "UUID", "SERVER", "RSSI", "FOUND AT", "DETAILS");
    for (size_t i = 0; i < c->w->found_count; i++) {
        const struct world_found *f = &c->w->found[i];
        const struct meshrpr_cdb_node *entry = meshrpr_cdb_node_by_uuid(&c->w->cdb, f->uuid);
        cJSON *o = out_arr_obj(arr);
        char id[33], srv[7], at[24], details[256], oob[96];

        const struct world_found *heard = f->ext ? beacon_of(c->w, f) : f;
        char rssi[8] = "-";

        tool_uuid_str(id, f->uuid);
        tool_addr_str(srv, f->server);
        tool_time_str(at, f->time_ms);
        out_str(o, "uuid", id);
        out_num(o, "server", f->server);
        if (heard != NULL) {
            /* An Extended Scan Report carries no RSSI (MshPRTv1.1 §4.3.4): the server's
             * Scan Report of the same device says how well it hears it. */
            snprintf(rssi, sizeof(rssi), "%d", heard->rssi);
            out_num(o, "rssi", heard->rssi);
        }
        out_num(o, "oob_info", f->oob_info);
        out_bool(o, "extended", f->ext);
        out_num(o, "time_ms", (double)f->time_ms);
        if (f->has_uri_hash) {
            out_num(o, "uri_hash", f->uri_hash);
        }
        if (f->ext) {
            out_hex(o, "ad_data", f->ad, f->ad_len);
            (void)out_ad(f->ad, f->ad_len, details, sizeof(details), out_arr(o, "ad"));
        } else {
            out_oob_info(f->oob_info, oob, sizeof(oob));
            snprintf(details, sizeof(details), "oob %s", oob);
            if (f->has_uri_hash) {
                size_t used = strlen(details);
                snprintf(details + used, sizeof(details) - used, ", uri hash %08" PRIx32,
                         f->uri_hash);
            }
        }
        if (entry != NULL) {
            size_t used = strlen(details);
            out_num(o, "provisioned_as", entry->addr);
            snprintf(details + used, sizeof(details) - used, "; provisioned as 0x%04x",
                     (unsigned)entry->addr);
        }
        out_text(&c->out, "%-32s %-7s %-5s %-9s %s", id, srv, rssi, at, details);
    }
    out_text(&c->out, "%zu scan result%s", c->w->found_count, c->w->found_count == 1 ? "" : "s");
    return TOOL_EXIT_OK;
}

/* The tshark options that decrypt a capture of this world (see docs/tool.md). */
static void tshark_args(struct world *w, char *text, size_t size)
{
    size_t used = 0;
    const struct meshrpr_cdb_app_key *app = NULL;

    for (size_t i = 0; i < MESHRPR_CDB_APP_KEY_COUNT; i++) {
        if (w->cdb.app_keys[i].valid) {
            app = &w->cdb.app_keys[i];
            break;
        }
    }
    text[0] = '\0';
    for (size_t i = 0; i < MESHRPR_CDB_SUBNET_COUNT; i++) {
        const struct meshrpr_cdb_subnet *s = &w->cdb.subnets[i];
        char nk[33], ak[33];
        if (!s->valid) {
            continue;
        }
        tool_hex(nk, s->key, 16);
        tool_hex(ak, app != NULL ? app->key : s->key, 16);
        /* Wireshark's "BTMesh Network and Application keys" table (file btmesh_nw_keys):
         * network key, application key and IV Index, each a quoted 0x-prefixed hex string. The
         * words hold no space, so $(meshrpr keys --tshark) passes them to tshark as they are. */
        used += (size_t)snprintf(text + used, used < size ? size - used : 0,
                                 "%s-o uat:btmesh_nw_keys:\"0x%s\",\"0x%s\",\"0x%08" PRIx32 "\"",
                                 used > 0 ? " " : "", nk, ak, w->cdb.iv_index);
    }
    for (size_t i = 0; i < MESHRPR_CDB_NODE_COUNT; i++) {
        const struct meshrpr_cdb_node *n = &w->cdb.nodes[i];
        char dk[33];
        if (!n->valid) {
            continue;
        }
        tool_hex(dk, n->dev_key, 16);
        /* "BTMesh Device keys" (btmesh_dev_keys): device key and the node's address. */
        used +=
            (size_t)snprintf(text + used, used < size ? size - used : 0,
                             " -o uat:btmesh_dev_keys:\"0x%s\",\"0x%04x\"", dk, (unsigned)n->addr);
    }
}

int cmd_keys(struct cmd_ctx *c, int argc, char *const *argv)
{
    struct world *w = c->w;
    struct world *own = NULL;
    cJSON *nets, *apps, *devs;
    char *tshark;

    if (argc == 1) {
        /* A database file (meshrpr demo --cdb FILE, or any Mesh CDB JSON). */
        char err[200];
        own = world_alloc();
        if (own == NULL) {
            return command_fail(c, TOOL_EXIT_FAIL, "out of memory");
        }
        if (meshrpr_cdb_load(&own->cdb, argv[0], err, sizeof(err)) != 0) {
            world_free(own);
            return command_fail(c, TOOL_EXIT_USAGE, "cannot read the database %s: %s", argv[0],
                                err);
        }
        w = own;
    } else if (w == NULL) {
        return command_fail(c, TOOL_EXIT_USAGE,
                            "keys needs --world FILE or a database file (CDB_FILE)");
    }
    nets = out_arr(c->out.root, "net_keys");
    apps = out_arr(c->out.root, "app_keys");
    devs = out_arr(c->out.root, "dev_keys");
    out_num(c->out.root, "iv_index", w->cdb.iv_index);
    tshark = malloc(16384);
    if (tshark == NULL) {
        world_free(own);
        return command_fail(c, TOOL_EXIT_FAIL, "out of memory");
    }
    tshark_args(w, tshark, 16384);
    if (c->a->set[OPT_TSHARK]) {
        out_str(c->out.root, "tshark_options", tshark);
        if (!c->out.json) {
            printf("%s\n", tshark);
        }
        free(tshark);
        world_free(own);
        return TOOL_EXIT_OK;
    }
    out_text(&c->out, "IV Index %08" PRIx32, w->cdb.iv_index);
    for (size_t i = 0; i < MESHRPR_CDB_SUBNET_COUNT; i++) {
        const struct meshrpr_cdb_subnet *s = &w->cdb.subnets[i];
        char k[33];
        if (s->valid) {
            cJSON *o = out_arr_obj(nets);
            tool_hex(k, s->key, 16);
            out_num(o, "index", s->net_idx);
            out_str(o, "key", k);
            out_text(&c->out, "NetKey %03x  %s", (unsigned)s->net_idx, k);
        }
    }
    for (size_t i = 0; i < MESHRPR_CDB_APP_KEY_COUNT; i++) {
        const struct meshrpr_cdb_app_key *a = &w->cdb.app_keys[i];
        char k[33];
        if (a->valid) {
            cJSON *o = out_arr_obj(apps);
            tool_hex(k, a->key, 16);
            out_num(o, "index", a->app_idx);
            out_num(o, "net_index", a->net_idx);
            out_str(o, "key", k);
            out_text(&c->out, "AppKey %03x  %s (bound to NetKey %03x)", (unsigned)a->app_idx, k,
                     (unsigned)a->net_idx);
        }
    }
    for (size_t i = 0; i < MESHRPR_CDB_NODE_COUNT; i++) {
        const struct meshrpr_cdb_node *n = &w->cdb.nodes[i];
        char k[33];
        if (n->valid) {
            cJSON *o = out_arr_obj(devs);
            tool_hex(k, n->dev_key, 16);
            out_num(o, "addr", n->addr);
            out_str(o, "key", k);
            out_text(&c->out, "DevKey 0x%04x  %s", (unsigned)n->addr, k);
        }
    }
    out_str(c->out.root, "tshark_options", tshark);
    out_text(&c->out, "tshark options (keys --tshark prints them alone, for "
                      "tshark -2 -r FILE $(meshrpr ... keys --tshark)):");
    out_text(&c->out, "  %s", tshark);
    free(tshark);
    world_free(own);
    return TOOL_EXIT_OK;
}

int cmd_run(struct cmd_ctx *c, int argc, char *const *argv)
{
    uint64_t seconds;
    char now[24];

    (void)argc;
    if (tool_parse_u64(argv[0], 0, 86400, &seconds) != 0) {
        return command_fail(c, TOOL_EXIT_USAGE, "bad SECONDS \"%s\" (0..86400)", argv[0]);
    }
    if (c->sh != NULL && c->sh->poll != NULL) {
        /* In steps, printing what running operations report on the way. */
        uint64_t end = building_now_ms(c->b) + seconds * 1000;
        while (building_now_ms(c->b) < end) {
            uint64_t left = end - building_now_ms(c->b);
            (void)building_run_for(c->b, left < RUN_STEP_MS ? left : RUN_STEP_MS);
            c->sh->poll(c->sh->owner);
        }
    } else {
        (void)building_run_for(c->b, seconds * 1000);
    }
    tool_time_str(now, building_now_ms(c->b));
    out_num(c->out.root, "time_ms", (double)building_now_ms(c->b));
    out_text(&c->out, "virtual time %s s", now);
    return TOOL_EXIT_OK;
}

/* ---- The NPPI feature probe ---------------------------------------------------------------- */

bool commands_nppi_available(char *why, size_t why_size)
{
    struct world_params p = {
        .servers = 1, .devices = 0, .seed = 1, .loss = 0, .range_m = WORLD_DEFAULT_RANGE_M
    };
    struct world *w = world_alloc();
    struct building *b = NULL;
    struct bt_mesh_rpr_node srv = { .addr = WORLD_PROV_ADDR + 1, .ttl = BT_MESH_TTL_DEFAULT };
    struct b_outcome o;
    bool ok = false;
    int err;

    tool_msg(why, why_size, "the probe could not run");
    if (w == NULL || world_generate(w, &p, NULL, 0) != 0 ||
        (b = building_start(w, NULL, NULL, 0)) == NULL || building_install(b, NULL, 0) != 0) {
        goto out;
    }
    /* A Device Key Refresh of a server next to the provisioner: the simplest NPPI procedure. */
    err = bt_mesh_reprovision_remote(building_rpr_cli(b), &srv, srv.addr, false);
    if (err != 0) {
        tool_msg(why, why_size, "%s",
                 err == -ECONNREFUSED ? "the Remote Provisioning Server refuses NPPI link opens"
                                      : req_error(err));
        goto out;
    }
    if (!building_prov_wait(b, w->nodes[1].uuid, srv.addr, 0, 60000, &o) || !o.ok) {
        tool_msg(why, why_size, "a Device Key Refresh failed: %s", o.why);
        goto out;
    }
    ok = true;
out:
    (void)building_stop(b);
    world_free(w);
    return ok;
}

int cmd_features(struct cmd_ctx *c, int argc, char *const *argv)
{
    char why[160];
    bool nppi = commands_nppi_available(why, sizeof(why));

    (void)argc;
    (void)argv;
    if (c->b != NULL) {
        building_activate(c->b);
    }
    out_bool(c->out.root, "remote_provisioning", true);
    out_bool(c->out.root, "nppi", nppi);
    if (!nppi) {
        out_str(c->out.root, "nppi_reason", why);
    }
    out_text(&c->out, "remote provisioning: yes");
    out_text(&c->out, "NPPI re-provisioning: %s%s%s", nppi ? "yes" : "not available yet (",
             nppi ? "" : why, nppi ? "" : ")");
    return TOOL_EXIT_OK;
}

/* ---- world new ----------------------------------------------------------------------------- */

static int parse_world_params(struct cmd_ctx *c, struct world_params *p, unsigned def_servers,
                              unsigned def_devices)
{
    const struct args *a = c->a;
    uint64_t v;

    p->servers = def_servers;
    p->devices = def_devices;
    p->near = 0;
    p->seed = 1;
    p->loss = 0;
    p->range_m = WORLD_DEFAULT_RANGE_M;
    if (a->set[OPT_SERVERS]) {
        if (tool_parse_u64(a->val[OPT_SERVERS], 1, WORLD_MAX_SERVERS, &v) != 0) {
            return command_fail(c, TOOL_EXIT_USAGE, "bad --servers (1..%d)", WORLD_MAX_SERVERS);
        }
        p->servers = (unsigned)v;
    }
    if (a->set[OPT_DEVICES]) {
        if (tool_parse_u64(a->val[OPT_DEVICES], 0, world_max_devices(NULL), &v) != 0) {
            return command_fail(c, TOOL_EXIT_USAGE, "bad --devices (0..%u)",
                                world_max_devices(NULL));
        }
        p->devices = (unsigned)v;
    }
    if (a->set[OPT_NEAR]) {
        if (tool_parse_u64(a->val[OPT_NEAR], 0, WORLD_MAX_NEAR, &v) != 0) {
            return command_fail(c, TOOL_EXIT_USAGE, "bad --near (0..%d)", WORLD_MAX_NEAR);
        }
        p->near = (unsigned)v;
    }
    {
        char why[200];
        if (world_params_check(p, why, sizeof(why)) != 0) {
            return command_fail(c, TOOL_EXIT_USAGE, "%s", why);
        }
    }
    if (a->set[OPT_SEED] && tool_parse_u64(a->val[OPT_SEED], 0, 9007199254740991ull, &p->seed)) {
        return command_fail(c, TOOL_EXIT_USAGE, "bad --seed (0..2^53-1)");
    }
    if (!a->set[OPT_SEED]) {
        /* Worlds must not share keys: a new one is seeded from the OS (--seed repeats one). */
        if (tool_random_seed(&p->seed) != 0) {
            return command_fail(c, TOOL_EXIT_FAIL,
                                "cannot read the OS random source for a seed (give "
                                "--seed N)");
        }
    }
    if (a->set[OPT_LOSS] && tool_parse_double(a->val[OPT_LOSS], 0, 0.9, &p->loss) != 0) {
        return command_fail(c, TOOL_EXIT_USAGE, "bad --loss (a probability, 0..0.9)");
    }
    if (a->set[OPT_RANGE] && tool_parse_double(a->val[OPT_RANGE], 1, 1000, &p->range_m) != 0) {
        return command_fail(c, TOOL_EXIT_USAGE, "bad --range (metres, 1..1000)");
    }
    return TOOL_EXIT_OK;
}

int commands_building_opts(const struct args *a, struct building_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->pcap_path = a->set[OPT_PCAP] ? a->val[OPT_PCAP] : NULL;
    o->log_level = MESHRPR_LOG_LEVEL_NONE;
    if (a->set[OPT_LOG]) {
        static const char *const levels[] = { "none", "err", "wrn", "inf", "dbg" };
        size_t i;
        for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
            if (strcmp(a->val[OPT_LOG], levels[i]) == 0) {
                break;
            }
        }
        if (i == sizeof(levels) / sizeof(levels[0])) {
            tool_error("bad --log (none, err, wrn, inf or dbg)");
            return TOOL_EXIT_USAGE;
        }
        o->log_level = (enum meshrpr_log_level)i;
    }
    return TOOL_EXIT_OK;
}

int cmd_world(struct cmd_ctx *c, int argc, char *const *argv)
{
    struct world_params p;
    struct building_opts bo;
    struct building *b;
    struct world *w;
    char err[256];
    int rc;

    if (strcmp(argv[0], "new") != 0) {
        return command_fail(c, TOOL_EXIT_USAGE, "unknown world command \"%s\" (world new FILE)",
                            argv[0]);
    }
    if (argc != 2) {
        return command_fail(c, TOOL_EXIT_USAGE,
                            "usage: meshrpr world new FILE [--devices N] [--servers N] "
                            "[--seed N] [--loss P] [--range M] [--force]");
    }
    rc = parse_world_params(c, &p, WORLD_DEFAULT_SERVERS, WORLD_DEFAULT_DEVICES);
    if (rc != TOOL_EXIT_OK) {
        return rc;
    }
    rc = commands_building_opts(c->a, &bo);
    if (rc != TOOL_EXIT_OK) {
        return rc;
    }
    if (!c->a->set[OPT_FORCE]) {
        FILE *f = fopen(argv[1], "rb");
        if (f != NULL) {
            fclose(f);
            return command_fail(c, TOOL_EXIT_USAGE, "%s exists (use --force to replace it)",
                                argv[1]);
        }
    }
    w = world_alloc();
    if (w == NULL) {
        return command_fail(c, TOOL_EXIT_FAIL, "out of memory");
    }
    rc = world_generate(w, &p, err, sizeof(err));
    b = rc == 0 ? building_start(w, &bo, err, sizeof(err)) : NULL;
    if (b == NULL || building_install(b, err, sizeof(err)) != 0) {
        (void)building_stop(b);
        world_free(w);
        return command_fail(c, TOOL_EXIT_FAIL, "cannot create the world: %s", err);
    }
    w->time_ms = building_now_ms(b);
    rc = building_stop(b);
    if (rc == 0) {
        rc = world_save(w, argv[1], err, sizeof(err));
        if (rc != 0) {
            world_free(w);
            return command_fail(c, TOOL_EXIT_WORLD, "%s", err);
        }
    }
    out_str(c->out.root, "world", argv[1]);
    out_num(c->out.root, "seed", (double)p.seed);
    out_num(c->out.root, "servers", p.servers);
    out_num(c->out.root, "devices", p.devices);
    out_text(&c->out,
             "created %s: provisioner 0x%04x, %u server%s (0x%04x..0x%04x), %u "
             "unprovisioned device%s out of the provisioner's range, seed %" PRIu64,
             argv[1], WORLD_PROV_ADDR, p.servers, p.servers == 1 ? "" : "s", WORLD_PROV_ADDR + 1,
             WORLD_PROV_ADDR + p.servers, p.devices, p.devices == 1 ? "" : "s", p.seed);
    if (c->a->set[OPT_CDB] && meshrpr_cdb_save(&w->cdb, c->a->val[OPT_CDB]) != 0) {
        world_free(w);
        return command_fail(c, TOOL_EXIT_FAIL, "cannot write the database to %s",
                            c->a->val[OPT_CDB]);
    }
    world_free(w);
    return rc == 0 ? TOOL_EXIT_OK
                   : command_fail(c, TOOL_EXIT_FAIL, "the capture could not be written");
}

int cmd_demo(struct cmd_ctx *c, int argc, char *const *argv)
{
    (void)argc;
    (void)argv;
    return demo_run(c);
}

int cmd_shell(struct cmd_ctx *c, int argc, char *const *argv)
{
    (void)argc;
    (void)argv;
    return shell_run(c);
}

int command_server(struct cmd_ctx *c, uint16_t addr)
{
    const struct meshrpr_cdb_node *entry = meshrpr_cdb_node_get(&c->w->cdb, addr);
    char a[7];

    tool_addr_str(a, addr);
    if (entry == NULL || entry->addr != addr) {
        return command_fail(
            c, TOOL_EXIT_USAGE,
            "unknown server %s: no node with that primary address in the provisioner's "
            "database (see the nodes command)",
            a);
    }
    if (addr == WORLD_PROV_ADDR) {
        return command_fail(c, TOOL_EXIT_USAGE,
                            "%s is the provisioner itself, which has no Remote Provisioning Server",
                            a);
    }
    c->srv.addr = addr;
    c->srv.net_idx = entry->net_idx;
    c->srv.ttl = BT_MESH_TTL_DEFAULT;
    return TOOL_EXIT_OK;
}

int command_check(const struct command *cmd, struct cmd_ctx *c)
{
    const struct args *a = c->a;
    unsigned allowed =
        OPT_GLOBAL | cmd->opts | ((cmd->flags & CMD_SERVER) ? OPT_BIT(OPT_SERVER) : 0);
    enum opt_id bad_opt = args_first_disallowed(a, allowed);
    int nargs = a->argc - 1;
    uint16_t addr;

    if (bad_opt != OPT_COUNT) {
        return command_fail(c, TOOL_EXIT_USAGE,
                            "option --%s does not apply to %s (usage: meshrpr %s)",
                            args_opt_name(bad_opt), cmd->name, cmd->usage);
    }
    if (nargs < cmd->min_args || nargs > cmd->max_args) {
        return command_fail(c, TOOL_EXIT_USAGE, "%s arguments for %s (usage: meshrpr %s)",
                            nargs < cmd->min_args ? "missing" : "too many", cmd->name, cmd->usage);
    }
    if ((cmd->flags & CMD_WORLD) && c->w == NULL && !a->set[OPT_WORLD]) {
        return command_fail(c, TOOL_EXIT_USAGE, "%s needs a world: meshrpr --world FILE %s",
                            cmd->name, cmd->usage);
    }
    if ((cmd->flags & CMD_SERVER) && !a->set[OPT_SERVER]) {
        return command_fail(c, TOOL_EXIT_USAGE,
                            "%s needs --server ADDR (a Remote Provisioning Server)", cmd->name);
    }
    if (a->set[OPT_SERVER] && tool_parse_addr(a->val[OPT_SERVER], false, &addr) != 0) {
        return command_fail(c, TOOL_EXIT_USAGE,
                            "bad --server \"%s\" (a unicast address, e.g. 0x0002)",
                            a->val[OPT_SERVER]);
    }
    return TOOL_EXIT_OK;
}

int command_resolve(const struct command *cmd, struct cmd_ctx *c)
{
    uint16_t addr;

    (void)cmd;
    if (!c->a->set[OPT_SERVER] || tool_parse_addr(c->a->val[OPT_SERVER], false, &addr) != 0) {
        return TOOL_EXIT_OK;
    }
    return command_server(c, addr);
}

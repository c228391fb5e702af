/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The meshrpr tool on a real Bluetooth controller (hci_target.h): one meshrpr node on the
 * POSIX host (include/meshrpr/posix_host.h) with the HCI radio (include/meshrpr/hci.h), in
 * real time. The provisioner's commands make the same documented calls as the world commands
 * (commands.c) and print one line per result; `node` runs a Remote Provisioning Server or an
 * unprovisioned device until it is told to stop.
 *
 * The documented struct bt_mesh_prov callbacks carry no context: one target per process,
 * found through one pointer.
 */
#include "hci_target.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <meshrpr/cdb.h>
#include <meshrpr/cfg_cli.h>
#include <meshrpr/cfg_srv.h>
#include <meshrpr/hci.h>
#include <meshrpr/node.h>
#include <meshrpr/posix_host.h>
#include <meshrpr/prov.h>
#include <meshrpr/rpr_cli.h>
#include <meshrpr/rpr_srv.h>
#include <meshrpr/storage.h>

#include "lock.h"
#include "output.h"
#include "util.h"

#define NET_IDX   0x000
#define PROV_ADDR 0x0001
/* After a scan's timeout, for the last reports. */
#define SCAN_GRACE_MS 3000u
/* Longest provisioning or NPPI procedure (the 60 s provisioning timer and the link). */
#define PROVISION_MAX_MS 90000u
/* Longest wait for transfers to end before the state is saved. */
#define SETTLE_MAX_MS 3000u
/* The unprovisioned device's scannable advertisement (its name in the scan response). */
#define DEVICE_ADV_INTERVAL_MS 500u

enum role { ROLE_PROVISIONER, ROLE_SERVER, ROLE_DEVICE };

struct target {
    struct meshrpr_posix_host host;
    struct meshrpr_hci hci;
    struct meshrpr_node node;
    struct meshrpr_node_config cfg;
    struct meshrpr_storage_file store;
    struct bt_mesh_prov prov;
    struct meshrpr_cdb cdb;
    char cdb_path[300];
    int lock_fd;
    enum role role;
    /* Options. */
    const char *spec;
    const char *state;
    const char *procedure;
    const char *name;
    bool server_set, node_set, uuid_set, comp_change, verbose, stats;
    uint16_t server, node_addr;
    uint8_t uuid[16];
    uint8_t static_oob[16];
    size_t static_len;
    /* Events. */
    uint8_t want_uuid[16];
    bool added;
    uint16_t added_addr;
    uint8_t added_elems;
    bool link_closed;
    bool link_idle;
    bool link_opened;
    unsigned found;
    bool ext_done;
    bool provisioned;
    /* The result (--json: one object on stdout; the text lines otherwise). */
    struct out out;
    bool json;
    cJSON *devices;
};

static struct target *T;
static struct bt_mesh_cfg_cli cfg_cli = { .timeout_ms = 5000 };
static struct bt_mesh_rpr_cli rpr_cli;

static const struct bt_mesh_model prov_models[] = {
    BT_MESH_MODEL_CFG_SRV,
    BT_MESH_MODEL_CFG_CLI(&cfg_cli),
    BT_MESH_MODEL_RPR_CLI(&rpr_cli),
};
static const struct bt_mesh_elem prov_elems[] = {
    BT_MESH_ELEM(0x0001, prov_models, BT_MESH_MODEL_NONE),
};
static const struct bt_mesh_comp prov_comp = {
    .cid = 0xffff, .pid = 0x0001, .vid = 0x0001, .elem_count = 1, .elem = prov_elems
};

static const struct bt_mesh_model srv_models[] = {
    BT_MESH_MODEL_CFG_SRV,
    BT_MESH_MODEL_RPR_SRV,
};
static const struct bt_mesh_elem srv_elems[] = {
    BT_MESH_ELEM(0x0001, srv_models, BT_MESH_MODEL_NONE),
};
static const struct bt_mesh_comp srv_comp = {
    .cid = 0xffff, .pid = 0x0002, .vid = 0x0001, .elem_count = 1, .elem = srv_elems
};

/* The device: Configuration Server, Remote Provisioning Server (for NPPI) and a Generic OnOff
 * Server; after a firmware update (--comp-change) page 128 adds a Generic Level Server. */
static const struct bt_mesh_model dev_models[] = {
    BT_MESH_MODEL_CFG_SRV,
    BT_MESH_MODEL_RPR_SRV,
    BT_MESH_MODEL(0x1000, NULL, NULL, NULL),
};
static const struct bt_mesh_elem dev_elems[] = {
    BT_MESH_ELEM(0x0001, dev_models, BT_MESH_MODEL_NONE),
};
static const struct bt_mesh_comp dev_comp = {
    .cid = 0xffff, .pid = 0x0003, .vid = 0x0001, .elem_count = 1, .elem = dev_elems
};
static const struct bt_mesh_model dev_models_next[] = {
    BT_MESH_MODEL_CFG_SRV,
    BT_MESH_MODEL_RPR_SRV,
    BT_MESH_MODEL(0x1000, NULL, NULL, NULL),
    BT_MESH_MODEL(0x1002, NULL, NULL, NULL),
};
static const struct bt_mesh_elem dev_elems_next[] = {
    BT_MESH_ELEM(0x0001, dev_models_next, BT_MESH_MODEL_NONE),
};
static const struct bt_mesh_comp dev_comp_next = {
    .cid = 0xffff, .pid = 0x0003, .vid = 0x0002, .elem_count = 1, .elem = dev_elems_next
};

/* ---- Helpers ------------------------------------------------------------------------------ */

static void say(const char *fmt, ...) TOOL_PRINTF(1, 2);
static void say(const char *fmt, ...)
{
    va_list ap;
    if (T->json) {
        return; /* the result object says it */
    }
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
    if (T != NULL) {
        meshrpr_posix_host_stop(&T->host);
    }
}

static bool hci_failed(void)
{
    return meshrpr_hci_state(&T->hci) == MESHRPR_HCI_FAILED;
}

struct wait {
    bool (*pred)(void *arg);
    void *arg;
};

static bool wait_pred(void *arg)
{
    const struct wait *w = arg;
    return hci_failed() || stop_signal != 0 || (w->pred != NULL && w->pred(w->arg));
}

/* Run the loop until pred holds, max_ms pass, the controller fails or a signal arrives.
 * @return true when pred held. */
static bool run_for(bool (*pred)(void *arg), void *arg, uint64_t max_ms)
{
    struct wait w = { pred, arg };
    (void)meshrpr_posix_host_run_until(&T->host, wait_pred, &w,
                                       meshrpr_posix_host_now_ms(&T->host) + max_ms);
    return pred != NULL && pred(arg);
}

static int controller_failed(void)
{
    tool_error("controller: %s", meshrpr_hci_error(&T->hci));
    return TOOL_EXIT_FAIL;
}

static bool settled(void *arg)
{
    (void)arg;
    return meshrpr_node_is_idle(&T->node) && meshrpr_posix_host_tx_idle(&T->host, &T->node);
}

/* Keys and UUIDs from the kernel's cryptographically secure generator. */
static int random_fill(uint8_t *out, size_t len)
{
    while (len > 0) {
        ssize_t n = getrandom(out, len, 0);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        out += n;
        len -= (size_t)n;
    }
    return 0;
}

static int path_in_state(char *out, size_t size, const char *name)
{
    int n = snprintf(out, size, "%s/%s", T->state, name);
    return n > 0 && (size_t)n < size ? 0 : -ENAMETOOLONG;
}

/* The node's UUID, kept in DIR/uuid (--uuid the first time, else random). */
static int uuid_load(char *err, size_t err_size)
{
    char path[300], hex[40];
    FILE *f;

    if (path_in_state(path, sizeof(path), "uuid") != 0) {
        tool_msg(err, err_size, "--state path too long");
        return -ENAMETOOLONG;
    }
    f = fopen(path, "r");
    if (f != NULL) {
        uint8_t stored[16];
        size_t len = 0;
        bool ok = fgets(hex, sizeof(hex), f) != NULL;
        fclose(f);
        hex[strcspn(hex, "\r\n")] = '\0';
        if (!ok || tool_unhex(hex, stored, 16, &len) != 0 || len != 16) {
            tool_msg(err, err_size, "%s: not a UUID (32 hex digits)", path);
            return -EINVAL;
        }
        if (T->uuid_set && memcmp(stored, T->uuid, 16) != 0) {
            tool_msg(err, err_size, "--uuid differs from the UUID kept in %s", path);
            return -EINVAL;
        }
        memcpy(T->uuid, stored, 16);
        return 0;
    }
    if (!T->uuid_set) {
        if (random_fill(T->uuid, 16) != 0) {
            tool_msg(err, err_size, "no randomness for a UUID");
            return -EIO;
        }
        T->uuid[6] = (uint8_t)((T->uuid[6] & 0x0f) | 0x40); /* version 4 (RFC 4122) */
        T->uuid[8] = (uint8_t)((T->uuid[8] & 0x3f) | 0x80);
    }
    tool_uuid_str(hex, T->uuid);
    f = fopen(path, "w");
    if (f == NULL || fprintf(f, "%s\n", hex) < 0 || fclose(f) != 0) {
        tool_msg(err, err_size, "cannot write %s: %s", path, strerror(errno));
        return -EIO;
    }
    return 0;
}

static int cdb_store(void *ctx, const struct meshrpr_cdb *cdb)
{
    (void)ctx;
    return meshrpr_cdb_save(cdb, T->cdb_path);
}

/* ---- Provisioning callbacks --------------------------------------------------------------- */

static void cb_capabilities(const struct bt_mesh_dev_capabilities *cap)
{
    /* Static OOB when the device has it and the installer gave its value; otherwise none. */
    if (T->static_len > 0 && (cap->oob_type & BT_MESH_STATIC_OOB_AVAILABLE)) {
        (void)meshrpr_prov_auth_method_set_static(&T->node, T->static_oob, T->static_len);
    } else {
        (void)meshrpr_prov_auth_method_set_none(&T->node);
    }
}

static void cb_node_added(uint16_t net_idx, uint8_t uuid[16], uint16_t addr, uint8_t num_elem)
{
    (void)net_idx;
    (void)uuid;
    T->added = true;
    T->added_addr = addr;
    T->added_elems = num_elem;
}

static void cb_link_open(bt_mesh_prov_bearer_t bearer)
{
    (void)bearer;
    T->link_opened = true;
}

static void cb_link_close(bt_mesh_prov_bearer_t bearer)
{
    (void)bearer;
    T->link_closed = true;
}

static void cb_complete(uint16_t net_idx, uint16_t addr)
{
    (void)net_idx;
    uint8_t key[16];
    char hex[33] = "";
    T->provisioned = true;
    if (meshrpr_node_dev_key_get(&T->node, key) == 0) {
        tool_hex(hex, key, 16);
    }
    say("provisioned as 0x%04x, device key %s", addr, hex);
}

static void cb_reprovisioned(uint16_t addr)
{
    say("reprovisioned as 0x%04x", addr);
}

static void cb_reset(void)
{
    say("reset: unprovisioned again");
    (void)meshrpr_prov_enable(&T->node, BT_MESH_PROV_ADV | BT_MESH_PROV_REMOTE);
}

static void print_ad(const uint8_t *ad, size_t len)
{
    char text[512];
    (void)out_ad(ad, len, text, sizeof(text), NULL);
    say("  ad %s", text);
}

static void cb_scan_report(struct bt_mesh_rpr_cli *cli, const struct bt_mesh_rpr_node *srv,
                           struct bt_mesh_rpr_unprov *unprov, struct net_buf_simple *adv_data)
{
    char uuid[33];
    (void)cli;
    tool_uuid_str(uuid, unprov->uuid);
    if (adv_data == NULL) {
        T->found++;
        cJSON *o = out_arr_obj(T->devices);
        out_str(o, "uuid", uuid);
        out_num(o, "rssi", unprov->rssi);
        out_num(o, "oob_info", (uint16_t)unprov->oob);
        out_num(o, "server", srv->addr);
        say("device %s rssi %d oob 0x%04x server 0x%04x", uuid, unprov->rssi, (unsigned)unprov->oob,
            srv->addr);
        return;
    }
    if (memcmp(unprov->uuid, T->want_uuid, 16) != 0) {
        return;
    }
    say("ext-scan %s server 0x%04x: %u octets of AD structures", uuid, srv->addr,
        (unsigned)adv_data->len);
    if (adv_data->len > 0) {
        print_ad(adv_data->data, adv_data->len);
    }
    out_str(T->out.root, "uuid", uuid);
    out_num(T->out.root, "server", srv->addr);
    out_hex(T->out.root, "ad_data", adv_data->data, adv_data->len);
    if (T->json) {
        char text[512];
        (void)out_ad(adv_data->data, adv_data->len, text, sizeof(text), out_arr(T->out.root, "ad"));
    }
    T->ext_done = true;
}

static bool ext_failed;
static uint8_t ext_failed_status;

static void cb_ext_scan_failed(struct bt_mesh_rpr_cli *cli, const struct bt_mesh_rpr_node *srv,
                               const uint8_t uuid[16], enum bt_mesh_rpr_status status)
{
    (void)cli;
    (void)srv;
    if (memcmp(uuid, T->want_uuid, 16) == 0) {
        ext_failed = true;
        ext_failed_status = (uint8_t)status;
    }
}

static void cb_link_changed(struct bt_mesh_rpr_cli *cli, const struct bt_mesh_rpr_node *srv,
                            const struct bt_mesh_rpr_link *link, int reason)
{
    (void)cli;
    (void)srv;
    (void)reason;
    if (link->state == BT_MESH_RPR_LINK_IDLE) {
        T->link_idle = true;
    }
}

/* ---- Start and stop ----------------------------------------------------------------------- */

/* Create the provisioner's network in DIR on first use, or load it. */
static int provisioner_state(char *err, size_t err_size)
{
    uint8_t net_key[16], app_key[16], dev_key[16], mesh_uuid[16];
    int rc;

    if (path_in_state(T->cdb_path, sizeof(T->cdb_path), "cdb.json") != 0) {
        tool_msg(err, err_size, "--state path too long");
        return -ENAMETOOLONG;
    }
    rc = meshrpr_cdb_load(&T->cdb, T->cdb_path, err, err_size);
    if (rc == 0) {
        return meshrpr_node_is_provisioned(&T->node) ? 0 : -EBADMSG;
    }
    if (rc != -ENOENT) {
        return rc;
    }
    if (meshrpr_node_is_provisioned(&T->node)) {
        tool_msg(err, err_size, "%s is missing but the node state in %s is provisioned",
                 T->cdb_path, T->state);
        return -EBADMSG;
    }
    /* A new network: keys from the kernel's generator, the provisioner at 0x0001. */
    if (random_fill(net_key, 16) != 0 || random_fill(app_key, 16) != 0 ||
        random_fill(dev_key, 16) != 0 || random_fill(mesh_uuid, 16) != 0) {
        tool_msg(err, err_size, "no randomness for the keys");
        return -EIO;
    }
    mesh_uuid[6] = (uint8_t)((mesh_uuid[6] & 0x0f) | 0x40);
    mesh_uuid[8] = (uint8_t)((mesh_uuid[8] & 0x3f) | 0x80);
    meshrpr_cdb_init(&T->cdb, mesh_uuid, "meshrpr on a controller");
    if (meshrpr_cdb_subnet_add(&T->cdb, NET_IDX, net_key) != 0 ||
        meshrpr_cdb_app_key_add(&T->cdb, NET_IDX, 0x000, app_key) != 0 ||
        meshrpr_cdb_provisioner_add(&T->cdb, T->uuid, "meshrpr tool", PROV_ADDR, 0x7fff) == NULL) {
        tool_msg(err, err_size, "cannot set up the node database");
        return -EINVAL;
    }
    struct meshrpr_cdb_node *e = meshrpr_cdb_node_alloc(&T->cdb, T->uuid, PROV_ADDR, 1, NET_IDX);
    if (e == NULL) {
        tool_msg(err, err_size, "cannot set up the node database");
        return -EINVAL;
    }
    memcpy(e->dev_key, dev_key, 16);
    e->configured = true;
    rc = meshrpr_cdb_save(&T->cdb, T->cdb_path);
    if (rc != 0) {
        tool_msg(err, err_size, "cannot write %s: %s", T->cdb_path, tool_errno_text(rc));
        return rc;
    }
    rc = meshrpr_node_provision(&T->node, net_key, NET_IDX, 0, 0, PROV_ADDR, dev_key);
    if (rc != 0) {
        tool_msg(err, err_size, "cannot provision the provisioner: %s", tool_errno_text(rc));
        return rc;
    }
    out_str(T->out.root, "new_network", T->state);
    say("new network in %s: provisioner 0x%04x", T->state, PROV_ADDR);
    return 0;
}

static int target_start(char *err, size_t err_size)
{
    char dir[300];
    const struct meshrpr_platform *platform = NULL;
    int rc;

    if (mkdir(T->state, 0700) != 0 && errno != EEXIST) {
        tool_msg(err, err_size, "cannot create --state %s: %s", T->state, strerror(errno));
        return -errno;
    }
    rc = uuid_load(err, err_size);
    if (rc != 0) {
        return rc;
    }
    /* One process per state directory: two would reuse each other's sequence numbers and
     * lose each other's database changes. A provisioner command waits its turn; a second
     * node on the same state is refused. */
    if (path_in_state(dir, sizeof(dir), "uuid") != 0) {
        return -ENAMETOOLONG;
    }
    T->lock_fd = tool_lock(dir, T->role == ROLE_PROVISIONER ? TOOL_LOCK_WAIT_S : 0, err, err_size);
    if (T->lock_fd == -EWOULDBLOCK) {
        tool_msg(err, err_size, "--state %s is in use by another meshrpr (a node or a command)%s",
                 T->state, T->role == ROLE_PROVISIONER ? ", still after the wait" : "");
    }
    if (T->lock_fd < 0) {
        return T->lock_fd;
    }
    if (path_in_state(dir, sizeof(dir), "node") != 0 ||
        meshrpr_storage_file_init(&T->store, dir) != 0) {
        tool_msg(err, err_size, "cannot use %s for the node state", dir);
        return -EIO;
    }
    meshrpr_posix_host_init(&T->host);
    meshrpr_posix_host_set_log(&T->host, T->verbose ? MESHRPR_LOG_LEVEL_DBG : MESHRPR_LOG_LEVEL_WRN,
                               stderr);
    rc = meshrpr_hci_open(&T->hci, &T->host, T->spec, NULL);
    if (rc != 0) {
        tool_msg(err, err_size, "%s", meshrpr_hci_error(&T->hci));
        return rc;
    }
    rc = meshrpr_posix_host_node_add(&T->host, &T->node, meshrpr_hci_radio(&T->hci),
                                     T->role == ROLE_PROVISIONER ? "prov"
                                     : T->role == ROLE_SERVER    ? "server"
                                                                 : "device",
                                     &platform);
    if (rc != 0) {
        tool_msg(err, err_size, "cannot add the node: %s", tool_errno_text(rc));
        return rc;
    }
    memset(&T->cfg, 0, sizeof(T->cfg));
    T->cfg.platform = platform;
    T->cfg.storage = &T->store.storage;
    T->cfg.prov = &T->prov;
    T->prov.uuid = T->uuid;
    switch (T->role) {
    case ROLE_PROVISIONER:
        T->cfg.comp = &prov_comp;
        T->cfg.name = "provisioner";
        T->cfg.cdb = &T->cdb;
        T->cfg.cdb_store = cdb_store;
        T->cfg.dev_key_get = meshrpr_cdb_dev_key_get;
        T->cfg.dev_key_ctx = &T->cdb;
        T->prov.capabilities = cb_capabilities;
        T->prov.node_added = cb_node_added;
        T->prov.link_open = cb_link_open;
        T->prov.link_close = cb_link_close;
        rpr_cli.scan_report = cb_scan_report;
        rpr_cli.ext_scan_failed = cb_ext_scan_failed;
        rpr_cli.link_changed = cb_link_changed;
        break;
    case ROLE_SERVER:
        T->cfg.comp = &srv_comp;
        T->cfg.name = "server";
        T->cfg.features = BT_MESH_FEAT_RELAY;
        break;
    case ROLE_DEVICE:
        T->cfg.comp = &dev_comp;
        T->cfg.comp_next = T->comp_change ? &dev_comp_next : NULL;
        T->cfg.name = "device";
        break;
    }
    if (T->role != ROLE_PROVISIONER) {
        T->prov.complete = cb_complete;
        T->prov.reprovisioned = cb_reprovisioned;
        T->prov.reset = cb_reset;
        if (T->static_len > 0) {
            T->prov.static_val = T->static_oob;
            T->prov.static_val_len = (uint8_t)T->static_len;
        }
    }
    rc = meshrpr_node_init(&T->node, &T->cfg);
    if (rc != 0) {
        tool_msg(err, err_size, "cannot start the node from %s: %s", dir, tool_errno_text(rc));
        (void)meshrpr_posix_host_node_remove(&T->host, &T->node);
        return rc;
    }
    if (T->role == ROLE_PROVISIONER) {
        rc = provisioner_state(err, err_size);
        if (rc == -EBADMSG && err[0] == '\0') {
            tool_msg(err, err_size, "the node state in %s is not a provisioner's", dir);
        }
        return rc;
    }
    return 0;
}

static void target_stop(bool save)
{
    if (save) {
        (void)run_for(settled, NULL, SETTLE_MAX_MS);
        if (T->role == ROLE_PROVISIONER && meshrpr_cdb_save(&T->cdb, T->cdb_path) != 0) {
            tool_error("cannot write %s", T->cdb_path);
        }
    }
    meshrpr_node_deinit(&T->node);
    (void)meshrpr_posix_host_node_remove(&T->host, &T->node);
    meshrpr_hci_close(&T->hci);
    tool_unlock(T->lock_fd);
    T->lock_fd = -1;
}

/* ---- Provisioner commands ----------------------------------------------------------------- */

static struct bt_mesh_rpr_node server_node(void)
{
    struct bt_mesh_rpr_node srv = { .addr = T->server,
                                    .net_idx = NET_IDX,
                                    .ttl = BT_MESH_TTL_DEFAULT };
    return srv;
}

static int need_server(void)
{
    if (!T->server_set) {
        tool_error("this command needs --server ADDR (a Remote Provisioning Server)");
        return TOOL_EXIT_USAGE;
    }
    return TOOL_EXIT_OK;
}

static int cmd_scan(int argc, char **argv)
{
    uint64_t timeout;
    uint8_t uuid[16];
    struct bt_mesh_rpr_scan_status st;
    int rc = need_server();

    if (rc != TOOL_EXIT_OK) {
        return rc;
    }
    if (argc < 1 || argc > 2 || tool_parse_u64(argv[0], 1, 255, &timeout) != 0 ||
        (argc == 2 && tool_parse_uuid(argv[1], uuid) != 0)) {
        tool_error("usage: scan TIMEOUT(1..255 s) [UUID]");
        return TOOL_EXIT_USAGE;
    }
    struct bt_mesh_rpr_node srv = server_node();
    int err = bt_mesh_rpr_scan_start(&rpr_cli, &srv, argc == 2 ? uuid : NULL, (uint8_t)timeout,
                                     BT_MESH_RPR_SCAN_MAX_DEVS_ANY, &st);
    if (hci_failed()) {
        return controller_failed();
    }
    if (err != 0) {
        tool_error("Scan Start through 0x%04x failed: %s", T->server, tool_errno_text(err));
        return TOOL_EXIT_FAIL;
    }
    if (st.status != BT_MESH_RPR_SUCCESS) {
        tool_error("the server refused the scan: %s", out_rpr_status(st.status));
        return TOOL_EXIT_FAIL;
    }
    out_num(T->out.root, "server", T->server);
    out_num(T->out.root, "timeout_s", (double)timeout);
    T->devices = out_arr(T->out.root, "devices");
    say("scanning through 0x%04x for %u s", T->server, (unsigned)timeout);
    (void)run_for(NULL, NULL, timeout * 1000u + SCAN_GRACE_MS);
    if (hci_failed()) {
        return controller_failed();
    }
    say("scan: %u device(s)", T->found);
    return TOOL_EXIT_OK;
}

static bool ext_over(void *arg)
{
    (void)arg;
    return T->ext_done || ext_failed;
}

static int cmd_scan_ext(int argc, char **argv)
{
    uint64_t timeout, v;
    uint8_t types[16] = { 0x09, 0x24 };
    size_t ntypes = 2;
    int rc = need_server();

    if (rc != TOOL_EXIT_OK) {
        return rc;
    }
    if (argc < 2 || argc > 18 || tool_parse_u64(argv[0], 1, 21, &timeout) != 0 ||
        tool_parse_uuid(argv[1], T->want_uuid) != 0) {
        tool_error("usage: scan-ext TIMEOUT(1..21 s) UUID [AD_TYPE...]");
        return TOOL_EXIT_USAGE;
    }
    if (argc > 2) {
        ntypes = 0;
        for (int i = 2; i < argc; i++) {
            if (tool_parse_u64(argv[i], 0, 0xff, &v) != 0) {
                tool_error("bad AD type \"%s\" (a number 0..255, e.g. 0x09)", argv[i]);
                return TOOL_EXIT_USAGE;
            }
            types[ntypes++] = (uint8_t)v;
        }
    }
    struct bt_mesh_rpr_node srv = server_node();
    int err =
        bt_mesh_rpr_scan_start_ext(&rpr_cli, &srv, T->want_uuid, (uint8_t)timeout, types, ntypes);
    if (err != 0) {
        tool_error("Extended Scan Start through 0x%04x failed: %s", T->server,
                   tool_errno_text(err));
        return TOOL_EXIT_FAIL;
    }
    if (!run_for(ext_over, NULL, timeout * 1000u + SCAN_GRACE_MS)) {
        if (hci_failed()) {
            return controller_failed();
        }
        tool_error("no Extended Scan Report from 0x%04x", T->server);
        return TOOL_EXIT_FAIL;
    }
    if (!T->ext_done) {
        tool_error("extended scan through 0x%04x: %s", T->server,
                   ext_failed_status == BT_MESH_RPR_SUCCESS ? "the device was not found"
                                                            : out_rpr_status(ext_failed_status));
        return TOOL_EXIT_FAIL;
    }
    return TOOL_EXIT_OK;
}

static bool prov_over(void *arg)
{
    (void)arg;
    return T->added || ((T->link_closed || T->link_idle) && !meshrpr_prov_is_busy(&T->node));
}

/* Wait for the provisioning (or NPPI procedure) started and say how it ended. */
static int prov_wait(const char *what)
{
    struct meshrpr_prov_result r;

    (void)run_for(prov_over, NULL, PROVISION_MAX_MS);
    if (T->added) {
        return TOOL_EXIT_OK;
    }
    if (hci_failed()) {
        return controller_failed();
    }
    if (meshrpr_prov_last_result(&T->node, &r) == 0 && r.status != MESHRPR_PROV_STATUS_SUCCESS) {
        tool_error("%s failed: %s%s%s", what, out_prov_status(r.status),
                   r.error_code != 0 ? ", " : "",
                   r.error_code != 0 ? out_prov_error(r.error_code) : "");
    } else if (!T->link_opened) {
        tool_error("%s failed: the link never opened", what);
    } else {
        tool_error("%s did not finish within %u s", what, PROVISION_MAX_MS / 1000u);
    }
    return TOOL_EXIT_FAIL;
}

static void print_added(const char *how)
{
    struct meshrpr_cdb_node *e = meshrpr_cdb_node_get(&T->cdb, T->added_addr);
    char key[33] = "";
    char uuid[33] = "";
    if (e != NULL) {
        tool_hex(key, e->dev_key, 16);
        tool_uuid_str(uuid, e->uuid);
    }
    out_str(T->out.root, "uuid", uuid);
    out_num(T->out.root, "addr", T->added_addr);
    out_num(T->out.root, "elements", T->added_elems);
    out_str(T->out.root, "bearer", T->server_set ? "pb-remote" : "pb-adv");
    if (T->server_set) {
        out_num(T->out.root, "server", T->server);
    }
    out_str(T->out.root, "dev_key", key);
    say("provisioned %s as 0x%04x, %u element(s), %s", uuid, T->added_addr, T->added_elems, how);
    say("device key %s", key);
}

static int parse_prov_args(int argc, char **argv, const char *name, uint8_t uuid[16],
                           uint16_t *net_idx, uint16_t *addr)
{
    uint64_t v;
    if (argc != 3 || tool_parse_uuid(argv[0], uuid) != 0 ||
        tool_parse_u64(argv[1], 0, 0xfff, &v) != 0 || tool_parse_addr(argv[2], true, addr) != 0) {
        tool_error("usage: %s UUID NET_IDX ADDR (0: the lowest free address)", name);
        return TOOL_EXIT_USAGE;
    }
    *net_idx = (uint16_t)v;
    return TOOL_EXIT_OK;
}

static int cmd_provision_remote(int argc, char **argv)
{
    uint8_t uuid[16];
    uint16_t net_idx, addr;
    int rc = need_server();

    if (rc == TOOL_EXIT_OK) {
        rc = parse_prov_args(argc, argv, "provision-remote", uuid, &net_idx, &addr);
    }
    if (rc != TOOL_EXIT_OK) {
        return rc;
    }
    struct bt_mesh_rpr_node srv = server_node();
    int err = bt_mesh_provision_remote(&rpr_cli, &srv, uuid, net_idx, addr);
    if (err != 0) {
        if (hci_failed()) {
            return controller_failed();
        }
        tool_error("provisioning through 0x%04x failed: %s", T->server, tool_errno_text(err));
        return TOOL_EXIT_FAIL;
    }
    rc = prov_wait("remote provisioning");
    if (rc == TOOL_EXIT_OK) {
        char how[40];
        snprintf(how, sizeof(how), "through 0x%04x", T->server);
        print_added(how);
    }
    return rc;
}

static int cmd_provision(int argc, char **argv)
{
    uint8_t uuid[16];
    uint16_t net_idx, addr;
    int rc = parse_prov_args(argc, argv, "provision", uuid, &net_idx, &addr);

    if (rc != TOOL_EXIT_OK) {
        return rc;
    }
    int err = meshrpr_provision_adv(&T->node, uuid, net_idx, addr, 0);
    if (err != 0) {
        tool_error("PB-ADV provisioning failed: %s", tool_errno_text(err));
        return TOOL_EXIT_FAIL;
    }
    rc = prov_wait("PB-ADV provisioning");
    if (rc == TOOL_EXIT_OK) {
        print_added("over PB-ADV");
    }
    return rc;
}

static int cmd_reprovision(int argc, char **argv)
{
    uint16_t node, addr = 0;
    bool comp = false;

    if (argc < 1 || argc > 2 || tool_parse_addr(argv[0], false, &node) != 0 ||
        (argc == 2 && tool_parse_addr(argv[1], true, &addr) != 0) || T->procedure == NULL) {
        tool_error("usage: reprovision NODE [NEW_ADDR] --procedure key|composition|address");
        return TOOL_EXIT_USAGE;
    }
    if (strcmp(T->procedure, "key") == 0) {
        addr = node;
    } else if (strcmp(T->procedure, "composition") == 0) {
        addr = node;
        comp = true;
    } else if (strcmp(T->procedure, "address") == 0) {
        if (addr == node) {
            tool_error("address: NEW_ADDR must differ from the node's address");
            return TOOL_EXIT_USAGE;
        }
    } else {
        tool_error("--procedure key|composition|address, not \"%s\"", T->procedure);
        return TOOL_EXIT_USAGE;
    }
    if (meshrpr_cdb_node_get(&T->cdb, node) == NULL) {
        tool_error("0x%04x is not in the node database", node);
        return TOOL_EXIT_USAGE;
    }
    /* The procedure runs on the node's own Remote Provisioning Server. */
    struct bt_mesh_rpr_node srv = { .addr = node, .net_idx = NET_IDX, .ttl = BT_MESH_TTL_DEFAULT };
    int err = bt_mesh_reprovision_remote(&rpr_cli, &srv, addr, comp);
    if (err != 0) {
        if (hci_failed()) {
            return controller_failed();
        }
        tool_error("NPPI %s on 0x%04x failed: %s", T->procedure, node, tool_errno_text(err));
        return TOOL_EXIT_FAIL;
    }
    int rc = prov_wait("the NPPI procedure");
    if (rc == TOOL_EXIT_OK) {
        struct meshrpr_cdb_node *e = meshrpr_cdb_node_get(&T->cdb, T->added_addr);
        char key[33] = "";
        if (e != NULL) {
            tool_hex(key, e->dev_key, 16);
        }
        out_num(T->out.root, "node", node);
        out_str(T->out.root, "procedure", T->procedure);
        out_num(T->out.root, "addr", T->added_addr);
        out_num(T->out.root, "elements", T->added_elems);
        out_str(T->out.root, "dev_key", key);
        say("reprovisioned 0x%04x (%s): now 0x%04x, %u element(s)", node, T->procedure,
            T->added_addr, T->added_elems);
        say("device key %s", key);
    }
    return rc;
}

static int cmd_composition_get(int argc, char **argv)
{
    uint64_t page = 0;
    uint8_t rsp_page = 0xff;
    NET_BUF_SIMPLE_DEFINE(comp, 380);
    char hex[2 * 380 + 1];

    if (!T->node_set) {
        tool_error("composition-get needs --node ADDR");
        return TOOL_EXIT_USAGE;
    }
    if (argc > 1 || (argc == 1 && tool_parse_u64(argv[0], 0, 255, &page) != 0)) {
        tool_error("usage: composition-get [PAGE] --node ADDR");
        return TOOL_EXIT_USAGE;
    }
    if (meshrpr_cdb_node_get(&T->cdb, T->node_addr) == NULL) {
        tool_error("0x%04x is not in the node database (no device key)", T->node_addr);
        return TOOL_EXIT_USAGE;
    }
    int err = meshrpr_cfg_cli_comp_data_get(&cfg_cli, NET_IDX, T->node_addr, (uint8_t)page,
                                            &rsp_page, &comp);
    if (err == -ETIMEDOUT && !hci_failed()) {
        net_buf_simple_reset(&comp);
        err = meshrpr_cfg_cli_comp_data_get(&cfg_cli, NET_IDX, T->node_addr, (uint8_t)page,
                                            &rsp_page, &comp);
    }
    if (hci_failed()) {
        return controller_failed();
    }
    if (err != 0) {
        tool_error("Composition Data Get to 0x%04x failed: %s%s", T->node_addr,
                   tool_errno_text(err),
                   err == -ETIMEDOUT ? " (no answer under the device key the database holds)" : "");
        return TOOL_EXIT_FAIL;
    }
    if (comp.len < 10) {
        tool_error("Composition Data page %u from 0x%04x is too short", rsp_page, T->node_addr);
        return TOOL_EXIT_FAIL;
    }
    /* Page 0 and 128 (§4.2.2.1): CID, PID, VID, CRPL, Features, then the elements. */
    const uint8_t *d = comp.data;
    unsigned elements = 0, models = 0;
    size_t i = 10;
    while (i + 4 <= comp.len) {
        unsigned nums = d[i + 2], numv = d[i + 3];
        i += 4 + 2u * nums + 4u * numv;
        if (i > comp.len) {
            break;
        }
        elements++;
        models += nums + numv;
    }
    tool_hex(hex, comp.data, comp.len);
    out_num(T->out.root, "node", T->node_addr);
    out_num(T->out.root, "page", rsp_page);
    out_num(T->out.root, "cid", d[0] | d[1] << 8);
    out_num(T->out.root, "pid", d[2] | d[3] << 8);
    out_num(T->out.root, "vid", d[4] | d[5] << 8);
    out_num(T->out.root, "elements", elements);
    out_num(T->out.root, "models", models);
    out_hex(T->out.root, "data", comp.data, comp.len);
    say("composition 0x%04x page %u: cid %04x pid %04x vid %04x, %u element(s), %u model(s)",
        T->node_addr, rsp_page, d[0] | d[1] << 8, d[2] | d[3] << 8, d[4] | d[5] << 8, elements,
        models);
    say("data %s", hex);
    return TOOL_EXIT_OK;
}

static int cmd_nodes(int argc, char **argv)
{
    (void)argv;
    if (argc != 0) {
        tool_error("usage: nodes");
        return TOOL_EXIT_USAGE;
    }
    cJSON *arr = out_arr(T->out.root, "nodes");
    for (size_t i = 0; i < MESHRPR_CDB_NODE_COUNT; i++) {
        const struct meshrpr_cdb_node *e = &T->cdb.nodes[i];
        char uuid[33], key[33];
        if (!e->valid) {
            continue;
        }
        tool_uuid_str(uuid, e->uuid);
        tool_hex(key, e->dev_key, 16);
        cJSON *o = out_arr_obj(arr);
        out_num(o, "addr", e->addr);
        out_str(o, "uuid", uuid);
        out_num(o, "elements", e->num_elem);
        out_str(o, "dev_key", key);
        say("node 0x%04x %s %u element(s) device key %s", e->addr, uuid, e->num_elem, key);
    }
    return TOOL_EXIT_OK;
}

/* ---- node --role server|device ------------------------------------------------------------ */

static int run_node(void)
{
    char uuid[33];
    const uint8_t *a = meshrpr_hci_addr(&T->hci);

    tool_uuid_str(uuid, T->uuid);
    say("uuid %s", uuid);
    /* Offered on PB-ADV while unprovisioned, and to NPPI through its own server. */
    bool provisioned = meshrpr_node_is_provisioned(&T->node);
    int err = meshrpr_prov_enable(&T->node, provisioned ? BT_MESH_PROV_REMOTE
                                                        : BT_MESH_PROV_ADV | BT_MESH_PROV_REMOTE);
    if (err != 0 && !provisioned) {
        err = meshrpr_prov_enable(&T->node, BT_MESH_PROV_ADV);
    }
    if (err != 0 && !provisioned) {
        tool_error("cannot offer the node for provisioning: %s", tool_errno_text(err));
        return TOOL_EXIT_FAIL;
    }
    if (provisioned) {
        say("provisioned as 0x%04x", meshrpr_node_addr(&T->node));
    }
    if (T->role == ROLE_DEVICE) {
        /* What an active scanner sees: a scannable advertisement whose scan response names
         * the device (the Remote Provisioning Server's Extended Scan). */
        uint8_t rsp[31];
        size_t len = strlen(T->name);
        if (len > 29) {
            len = 29;
        }
        rsp[0] = (uint8_t)(len + 1);
        rsp[1] = 0x09; /* Complete Local Name */
        memcpy(&rsp[2], T->name, len);
        (void)meshrpr_hci_set_scannable(&T->hci, NULL, 0, rsp, len + 2, DEVICE_ADV_INTERVAL_MS);
    }
    say("ready: %s on %s, address %02x:%02x:%02x:%02x:%02x:%02x",
        T->role == ROLE_SERVER ? "server" : "device", T->spec, a[5], a[4], a[3], a[2], a[1], a[0]);
    (void)meshrpr_posix_host_run_until(&T->host, wait_pred, &(struct wait){ NULL, NULL },
                                       UINT64_MAX);
    if (hci_failed()) {
        return controller_failed();
    }
    say("stopped");
    return TOOL_EXIT_OK;
}

/* ---- Entry -------------------------------------------------------------------------------- */

/* The commands on a controller, for the dispatch, --help, help COMMAND and the man page. */
struct hci_cmd {
    const char *name;
    const char *usage;
    const char *summary;
    int (*fn)(int, char **);
};

static const struct hci_cmd hci_cmds[] = {
    { "scan", "scan TIMEOUT [UUID] --server ADDR",
      "scan for unprovisioned devices through a Remote Provisioning Server, TIMEOUT 1..255 s",
      cmd_scan },
    { "scan-ext", "scan-ext TIMEOUT UUID [AD_TYPE...] --server ADDR",
      "an extended scan of one device through a server (active scan: its scan response "
      "included), TIMEOUT 1..21 s, AD types 0x09 and 0x24 unless given",
      cmd_scan_ext },
    { "provision-remote", "provision-remote UUID NET_IDX ADDR --server ADDR [--static-oob HEX]",
      "provision a device through a Remote Provisioning Server (PB-Remote); ADDR 0: the lowest "
      "free address",
      cmd_provision_remote },
    { "provision", "provision UUID NET_IDX ADDR [--static-oob HEX]",
      "provision a device this controller hears, over PB-ADV", cmd_provision },
    { "reprovision", "reprovision NODE [NEW_ADDR] --procedure key|composition|address",
      "a Node Provisioning Protocol Interface procedure through the node's own server: Device "
      "Key Refresh, Node Composition Refresh or Node Address Refresh",
      cmd_reprovision },
    { "composition-get", "composition-get [PAGE] --node ADDR",
      "Composition Data Get, under the device key the database holds", cmd_composition_get },
    { "nodes", "nodes", "the provisioner's node database (DIR/cdb.json)", cmd_nodes },
    { "node",
      "node --role server|device [--uuid HEX] [--static-oob HEX] [--name NAME] [--comp-change]",
      "run a Remote Provisioning Server or an unprovisioned device until SIGINT or SIGTERM; it "
      "prints one line per event (no --json)",
      NULL },
    { "help", "help [COMMAND]", "list these commands, or explain one", NULL },
};
#define HCI_CMD_COUNT (sizeof(hci_cmds) / sizeof(hci_cmds[0]))

static const struct hci_cmd *hci_cmd_find(const char *name)
{
    for (size_t i = 0; i < HCI_CMD_COUNT; i++) {
        if (strcmp(hci_cmds[i].name, name) == 0) {
            return &hci_cmds[i];
        }
    }
    return NULL;
}

bool hci_target_wanted(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--hci") == 0) {
            return true;
        }
    }
    return false;
}

#define HCI_SPEC_TEXT "/dev/ttyACM0[@BAUD][,noflow], unix:PATH, tcp:HOST:PORT or hciN"
#define HCI_OPTS_TEXT                                                                              \
    "  --hci SPEC         the controller: /dev/ttyACM0[@BAUD][,noflow], unix:PATH,\n"              \
    "                     tcp:HOST:PORT or hciN\n"                                                 \
    "  --state DIR        the node state (and the provisioner's DIR/cdb.json),\n"                  \
    "                     created on first use; one process at a time per DIR\n"                   \
    "  --json             the result as one JSON object on stdout (not for node)\n"                \
    "  --server ADDR      the Remote Provisioning Server to go through\n"                          \
    "  --node ADDR        the node to ask\n"                                                       \
    "  --procedure P      key, composition or address (reprovision)\n"                             \
    "  --static-oob HEX   the Static OOB value, 1..16 octets\n"                                    \
    "  --uuid HEX         the node's UUID (node; kept in DIR)\n"                                   \
    "  --name NAME        the device's name in its scan response (node --role device)\n"           \
    "  --comp-change      the device's next Composition Data adds a model (node)\n"                \
    "  --stats            the command's wall time and HCI traffic\n"                               \
    "  --verbose          the stack's debug log on stderr\n"

/* Text wrapped at 78 columns, each line indented. */
static void wrapped(FILE *f, const char *text, int indent)
{
    const char *p = text;
    int col = 0;

    while (*p != '\0') {
        int len = (int)strcspn(p, " ");
        if (col > indent && col + 1 + len > 78) {
            fputc('\n', f);
            col = 0;
        }
        col += col == 0 ? fprintf(f, "%*s", indent, "") : fprintf(f, " ");
        col += fprintf(f, "%.*s", len, p);
        p += len;
        p += *p == ' ';
    }
    fputc('\n', f);
}

void hci_target_usage(FILE *f)
{
    fprintf(f, "usage: meshrpr --hci SPEC --state DIR [--json] COMMAND [ARGS] [OPTIONS]\n\n"
               "Commands on a real controller, in real time:\n");
    for (size_t i = 0; i < HCI_CMD_COUNT; i++) {
        fprintf(f, "  %s\n", hci_cmds[i].usage);
        wrapped(f, hci_cmds[i].summary, 6);
    }
    fprintf(f, "\nOptions:\n%s", HCI_OPTS_TEXT);
    fprintf(f, "\nA missing controller, a command it refuses or a controller that stops "
               "answering\n(3 s per HCI command) ends the command with exit status 1 and a "
               "message.\n");
}

static void hci_cmd_help(FILE *f, const struct hci_cmd *c)
{
    fprintf(f, "usage: meshrpr --hci SPEC --state DIR %s%s\n\n",
            strcmp(c->name, "node") == 0 || strcmp(c->name, "help") == 0 ? "" : "[--json] ",
            c->usage);
    wrapped(f, c->summary, 0);
    fprintf(f, "\nOptions:\n%s", HCI_OPTS_TEXT);
}

/* Text for roff: '-' as \-, '\' as \e. */
static void man_text(FILE *f, const char *text)
{
    for (const char *p = text; *p != '\0'; p++) {
        if (*p == '-') {
            fputs("\\-", f);
        } else if (*p == '\\') {
            fputs("\\e", f);
        } else {
            fputc(*p, f);
        }
    }
}

void hci_target_man(FILE *f)
{
    fprintf(f, ".SH ON A REAL CONTROLLER\n\\fBmeshrpr \\-\\-hci\\fR \\fISPEC\\fR "
               "\\fB\\-\\-state\\fR \\fIDIR\\fR [\\fB\\-\\-json\\fR] \\fICOMMAND\\fR "
               "[\\fIARGS\\fR]\n.br\n\\fBmeshrpr node \\-\\-hci\\fR \\fISPEC\\fR "
               "\\fB\\-\\-state\\fR \\fIDIR\\fR \\fB\\-\\-role\\fR server|device\n.PP\n");
    man_text(f, "With --hci the commands run in real time on a Bluetooth LE controller "
                "instead of a world file. SPEC is " HCI_SPEC_TEXT
                " (an H4 UART with RTS/CTS unless noflow, a stream socket, or the Linux HCI "
                "user channel). DIR keeps the node state and the provisioner's Mesh "
                "Configuration Database (DIR/cdb.json); one process at a time uses a DIR. A "
                "missing controller, a command it refuses or a controller that stops "
                "answering ends the command with exit status 1 and a message.\n");
    for (size_t i = 0; i < HCI_CMD_COUNT; i++) {
        fprintf(f, ".TP\n\\fB");
        man_text(f, hci_cmds[i].name);
        fprintf(f, "\\fR");
        man_text(f, hci_cmds[i].usage + strlen(hci_cmds[i].name));
        fputc('\n', f);
        man_text(f, hci_cmds[i].summary);
        fprintf(f, ".\n");
    }
}

/* A usage error: the message (already on stderr), and with --json a result that carries it. */
static int usage_fail(const char *name)
{
    if (T->json && out_begin(&T->out, true, name) == 0) {
        out_error_default(&T->out, tool_last_error());
        out_end(&T->out);
    }
    return TOOL_EXIT_USAGE;
}

int hci_target_main(int argc, char **argv)
{
    static struct target target;
    char *pos[24];
    int npos = 0;
    const char *role = NULL;
    char err[320] = "";
    bool help = false;

    T = &target;
    T->name = "meshrpr-device";
    T->lock_fd = -1;
    for (int i = 1; i < argc; i++) {
        T->json = T->json || strcmp(argv[i], "--json") == 0;
    }
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool has_value = true;
        if (strcmp(o, "--verbose") == 0) {
            T->verbose = true;
            has_value = false;
        } else if (strcmp(o, "--stats") == 0) {
            T->stats = true;
            has_value = false;
        } else if (strcmp(o, "--comp-change") == 0) {
            T->comp_change = true;
            has_value = false;
        } else if (strcmp(o, "--json") == 0) {
            has_value = false;
        } else if (strcmp(o, "--help") == 0 || strcmp(o, "-h") == 0) {
            help = true;
            has_value = false;
        } else if (o[0] != '-' || o[1] != '-') {
            if (npos == (int)(sizeof(pos) / sizeof(pos[0]))) {
                tool_error("too many arguments");
                return usage_fail("");
            }
            pos[npos++] = argv[i];
            has_value = false;
        } else if (v == NULL) {
            tool_error("%s needs a value", o);
            return usage_fail("");
        } else if (strcmp(o, "--hci") == 0) {
            T->spec = v;
        } else if (strcmp(o, "--state") == 0) {
            T->state = v;
        } else if (strcmp(o, "--role") == 0) {
            role = v;
        } else if (strcmp(o, "--procedure") == 0) {
            T->procedure = v;
        } else if (strcmp(o, "--name") == 0) {
            T->name = v;
        } else if (strcmp(o, "--server") == 0 || strcmp(o, "--node") == 0) {
            uint16_t addr;
            if (tool_parse_addr(v, false, &addr) != 0) {
                tool_error("bad %s \"%s\" (a unicast address, e.g. 0x0002)", o, v);
                return usage_fail("");
            }
            if (o[2] == 's') {
                T->server = addr;
                T->server_set = true;
            } else {
                T->node_addr = addr;
                T->node_set = true;
            }
        } else if (strcmp(o, "--uuid") == 0) {
            if (tool_parse_uuid(v, T->uuid) != 0) {
                tool_error("bad --uuid \"%s\" (hex, up to 16 octets)", v);
                return usage_fail("");
            }
            T->uuid_set = true;
        } else if (strcmp(o, "--static-oob") == 0) {
            if (tool_unhex(v, T->static_oob, 16, &T->static_len) != 0 || T->static_len == 0) {
                tool_error("bad --static-oob \"%s\" (1..16 octets of hex)", v);
                return usage_fail("");
            }
        } else {
            tool_error("%s is not an option with --hci (meshrpr --hci SPEC --help lists them)", o);
            return usage_fail("");
        }
        if (has_value) {
            i++;
        }
    }
    /* Help needs no controller: --help, COMMAND --help, help [COMMAND]. */
    const struct hci_cmd *hc = npos > 0 ? hci_cmd_find(pos[0]) : NULL;
    if (hc != NULL && strcmp(hc->name, "help") == 0) {
        if (npos > 2) {
            tool_error("usage: help [COMMAND]");
            return usage_fail("help");
        }
        help = true;
        hc = NULL;
        if (npos == 2) {
            hc = hci_cmd_find(pos[1]);
            if (hc == NULL) {
                tool_error("no command \"%s\" on a controller (meshrpr --hci SPEC --help lists "
                           "them)",
                           pos[1]);
                return usage_fail("help");
            }
        }
    } else if (npos > 0 && hc == NULL) {
        tool_error("\"%s\" does not run on a controller (scan, scan-ext, provision-remote, "
                   "provision, reprovision, composition-get, nodes; node --role ...)",
                   pos[0]);
        return usage_fail(pos[0]);
    }
    if (help) {
        if (hc != NULL) {
            hci_cmd_help(stdout, hc);
        } else {
            hci_target_usage(stdout);
        }
        return tool_stdout_close();
    }
    if (T->spec == NULL || T->state == NULL || npos == 0) {
        tool_error("--hci SPEC, --state DIR and a command are needed (meshrpr --hci SPEC --help)");
        return usage_fail(npos > 0 ? pos[0] : "");
    }
    int (*cmd)(int, char **) = hc->fn;
    if (strcmp(hc->name, "node") == 0) {
        if (role == NULL || (strcmp(role, "server") != 0 && strcmp(role, "device") != 0)) {
            tool_error("node needs --role server|device");
            return usage_fail("node");
        }
        if (npos != 1) {
            tool_error("node takes no arguments");
            return usage_fail("node");
        }
        if (T->json) {
            tool_error("node prints its events as lines: --json is for the provisioner's "
                       "commands");
            return usage_fail("node");
        }
        T->role = strcmp(role, "server") == 0 ? ROLE_SERVER : ROLE_DEVICE;
    } else {
        if (role != NULL) {
            tool_error("--role is for the node command");
            return usage_fail(hc->name);
        }
        T->role = ROLE_PROVISIONER;
    }
    if (out_begin(&T->out, T->json, hc->name) != 0) {
        tool_error("out of memory");
        return TOOL_EXIT_FAIL;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    (void)sigaction(SIGINT, &sa, NULL);
    (void)sigaction(SIGTERM, &sa, NULL);
    int rc = target_start(err, sizeof(err));
    if (rc != 0) {
        tool_error("%s", err[0] != '\0' ? err : tool_errno_text(rc));
        if (meshrpr_hci_state(&T->hci) != MESHRPR_HCI_FAILED &&
            meshrpr_hci_state(&T->hci) != MESHRPR_HCI_DOWN) {
            meshrpr_hci_close(&T->hci);
        }
        out_error_default(&T->out, tool_last_error());
        out_end(&T->out);
        return TOOL_EXIT_FAIL;
    }
    if (cmd == NULL) {
        rc = run_node();
        target_stop(false);
        out_end(&T->out);
        return rc;
    }
    uint64_t t0 = meshrpr_posix_host_now_ms(&T->host);
    rc = cmd(npos - 1, pos + 1);
    if (T->stats) {
        /* For bench/bench_hci.sh: the command's wall time and what went over the controller. */
        const struct meshrpr_hci_stats *hs = meshrpr_hci_stats(&T->hci);
        uint64_t wall_ms = meshrpr_posix_host_now_ms(&T->host) - t0;
        cJSON *so = out_obj(T->out.root, "stats");
        out_num(so, "wall_ms", (double)wall_ms);
        out_num(so, "pdus_sent", (double)hs->pdus);
        out_num(so, "adv_events", (double)hs->adv_events);
        out_num(so, "reports_heard", (double)hs->reports);
        out_num(so, "hci_commands", (double)hs->cmds);
        out_num(so, "hci_events", (double)hs->events);
        say("stats: wall_ms %" PRIu64 ", pdus_sent %" PRIu64 ", adv_events %" PRIu64
            ", reports_heard %" PRIu64 ", hci_commands %" PRIu64 ", hci_events %" PRIu64,
            wall_ms, hs->pdus, hs->adv_events, hs->reports, hs->cmds, hs->events);
    }
    target_stop(!hci_failed());
    if (rc != TOOL_EXIT_OK) {
        out_error_default(&T->out, tool_last_error());
    }
    out_end(&T->out);
    return tool_stdout_close_rc(rc);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * meshd_bridge: real meshrpr nodes, in real time, against BlueZ bluetooth-meshd over its unit
 * socket (test-only code, driven by meshd_interop.py). Roles:
 *   prov  a provisioner (Configuration Client, node database) provisions the device with
 *         --uuid over PB-ADV (MshPRTv1.1 §5.2.1, §5.4), then checks it with Composition Data
 *         Get, Default TTL Get, AppKey Add (segmented) and AppKey Get, using the device key its
 *         database recorded;
 *   rpr   the same through a Remote Provisioning Server (a second meshrpr node, the only one
 *         that hears meshd, and a relay): Remote Provisioning Scan, then PB-Remote
 *         (MshPRTv1.1 §4.4.5, §4.4.6), then the same Configuration checks through the relay;
 *   dev   an unprovisioned device (Configuration Server) offered on PB-ADV until the harness
 *         says "quit".
 * --auth none|static|output selects the authentication (the device offers only that one).
 * Lines starting with '@' on stdout tell the harness what happened:
 *   @BOUND, @PROVISIONED <addr> <devkey>, @OUTPUT_NUMBER <n>, @COMP <hex>, @TTL <n>,
 *   @DONE, @KNOWN_DEFECT <what>.
 * Exit status 0 on success, 3 after @KNOWN_DEFECT, 1 otherwise.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <meshrpr/cdb.h>
#include <meshrpr/cfg_cli.h>
#include <meshrpr/cfg_srv.h>
#include <meshrpr/node.h>
#include <meshrpr/prov.h>
#include <meshrpr/rpr_cli.h>
#include <meshrpr/rpr_srv.h>

#include <meshrpr/posix_host.h>

#include "unit_air.h"

#define NET_IDX 0x0000
#define APP_IDX 0x0000
#define DEV_CID 0x05f1
#define DEV_PID 0x4d52
#define DEV_VID 0x0001

enum auth { AUTH_NONE, AUTH_STATIC, AUTH_OUTPUT, AUTH_HMAC };

struct bridge {
    struct meshrpr_posix_host host;
    struct unit_air air;
    const char *role;
    enum auth auth;
    uint8_t uuid[16];
    uint8_t static_val[16];
    uint16_t expect_cid, expect_pid, expect_vid;
    bool have_expect;
    /* Nodes: [0] provisioner/client or device, [1] the Remote Provisioning Server. */
    struct meshrpr_node node[2];
    struct meshrpr_node_config cfg[2];
    struct bt_mesh_prov prov;
    struct meshrpr_cdb cdb;
    uint8_t net_key[16];
    /* Events. */
    bool beacon_seen;
    bool node_added;
    uint16_t added_addr;
    bool link_closed;
    unsigned link_bearer;
    bool provisioned; /* device role */
    bool scan_found;
    bool quit;
    bool stdin_eof;
    char stdin_buf[256];
    size_t stdin_len;
    bool want_number;
};

/* The Zephyr-style provisioning callbacks carry no context; one bridge per process. */
static struct bridge *B;

static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void out(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

static void hex_str(const uint8_t *p, size_t n, char *s)
{
    for (size_t i = 0; i < n; i++) {
        sprintf(s + 2 * i, "%02x", p[i]);
    }
    s[2 * n] = '\0';
}

static int parse_hex(const char *s, uint8_t *out_buf, size_t n)
{
    if (strlen(s) != 2 * n) {
        return -EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        if (sscanf(s + 2 * i, "%2x", &v) != 1) {
            return -EINVAL;
        }
        out_buf[i] = (uint8_t)v;
    }
    return 0;
}

static void die(const char *what, int err) __attribute__((noreturn));
static void die(const char *what, int err)
{
    fprintf(stderr, "meshd_bridge: %s: %s\n", what, err < 0 ? strerror(-err) : "failed");
    exit(1);
}

static void rand_bytes(uint8_t *p, size_t n)
{
    if (getrandom(p, n, 0) != (ssize_t)n) {
        die("getrandom", -EIO);
    }
}

/* ---- compositions ------------------------------------------------------------------------- */

static struct bt_mesh_cfg_cli cfg_cli = { .timeout_ms = 4000 };
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

static const struct bt_mesh_model dev_models[] = {
    BT_MESH_MODEL_CFG_SRV,
};
static const struct bt_mesh_elem dev_elems[] = {
    BT_MESH_ELEM(0x0001, dev_models, BT_MESH_MODEL_NONE),
};
static const struct bt_mesh_comp dev_comp = {
    .cid = DEV_CID, .pid = DEV_PID, .vid = DEV_VID, .elem_count = 1, .elem = dev_elems
};

/* ---- provisioning callbacks --------------------------------------------------------------- */

static void cb_unprov_beacon(uint8_t uuid[16], bt_mesh_prov_oob_info_t oob_info, uint32_t *uri_hash)
{
    (void)oob_info;
    (void)uri_hash;
    if (!B->beacon_seen && memcmp(uuid, B->uuid, 16) == 0) {
        B->beacon_seen = true;
        fprintf(stderr, "meshd_bridge: Unprovisioned Device beacon of the target\n");
    }
}

static void cb_capabilities(const struct bt_mesh_dev_capabilities *cap)
{
    struct meshrpr_node *n = &B->node[0];
    fprintf(stderr,
            "meshd_bridge: capabilities: %u elements, algorithms %04x, static %02x, output "
            "%04x/%u, input %04x/%u\n",
            cap->elem_count, cap->algorithms, cap->oob_type, (unsigned)cap->output_actions,
            cap->output_size, (unsigned)cap->input_actions, cap->input_size);
    switch (B->auth) {
    case AUTH_STATIC:
        (void)meshrpr_prov_auth_method_set_static(n, B->static_val, sizeof(B->static_val));
        break;
    case AUTH_OUTPUT:
        (void)meshrpr_prov_auth_method_set_output(n, BT_MESH_DISPLAY_NUMBER,
                                                  cap->output_size ? cap->output_size : 4);
        break;
    default:
        (void)meshrpr_prov_auth_method_set_none(n);
        break;
    }
}

/* Provisioner with Output OOB: the user types what meshd's agent displays (the harness sends
 * "number N"). Device role never asks. */
static int cb_input(bt_mesh_input_action_t act, uint8_t size)
{
    (void)act;
    (void)size;
    B->want_number = true;
    out("@WANT_NUMBER");
    return 0;
}

static int cb_output_number(bt_mesh_output_action_t act, uint32_t num)
{
    (void)act;
    out("@OUTPUT_NUMBER %" PRIu32, num);
    return 0;
}

static void cb_node_added(uint16_t net_idx, uint8_t uuid[16], uint16_t addr, uint8_t num_elem)
{
    (void)net_idx;
    (void)uuid;
    (void)num_elem;
    B->node_added = true;
    B->added_addr = addr;
}

static void cb_link_open(bt_mesh_prov_bearer_t bearer)
{
    B->link_bearer = (unsigned)bearer;
}

static void cb_link_close(bt_mesh_prov_bearer_t bearer)
{
    (void)bearer;
    B->link_closed = true;
}

static void cb_complete(uint16_t net_idx, uint16_t addr)
{
    (void)net_idx;
    (void)addr;
    B->provisioned = true;
}

static void scan_report(struct bt_mesh_rpr_cli *cli, const struct bt_mesh_rpr_node *srv,
                        struct bt_mesh_rpr_unprov *unprov, struct net_buf_simple *adv_data)
{
    (void)cli;
    (void)adv_data;
    if (memcmp(unprov->uuid, B->uuid, 16) == 0) {
        fprintf(stderr, "meshd_bridge: Scan Report from server %04x: the target, RSSI %d\n",
                srv->addr, unprov->rssi);
        B->scan_found = true;
    }
}

static void stdin_line(const char *line)
{
    unsigned long num;
    if (strcmp(line, "quit") == 0) {
        B->quit = true;
    } else if (sscanf(line, "number %lu", &num) == 1) {
        int err = meshrpr_prov_input_number(&B->node[0], (uint32_t)num);
        fprintf(stderr, "meshd_bridge: input number %lu: %d\n", num, err);
    }
}

/* Lines from the harness on stdin; its end (the harness gone) counts as "quit". */
static void on_stdin(void *ctx, int fd, short revents)
{
    (void)ctx;
    (void)revents;
    ssize_t n = read(fd, B->stdin_buf + B->stdin_len, sizeof(B->stdin_buf) - 1 - B->stdin_len);
    if (n <= 0) {
        B->stdin_eof = true;
        B->quit = true;
        (void)meshrpr_posix_host_fd_remove(&B->host, fd);
        return;
    }
    B->stdin_len += (size_t)n;
    B->stdin_buf[B->stdin_len] = '\0';
    char *nl;
    while ((nl = strchr(B->stdin_buf, '\n')) != NULL) {
        *nl = '\0';
        stdin_line(B->stdin_buf);
        size_t used = (size_t)(nl + 1 - B->stdin_buf);
        memmove(B->stdin_buf, nl + 1, B->stdin_len - used + 1);
        B->stdin_len -= used;
    }
    if (B->stdin_len == sizeof(B->stdin_buf) - 1) {
        B->stdin_len = 0; /* an overlong line: drop it */
    }
}

/* ---- helpers ------------------------------------------------------------------------------ */

static bool flag_true(void *arg)
{
    return *(bool *)arg;
}

static bool prov_over(void *arg)
{
    (void)arg;
    return B->node_added || (B->link_closed && !meshrpr_prov_is_busy(&B->node[0]));
}

static uint64_t after_ms(uint32_t ms)
{
    return meshrpr_posix_host_now_ms(&B->host) + ms;
}

static void pause_ms(uint32_t ms)
{
    (void)meshrpr_posix_host_run_until(&B->host, NULL, NULL, after_ms(ms));
}

static void node_setup(int i, const char *name, const struct bt_mesh_comp *comp, bool hears_meshd,
                       uint16_t features)
{
    struct meshrpr_node_config *c = &B->cfg[i];
    memset(c, 0, sizeof(*c));
    struct meshrpr_posix_radio *radio = unit_air_radio(&B->air, name, hears_meshd);
    int err = radio == NULL
                  ? -ENOMEM
                  : meshrpr_posix_host_node_add(&B->host, &B->node[i], radio, name, &c->platform);
    if (err != 0) {
        die("meshrpr_posix_host_node_add", err);
    }
    c->comp = comp;
    c->features = features;
    c->name = name;
    c->dev_key_get = meshrpr_cdb_dev_key_get;
    c->dev_key_ctx = &B->cdb;
    if (i == 0) {
        c->prov = &B->prov;
        if (strcmp(B->role, "dev") != 0) {
            c->cdb = &B->cdb;
        }
    }
}

static void node_start(int i)
{
    int err = meshrpr_node_init(&B->node[i], &B->cfg[i]);
    if (err != 0) {
        die("meshrpr_node_init", err);
    }
    /* meshd 5.66 cancels and re-queues its Link ACK (and its reply PDUs) behind its 500 ms
     * beacon ring each time it hears our Link Open or a repeated transaction, so a 500 ms
     * retransmission can starve its answer for the whole 10 s Link Open window (seen in CI
     * as "link through 0x0002 did not open"; every 2.5 s always works). Retransmit every
     * 1.5-2 s towards meshd, as an application talking to such a peer would configure. */
    struct meshrpr_pb_adv_timing t;
    meshrpr_pb_adv_timing_get(&B->node[i], &t);
    t.retransmit_ms = 1500;
    t.retransmit_jitter_ms = 500;
    err = meshrpr_pb_adv_timing_set(&B->node[i], &t);
    if (err != 0) {
        die("meshrpr_pb_adv_timing_set", err);
    }
}

/* Provision a meshrpr node of ours locally and record it in the database. */
static void node_join_local(int i, uint16_t addr)
{
    uint8_t dev_key[16], uuid[16];
    rand_bytes(dev_key, 16);
    rand_bytes(uuid, 16);
    int err = meshrpr_node_provision(&B->node[i], B->net_key, NET_IDX, 0, 0, addr, dev_key);
    if (err != 0) {
        die("meshrpr_node_provision", err);
    }
    struct meshrpr_cdb_node *e = meshrpr_cdb_node_alloc(&B->cdb, uuid, addr, 1, NET_IDX);
    if (e == NULL) {
        die("meshrpr_cdb_node_alloc", -ENOMEM);
    }
    memcpy(e->dev_key, dev_key, 16);
}

static const char *prov_status_name(enum meshrpr_prov_status s)
{
    switch (s) {
    case MESHRPR_PROV_STATUS_SUCCESS:
        return "success";
    case MESHRPR_PROV_STATUS_REFUSED:
        return "refused";
    case MESHRPR_PROV_STATUS_PEER_FAILED:
        return "peer sent Provisioning Failed";
    case MESHRPR_PROV_STATUS_TIMEOUT:
        return "timeout";
    case MESHRPR_PROV_STATUS_LINK_CLOSED:
        return "link closed";
    case MESHRPR_PROV_STATUS_LOCAL_ERROR:
        return "local error";
    }
    return "?";
}

/* The provisioning ended without a node: report it, and whether it is meshd 5.66's known
 * Output OOB defect (Provisioning Failed, Invalid Format, in answer to our Start). */
static int prov_failed(void)
{
    struct meshrpr_prov_result r;
    if (meshrpr_prov_last_result(&B->node[0], &r) != 0) {
        fprintf(stderr, "meshd_bridge: provisioning did not finish\n");
        return 1;
    }
    fprintf(stderr, "meshd_bridge: provisioning failed: %s, error 0x%02x, waiting for 0x%02x\n",
            prov_status_name(r.status), r.error_code, r.waiting_for);
    if (B->auth == AUTH_OUTPUT && r.status == MESHRPR_PROV_STATUS_PEER_FAILED &&
        r.error_code == MESHRPR_PROV_ERR_INVALID_FORMAT) {
        out("@KNOWN_DEFECT prov-failed-invalid-format-after-start");
        return 3;
    }
    return 1;
}

/* ---- Configuration checks of the provisioned meshd node ----------------------------------- */

/* One retry after a timeout: meshd sends each Network PDU once (Network Transmit count 1). */
#define RETRY(err, call)                                                                           \
    do {                                                                                           \
        (err) = (call);                                                                            \
        if ((err) == -ETIMEDOUT) {                                                                 \
            fprintf(stderr, "meshd_bridge: %s timed out, once more\n", #call);                     \
            (err) = (call);                                                                        \
        }                                                                                          \
    } while (0)

static int config_checks(uint16_t addr)
{
    NET_BUF_SIMPLE_DEFINE(comp, 64);
    uint8_t page = 0xff, ttl = 0, status = 0xff;
    char hex[2 * 64 + 1];
    int err;

    /* meshd activates the node only after our (the harness's) answer to JoinComplete. */
    pause_ms(800);

    RETRY(err, meshrpr_cfg_cli_comp_data_get(&cfg_cli, NET_IDX, addr, 0, &page, &comp));
    if (err != 0) {
        fprintf(stderr, "meshd_bridge: Composition Data Get: %s\n", strerror(-err));
        return 1;
    }
    hex_str(comp.data, comp.len, hex);
    out("@COMP %02x%s", page, hex);
    /* Page 0: CID, PID, VID, CRPL, Features, then elements; meshd puts its Configuration
     * Server (0x0000) on element 0 (§4.2.2.1). */
    if (page != 0 || comp.len < 14) {
        fprintf(stderr, "meshd_bridge: Composition Data page %u, %u octets\n", page, comp.len);
        return 1;
    }
    uint16_t cid = (uint16_t)(comp.data[0] | comp.data[1] << 8);
    uint16_t pid = (uint16_t)(comp.data[2] | comp.data[3] << 8);
    uint16_t vid = (uint16_t)(comp.data[4] | comp.data[5] << 8);
    uint8_t nums = comp.data[12];
    bool has_cfg_srv = false;
    for (size_t i = 0; i < nums && 14 + 2 * i + 1 < comp.len; i++) {
        if (comp.data[14 + 2 * i] == 0x00 && comp.data[15 + 2 * i] == 0x00) {
            has_cfg_srv = true;
        }
    }
    if (B->have_expect &&
        (cid != B->expect_cid || pid != B->expect_pid || vid != B->expect_vid || !has_cfg_srv)) {
        fprintf(stderr,
                "meshd_bridge: Composition Data CID %04x PID %04x VID %04x (cfg srv %d), "
                "expected %04x %04x %04x\n",
                cid, pid, vid, has_cfg_srv, B->expect_cid, B->expect_pid, B->expect_vid);
        return 1;
    }

    RETRY(err, meshrpr_cfg_cli_ttl_get(&cfg_cli, NET_IDX, addr, &ttl));
    if (err != 0) {
        fprintf(stderr, "meshd_bridge: Default TTL Get: %s\n", strerror(-err));
        return 1;
    }
    out("@TTL %u", ttl);
    /* bluetooth-meshd's Default TTL is 0x7f (mesh/node.c DEFAULT_TTL). */
    if (ttl != 0x7f) {
        fprintf(stderr, "meshd_bridge: Default TTL %u, expected 127\n", ttl);
        return 1;
    }

    uint8_t app_key[16];
    rand_bytes(app_key, 16);
    /* 20 octets of access payload: a segmented message (two segments) under the device key. */
    RETRY(err,
          meshrpr_cfg_cli_app_key_add(&cfg_cli, NET_IDX, addr, NET_IDX, APP_IDX, app_key, &status));
    if (err != 0 || status != MESHRPR_CFG_STATUS_SUCCESS) {
        fprintf(stderr, "meshd_bridge: AppKey Add: err %d status 0x%02x\n", err, status);
        return 1;
    }
    out("@APPKEY_ADD %02x", status);

    uint16_t keys[4];
    size_t key_cnt = 4;
    status = 0xff;
    RETRY(err,
          meshrpr_cfg_cli_app_key_get(&cfg_cli, NET_IDX, addr, NET_IDX, &status, keys, &key_cnt));
    if (err != 0 || status != MESHRPR_CFG_STATUS_SUCCESS || key_cnt != 1 || keys[0] != APP_IDX) {
        fprintf(stderr, "meshd_bridge: AppKey Get: err %d status 0x%02x, %zu keys\n", err, status,
                key_cnt);
        return 1;
    }
    out("@APPKEY_GET %u", keys[0]);
    return 0;
}

static void report_provisioned(uint16_t addr)
{
    struct meshrpr_cdb_node *e = meshrpr_cdb_node_get(&B->cdb, addr);
    char hex[33];
    if (e == NULL) {
        die("node_added, but no database entry", -ENOENT);
    }
    hex_str(e->dev_key, 16, hex);
    out("@PROVISIONED %04x %s", addr, hex);
}

/* ---- roles -------------------------------------------------------------------------------- */

static void provisioner_setup(void)
{
    uint8_t mesh_uuid[16];
    node_setup(0, "prov", &prov_comp, strcmp(B->role, "prov") == 0, 0);
    B->prov.capabilities = cb_capabilities;
    B->prov.input = cb_input;
    B->prov.unprovisioned_beacon = cb_unprov_beacon;
    B->prov.node_added = cb_node_added;
    B->prov.link_open = cb_link_open;
    B->prov.link_close = cb_link_close;
    rpr_cli.scan_report = scan_report;
    node_start(0);
    rand_bytes(mesh_uuid, 16);
    rand_bytes(B->net_key, 16);
    meshrpr_cdb_init(&B->cdb, mesh_uuid, "meshd interop");
    if (meshrpr_cdb_subnet_add(&B->cdb, NET_IDX, B->net_key) != 0) {
        die("cdb subnet", -EINVAL);
    }
    node_join_local(0, 0x0001);
}

static int role_prov(void)
{
    provisioner_setup();
    out("@BOUND");
    /* meshd starts its Unprovisioned Device beacon when the harness calls Join. */
    if (meshrpr_posix_host_run_until(&B->host, flag_true, &B->beacon_seen, after_ms(15000)) != 0) {
        fprintf(stderr, "meshd_bridge: no Unprovisioned Device beacon from meshd in 15 s\n");
        return 1;
    }
    int err = meshrpr_provision_adv(&B->node[0], B->uuid, NET_IDX, 0, 0);
    if (err != 0) {
        die("meshrpr_provision_adv", err);
    }
    (void)meshrpr_posix_host_run_until(&B->host, prov_over, NULL, after_ms(45000));
    if (!B->node_added) {
        return prov_failed();
    }
    report_provisioned(B->added_addr);
    int ret = config_checks(B->added_addr);
    if (ret == 0) {
        out("@DONE");
    }
    return ret;
}

static int role_rpr(void)
{
    provisioner_setup();
    /* The Remote Provisioning Server: the only node in meshd's "radio range", and a relay, so
     * the client reaches the new node through it. */
    node_setup(1, "srv", &srv_comp, true, BT_MESH_FEAT_RELAY);
    node_start(1);
    node_join_local(1, 0x0002);
    meshrpr_node_relay_set(&B->node[1], true, BT_MESH_TRANSMIT(2, 20));
    out("@BOUND");

    struct bt_mesh_rpr_node srv = { .addr = 0x0002,
                                    .net_idx = NET_IDX,
                                    .ttl = BT_MESH_TTL_DEFAULT };
    struct bt_mesh_rpr_scan_status ss;
    /* Give the harness time to Join (the beacon starts then); scan for that one UUID. */
    int err = bt_mesh_rpr_scan_start(&rpr_cli, &srv, B->uuid, 15, 1, &ss);
    if (err != 0 || ss.status != BT_MESH_RPR_SUCCESS) {
        fprintf(stderr, "meshd_bridge: Remote Provisioning Scan Start: err %d status %d\n", err,
                err == 0 ? (int)ss.status : -1);
        return 1;
    }
    if (meshrpr_posix_host_run_until(&B->host, flag_true, &B->scan_found, after_ms(16000)) != 0) {
        fprintf(stderr, "meshd_bridge: the server reported no Scan Report for meshd's UUID\n");
        return 1;
    }
    err = bt_mesh_provision_remote(&rpr_cli, &srv, B->uuid, NET_IDX, 0);
    if (err != 0) {
        fprintf(stderr, "meshd_bridge: bt_mesh_provision_remote: %s\n", strerror(-err));
        return 1;
    }
    (void)meshrpr_posix_host_run_until(&B->host, prov_over, NULL, after_ms(45000));
    if (!B->node_added) {
        return prov_failed();
    }
    /* The session's link_open callback names the bearer it ran on. */
    if (B->link_bearer != BT_MESH_PROV_REMOTE) {
        fprintf(stderr, "meshd_bridge: the node was not provisioned over PB-Remote (bearer %u)\n",
                B->link_bearer);
        return 1;
    }
    report_provisioned(B->added_addr);
    int ret = config_checks(B->added_addr);
    if (ret == 0) {
        out("@DONE");
    }
    return ret;
}

static int role_dev(void)
{
    char hex[33];
    node_setup(0, "dev", &dev_comp, true, 0);
    B->prov.uuid = B->uuid;
    B->prov.complete = cb_complete;
    B->prov.output_number = cb_output_number;
    B->prov.algorithms = B->auth == AUTH_HMAC ? BIT(BT_MESH_PROV_AUTH_HMAC_SHA256_AES_CCM)
                                              : BIT(BT_MESH_PROV_AUTH_CMAC_AES128_AES_CCM);
    if (B->auth == AUTH_STATIC || B->auth == AUTH_HMAC) {
        /* HMAC needs OOB authentication to be worth offering; Static OOB is the simplest. */
        B->prov.static_val = B->static_val;
        B->prov.static_val_len = sizeof(B->static_val);
    } else if (B->auth == AUTH_OUTPUT) {
        B->prov.output_actions = BT_MESH_DISPLAY_NUMBER;
        B->prov.output_size = 4;
    }
    node_start(0);
    int err = meshrpr_prov_enable(&B->node[0], BT_MESH_PROV_ADV);
    if (err != 0) {
        die("meshrpr_prov_enable", err);
    }
    out("@BOUND");
    (void)meshrpr_posix_host_run_until(&B->host, flag_true, &B->provisioned, after_ms(45000));
    if (!B->provisioned) {
        fprintf(stderr, "meshd_bridge: the device was not provisioned\n");
        (void)prov_failed();
        /* Stay until the harness has seen meshd's side (AddNodeFailed) and quits. */
        (void)meshrpr_posix_host_run_until(&B->host, flag_true, &B->quit, after_ms(5000));
        return 1;
    }
    /* White-box: the device key the provisionee derived (MshPRTv1.1 §5.4.2.5). */
    hex_str(B->node[0].dev_key, 16, hex);
    out("@PROVISIONED %04x %s", meshrpr_node_addr(&B->node[0]), hex);
    /* Serve meshd's Composition Data Get until the harness is done. */
    if (meshrpr_posix_host_run_until(&B->host, flag_true, &B->quit, after_ms(30000)) != 0 &&
        !B->stdin_eof) {
        fprintf(stderr, "meshd_bridge: the harness never said quit\n");
        return 1;
    }
    out("@DONE");
    return 0;
}

/* ---- main --------------------------------------------------------------------------------- */

static void usage(void) __attribute__((noreturn));
static void usage(void)
{
    fprintf(stderr, "usage: meshd_bridge --role prov|rpr|dev --auth noob|static|output|hmac "
                    "--peer SOCK --meshd SOCK --uuid HEX16 [--static HEX16] "
                    "[--expect-comp CIDPIDVID] [--verbose]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    static struct bridge bridge;
    const char *peer = NULL, *meshd = NULL, *uuid = NULL, *stat = NULL, *expect = NULL;
    const char *auth = "noob";
    bool verbose = false;

    B = &bridge;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--verbose") == 0) {
            verbose = true;
            continue;
        }
        if (v == NULL) {
            usage();
        }
        i++;
        if (strcmp(a, "--role") == 0) {
            B->role = v;
        } else if (strcmp(a, "--auth") == 0) {
            auth = v;
        } else if (strcmp(a, "--peer") == 0) {
            peer = v;
        } else if (strcmp(a, "--meshd") == 0) {
            meshd = v;
        } else if (strcmp(a, "--uuid") == 0) {
            uuid = v;
        } else if (strcmp(a, "--static") == 0) {
            stat = v;
        } else if (strcmp(a, "--expect-comp") == 0) {
            expect = v;
        } else {
            usage();
        }
    }
    if (B->role == NULL || peer == NULL || meshd == NULL || uuid == NULL ||
        parse_hex(uuid, B->uuid, 16) != 0 || (stat != NULL && parse_hex(stat, B->static_val, 16))) {
        usage();
    }
    if (strcmp(auth, "noob") == 0) {
        B->auth = AUTH_NONE;
    } else if (strcmp(auth, "static") == 0) {
        B->auth = AUTH_STATIC;
    } else if (strcmp(auth, "output") == 0) {
        B->auth = AUTH_OUTPUT;
    } else if (strcmp(auth, "hmac") == 0) {
        B->auth = AUTH_HMAC;
    } else {
        usage();
    }
    if (expect != NULL) {
        unsigned c, p, v;
        if (strlen(expect) != 12 || sscanf(expect, "%4x%4x%4x", &c, &p, &v) != 3) {
            usage();
        }
        B->expect_cid = (uint16_t)c;
        B->expect_pid = (uint16_t)p;
        B->expect_vid = (uint16_t)v;
        B->have_expect = true;
    }
    meshrpr_posix_host_init(&B->host);
    meshrpr_posix_host_set_log(&B->host, verbose ? MESHRPR_LOG_LEVEL_DBG : MESHRPR_LOG_LEVEL_WRN,
                               stderr);
    int err = unit_air_open(&B->air, &B->host, peer, meshd);
    if (err != 0) {
        die(peer, err);
    }
    B->air.trace = verbose ? stderr : NULL;
    err = meshrpr_posix_host_fd_add(&B->host, STDIN_FILENO, POLLIN, on_stdin, NULL);
    if (err != 0) {
        die("stdin", err);
    }

    int ret;
    if (strcmp(B->role, "prov") == 0) {
        ret = role_prov();
    } else if (strcmp(B->role, "rpr") == 0) {
        ret = role_rpr();
    } else if (strcmp(B->role, "dev") == 0) {
        ret = role_dev();
    } else {
        usage();
    }
    fprintf(stderr, "meshd_bridge: %lu datagrams to meshd, %lu from meshd\n", B->air.to_meshd,
            B->air.from_meshd);
    for (size_t i = 0; i < B->air.radio_count; i++) {
        meshrpr_node_deinit(&B->node[i]);
        (void)meshrpr_posix_host_node_remove(&B->host, &B->node[i]);
    }
    unit_air_close(&B->air, peer);
    return ret;
}

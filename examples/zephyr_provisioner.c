/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A provisioner written the Zephyr way, on meshrpr's Zephyr API, running in the simulator.
 *
 * The application part (first half of the file) is what a Zephyr mesh provisioner does: it
 * initialises the stack with bt_mesh_init(), creates its Configuration Database with
 * bt_mesh_cdb_create() and an AppKey in it, provisions itself with bt_mesh_provision() and
 * configures itself; then it provisions a Remote Provisioning Server it hears beaconing
 * (bt_mesh_provision_adv()), configures it with the Configuration Client (AppKey Add,
 * Composition Data Get, Model App Bind for every model), scans through it for a device out of
 * its own radio range (bt_mesh_rpr_scan_start()), provisions that device over PB-Remote
 * (bt_mesh_provision_remote()), and configures every node still unconfigured
 * (bt_mesh_cdb_node_foreach()). Only the headers differ from a Zephyr build
 * (<meshrpr/mesh.h> instead of <zephyr/bluetooth/mesh.h>), and k_sem, bt_rand and printk come
 * from the small "kernel" below.
 *
 * The board part (second half) is what Zephyr's kernel and controller give such a sample:
 * a simulated world (meshrpr_sim) with the provisioner, a Remote Provisioning Server next to
 * it, and a device that only the server hears; the platform the provisioner node runs on
 * (meshrpr_compat_init()); and the checks that the run did what the application says.
 *
 * Exit status 0 when every step succeeded and the network is as configured; 1 otherwise.
 * Run by CTest (example_zephyr_provisioner).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <meshrpr/mesh.h>
#include <meshrpr/sim.h>

/* ---- The "kernel": what Zephyr provides the sample ---------------------------------------- */

struct k_sem {
    unsigned int count;
};

static void k_sem_give(struct k_sem *sem);
static int k_sem_take(struct k_sem *sem, uint32_t timeout_ms);
static int bt_rand(void *buf, size_t len);
static void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define K_SECONDS(s)  ((uint32_t)(s)*1000u)

/* ---- The application ---------------------------------------------------------------------- */

static const uint16_t net_idx = BT_MESH_NET_PRIMARY;
static const uint16_t app_idx = 0x000;
static const uint16_t self_addr = 0x0001;
static uint8_t net_key[16];
static uint8_t dev_key[16];
static uint8_t node_uuid[16];
static const uint8_t self_uuid[16] = { 0x5a, 0x65, 0x70, 0x68, 0x79, 0x72, 0x2d, 0x70,
                                       0x72, 0x6f, 0x76, 0x00, 0x00, 0x00, 0x00, 0x01 };

static struct k_sem sem_unprov_beacon;
static struct k_sem sem_node_added;
static struct k_sem sem_rpr_scan;
static uint16_t added_addr;

/* What a run achieved, for the board's checks. */
static struct {
    int configured;
    int failures;
    uint16_t remote_addr;
    uint16_t server_addr;
} result;

static void rpr_scan_report(struct bt_mesh_rpr_cli *cli, const struct bt_mesh_rpr_node *srv,
                            struct bt_mesh_rpr_unprov *unprov, struct net_buf_simple *adv_data)
{
    (void)cli;
    (void)adv_data;
    printk("scan report from 0x%04x: device %02x%02x..., OOB 0x%04x", srv->addr, unprov->uuid[0],
           unprov->uuid[1], (unsigned)unprov->oob);
    memcpy(node_uuid, unprov->uuid, 16);
    k_sem_give(&sem_rpr_scan);
}

static struct bt_mesh_cfg_cli cfg_cli;
static struct bt_mesh_rpr_cli rpr_cli = {
    .scan_report = rpr_scan_report,
};

static const struct bt_mesh_model root_models[] = {
    BT_MESH_MODEL_CFG_SRV,
    BT_MESH_MODEL_CFG_CLI(&cfg_cli),
    BT_MESH_MODEL_RPR_CLI(&rpr_cli),
};

static const struct bt_mesh_elem elements[] = {
    BT_MESH_ELEM(0, root_models, BT_MESH_MODEL_NONE),
};

static const struct bt_mesh_comp mesh_comp = {
    .cid = 0x05f1,
    .elem = elements,
    .elem_count = ARRAY_SIZE(elements),
};

static void unprovisioned_beacon(uint8_t uuid[16], bt_mesh_prov_oob_info_t oob_info,
                                 uint32_t *uri_hash)
{
    (void)oob_info;
    (void)uri_hash;
    memcpy(node_uuid, uuid, 16);
    k_sem_give(&sem_unprov_beacon);
}

static void node_added(uint16_t idx, uint8_t uuid[16], uint16_t addr, uint8_t num_elem)
{
    (void)idx;
    (void)uuid;
    printk("node added: 0x%04x, %u element(s)", addr, num_elem);
    added_addr = addr;
    k_sem_give(&sem_node_added);
}

static const struct bt_mesh_prov prov = {
    .uuid = self_uuid,
    .unprovisioned_beacon = unprovisioned_beacon,
    .node_added = node_added,
};

static int setup_cdb(void)
{
    struct bt_mesh_cdb_app_key *key;
    uint8_t app_key[16];
    int err;

    key = bt_mesh_cdb_app_key_alloc(net_idx, app_idx);
    if (key == NULL) {
        printk("Failed to allocate app-key 0x%04x", app_idx);
        return -ENOMEM;
    }
    (void)bt_rand(app_key, 16);
    err = bt_mesh_cdb_app_key_import(key, 0, app_key);
    if (err) {
        printk("Failed to import appkey into cdb. Err:%d", err);
        return err;
    }
    bt_mesh_cdb_app_key_store(key);
    return 0;
}

static void configure_self(struct bt_mesh_cdb_node *self)
{
    struct bt_mesh_cdb_app_key *key;
    uint8_t app_key[16];
    uint8_t status = 0;
    int err;

    printk("Configuring self...");
    key = bt_mesh_cdb_app_key_get(app_idx);
    if (key == NULL || bt_mesh_cdb_app_key_export(key, 0, app_key) != 0) {
        printk("No app-key 0x%04x", app_idx);
        result.failures++;
        return;
    }
    /* Add Application Key */
    err = bt_mesh_cfg_cli_app_key_add(self->net_idx, self->addr, self->net_idx, app_idx, app_key,
                                      &status);
    if (err || status) {
        printk("Failed to add app-key (err %d, status %d)", err, status);
        result.failures++;
        return;
    }
    self->configured = true;
    bt_mesh_cdb_node_store(self);
    result.configured++;
    printk("Configuration complete");
}

/* One element of a Composition Data page 0 (MshPRTv1.1 §4.2.2.1), read from buf. */
struct comp_p0_elem {
    uint16_t loc;
    uint8_t nsig;
    uint8_t nvnd;
    const uint8_t *models; /* nsig 2-octet SIG IDs, then nvnd (CID, ID) pairs */
};

static bool comp_p0_elem_pull(struct net_buf_simple *buf, struct comp_p0_elem *elem)
{
    size_t len;

    if (buf->len < 4) {
        return false;
    }
    elem->loc = net_buf_simple_pull_le16(buf);
    elem->nsig = net_buf_simple_pull_u8(buf);
    elem->nvnd = net_buf_simple_pull_u8(buf);
    len = (size_t)elem->nsig * 2 + (size_t)elem->nvnd * 4;
    if (buf->len < len) {
        return false;
    }
    elem->models = net_buf_simple_pull_mem(buf, len);
    return true;
}

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static void configure_node(struct bt_mesh_cdb_node *node)
{
    NET_BUF_SIMPLE_DEFINE(buf, BT_MESH_RX_SDU_MAX);
    struct bt_mesh_cdb_app_key *key;
    struct comp_p0_elem elem;
    uint8_t app_key[16];
    uint8_t status = 0;
    uint8_t page = 0xff;
    uint16_t elem_addr;
    int err;

    printk("Configuring node 0x%04x...", node->addr);
    key = bt_mesh_cdb_app_key_get(app_idx);
    if (key == NULL || bt_mesh_cdb_app_key_export(key, 0, app_key) != 0) {
        printk("No app-key 0x%04x", app_idx);
        result.failures++;
        return;
    }
    /* Add Application Key */
    err = bt_mesh_cfg_cli_app_key_add(net_idx, node->addr, net_idx, app_idx, app_key, &status);
    if (err || status) {
        printk("Failed to add app-key (err %d status %d)", err, status);
        result.failures++;
        return;
    }
    /* Get the node's composition data and bind all models to the appkey */
    err = bt_mesh_cfg_cli_comp_data_get(net_idx, node->addr, 0, &page, &buf);
    if (err || page != 0 || buf.len < 10) {
        printk("Failed to get composition data (err %d, page %d)", err, page);
        result.failures++;
        return;
    }
    net_buf_simple_pull(&buf, 10); /* CID, PID, VID, CRPL, Features */
    elem_addr = node->addr;
    while (comp_p0_elem_pull(&buf, &elem)) {
        printk("Element @ 0x%04x: %u + %u models", elem_addr, elem.nsig, elem.nvnd);
        for (int i = 0; i < elem.nsig; i++) {
            uint16_t id = le16(&elem.models[i * 2]);

            if (id == BT_MESH_MODEL_ID_CFG_CLI || id == BT_MESH_MODEL_ID_CFG_SRV ||
                id == BT_MESH_MODEL_ID_REMOTE_PROV_SRV || id == BT_MESH_MODEL_ID_REMOTE_PROV_CLI) {
                continue; /* secured with the device key: no AppKey binding */
            }
            printk("Binding AppKey to model 0x%04x:%04x", elem_addr, id);
            err =
                bt_mesh_cfg_cli_mod_app_bind(net_idx, node->addr, elem_addr, app_idx, id, &status);
            if (err || status) {
                printk("Failed (err: %d, status: %d)", err, status);
                result.failures++;
                return;
            }
        }
        for (int i = 0; i < elem.nvnd; i++) {
            const uint8_t *p = &elem.models[elem.nsig * 2 + i * 4];
            uint16_t company = le16(p);
            uint16_t id = le16(p + 2);

            printk("Binding AppKey to model 0x%04x:%04x:%04x", elem_addr, company, id);
            err = bt_mesh_cfg_cli_mod_app_bind_vnd(net_idx, node->addr, elem_addr, app_idx, id,
                                                   company, &status);
            if (err || status) {
                printk("Failed (err: %d, status: %d)", err, status);
                result.failures++;
                return;
            }
        }
        elem_addr++;
    }
    node->configured = true;
    bt_mesh_cdb_node_store(node);
    result.configured++;
    printk("Configuration complete");
}

static uint8_t check_unconfigured(struct bt_mesh_cdb_node *node, void *data)
{
    (void)data;
    if (!node->configured) {
        if (node->addr == self_addr) {
            configure_self(node);
        } else {
            configure_node(node);
        }
    }
    return BT_MESH_CDB_ITER_CONTINUE;
}

static int app_main(void)
{
    struct bt_mesh_rpr_scan_status scan_status;
    struct bt_mesh_rpr_node srv;
    int err;

    err = bt_mesh_init(&prov, &mesh_comp);
    if (err) {
        printk("Initializing mesh failed (err %d)", err);
        return err;
    }
    printk("Mesh initialized");

    (void)bt_rand(net_key, 16);
    err = bt_mesh_cdb_create(net_key);
    if (err == -EALREADY) {
        printk("Using stored CDB");
    } else if (err) {
        printk("Failed to create CDB (err %d)", err);
        return err;
    } else {
        printk("Created CDB");
        err = setup_cdb();
        if (err) {
            return err;
        }
    }

    (void)bt_rand(dev_key, 16);
    err = bt_mesh_provision(net_key, BT_MESH_NET_PRIMARY, 0, 0, self_addr, dev_key);
    if (err == -EALREADY) {
        printk("Using stored settings");
    } else if (err) {
        printk("Provisioning failed (err %d)", err);
        return err;
    } else {
        printk("Provisioning completed");
    }
    bt_mesh_cdb_node_foreach(check_unconfigured, NULL);

    /* A Remote Provisioning Server in reach: provision it over PB-ADV and configure it. */
    printk("Waiting for unprovisioned beacon...");
    err = k_sem_take(&sem_unprov_beacon, K_SECONDS(10));
    if (err) {
        printk("No unprovisioned beacon (err %d)", err);
        return err;
    }
    printk("Provisioning %02x%02x... over PB-ADV", node_uuid[0], node_uuid[1]);
    err = bt_mesh_provision_adv(node_uuid, net_idx, 0, 0);
    if (err) {
        printk("Provisioning failed (err %d)", err);
        return err;
    }
    err = k_sem_take(&sem_node_added, K_SECONDS(10));
    if (err) {
        printk("Timeout waiting for node to be added (err %d)", err);
        return err;
    }
    result.server_addr = added_addr;
    bt_mesh_cdb_node_foreach(check_unconfigured, NULL);

    /* Scan through it for devices out of our own reach, and provision the first one found. */
    srv.addr = result.server_addr;
    srv.net_idx = net_idx;
    srv.ttl = BT_MESH_TTL_DEFAULT;
    err = bt_mesh_rpr_scan_start(&rpr_cli, &srv, NULL, 10, 1, &scan_status);
    if (err || scan_status.status != BT_MESH_RPR_SUCCESS) {
        printk("Scan start failed (err %d, status %d)", err, scan_status.status);
        return err ? err : -EIO;
    }
    printk("Remote scan started through 0x%04x", srv.addr);
    err = k_sem_take(&sem_rpr_scan, K_SECONDS(15));
    if (err) {
        printk("No device found by the remote scan (err %d)", err);
        return err;
    }
    err = bt_mesh_provision_remote(&rpr_cli, &srv, node_uuid, net_idx, 0);
    if (err) {
        printk("Remote provisioning failed (err %d)", err);
        return err;
    }
    err = k_sem_take(&sem_node_added, K_SECONDS(60));
    if (err) {
        printk("Timeout waiting for the remote node to be added (err %d)", err);
        return err;
    }
    result.remote_addr = added_addr;
    bt_mesh_cdb_node_foreach(check_unconfigured, NULL);
    return result.failures == 0 ? 0 : -EIO;
}

/* ---- The board: a simulated world ---------------------------------------------------------- */

static struct meshrpr_sim sim;

/* A mesh node in the world: the provisioner (the application's node), a Remote Provisioning
 * Server and a device. */
struct board_node {
    struct meshrpr_node node;
    int sim_id;
};

static struct board_node prov_node;
static struct board_node srv_node;
static struct board_node dev_node;
static struct meshrpr_cdb cdb;

static uint64_t ops_next_deadline_ms(void *p)
{
    return meshrpr_node_next_deadline_ms(&((struct board_node *)p)->node);
}

static void ops_process(void *p)
{
    meshrpr_node_process(&((struct board_node *)p)->node);
}

static void ops_adv_report(void *p, const struct meshrpr_adv_report *report)
{
    meshrpr_node_scan_recv(&((struct board_node *)p)->node, report);
}

static void ops_adv_sent(void *p, uint32_t tx_id)
{
    meshrpr_node_adv_sent(&((struct board_node *)p)->node, tx_id);
}

static const struct meshrpr_sim_node_ops node_ops = {
    .adv_report = ops_adv_report,
    .next_deadline_ms = ops_next_deadline_ms,
    .process = ops_process,
    .adv_sent = ops_adv_sent,
};

static bool sem_available(void *arg)
{
    return ((struct k_sem *)arg)->count > 0;
}

static void k_sem_give(struct k_sem *sem)
{
    sem->count++;
}

/* Zephyr's thread would sleep here while the Bluetooth thread runs; the board runs the world
 * (virtual time) until the semaphore is given or the timeout passes. */
static int k_sem_take(struct k_sem *sem, uint32_t timeout_ms)
{
    if (sem->count == 0) {
        (void)meshrpr_sim_run_until_done(&sim, sem_available, sem,
                                         meshrpr_sim_now_ms(&sim) + timeout_ms);
    }
    if (sem->count == 0) {
        return -EAGAIN; /* Zephyr's answer to a timed-out k_sem_take() */
    }
    sem->count--;
    return 0;
}

static int bt_rand(void *buf, size_t len)
{
    const struct meshrpr_platform *p = meshrpr_sim_node_platform(&sim, prov_node.sim_id);

    return p->random(p->ctx, buf, len);
}

static void printk(const char *fmt, ...)
{
    va_list ap;

    printf("[%8llu ms] ", (unsigned long long)meshrpr_sim_now_ms(&sim));
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

/* The server: Configuration Server and Remote Provisioning Server, offered on PB-ADV. */
static const uint8_t srv_uuid[16] = { 0x52, 0x50, 0x52, 0x2d, 0x73, 0x72, 0x76, 0x00,
                                      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02 };
static const struct bt_mesh_model srv_models[] = {
    BT_MESH_MODEL_CFG_SRV,
    BT_MESH_MODEL_RPR_SRV,
};
static const struct bt_mesh_elem srv_elements[] = {
    BT_MESH_ELEM(0, srv_models, BT_MESH_MODEL_NONE),
};
static const struct bt_mesh_comp srv_comp = {
    .cid = 0x05f1, .pid = 0x0002, .elem = srv_elements, .elem_count = ARRAY_SIZE(srv_elements)
};
static const struct bt_mesh_prov srv_prov = { .uuid = srv_uuid };

/* The device: two elements, a SIG model (Generic OnOff Server's ID) and a vendor model on the
 * second, for the AppKey bindings. */
static const struct bt_mesh_model_op dev_op[] = { BT_MESH_MODEL_OP_END };
static const uint8_t dev_uuid[16] = { 0x64, 0x65, 0x76, 0x69, 0x63, 0x65, 0x00, 0x00,
                                      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03 };
#define DEV_SIG_MODEL_ID 0x1000
#define DEV_VND_COMPANY  0x05f1
#define DEV_VND_MODEL_ID 0x0001
static const struct bt_mesh_model dev_root_models[] = {
    BT_MESH_MODEL_CFG_SRV,
};
static const struct bt_mesh_model dev_models[] = {
    BT_MESH_MODEL(DEV_SIG_MODEL_ID, dev_op, NULL, NULL),
};
static const struct bt_mesh_model dev_vnd_models[] = {
    BT_MESH_MODEL_VND(DEV_VND_COMPANY, DEV_VND_MODEL_ID, dev_op, NULL, NULL),
};
static const struct bt_mesh_elem dev_elements[] = {
    BT_MESH_ELEM(0, dev_root_models, BT_MESH_MODEL_NONE),
    BT_MESH_ELEM(1, dev_models, dev_vnd_models),
};
static const struct bt_mesh_comp dev_comp = {
    .cid = 0x05f1, .pid = 0x0003, .elem = dev_elements, .elem_count = ARRAY_SIZE(dev_elements)
};
static const struct bt_mesh_prov dev_prov = { .uuid = dev_uuid };

static int board_device(struct board_node *bn, const char *name, const struct bt_mesh_comp *comp,
                        const struct bt_mesh_prov *dprov)
{
    struct meshrpr_node_config cfg;
    int err;

    memset(&cfg, 0, sizeof(cfg));
    bn->sim_id = meshrpr_sim_node_add(&sim, name, &node_ops, bn);
    cfg.platform = meshrpr_sim_node_platform(&sim, bn->sim_id);
    cfg.comp = comp;
    cfg.prov = dprov;
    cfg.name = name;
    /* Relays (Zephyr's CONFIG_BT_MESH_RELAY default): the server carries the provisioner's
     * messages to the device beyond it. */
    cfg.features = BT_MESH_FEAT_RELAY;
    err = meshrpr_node_init(&bn->node, &cfg);
    if (err == 0) {
        err = meshrpr_prov_enable(&bn->node, BT_MESH_PROV_ADV);
    }
    return err;
}

static int failed(const char *what)
{
    fprintf(stderr, "zephyr_provisioner: FAILED: %s\n", what);
    return 1;
}

int main(void)
{
    struct meshrpr_compat_host host;
    const struct meshrpr_cdb_node *entry;
    int err;

    meshrpr_sim_init(&sim, 14);
    memset(&host, 0, sizeof(host));
    prov_node.sim_id = meshrpr_sim_node_add(&sim, "provisioner", &node_ops, &prov_node);
    host.platform = meshrpr_sim_node_platform(&sim, prov_node.sim_id);
    host.cdb = &cdb;
    host.name = "provisioner";
    if (meshrpr_compat_init(&prov_node.node, &host) != 0) {
        return failed("meshrpr_compat_init");
    }
    if (board_device(&srv_node, "server", &srv_comp, &srv_prov) != 0 ||
        board_device(&dev_node, "device", &dev_comp, &dev_prov) != 0) {
        return failed("board nodes");
    }
    /* Radio links: provisioner - server - device. The device is out of the provisioner's
     * reach, so only remote provisioning through the server finds it. */
    meshrpr_sim_set_range(&sim, 0.0);
    if (meshrpr_sim_link_set(&sim, prov_node.sim_id, srv_node.sim_id, 0.0) != 0 ||
        meshrpr_sim_link_set(&sim, srv_node.sim_id, dev_node.sim_id, 0.0) != 0) {
        return failed("radio links");
    }

    err = app_main();
    if (err != 0) {
        fprintf(stderr, "zephyr_provisioner: the application failed (%d)\n", err);
        return 1;
    }

    /* What the application claims, checked on the nodes themselves and in the database. */
    if (!meshrpr_node_is_provisioned(&srv_node.node) ||
        meshrpr_node_addr(&srv_node.node) != result.server_addr) {
        return failed("the server is not provisioned at the address node_added gave");
    }
    if (!meshrpr_node_is_provisioned(&dev_node.node) ||
        meshrpr_node_addr(&dev_node.node) != result.remote_addr || result.remote_addr == 0) {
        return failed("the remote device is not provisioned at the address node_added gave");
    }
    if (meshrpr_cdb_node_count(&cdb) != 3 || result.configured != 3) {
        return failed("the database does not hold three configured nodes");
    }
    for (entry = meshrpr_cdb_node_next(&cdb, NULL); entry != NULL;
         entry = meshrpr_cdb_node_next(&cdb, entry)) {
        if (!entry->configured) {
            return failed("a node is not marked configured");
        }
    }
    entry = meshrpr_cdb_node_get(&cdb, result.remote_addr);
    if (entry == NULL || entry->num_elem != 2 || memcmp(entry->uuid, dev_uuid, 16) != 0) {
        return failed("the remote device's database entry");
    }
    {
        /* The device's second element took the AppKey for both its models: ask it. */
        uint16_t apps[4];
        size_t app_cnt = ARRAY_SIZE(apps);
        uint8_t status = 0xff;

        err = bt_mesh_cfg_cli_mod_app_get_vnd(net_idx, result.remote_addr,
                                              (uint16_t)(result.remote_addr + 1), DEV_VND_MODEL_ID,
                                              DEV_VND_COMPANY, &status, apps, &app_cnt);
        if (err != 0 || status != 0 || app_cnt != 1 || apps[0] != app_idx) {
            return failed("Vendor Model App Get on the remote device");
        }
        app_cnt = ARRAY_SIZE(apps);
        err = bt_mesh_cfg_cli_mod_app_get(net_idx, result.remote_addr,
                                          (uint16_t)(result.remote_addr + 1), DEV_SIG_MODEL_ID,
                                          &status, apps, &app_cnt);
        if (err != 0 || status != 0 || app_cnt != 1 || apps[0] != app_idx) {
            return failed("SIG Model App Get on the remote device");
        }
    }
    {
        /* The Composition Data the application read reached the database: its Mesh CDB JSON
         * lists the device's models (the vendor one as CCCC MMMM). */
        char *text = NULL;
        cJSON *doc;
        const cJSON *node;
        const cJSON *elem;
        bool found = false;

        if (meshrpr_cdb_json_print(&cdb, &text, NULL) != 0 || (doc = cJSON_Parse(text)) == NULL) {
            free(text);
            return failed("the database does not print");
        }
        cJSON_ArrayForEach(node, cJSON_GetObjectItemCaseSensitive(doc, "nodes"))
        {
            const cJSON *pid = cJSON_GetObjectItemCaseSensitive(node, "pid");
            if (!cJSON_IsString(pid) || strcmp(pid->valuestring, "0003") != 0) {
                continue;
            }
            elem = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(node, "elements"), 1);
            const cJSON *models = cJSON_GetObjectItemCaseSensitive(elem, "models");
            const cJSON *m0 =
                cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(models, 0), "modelId");
            const cJSON *m1 =
                cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(models, 1), "modelId");
            found = cJSON_GetArraySize(models) == 2 && cJSON_IsString(m0) && cJSON_IsString(m1) &&
                    strcmp(m0->valuestring, "1000") == 0 &&
                    strcmp(m1->valuestring, "05F10001") == 0;
        }
        cJSON_Delete(doc);
        free(text);
        if (!found) {
            return failed("the remote device's composition is not in the database");
        }
    }
    printk("zephyr_provisioner: OK (server 0x%04x, remote device 0x%04x)", result.server_addr,
           result.remote_addr);
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A program from outside the meshrpr tree, built against an installed meshrpr (through
 * find_package and through pkg-config: tests/install/test_install.sh). It checks that the
 * headers it was compiled with and the library it runs with have the same version, then
 * provisions a device node over PB-ADV in the simulator with the public API only, and saves
 * the provisioner's database as Mesh CDB JSON.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <meshrpr/cdb.h>
#include <meshrpr/cfg_cli.h>
#include <meshrpr/cfg_srv.h>
#include <meshrpr/node.h>
#include <meshrpr/prov.h>
#include <meshrpr/sim.h>
#include <meshrpr/version.h>

static const uint8_t net_key[16] = { 0x7d, 0xd7, 0x36, 0x4c, 0xd8, 0x42, 0xad, 0x18,
                                     0xc1, 0x7c, 0x2b, 0x82, 0x0c, 0x84, 0xc3, 0xd6 };
static const uint8_t dev_uuid[16] = { 0xc0, 0x45, 0x75, 0x3e, 0x10, 0xbe, 0x4b, 0x0f,
                                      0x9b, 0x28, 0x8a, 0x04, 0x36, 0xa2, 0x5e, 0x01 };

static struct bt_mesh_cfg_cli cfg_cli;
static const struct bt_mesh_model prov_models[] = { BT_MESH_MODEL_CFG_SRV,
                                                    BT_MESH_MODEL_CFG_CLI(&cfg_cli) };
static const struct bt_mesh_elem prov_elems[] = { BT_MESH_ELEM(0, prov_models,
                                                               BT_MESH_MODEL_NONE) };
static const struct bt_mesh_comp prov_comp = { .cid = 0x05f1, .elem = prov_elems, .elem_count = 1 };
static const struct bt_mesh_model dev_models[] = { BT_MESH_MODEL_CFG_SRV };
static const struct bt_mesh_elem dev_elems[] = { BT_MESH_ELEM(0, dev_models, BT_MESH_MODEL_NONE) };
static const struct bt_mesh_comp dev_comp = { .cid = 0x05f1, .elem = dev_elems, .elem_count = 1 };

static struct world {
    struct meshrpr_sim sim;
    struct meshrpr_node prov_node;
    struct meshrpr_node dev_node;
    struct meshrpr_cdb cdb;
    struct bt_mesh_prov prov_prov;
    struct bt_mesh_prov dev_prov;
    uint16_t added_addr;
    int dev_complete;
} * W;

static void ops_adv_report(void *n, const struct meshrpr_adv_report *report)
{
    meshrpr_node_scan_recv(n, report);
}

static uint64_t ops_next_deadline_ms(void *n)
{
    return meshrpr_node_next_deadline_ms(n);
}

static void ops_process(void *n)
{
    meshrpr_node_process(n);
}

static const struct meshrpr_sim_node_ops node_ops = {
    .adv_report = ops_adv_report,
    .next_deadline_ms = ops_next_deadline_ms,
    .process = ops_process,
};

static void prov_capabilities(const struct bt_mesh_dev_capabilities *cap)
{
    (void)cap;
    (void)meshrpr_prov_auth_method_set_none(&W->prov_node);
}

static void prov_node_added(uint16_t net_idx, uint8_t uuid[16], uint16_t addr, uint8_t num_elem)
{
    (void)net_idx;
    (void)uuid;
    (void)num_elem;
    W->added_addr = addr;
}

static void dev_complete(uint16_t net_idx, uint16_t addr)
{
    (void)net_idx;
    (void)addr;
    W->dev_complete++;
}

static bool provisioned(void *arg)
{
    (void)arg;
    return W->added_addr != 0 && W->dev_complete > 0;
}

static int fail(const char *what, int err)
{
    fprintf(stderr, "consumer: %s failed (%d)\n", what, err);
    return 1;
}

int main(int argc, char **argv)
{
    static const uint8_t mesh_uuid[16] = { 0x4d, 0x52, 0x50, 0x52 };
    static const uint8_t prov_dev_key[16] = { 0x01, 0x02, 0x03 };
    struct meshrpr_node_config prov_cfg = { 0 };
    struct meshrpr_node_config dev_cfg = { 0 };
    int prov_id;
    int dev_id;
    int err;

    if (meshrpr_version() != MESHRPR_VERSION ||
        strcmp(meshrpr_version_string(), MESHRPR_VERSION_STRING) != 0) {
        fprintf(stderr, "consumer: compiled against %s, running with %s\n", MESHRPR_VERSION_STRING,
                meshrpr_version_string());
        return 1;
    }
    W = calloc(1, sizeof(*W));
    if (W == NULL) {
        return 1;
    }
    meshrpr_sim_init(&W->sim, 1);
    prov_id = meshrpr_sim_node_add(&W->sim, "provisioner", &node_ops, &W->prov_node);
    dev_id = meshrpr_sim_node_add(&W->sim, "device", &node_ops, &W->dev_node);
    meshrpr_sim_node_set_position(&W->sim, dev_id, 3, 0);

    meshrpr_cdb_init(&W->cdb, mesh_uuid, "consumer");
    err = meshrpr_cdb_subnet_add(&W->cdb, 0, net_key);
    if (err != 0) {
        return fail("meshrpr_cdb_subnet_add", err);
    }
    W->prov_prov.capabilities = prov_capabilities;
    W->prov_prov.node_added = prov_node_added;
    prov_cfg.platform = meshrpr_sim_node_platform(&W->sim, prov_id);
    prov_cfg.comp = &prov_comp;
    prov_cfg.prov = &W->prov_prov;
    prov_cfg.cdb = &W->cdb;
    prov_cfg.dev_key_get = meshrpr_cdb_dev_key_get;
    prov_cfg.dev_key_ctx = &W->cdb;
    err = meshrpr_node_init(&W->prov_node, &prov_cfg);
    if (err == 0) {
        err = meshrpr_node_provision(&W->prov_node, net_key, 0, 0, 0, 0x0001, prov_dev_key);
    }
    if (err != 0) {
        return fail("provisioner set-up", err);
    }

    W->dev_prov.uuid = dev_uuid;
    W->dev_prov.complete = dev_complete;
    dev_cfg.platform = meshrpr_sim_node_platform(&W->sim, dev_id);
    dev_cfg.comp = &dev_comp;
    dev_cfg.prov = &W->dev_prov;
    err = meshrpr_node_init(&W->dev_node, &dev_cfg);
    if (err == 0) {
        err = meshrpr_prov_enable(&W->dev_node, BT_MESH_PROV_ADV);
    }
    if (err != 0) {
        return fail("device set-up", err);
    }

    err = meshrpr_provision_adv(&W->prov_node, dev_uuid, 0, 0x0010, 0);
    if (err != 0) {
        return fail("meshrpr_provision_adv", err);
    }
    (void)meshrpr_sim_run_until_done(&W->sim, provisioned, NULL,
                                     meshrpr_sim_now_ms(&W->sim) + 30000);
    if (W->added_addr != 0x0010 || W->dev_complete != 1 ||
        !meshrpr_node_is_provisioned(&W->dev_node) || meshrpr_node_addr(&W->dev_node) != 0x0010) {
        fprintf(stderr, "consumer: the device was not provisioned (added 0x%04x, complete %d)\n",
                W->added_addr, W->dev_complete);
        return 1;
    }
    if (argc > 1) {
        err = meshrpr_cdb_save(&W->cdb, argv[1]);
        if (err != 0) {
            return fail("meshrpr_cdb_save", err);
        }
    }
    printf("meshrpr %s: provisioned 0x%04x in %llu ms of simulated time\n",
           meshrpr_version_string(), meshrpr_node_addr(&W->dev_node),
           (unsigned long long)meshrpr_sim_now_ms(&W->sim));
    meshrpr_node_deinit(&W->prov_node);
    meshrpr_node_deinit(&W->dev_node);
    free(W);
    return 0;
}

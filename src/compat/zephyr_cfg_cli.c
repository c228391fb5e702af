/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Zephyr's contextless Configuration Client calls (bt_mesh_cfg_cli_*()) on the Configuration
 * Client of the node registered with meshrpr_compat_init() or meshrpr_compat_node_set(). Each
 * forwards to the meshrpr_cfg_cli_*() function of the same name, which has Zephyr's
 * semantics (status pointers, NULL meaning "do not wait"). Part of the meshrpr_compat library;
 * no state of its own.
 */
#include <errno.h>
#include <stddef.h>

#include <meshrpr/cfg_cli.h>
#include <meshrpr/prov.h>

/* The client, or NULL with *err set: -ENODEV without a registered node, -EINVAL without a
 * Configuration Client on it (Zephyr's answer when it has no client context). */
static struct bt_mesh_cfg_cli *cli_get(int *err)
{
    struct meshrpr_node *node = meshrpr_compat_node_get();
    struct bt_mesh_cfg_cli *cli;

    if (node == NULL) {
        *err = -ENODEV;
        return NULL;
    }
    cli = meshrpr_cfg_cli_get(node);
    *err = cli != NULL ? 0 : -EINVAL;
    return cli;
}

#define CLI_CALL(call)                                                                             \
    do {                                                                                           \
        int err_;                                                                                  \
        struct bt_mesh_cfg_cli *cli = cli_get(&err_);                                              \
        return cli != NULL ? (call) : err_;                                                        \
    } while (0)

int32_t bt_mesh_cfg_cli_timeout_get(void)
{
    int err;
    struct bt_mesh_cfg_cli *cli = cli_get(&err);

    return cli != NULL ? (int32_t)meshrpr_cfg_cli_timeout_get(cli)
                       : MESHRPR_CFG_CLI_TIMEOUT_DEFAULT_MS;
}

void bt_mesh_cfg_cli_timeout_set(int32_t timeout)
{
    int err;
    struct bt_mesh_cfg_cli *cli = cli_get(&err);

    if (cli != NULL && timeout > 0) {
        meshrpr_cfg_cli_timeout_set(cli, (uint32_t)timeout);
    }
}

int bt_mesh_cfg_cli_comp_data_get(uint16_t net_idx, uint16_t addr, uint8_t page, uint8_t *rsp,
                                  struct net_buf_simple *comp)
{
    CLI_CALL(meshrpr_cfg_cli_comp_data_get(cli, net_idx, addr, page, rsp, comp));
}

int bt_mesh_cfg_cli_beacon_get(uint16_t net_idx, uint16_t addr, uint8_t *status)
{
    CLI_CALL(meshrpr_cfg_cli_beacon_get(cli, net_idx, addr, status));
}

int bt_mesh_cfg_cli_beacon_set(uint16_t net_idx, uint16_t addr, uint8_t val, uint8_t *status)
{
    CLI_CALL(meshrpr_cfg_cli_beacon_set(cli, net_idx, addr, val, status));
}

int bt_mesh_cfg_cli_ttl_get(uint16_t net_idx, uint16_t addr, uint8_t *ttl)
{
    CLI_CALL(meshrpr_cfg_cli_ttl_get(cli, net_idx, addr, ttl));
}

int bt_mesh_cfg_cli_ttl_set(uint16_t net_idx, uint16_t addr, uint8_t val, uint8_t *ttl)
{
    CLI_CALL(meshrpr_cfg_cli_ttl_set(cli, net_idx, addr, val, ttl));
}

int bt_mesh_cfg_cli_friend_get(uint16_t net_idx, uint16_t addr, uint8_t *status)
{
    CLI_CALL(meshrpr_cfg_cli_friend_get(cli, net_idx, addr, status));
}

int bt_mesh_cfg_cli_gatt_proxy_get(uint16_t net_idx, uint16_t addr, uint8_t *status)
{
    CLI_CALL(meshrpr_cfg_cli_gatt_proxy_get(cli, net_idx, addr, status));
}

int bt_mesh_cfg_cli_relay_get(uint16_t net_idx, uint16_t addr, uint8_t *status, uint8_t *transmit)
{
    CLI_CALL(meshrpr_cfg_cli_relay_get(cli, net_idx, addr, status, transmit));
}

int bt_mesh_cfg_cli_relay_set(uint16_t net_idx, uint16_t addr, uint8_t new_relay,
                              uint8_t new_transmit, uint8_t *status, uint8_t *transmit)
{
    CLI_CALL(
        meshrpr_cfg_cli_relay_set(cli, net_idx, addr, new_relay, new_transmit, status, transmit));
}

int bt_mesh_cfg_cli_net_transmit_get(uint16_t net_idx, uint16_t addr, uint8_t *transmit)
{
    CLI_CALL(meshrpr_cfg_cli_net_transmit_get(cli, net_idx, addr, transmit));
}

int bt_mesh_cfg_cli_net_transmit_set(uint16_t net_idx, uint16_t addr, uint8_t val,
                                     uint8_t *transmit)
{
    CLI_CALL(meshrpr_cfg_cli_net_transmit_set(cli, net_idx, addr, val, transmit));
}

int bt_mesh_cfg_cli_net_key_add(uint16_t net_idx, uint16_t addr, uint16_t key_net_idx,
                                const uint8_t net_key[16], uint8_t *status)
{
    CLI_CALL(meshrpr_cfg_cli_net_key_add(cli, net_idx, addr, key_net_idx, net_key, status));
}

int bt_mesh_cfg_cli_net_key_get(uint16_t net_idx, uint16_t addr, uint16_t *keys, size_t *key_cnt)
{
    CLI_CALL(meshrpr_cfg_cli_net_key_get(cli, net_idx, addr, keys, key_cnt));
}

int bt_mesh_cfg_cli_net_key_del(uint16_t net_idx, uint16_t addr, uint16_t key_net_idx,
                                uint8_t *status)
{
    CLI_CALL(meshrpr_cfg_cli_net_key_del(cli, net_idx, addr, key_net_idx, status));
}

int bt_mesh_cfg_cli_app_key_add(uint16_t net_idx, uint16_t addr, uint16_t key_net_idx,
                                uint16_t key_app_idx, const uint8_t app_key[16], uint8_t *status)
{
    CLI_CALL(
        meshrpr_cfg_cli_app_key_add(cli, net_idx, addr, key_net_idx, key_app_idx, app_key, status));
}

int bt_mesh_cfg_cli_app_key_update(uint16_t net_idx, uint16_t addr, uint16_t key_net_idx,
                                   uint16_t key_app_idx, const uint8_t app_key[16], uint8_t *status)
{
    CLI_CALL(meshrpr_cfg_cli_app_key_update(cli, net_idx, addr, key_net_idx, key_app_idx, app_key,
                                            status));
}

int bt_mesh_cfg_cli_app_key_get(uint16_t net_idx, uint16_t addr, uint16_t key_net_idx,
                                uint8_t *status, uint16_t *keys, size_t *key_cnt)
{
    CLI_CALL(meshrpr_cfg_cli_app_key_get(cli, net_idx, addr, key_net_idx, status, keys, key_cnt));
}

int bt_mesh_cfg_cli_app_key_del(uint16_t net_idx, uint16_t addr, uint16_t key_net_idx,
                                uint16_t key_app_idx, uint8_t *status)
{
    CLI_CALL(meshrpr_cfg_cli_app_key_del(cli, net_idx, addr, key_net_idx, key_app_idx, status));
}

int bt_mesh_cfg_cli_mod_app_bind(uint16_t net_idx, uint16_t addr, uint16_t elem_addr,
                                 uint16_t mod_app_idx, uint16_t mod_id, uint8_t *status)
{
    CLI_CALL(
        meshrpr_cfg_cli_mod_app_bind(cli, net_idx, addr, elem_addr, mod_app_idx, mod_id, status));
}

int bt_mesh_cfg_cli_mod_app_bind_vnd(uint16_t net_idx, uint16_t addr, uint16_t elem_addr,
                                     uint16_t mod_app_idx, uint16_t mod_id, uint16_t cid,
                                     uint8_t *status)
{
    CLI_CALL(meshrpr_cfg_cli_mod_app_bind_vnd(cli, net_idx, addr, elem_addr, mod_app_idx, mod_id,
                                              cid, status));
}

int bt_mesh_cfg_cli_mod_app_unbind(uint16_t net_idx, uint16_t addr, uint16_t elem_addr,
                                   uint16_t mod_app_idx, uint16_t mod_id, uint8_t *status)
{
    CLI_CALL(
        meshrpr_cfg_cli_mod_app_unbind(cli, net_idx, addr, elem_addr, mod_app_idx, mod_id, status));
}

int bt_mesh_cfg_cli_mod_app_unbind_vnd(uint16_t net_idx, uint16_t addr, uint16_t elem_addr,
                                       uint16_t mod_app_idx, uint16_t mod_id, uint16_t cid,
                                       uint8_t *status)
{
    CLI_CALL(meshrpr_cfg_cli_mod_app_unbind_vnd(cli, net_idx, addr, elem_addr, mod_app_idx, mod_id,
                                                cid, status));
}

int bt_mesh_cfg_cli_mod_app_get(uint16_t net_idx, uint16_t addr, uint16_t elem_addr,
                                uint16_t mod_id, uint8_t *status, uint16_t *apps, size_t *app_cnt)
{
    CLI_CALL(
        meshrpr_cfg_cli_mod_app_get(cli, net_idx, addr, elem_addr, mod_id, status, apps, app_cnt));
}

int bt_mesh_cfg_cli_mod_app_get_vnd(uint16_t net_idx, uint16_t addr, uint16_t elem_addr,
                                    uint16_t mod_id, uint16_t cid, uint8_t *status, uint16_t *apps,
                                    size_t *app_cnt)
{
    CLI_CALL(meshrpr_cfg_cli_mod_app_get_vnd(cli, net_idx, addr, elem_addr, mod_id, cid, status,
                                             apps, app_cnt));
}

int bt_mesh_cfg_cli_mod_sub_add(uint16_t net_idx, uint16_t addr, uint16_t elem_addr,
                                uint16_t sub_addr, uint16_t mod_id, uint8_t *status)
{
    CLI_CALL(meshrpr_cfg_cli_mod_sub_add(cli, net_idx, addr, elem_addr, sub_addr, mod_id, status));
}

int bt_mesh_cfg_cli_mod_sub_add_vnd(uint16_t net_idx, uint16_t addr, uint16_t elem_addr,
                                    uint16_t sub_addr, uint16_t mod_id, uint16_t cid,
                                    uint8_t *status)
{
    CLI_CALL(meshrpr_cfg_cli_mod_sub_add_vnd(cli, net_idx, addr, elem_addr, sub_addr, mod_id, cid,
                                             status));
}

int bt_mesh_cfg_cli_mod_sub_del(uint16_t net_idx, uint16_t addr, uint16_t elem_addr,
                                uint16_t sub_addr, uint16_t mod_id, uint8_t *status)
{
    CLI_CALL(meshrpr_cfg_cli_mod_sub_del(cli, net_idx, addr, elem_addr, sub_addr, mod_id, status));
}

int bt_mesh_cfg_cli_mod_sub_del_vnd(uint16_t net_idx, uint16_t addr, uint16_t elem_addr,
                                    uint16_t sub_addr, uint16_t mod_id, uint16_t cid,
                                    uint8_t *status)
{
    CLI_CALL(meshrpr_cfg_cli_mod_sub_del_vnd(cli, net_idx, addr, elem_addr, sub_addr, mod_id, cid,
                                             status));
}

int bt_mesh_cfg_cli_mod_sub_get(uint16_t net_idx, uint16_t addr, uint16_t elem_addr,
                                uint16_t mod_id, uint8_t *status, uint16_t *subs, size_t *sub_cnt)
{
    CLI_CALL(
        meshrpr_cfg_cli_mod_sub_get(cli, net_idx, addr, elem_addr, mod_id, status, subs, sub_cnt));
}

int bt_mesh_cfg_cli_mod_sub_get_vnd(uint16_t net_idx, uint16_t addr, uint16_t elem_addr,
                                    uint16_t mod_id, uint16_t cid, uint8_t *status, uint16_t *subs,
                                    size_t *sub_cnt)
{
    CLI_CALL(meshrpr_cfg_cli_mod_sub_get_vnd(cli, net_idx, addr, elem_addr, mod_id, cid, status,
                                             subs, sub_cnt));
}

int bt_mesh_cfg_cli_krp_get(uint16_t net_idx, uint16_t addr, uint16_t key_net_idx, uint8_t *status,
                            uint8_t *phase)
{
    CLI_CALL(meshrpr_cfg_cli_krp_get(cli, net_idx, addr, key_net_idx, status, phase));
}

int bt_mesh_cfg_cli_node_reset(uint16_t net_idx, uint16_t addr, bool *status)
{
    CLI_CALL(meshrpr_cfg_cli_node_reset(cli, net_idx, addr, status));
}

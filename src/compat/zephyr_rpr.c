/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Zephyr's contextless Remote Provisioning Client timeout (bt_mesh_rpr_cli_timeout_get() and
 * _set(), one global value in Zephyr) for code written against Zephyr's documentation. meshrpr
 * keeps the timeout per client instance, so these act on the Remote Provisioning Client models
 * of the node registered with meshrpr_compat_node_set() (part of the meshrpr_compat library,
 * docs/decisions/0004-contextless-zephyr-api.md). This file adds no state of its own.
 */
#include <stddef.h>

#include <meshrpr/prov.h>
#include <meshrpr/rpr_cli.h>

int32_t bt_mesh_rpr_cli_timeout_get(void)
{
    struct bt_mesh_rpr_cli *cli = meshrpr_rpr_cli_get(meshrpr_compat_node_get());

    return cli != NULL ? meshrpr_rpr_cli_timeout_get(cli) : MESHRPR_RPR_CLI_TIMEOUT_DEFAULT_MS;
}

void bt_mesh_rpr_cli_timeout_set(int32_t timeout)
{
    /* Zephyr's value is shared by every client instance: set them all. */
    meshrpr_rpr_cli_timeout_set_all(meshrpr_compat_node_get(), timeout);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Zephyr's contextless provisioning functions (bt_mesh_auth_method_set_none(),
 * bt_mesh_input_number(), bt_mesh_provision_adv()...) for code written against Zephyr's
 * documentation. meshrpr keeps every state in a node, so these act on the one node registered
 * with meshrpr_compat_node_set(). This file is the library meshrpr_compat, built apart from
 * libmeshrpr: the registered-node pointer below is the only mutable global of meshrpr, and an
 * application takes it only by linking this library (docs/decisions/0004).
 */
#include <errno.h>
#include <stddef.h>

#include <meshrpr/node.h>
#include <meshrpr/prov.h>

/* The node the contextless calls act on. Deliberately global: that is what a contextless API
 * means. Not thread-safe, like the rest of meshrpr. */
static struct meshrpr_node *compat_node;

void meshrpr_compat_node_set(struct meshrpr_node *node)
{
    compat_node = node;
}

struct meshrpr_node *meshrpr_compat_node_get(void)
{
    return compat_node;
}

int bt_mesh_auth_method_set_none(void)
{
    return compat_node != NULL ? meshrpr_prov_auth_method_set_none(compat_node) : -ENODEV;
}

int bt_mesh_auth_method_set_static(const uint8_t *static_val, uint8_t size)
{
    return compat_node != NULL ? meshrpr_prov_auth_method_set_static(compat_node, static_val, size)
                               : -ENODEV;
}

int bt_mesh_auth_method_set_output(bt_mesh_output_action_t action, uint8_t size)
{
    return compat_node != NULL ? meshrpr_prov_auth_method_set_output(compat_node, action, size)
                               : -ENODEV;
}

int bt_mesh_auth_method_set_input(bt_mesh_input_action_t action, uint8_t size)
{
    return compat_node != NULL ? meshrpr_prov_auth_method_set_input(compat_node, action, size)
                               : -ENODEV;
}

int bt_mesh_input_number(uint32_t num)
{
    return compat_node != NULL ? meshrpr_prov_input_number(compat_node, num) : -ENODEV;
}

int bt_mesh_input_string(const char *str)
{
    return compat_node != NULL ? meshrpr_prov_input_string(compat_node, str) : -ENODEV;
}

int bt_mesh_prov_remote_pub_key_set(const uint8_t public_key[64])
{
    return compat_node != NULL ? meshrpr_prov_remote_pub_key_set(compat_node, public_key) : -ENODEV;
}

int bt_mesh_prov_enable(bt_mesh_prov_bearer_t bearers)
{
    return compat_node != NULL ? meshrpr_prov_enable(compat_node, bearers) : -ENODEV;
}

int bt_mesh_prov_disable(bt_mesh_prov_bearer_t bearers)
{
    return compat_node != NULL ? meshrpr_prov_disable(compat_node, bearers) : -ENODEV;
}

int bt_mesh_provision_adv(const uint8_t uuid[16], uint16_t net_idx, uint16_t addr,
                          uint8_t attention_duration)
{
    return compat_node != NULL
               ? meshrpr_provision_adv(compat_node, uuid, net_idx, addr, attention_duration)
               : -ENODEV;
}

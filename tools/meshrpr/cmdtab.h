/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The handlers the command table (cmdtab.c) points at, by the file that holds them. Each
 * takes the parsed line (c->a) and the arguments after the command name, and returns a
 * TOOL_EXIT_* code with any error already printed.
 */
#ifndef MESHRPR_TOOL_CMDTAB_H
#define MESHRPR_TOOL_CMDTAB_H

#include "commands.h"
#include "util.h"

#define CMD_HANDLER(name) int name(struct cmd_ctx *c, int argc, char *const *argv)

/* Print an error (stderr, and the "error" member of the JSON result) and return code: the
 * handlers' one way to fail. commands.c. */
int command_fail(struct cmd_ctx *c, int code, const char *fmt, ...) TOOL_PRINTF(3, 4);

/* commands.c: the Remote Provisioning Client commands and the tool's own. */
CMD_HANDLER(cmd_scan_caps);
CMD_HANDLER(cmd_scan_get);
CMD_HANDLER(cmd_scan_stop);
CMD_HANDLER(cmd_scan);
CMD_HANDLER(cmd_scan_ext);
CMD_HANDLER(cmd_scan_srv);
CMD_HANDLER(cmd_link_get);
CMD_HANDLER(cmd_link_close);
CMD_HANDLER(cmd_provision_remote);
CMD_HANDLER(cmd_reprovision_remote);
CMD_HANDLER(cmd_reprovision);
CMD_HANDLER(cmd_provision);
CMD_HANDLER(cmd_discover);
CMD_HANDLER(cmd_nodes);
CMD_HANDLER(cmd_devices);
CMD_HANDLER(cmd_keys);
CMD_HANDLER(cmd_run);
CMD_HANDLER(cmd_features);
CMD_HANDLER(cmd_world);
CMD_HANDLER(cmd_demo);
CMD_HANDLER(cmd_shell);

/* cfgcmds.c: Configuration Client requests, node removal, database export and import. */
CMD_HANDLER(cmd_composition_get);
CMD_HANDLER(cmd_beacon_get);
CMD_HANDLER(cmd_beacon_set);
CMD_HANDLER(cmd_ttl_get);
CMD_HANDLER(cmd_ttl_set);
CMD_HANDLER(cmd_friend_get);
CMD_HANDLER(cmd_proxy_get);
CMD_HANDLER(cmd_relay_get);
CMD_HANDLER(cmd_relay_set);
CMD_HANDLER(cmd_net_transmit_get);
CMD_HANDLER(cmd_net_transmit_set);
CMD_HANDLER(cmd_netkey_get);
CMD_HANDLER(cmd_appkey_add);
CMD_HANDLER(cmd_appkey_del);
CMD_HANDLER(cmd_appkey_get);
CMD_HANDLER(cmd_krp_get);
CMD_HANDLER(cmd_bind);
CMD_HANDLER(cmd_unbind);
CMD_HANDLER(cmd_mod_appkey_get);
CMD_HANDLER(cmd_sub_add);
CMD_HANDLER(cmd_sub_del);
CMD_HANDLER(cmd_sub_get);
CMD_HANDLER(cmd_node_reset);
CMD_HANDLER(cmd_node_remove);
CMD_HANDLER(cmd_db_export);
CMD_HANDLER(cmd_db_import);

/* help.c */
CMD_HANDLER(cmd_help);

/* shell.c: the shell's own commands. */
CMD_HANDLER(cmd_target);
CMD_HANDLER(cmd_quit);

#endif /* MESHRPR_TOOL_CMDTAB_H */

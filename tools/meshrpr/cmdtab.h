/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The handlers the command table (cmdtab.c) points at, by the file that holds them. Each
 * takes the parsed line (c->a) and the arguments after the command name, and returns a
 * TOOL_EXIT_* code with any error already printed.
 */
#ifndef MESHRPR_TOOL_CMDTAB_H
#define MESHRPR_TOOL_CMDTAB_H

#include "commands.h"

#define CMD_HANDLER(name) int name(struct cmd_ctx *c, int argc, char *const *argv)

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

/* help.c */
CMD_HANDLER(cmd_help);

/* shell.c: the shell's own commands. */
CMD_HANDLER(cmd_target);
CMD_HANDLER(cmd_quit);

#endif /* MESHRPR_TOOL_CMDTAB_H */

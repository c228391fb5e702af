/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The commands of the meshrpr tool: the Remote Provisioning Client commands of Zephyr's
 * `mesh models rpr` shell (scan-caps, scan-get, scan, scan-ext, scan-srv, scan-stop, link-get,
 * link-close, provision-remote, reprovision-remote) run against a world's simulated network,
 * and the tool's own (nodes, devices, keys, run, features, world new, demo, shell).
 */
#ifndef MESHRPR_TOOL_COMMANDS_H
#define MESHRPR_TOOL_COMMANDS_H

#include <stdbool.h>
#include <stdio.h>

#include "args.h"
#include "building.h"
#include "output.h"
#include "world.h"

/* Command flags. */
#define CMD_WORLD     0x01u /* needs --world */
#define CMD_BUILDING  0x02u /* runs the network (and saves the world when it succeeds) */
#define CMD_SERVER    0x04u /* needs --server */
#define CMD_NO_SHELL  0x08u /* not available inside the shell */
#define CMD_WORLD_OPT 0x10u /* uses the world when --world is given */

struct cmd_ctx {
    struct world *w;
    struct building *b;
    const struct args *a;
    struct out out;
    bool shell;
    /* --server, resolved against the database. */
    struct bt_mesh_rpr_node srv;
};

struct command {
    const char *name;
    const char *usage;
    const char *help;
    int min_args;
    int max_args;
    unsigned opts; /* options beyond OPT_GLOBAL */
    unsigned flags;
    /* argv[0] is the first argument after the command name. @return a TOOL_EXIT_* code. */
    int (*run)(struct cmd_ctx *c, int argc, char *const *argv);
};

/* The command named name, or NULL. */
const struct command *command_find(const char *name);

/* The usage text of every command. */
void commands_usage(FILE *f);

/*
 * Check a parsed line against its command (options, argument count, a world when it needs
 * one, the form of --server) before anything is loaded. @return TOOL_EXIT_OK, or
 * TOOL_EXIT_USAGE with the error printed.
 */
int command_check(const struct command *cmd, struct cmd_ctx *c);

/* Resolve --server against the world's database (c->w loaded). @return TOOL_EXIT_OK, or
 * TOOL_EXIT_USAGE for an unknown server. */
int command_resolve(const struct command *cmd, struct cmd_ctx *c);

/* Whether NPPI re-provisioning works in this build: runs a Device Key Refresh in a small
 * simulated network of its own. why (may be NULL) says what went wrong when it does not. */
bool commands_nppi_available(char *why, size_t why_size);

/* Options of the simulator from the global options. @return 0 or TOOL_EXIT_USAGE. */
int commands_building_opts(const struct args *a, struct building_opts *o);

#endif /* MESHRPR_TOOL_COMMANDS_H */

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

/* Command flags (the columns of the command table, cmdtab.c). */
#define CMD_WORLD      0x01u /* needs --world */
#define CMD_BUILDING   0x02u /* runs the network (and saves the world when it succeeds) */
#define CMD_SERVER     0x04u /* needs --server (in the shell: or a target) */
#define CMD_NO_SHELL   0x08u /* not available inside the shell */
#define CMD_WORLD_OPT  0x10u /* uses the world when --world is given */
#define CMD_SHELL_ONLY 0x20u /* only inside the shell (target, quit...) */
#define CMD_NO_PCAP    0x40u /* writes its own capture: no empty one for --pcap */

struct shell_state;

struct cmd_ctx {
    struct world *w;
    struct building *b;
    const struct args *a;
    struct out out;
    bool shell;
    /* --server, resolved against the database. */
    struct bt_mesh_rpr_node srv;
    /* The descriptor holding the world's lock (lock.h), or -1; saves keep it (world_save_locked).
     */
    int lock_fd;
    /* The shell's state (shell.h), NULL outside the shell. */
    struct shell_state *sh;
};

/*
 * One row of the command table. Everything that lists or explains commands reads it: the
 * dispatch in main.c, the shell (what it accepts and lists), --help, help COMMAND and the man
 * page (meshrpr --man). A new command is a new row in cmdtab.c.
 */
struct command {
    const char *name;
    /* The name and its arguments, e.g. "scan TIMEOUT [UUID]" (options come from opts). */
    const char *usage;
    /* One line for listings. */
    const char *summary;
    /* What help COMMAND and the man page add: sentences, paragraphs split by "\n\n"; NULL:
     * the summary says it all. */
    const char *help;
    int min_args;
    int max_args;
    unsigned opts; /* options beyond OPT_GLOBAL (OPT_SERVER comes with CMD_SERVER) */
    unsigned flags;
    /* argv[0] is the first argument after the command name. @return a TOOL_EXIT_* code. */
    int (*run)(struct cmd_ctx *c, int argc, char *const *argv);
};

/* The table (cmdtab.c). */
extern const struct command tool_commands[];
extern const size_t tool_command_count;

/* The command named name, or NULL. */
const struct command *command_find(const char *name);

/* The usage text of every command (shell: the ones the shell accepts). */
void commands_usage(FILE *f, bool shell);

/* help COMMAND: usage, options and the full help of one command. */
void commands_help(FILE *f, const struct command *cmd, bool shell);

/* The manual page, in roff (man 7 man), from the command and option tables. */
void commands_man(FILE *f);

/* "meshrpr VERSION". */
void commands_version(FILE *f);

/* The options a command takes (OPT_BIT set). */
unsigned command_opts(const struct command *cmd);

/*
 * Check a parsed line against its command (options, argument count, a world when it needs
 * one, the form of --server) before anything is loaded. @return TOOL_EXIT_OK, or
 * TOOL_EXIT_USAGE with the error printed.
 */
int command_check(const struct command *cmd, struct cmd_ctx *c);

/* Check addr is a Remote Provisioning Server of the database and make it c->srv.
 * @return TOOL_EXIT_OK, or TOOL_EXIT_USAGE with the error printed. */
int command_server(struct cmd_ctx *c, uint16_t addr);

/* Resolve --server against the world's database (c->w loaded). @return TOOL_EXIT_OK, or
 * TOOL_EXIT_USAGE for an unknown server. */
int command_resolve(const struct command *cmd, struct cmd_ctx *c);

/* Whether NPPI re-provisioning works in this build: runs a Device Key Refresh in a small
 * simulated network of its own. why (may be NULL) says what went wrong when it does not. */
bool commands_nppi_available(char *why, size_t why_size);

/* Options of the simulator from the global options. @return 0 or TOOL_EXIT_USAGE. */
int commands_building_opts(const struct args *a, struct building_opts *o);

#endif /* MESHRPR_TOOL_COMMANDS_H */

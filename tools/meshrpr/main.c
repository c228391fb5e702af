/* SPDX-License-Identifier: Apache-2.0 */
/*
 * meshrpr, the command-line tool: `meshrpr demo` runs remote provisioning in a simulated
 * building; `meshrpr world new FILE` creates a simulated network and
 * `meshrpr --world FILE COMMAND` runs the Remote Provisioning Client commands of Zephyr's mesh
 * shell against it, in virtual time, saving the network back when the command succeeds (never
 * when it fails, so a failed command leaves the file as it was). Uses the library's public API
 * only, the simulator, and the POSIX helpers (Mesh CDB JSON).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "building.h"
#include "commands.h"
#include "hci_target.h"
#include "lock.h"
#include "output.h"
#include "util.h"
#include "world.h"
#include <meshrpr/sim.h>

/* Virtual time given to in-flight transfers after a command, before the world is saved. */
#define SETTLE_MS 5000u

/* --pcap on a command that runs no network: a valid capture with no packets, so the option
 * means the same on every command. @return 0 or TOOL_EXIT_FAIL. */
static int empty_capture(const char *path)
{
    struct meshrpr_sim *sim = calloc(1, sizeof(*sim));
    int rc;

    if (sim == NULL) {
        tool_error("out of memory");
        return TOOL_EXIT_FAIL;
    }
    meshrpr_sim_init(sim, 0);
    rc = meshrpr_sim_pcap_open(sim, path);
    if (rc == 0) {
        rc = meshrpr_sim_pcap_close(sim);
    }
    free(sim);
    if (rc != 0) {
        tool_error("cannot write the capture %s: %s", path, strerror(-rc));
        return TOOL_EXIT_FAIL;
    }
    return TOOL_EXIT_OK;
}

static int run_world_command(const struct command *cmd, struct cmd_ctx *c)
{
    const char *path = c->a->val[OPT_WORLD];
    struct building_opts bo;
    char err[320];
    uint64_t lock_wait_s = TOOL_LOCK_WAIT_S;
    int rc, stop_rc = 0;

    rc = commands_building_opts(c->a, &bo);
    if (rc != TOOL_EXIT_OK) {
        return rc;
    }
    if (c->a->set[OPT_LOCK_WAIT] &&
        tool_parse_u64(c->a->val[OPT_LOCK_WAIT], 0, 86400, &lock_wait_s) != 0) {
        tool_error("bad --lock-wait (seconds, 0..86400)");
        return TOOL_EXIT_USAGE;
    }
    if (cmd->flags & CMD_BUILDING) {
        /* A command that changes the world has it to itself from load to save, so parallel
         * invocations take turns (reads need no lock: a save replaces the file at once). */
        c->lock_fd = tool_lock(path, (unsigned)lock_wait_s, err, sizeof(err));
        if (c->lock_fd < 0) {
            tool_error("cannot use the world: %s", err);
            return TOOL_EXIT_WORLD;
        }
        /* Saves that a kill cut before their rename left keys in temporary files: with the
         * lock, nobody else is saving, so they are stale. */
        (void)world_remove_stale_tmp(path);
    }
    c->w = world_alloc();
    if (c->w == NULL) {
        tool_unlock(c->lock_fd);
        c->lock_fd = -1;
        tool_error("out of memory");
        return TOOL_EXIT_FAIL;
    }
    if (world_load(c->w, path, err, sizeof(err)) != 0) {
        tool_unlock(c->lock_fd);
        c->lock_fd = -1;
        tool_error("cannot use the world: %s", err);
        out_str(c->out.root, "error", err);
        world_free(c->w);
        c->w = NULL;
        return TOOL_EXIT_WORLD;
    }
    rc = command_resolve(cmd, c);
    if (rc == TOOL_EXIT_OK && (cmd->flags & CMD_BUILDING)) {
        c->b = building_start(c->w, &bo, err, sizeof(err));
        if (c->b == NULL) {
            tool_error("cannot start the world's network: %s", err);
            rc = TOOL_EXIT_WORLD;
        }
    }
    if (rc == TOOL_EXIT_OK) {
        if (c->b != NULL && strcmp(cmd->name, "shell") != 0) {
            /* What the command did is printed once it is saved (below). */
            out_hold(&c->out);
        }
        rc = cmd->run(c, c->a->argc - 1, c->a->argv + 1);
    }
    if (c->b != NULL) {
        building_activate(c->b);
        if (rc == TOOL_EXIT_OK && strcmp(cmd->name, "shell") != 0) {
            /* Let acknowledgements and link closes finish, then save the network as it is. */
            building_settle(c->b, SETTLE_MS);
            c->w->generation++;
            if (world_save_locked(c->w, path, c->lock_fd >= 0 ? &c->lock_fd : NULL, err,
                                  sizeof(err)) != 0) {
                tool_error("%s (the world file is unchanged)", err);
                rc = TOOL_EXIT_WORLD;
            }
        }
        out_release(&c->out);
        stop_rc = building_stop(c->b);
        c->b = NULL;
        if (stop_rc != 0 && rc == TOOL_EXIT_OK) {
            tool_error("the capture %s could not be written", bo.pcap_path);
            rc = TOOL_EXIT_FAIL;
        }
    }
    if (rc == TOOL_EXIT_OK && !(cmd->flags & CMD_BUILDING) && bo.pcap_path != NULL) {
        rc = empty_capture(bo.pcap_path);
    }
    if (rc == TOOL_EXIT_OK && c->a->set[OPT_CDB]) {
        world_cdb_timestamp(c->w);
        int e = meshrpr_cdb_save(&c->w->cdb, c->a->val[OPT_CDB]);
        if (e != 0) {
            tool_error("cannot write the database to %s: %s", c->a->val[OPT_CDB],
                       tool_errno_text(e));
            rc = TOOL_EXIT_FAIL;
        }
    }
    tool_unlock(c->lock_fd);
    c->lock_fd = -1;
    world_free(c->w);
    c->w = NULL;
    return rc;
}

/* Whether the file an option names can be written (and replaced, as saves write a temporary
 * file next to it and rename it), checked before any work so a command never runs to the end
 * and then finds it cannot write its result. @return TOOL_EXIT_OK or TOOL_EXIT_USAGE. */
static int output_writable(struct out *o, enum opt_id opt, const char *path)
{
    char dir[1024];
    const char *slash = strrchr(path, '/');
    int fd, e = 0;

    snprintf(dir, sizeof(dir), "%.*s", slash == NULL ? 1 : (int)(slash - path + (slash == path)),
             slash == NULL ? "." : path);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd >= 0) {
        close(fd);
        unlink(path);
    } else if (errno != EEXIST) {
        e = errno;
    } else if (access(path, W_OK) != 0) {
        e = errno;
    } else if (access(dir, W_OK | X_OK) != 0) {
        e = errno;
    }
    if (e != 0) {
        char msg[1200];
        snprintf(msg, sizeof(msg), "cannot write --%s %s: %s (nothing was run)", args_opt_name(opt),
                 path, e == ENOENT ? "no such directory" : tool_errno_text(-e));
        tool_error("%s", msg);
        out_str(o->root, "error", msg);
        return TOOL_EXIT_USAGE;
    }
    return TOOL_EXIT_OK;
}

/* A usage error before the command ran: the message, and with --json a result that carries it. */
static int usage_error(bool json, const char *name, const char *msg)
{
    struct out o;

    tool_error("%s", msg);
    if (json && out_begin(&o, true, name) == 0) {
        out_str(o.root, "error", msg);
        out_end(&o);
    }
    return TOOL_EXIT_USAGE;
}

int main(int argc, char **argv)
{
    struct args a;
    const struct command *cmd;
    struct cmd_ctx c;
    char err[256];
    bool json = false;
    int rc;

    /* A real controller (--hci): hci_target.c runs the command line. */
    if (hci_target_wanted(argc, argv)) {
        return hci_target_main(argc, argv);
    }
    for (int i = 1; i < argc; i++) {
        json = json || strcmp(argv[i], "--json") == 0;
    }
    if (args_parse(argc - 1, argv + 1, &a, err, sizeof(err)) != 0) {
        return usage_error(json, "", err);
    }
    if (a.set[OPT_VERSION]) {
        commands_version(stdout);
        return tool_stdout_close();
    }
    if (a.set[OPT_MAN]) {
        commands_man(stdout);
        return tool_stdout_close();
    }
    if (a.argc == 0) {
        if (a.set[OPT_HELP]) {
            commands_usage(stdout, false);
            return tool_stdout_close();
        }
        commands_usage(stderr, false);
        return usage_error(json, "", "no command given");
    }
    cmd = command_find(a.argv[0]);
    if (cmd == NULL || (cmd->flags & CMD_SHELL_ONLY)) {
        snprintf(err, sizeof(err), "%s \"%s\" (meshrpr --help lists the commands)",
                 cmd == NULL ? "unknown command" : "only in the shell:", a.argv[0]);
        return usage_error(json, a.argv[0], err);
    }
    if (a.set[OPT_HELP]) {
        commands_help(stdout, cmd, false);
        return tool_stdout_close();
    }
    memset(&c, 0, sizeof(c));
    c.a = &a;
    c.lock_fd = -1;
    if (out_begin(&c.out, a.set[OPT_JSON], cmd->name) != 0) {
        tool_error("out of memory");
        return TOOL_EXIT_FAIL;
    }
    rc = command_check(cmd, &c);
    if (rc == TOOL_EXIT_OK && a.set[OPT_CDB]) {
        rc = output_writable(&c.out, OPT_CDB, a.val[OPT_CDB]);
    }
    if (rc == TOOL_EXIT_OK && a.set[OPT_PCAP]) {
        rc = output_writable(&c.out, OPT_PCAP, a.val[OPT_PCAP]);
    }
    if (rc == TOOL_EXIT_OK && a.set[OPT_SAVE]) {
        rc = output_writable(&c.out, OPT_SAVE, a.val[OPT_SAVE]);
    }
    if (rc == TOOL_EXIT_OK && !(cmd->flags & (CMD_WORLD | CMD_WORLD_OPT)) && a.set[OPT_WORLD]) {
        rc = TOOL_EXIT_USAGE;
        tool_error("%s does not use --world", cmd->name);
        out_str(c.out.root, "error", "this command does not use --world");
    }
    if (rc == TOOL_EXIT_OK) {
        bool world = (cmd->flags & CMD_WORLD) || ((cmd->flags & CMD_WORLD_OPT) && a.set[OPT_WORLD]);
        rc = world ? run_world_command(cmd, &c) : cmd->run(&c, a.argc - 1, a.argv + 1);
        /* Some commands write their own capture. */
        if (rc == TOOL_EXIT_OK && !world && a.set[OPT_PCAP] && !(cmd->flags & CMD_NO_PCAP)) {
            rc = empty_capture(a.val[OPT_PCAP]);
        }
    }
    if (rc != TOOL_EXIT_OK) {
        /* Every failure's result says why, also when the message came from deep inside. */
        out_error_default(&c.out, tool_last_error());
    }
    out_end(&c.out);
    return tool_stdout_close_rc(rc);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The interactive shell (see shell.h). Lines are split into words (quotes group), parsed with
 * the program's option parser and run by the same command functions; the network keeps
 * running between commands only when a command runs it (virtual time stands still while the
 * shell waits for input). Read from a pipe, each command is echoed before its output, so a
 * transcript reads like a session.
 */
#include "shell.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#define SHELL_LINE_MAX 1024

static void shell_help(void)
{
    printf("Commands (as on the command line, without --world; --server ADDR picks the server):\n");
    commands_usage(stdout);
    printf("Shell only: help, quit (or exit, or end of input).\n");
}

int shell_run(struct cmd_ctx *c)
{
    const char *path = c->a->val[OPT_WORLD];
    bool interactive = isatty(STDIN_FILENO) != 0;
    char line[SHELL_LINE_MAX];
    unsigned failures = 0;
    int world_rc = TOOL_EXIT_OK;

    if (interactive) {
        printf("meshrpr shell on %s; help lists the commands, quit leaves\n", path);
    }
    for (;;) {
        char *words[ARGS_MAX];
        char echo[SHELL_LINE_MAX];
        struct args la;
        struct cmd_ctx lc;
        const struct command *cmd;
        char err[256];
        enum opt_id bad_opt;
        int n, rc;

        if (interactive) {
            printf("meshrpr> ");
            fflush(stdout);
        }
        if (fgets(line, sizeof(line), stdin) == NULL) {
            break;
        }
        line[strcspn(line, "\r\n")] = '\0';
        snprintf(echo, sizeof(echo), "%s", line);
        n = args_split(line, words, ARGS_MAX);
        if (n == 0) {
            continue;
        }
        if (!interactive && !c->a->set[OPT_JSON]) {
            printf("meshrpr> %s\n", echo);
        }
        if (n < 0) {
            tool_error("unterminated quote or too many words");
            failures++;
            continue;
        }
        if (strcmp(words[0], "quit") == 0 || strcmp(words[0], "exit") == 0) {
            break;
        }
        if (strcmp(words[0], "help") == 0) {
            shell_help();
            continue;
        }
        if (args_parse(n, words, &la, err, sizeof(err)) != 0) {
            tool_error("%s", err);
            failures++;
            continue;
        }
        bad_opt = args_first_disallowed(
            &la, ~(OPT_BIT(OPT_WORLD) | OPT_BIT(OPT_PCAP) | OPT_BIT(OPT_CDB) | OPT_BIT(OPT_LOG)));
        if (bad_opt != OPT_COUNT) {
            tool_error("--%s is an option of the shell itself, not of its commands",
                       args_opt_name(bad_opt));
            failures++;
            continue;
        }
        if (la.argc == 0) {
            tool_error("no command (help lists them)");
            failures++;
            continue;
        }
        cmd = command_find(la.argv[0]);
        if (cmd == NULL || (cmd->flags & CMD_NO_SHELL)) {
            tool_error("%s \"%s\" (help lists the commands)",
                       cmd == NULL ? "unknown command" : "not available in the shell:", la.argv[0]);
            failures++;
            continue;
        }
        memset(&lc, 0, sizeof(lc));
        lc.w = c->w;
        lc.b = c->b;
        lc.a = &la;
        lc.shell = true;
        if (out_begin(&lc.out, la.set[OPT_JSON] || c->a->set[OPT_JSON], cmd->name) != 0) {
            tool_error("out of memory");
            return TOOL_EXIT_FAIL;
        }
        rc = command_check(cmd, &lc);
        if (rc == TOOL_EXIT_OK) {
            rc = command_resolve(cmd, &lc);
        }
        if (rc == TOOL_EXIT_OK) {
            rc = cmd->run(&lc, la.argc - 1, la.argv + 1);
        }
        out_end(&lc.out);
        building_activate(c->b);
        if (rc != TOOL_EXIT_OK) {
            failures++;
            continue;
        }
        if (cmd->flags & CMD_BUILDING) {
            /* Keep the file in step, so an interrupted session loses nothing. */
            c->w->time_ms = building_now_ms(c->b);
            c->w->generation++;
            if (world_save(c->w, path, err, sizeof(err)) != 0) {
                tool_error("%s", err);
                world_rc = TOOL_EXIT_WORLD;
                failures++;
            }
        }
    }
    if (world_rc != TOOL_EXIT_OK) {
        return world_rc;
    }
    return failures == 0 ? TOOL_EXIT_OK : TOOL_EXIT_FAIL;
}

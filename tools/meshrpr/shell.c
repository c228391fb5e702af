/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The interactive shell (see shell.h). Lines are split into words (quotes group), parsed with
 * the program's option parser and run by the commands of the command table (cmdtab.c) that the
 * shell accepts. Read from a pipe, each command is echoed before its output, so a transcript
 * reads like a session.
 */
#include "shell.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmdtab.h"
#include "util.h"

#define SHELL_LINE_MAX 1024

struct shell {
    struct cmd_ctx *top;
    struct shell_state st;
    const char *path;
    bool interactive;
    unsigned failures;
    int world_rc;
};

int cmd_target(struct cmd_ctx *c, int argc, char *const *argv)
{
    uint16_t addr;
    char a[7];
    int rc;

    if (argc == 1) {
        if (strcmp(argv[0], "none") == 0) {
            c->sh->target = 0;
            out_text(&c->out, "no target: commands need --server");
            return TOOL_EXIT_OK;
        }
        if (tool_parse_addr(argv[0], false, &addr) != 0) {
            tool_error("bad target \"%s\" (a unicast address, e.g. 0x0002, or none)", argv[0]);
            out_str(c->out.root, "error", "bad target");
            return TOOL_EXIT_USAGE;
        }
        rc = command_server(c, addr);
        if (rc != TOOL_EXIT_OK) {
            return rc;
        }
        c->sh->target = addr;
    }
    out_num(c->out.root, "target", c->sh->target);
    if (c->sh->target == 0) {
        out_text(&c->out, "no target: commands need --server");
    } else {
        tool_addr_str(a, c->sh->target);
        out_text(&c->out, "target %s: commands without --server go through it", a);
    }
    return TOOL_EXIT_OK;
}

int cmd_quit(struct cmd_ctx *c, int argc, char *const *argv)
{
    (void)argc;
    (void)argv;
    c->sh->quit = true;
    return TOOL_EXIT_OK;
}

/* Run one line. */
static void shell_line(struct shell *s, char *line)
{
    struct cmd_ctx *c = s->top;
    char *words[ARGS_MAX];
    char echo[SHELL_LINE_MAX];
    char target[8];
    struct args la;
    struct cmd_ctx lc;
    const struct command *cmd;
    char err[256];
    enum opt_id bad_opt;
    int n, rc;

    line[strcspn(line, "\r\n")] = '\0';
    snprintf(echo, sizeof(echo), "%s", line);
    n = args_split(line, words, ARGS_MAX);
    if (n == 0) {
        return;
    }
    if (!s->interactive && !c->a->set[OPT_JSON]) {
        printf("meshrpr> %s\n", echo);
    }
    if (n < 0) {
        tool_error("unterminated quote or too many words");
        s->failures++;
        return;
    }
    if (args_parse(n, words, &la, err, sizeof(err)) != 0) {
        tool_error("%s", err);
        s->failures++;
        return;
    }
    bad_opt = args_first_disallowed(
        &la, ~(OPT_BIT(OPT_WORLD) | OPT_BIT(OPT_PCAP) | OPT_BIT(OPT_CDB) | OPT_BIT(OPT_LOG) |
               OPT_BIT(OPT_VERSION) | OPT_BIT(OPT_MAN) | OPT_BIT(OPT_LOCK_WAIT)));
    if (bad_opt != OPT_COUNT) {
        tool_error("--%s is an option of the program, not of the shell's commands",
                   args_opt_name(bad_opt));
        s->failures++;
        return;
    }
    if (la.argc == 0) {
        tool_error("no command (help lists them)");
        s->failures++;
        return;
    }
    cmd = command_find(la.argv[0]);
    if (cmd == NULL || (cmd->flags & CMD_NO_SHELL)) {
        tool_error("%s \"%s\" (help lists the commands)",
                   cmd == NULL ? "unknown command" : "not available in the shell:", la.argv[0]);
        s->failures++;
        return;
    }
    if (la.set[OPT_HELP]) {
        commands_help(stdout, cmd, true);
        return;
    }
    /* The sticky target stands in for a missing --server. */
    if (s->st.target != 0 && (command_opts(cmd) & OPT_BIT(OPT_SERVER)) && !la.set[OPT_SERVER]) {
        tool_addr_str(target, s->st.target);
        la.set[OPT_SERVER] = true;
        la.val[OPT_SERVER] = target;
    }
    memset(&lc, 0, sizeof(lc));
    lc.w = c->w;
    lc.b = c->b;
    lc.a = &la;
    lc.shell = true;
    lc.sh = &s->st;
    lc.lock_fd = -1;
    if (out_begin(&lc.out, la.set[OPT_JSON] || c->a->set[OPT_JSON], cmd->name) != 0) {
        tool_error("out of memory");
        s->failures++;
        return;
    }
    rc = command_check(cmd, &lc);
    if (rc == TOOL_EXIT_OK) {
        rc = command_resolve(cmd, &lc);
    }
    if (rc == TOOL_EXIT_OK) {
        rc = cmd->run(&lc, la.argc - 1, la.argv + 1);
    }
    if (rc != TOOL_EXIT_OK) {
        out_error_default(&lc.out, tool_last_error());
    }
    out_end(&lc.out);
    building_activate(c->b);
    if (rc != TOOL_EXIT_OK) {
        s->failures++;
        return;
    }
    if (cmd->flags & CMD_BUILDING) {
        /* Keep the file in step, so an interrupted session loses nothing. */
        c->w->time_ms = building_now_ms(c->b);
        c->w->generation++;
        if (world_save_locked(c->w, s->path, c->lock_fd >= 0 ? &c->lock_fd : NULL, err,
                              sizeof(err)) != 0) {
            tool_error("%s", err);
            s->world_rc = TOOL_EXIT_WORLD;
            s->failures++;
        }
    }
}

int shell_run(struct cmd_ctx *c)
{
    struct shell s = { .top = c, .path = c->a->val[OPT_WORLD] };
    char line[SHELL_LINE_MAX];

    s.interactive = isatty(STDIN_FILENO) != 0;
    if (s.interactive) {
        printf("meshrpr shell on %s; help lists the commands, quit leaves\n", s.path);
    }
    while (!s.st.quit) {
        if (s.interactive) {
            printf("meshrpr> ");
            fflush(stdout);
        }
        if (fgets(line, sizeof(line), stdin) == NULL) {
            break;
        }
        shell_line(&s, line);
    }
    if (s.world_rc != TOOL_EXIT_OK) {
        return s.world_rc;
    }
    return s.failures == 0 ? TOOL_EXIT_OK : TOOL_EXIT_FAIL;
}

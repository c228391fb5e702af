/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Help of the meshrpr tool, all from the command table (cmdtab.c) and the option table
 * (args.c): the command list (--help, help in the shell), one command's help (help COMMAND,
 * COMMAND --help) and the manual page (--man, built into meshrpr.1 by CMake).
 */
#include <stdio.h>
#include <string.h>

#include "cmdtab.h"
#include "hci_target.h"
#include "util.h"

#ifndef MESHRPR_TOOL_VERSION
#define MESHRPR_TOOL_VERSION "unknown"
#endif

/* Options shown in the synopsis of every command that runs on a world. */
#define GLOBAL_OPTS_TEXT "[--world FILE] [--json] [--pcap FILE] [--cdb FILE] [--log LEVEL]"

const struct command *command_find(const char *name)
{
    if (strcmp(name, "exit") == 0) {
        name = "quit";
    }
    for (size_t i = 0; i < tool_command_count; i++) {
        if (strcmp(tool_commands[i].name, name) == 0) {
            return &tool_commands[i];
        }
    }
    return NULL;
}

unsigned command_opts(const struct command *cmd)
{
    return cmd->opts | ((cmd->flags & CMD_SERVER) ? OPT_BIT(OPT_SERVER) : 0);
}

/* Whether the shell (shell) or the command line (!shell) accepts cmd. */
static bool listed(const struct command *cmd, bool shell)
{
    return shell ? !(cmd->flags & CMD_NO_SHELL) : !(cmd->flags & CMD_SHELL_ONLY);
}

/* " [--name VALUE]..." of a command's own options. */
static void print_opts(FILE *f, unsigned opts, bool roff)
{
    for (int id = 0; id < OPT_COUNT; id++) {
        const char *v = args_opt_value((enum opt_id)id);
        if (!(opts & OPT_BIT(id)) || (OPT_GLOBAL & OPT_BIT(id))) {
            continue;
        }
        if (roff) {
            fprintf(f, " [\\fB\\-\\-%s\\fR%s%s%s]", args_opt_name((enum opt_id)id),
                    v != NULL ? " \\fI" : "", v != NULL ? v : "", v != NULL ? "\\fR" : "");
        } else {
            fprintf(f, " [--%s%s%s]", args_opt_name((enum opt_id)id), v != NULL ? " " : "",
                    v != NULL ? v : "");
        }
    }
}

void commands_usage(FILE *f, bool shell)
{
    if (!shell) {
        fprintf(f, "usage: meshrpr %s COMMAND [ARGS]\n", GLOBAL_OPTS_TEXT);
        fprintf(f, "       meshrpr --version | --man | help [COMMAND]\n\n");
        fprintf(f, "Commands (Remote Provisioning commands take --server ADDR):\n");
    } else {
        fprintf(f, "Commands (as on the command line, without --world; --server ADDR or the "
                   "target picks the server):\n");
    }
    for (size_t i = 0; i < tool_command_count; i++) {
        const struct command *cmd = &tool_commands[i];
        if (listed(cmd, shell)) {
            fprintf(f, "  %-40s %s\n", cmd->usage, cmd->summary);
        }
    }
    if (!shell) {
        fprintf(f, "\nmeshrpr help COMMAND explains one. Start with: meshrpr demo, or\n"
                   "meshrpr world new my.world then meshrpr --world my.world --server 0x0002 "
                   "scan 10\n");
        fprintf(f, "On a real controller: meshrpr --hci SPEC --state DIR COMMAND (meshrpr --hci "
                   "SPEC --help lists them)\n");
    }
}

/* Text wrapped at 78 columns with an indent. */
static void wrap(FILE *f, const char *text, int indent)
{
    const char *p = text;
    int col = 0;

    while (*p != '\0') {
        size_t len = strcspn(p, " \n");
        if (col > indent && col + 1 + (int)len > 78) {
            fputc('\n', f);
            col = 0;
        }
        if (col == 0) {
            col = fprintf(f, "%*s", indent, "");
        } else {
            fputc(' ', f);
            col++;
        }
        col += fprintf(f, "%.*s", (int)len, p);
        p += len;
        if (p[0] == '\n' && p[1] == '\n') {
            fputs("\n\n", f);
            col = 0;
            p += 2;
        } else if (*p != '\0') {
            p++;
        }
    }
    if (col > 0) {
        fputc('\n', f);
    }
}

void commands_help(FILE *f, const struct command *cmd, bool shell)
{
    unsigned opts = command_opts(cmd);

    if (shell) {
        fprintf(f, "usage: %s", cmd->usage);
    } else if (cmd->flags & (CMD_WORLD | CMD_WORLD_OPT)) {
        fprintf(f, "usage: meshrpr %s--world FILE%s %s", (cmd->flags & CMD_WORLD) ? "" : "[",
                (cmd->flags & CMD_WORLD) ? "" : "]", cmd->usage);
    } else {
        fprintf(f, "usage: meshrpr %s", cmd->usage);
    }
    print_opts(f, opts, false);
    fputc('\n', f);
    wrap(f, cmd->summary, 2);
    if (cmd->help != NULL) {
        fputc('\n', f);
        wrap(f, cmd->help, 2);
    }
    if ((opts & ~OPT_GLOBAL) != 0) {
        fprintf(f, "\nOptions:\n");
        for (int id = 0; id < OPT_COUNT; id++) {
            const char *v = args_opt_value((enum opt_id)id);
            char left[40];
            if (!(opts & OPT_BIT(id)) || (OPT_GLOBAL & OPT_BIT(id))) {
                continue;
            }
            snprintf(left, sizeof(left), "--%s%s%s", args_opt_name((enum opt_id)id),
                     v != NULL ? " " : "", v != NULL ? v : "");
            fprintf(f, "  %-18s %s\n", left, args_opt_help((enum opt_id)id));
        }
    }
    if ((cmd->flags & CMD_SERVER) && shell) {
        fprintf(f, "  (without --server: the shell's target)\n");
    }
}

/* Text for roff: backslashes and hyphens escaped, no line starting with a control character. */
static void roff(FILE *f, const char *text)
{
    bool line_start = true;

    for (const char *p = text; *p != '\0'; p++) {
        if (line_start && (*p == '.' || *p == '\'')) {
            fputs("\\&", f);
        }
        line_start = false;
        if (*p == '\\') {
            fputs("\\e", f);
        } else if (*p == '-') {
            fputs("\\-", f);
        } else if (*p == '\n') {
            if (p[1] == '\n') {
                fputs("\n.PP\n", f);
                p++;
            } else {
                fputc('\n', f);
            }
            line_start = true;
        } else {
            fputc(*p, f);
        }
    }
}

static void man_opt(FILE *f, enum opt_id id)
{
    const char *v = args_opt_value(id);

    fprintf(f, ".TP\n\\fB\\-\\-%s\\fR%s%s%s\n", args_opt_name(id), v != NULL ? " \\fI" : "",
            v != NULL ? v : "", v != NULL ? "\\fR" : "");
    roff(f, args_opt_help(id));
    fputc('\n', f);
}

void commands_man(FILE *f)
{
    fprintf(f, ".\\\" Generated by meshrpr --man from the tool's command table; do not edit.\n");
    fprintf(f, ".TH MESHRPR 1 \"\" \"meshrpr %s\" \"User Commands\"\n", MESHRPR_TOOL_VERSION);
    fprintf(f, ".SH NAME\nmeshrpr \\- Bluetooth Mesh Remote Provisioning Client, on a simulated "
               "network\n");
    fprintf(f, ".SH SYNOPSIS\n\\fBmeshrpr\\fR [\\fB\\-\\-world\\fR \\fIFILE\\fR] "
               "[\\fB\\-\\-json\\fR] [\\fB\\-\\-pcap\\fR \\fIFILE\\fR] [\\fB\\-\\-cdb\\fR "
               "\\fIFILE\\fR] [\\fB\\-\\-log\\fR \\fILEVEL\\fR] \\fICOMMAND\\fR "
               "[\\fIARGS\\fR]\n.br\n\\fBmeshrpr\\fR \\fB\\-\\-version\\fR | \\fB\\-\\-man\\fR "
               "| \\fB\\-h\\fR | \\fBhelp\\fR [\\fICOMMAND\\fR]\n");
    fprintf(f, ".SH DESCRIPTION\n");
    roff(f, "meshrpr runs the Remote Provisioning Client commands of Zephyr's mesh shell against "
            "a simulated network kept in a world file, in virtual time, one invocation per "
            "command or many in its shell. A world is created with world new; a command that "
            "succeeds saves the world back, a command that fails leaves the file as it was. "
            "Invocations on one world take turns: each holds an exclusive lock on the world "
            "file while it runs.");
    fprintf(f, "\n.SH OPTIONS\n");
    for (int id = 0; id < OPT_COUNT; id++) {
        if (OPT_GLOBAL & OPT_BIT(id)) {
            man_opt(f, (enum opt_id)id);
        }
    }
    man_opt(f, OPT_VERSION);
    man_opt(f, OPT_MAN);
    fprintf(f, ".SH COMMANDS\n");
    for (size_t i = 0; i < tool_command_count; i++) {
        const struct command *cmd = &tool_commands[i];
        const char *sp = strchr(cmd->usage, ' ');
        size_t name_len = sp != NULL ? (size_t)(sp - cmd->usage) : strlen(cmd->usage);
        fprintf(f, ".TP\n\\fB");
        roff(f, cmd->name);
        fprintf(f, "\\fR");
        if (name_len < strlen(cmd->usage)) {
            roff(f, cmd->usage + name_len);
        }
        print_opts(f, command_opts(cmd), true);
        fputc('\n', f);
        roff(f, cmd->summary);
        fprintf(f, "%s", (cmd->flags & CMD_SHELL_ONLY) ? " (shell only)" : "");
        fprintf(f, "%s", (cmd->flags & CMD_NO_SHELL) ? " (not in the shell)" : "");
        fprintf(f, ".\n");
        if (cmd->help != NULL) {
            roff(f, cmd->help);
            fputc('\n', f);
        }
        for (int id = 0; id < OPT_COUNT; id++) {
            if ((command_opts(cmd) & OPT_BIT(id)) && !(OPT_GLOBAL & OPT_BIT(id))) {
                fprintf(f, ".RS\n");
                man_opt(f, (enum opt_id)id);
                fprintf(f, ".RE\n");
            }
        }
    }
    hci_target_man(f);
    fprintf(f, ".SH EXIT STATUS\n.TP\n0\ndone\n.TP\n1\nthe operation ran and failed (timeout, "
               "refusal...)\n.TP\n2\nbad arguments: nothing was run\n.TP\n3\nthe world file "
               "could not be read, locked, parsed or written\n.TP\n4\nthe feature is not "
               "available in this build\n");
    fprintf(f, ".SH EXAMPLES\n.nf\nmeshrpr demo\nmeshrpr world new my.world\nmeshrpr \\-\\-world "
               "my.world discover 10\nmeshrpr \\-\\-world my.world shell\n.fi\n");
    fprintf(f, ".SH SEE ALSO\nThe project's docs/tool.md.\n");
}

int cmd_help(struct cmd_ctx *c, int argc, char *const *argv)
{
    const struct command *cmd;

    if (argc == 0) {
        commands_usage(stdout, c->shell);
        return TOOL_EXIT_OK;
    }
    cmd = command_find(argv[0]);
    if (cmd == NULL) {
        tool_error("no command \"%s\" (help lists the commands)", argv[0]);
        return TOOL_EXIT_USAGE;
    }
    commands_help(stdout, cmd, c->shell);
    if (!listed(cmd, c->shell)) {
        printf("  (%s)\n", c->shell ? "not available in the shell" : "only in the shell");
    }
    return TOOL_EXIT_OK;
}

void commands_version(FILE *f)
{
    fprintf(f, "meshrpr %s\n", MESHRPR_TOOL_VERSION);
}

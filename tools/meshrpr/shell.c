/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The interactive shell (see shell.h). Lines are split into words (quotes group), parsed with
 * the program's option parser and run by the commands of the command table (cmdtab.c) that the
 * shell accepts.
 *
 * The network lives while the shell waits: between lines the loop polls stdin with a short
 * timeout and, when no input is pending, runs the simulated network for the real time that
 * passed (times --speed), so scans and provisioning links started by scan, discover,
 * scan-ext, provision-remote, provision, reprovision and reprovision-remote run on in the
 * background, their reports and results printed as they arrive, while scan-get, scan-stop,
 * link-get and link-close see them live. Requests that wait for one answer (scan-caps,
 * scan-srv, link-get, run...) run the network ahead to it at once: in a simulation that costs
 * no real time.
 *
 * From a terminal, lines are read with libedit (line editing, history in ~/.meshrpr_history,
 * command completion with Tab); output that arrives while a line is being typed is printed
 * above it and the line redrawn. From a pipe, each command is echoed before its output, so a
 * transcript reads like a session, and virtual time moves only while the pipe has nothing to
 * read; at its end the running operations are finished (in virtual time) before the shell
 * leaves.
 */
#include "shell.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <editline/readline.h>

#include "cmdtab.h"
#include "util.h"

#define SHELL_LINE_MAX 1024
/* Longest pause of the loop between two steps of the network, in ms. */
#define SHELL_STEP_MS 20
/* History lines kept. */
#define SHELL_HISTORY_MAX 500

struct shell {
    struct cmd_ctx *top;
    struct shell_state st;
    const char *path;
    bool interactive;
    bool json;
    /* Virtual ms per real ms while waiting for input. */
    double speed;
    unsigned failures;
    int world_rc;
    uint64_t last_wall_ms;
    /* Virtual time owed to the network (fractions of a ms carried over). */
    double owed_ms;
    char history[1024];
    /* libedit's prompt and line are on the screen (not while a line's command runs). */
    bool prompt;
    bool redraw;
    /* Pipe input not yet split into lines. */
    char buf[SHELL_LINE_MAX];
    size_t len;
};

/* libedit's line callback takes no context: the one shell of this process (the tool runs one
 * shell at a time; this is program state, not library state). */
static struct shell *current;

static uint64_t wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int shell_job_start(struct cmd_ctx *c, const struct shell_job *j)
{
    for (size_t i = 0; i < SHELL_MAX_JOBS; i++) {
        if (!c->sh->jobs[i].active) {
            c->sh->jobs[i] = *j;
            c->sh->jobs[i].active = true;
            out_str(c->out.root, "state", "running");
            out_text(&c->out, "%s running in the background: %s", j->command,
                     j->kind == SHELL_JOB_SCAN       ? "reports follow as they arrive"
                     : j->kind == SHELL_JOB_EXT_SCAN ? "the report follows when it arrives"
                                                     : "the result follows when the link ends");
            return TOOL_EXIT_OK;
        }
    }
    if (j->t != NULL) {
        building_target_del(c->b, j->t);
    }
    tool_error("%d operations are running already: wait for one to end", SHELL_MAX_JOBS);
    out_str(c->out.root, "error", "too many operations running");
    return TOOL_EXIT_FAIL;
}

static bool jobs_active(const struct shell *s)
{
    for (size_t i = 0; i < SHELL_MAX_JOBS; i++) {
        if (s->st.jobs[i].active) {
            return true;
        }
    }
    return false;
}

static void save(struct shell *s)
{
    struct cmd_ctx *c = s->top;
    char err[320];

    c->w->time_ms = building_now_ms(c->b);
    c->w->generation++;
    if (world_save_locked(c->w, s->path, c->lock_fd >= 0 ? &c->lock_fd : NULL, err, sizeof(err)) !=
        0) {
        tool_error("%s", err);
        s->world_rc = TOOL_EXIT_WORLD;
        s->failures++;
    }
    s->st.dirty = false;
}

/* Print what the running operations did; output arriving under a prompt goes above it. */
static void poll_jobs(struct shell *s)
{
    bool cleared = false;

    for (size_t i = 0; i < SHELL_MAX_JOBS; i++) {
        struct shell_job *j = &s->st.jobs[i];
        size_t before;
        int rc;

        if (!j->active) {
            continue;
        }
        before = j->reported;
        if (!commands_job_ready(s->top, j)) {
            continue;
        }
        if (s->interactive && s->prompt && !cleared) {
            /* Nothing may print over the line being typed: clear it first, redraw after. */
            printf("\r\033[K");
            cleared = true;
        }
        rc = commands_job_poll(s->top, j, s->json);
        building_activate(s->top->b);
        if (rc >= 0 || j->reported != before) {
            s->st.dirty = true;
        }
        if (rc > 0) {
            s->failures++;
        }
    }
    fflush(stdout);
    if (cleared) {
        rl_forced_update_display();
    }
    if (s->st.dirty && !jobs_active(s)) {
        save(s);
    }
}

static void poll_hook(void *owner)
{
    struct shell *s = owner;

    if (jobs_active(s)) {
        poll_jobs(s);
    }
}

/* Run the network for the real time since the last step, at the shell's speed. */
static void step(struct shell *s)
{
    uint64_t now = wall_ms();
    uint64_t ms;

    s->owed_ms += (double)(now - s->last_wall_ms) * s->speed;
    s->last_wall_ms = now;
    ms = (uint64_t)s->owed_ms;
    if (ms > 0) {
        s->owed_ms -= (double)ms;
        (void)building_run_for(s->top->b, ms);
        building_activate(s->top->b);
        if (jobs_active(s)) {
            poll_jobs(s);
        }
    }
}

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

/* A line the shell refused before any command ran: the message on stderr and, with --json,
 * as the "error" of an object of its own (command: the line's first word, if any). */
static void line_error(struct shell *s, const char *command, const char *fmt, ...)
    TOOL_PRINTF(3, 4);

static void line_error(struct shell *s, const char *command, const char *fmt, ...)
{
    char msg[320];
    struct out o;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    tool_error("%s", msg);
    s->failures++;
    if (s->json && out_begin(&o, true, command != NULL ? command : "shell") == 0) {
        out_str(o.root, "error", msg);
        out_end(&o);
    }
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
        line_error(s, NULL, "unterminated quote or too many words");
        return;
    }
    if (args_parse(n, words, &la, err, sizeof(err)) != 0) {
        line_error(s, NULL, "%s", err);
        return;
    }
    bad_opt = args_first_disallowed(
        &la, ~(OPT_BIT(OPT_WORLD) | OPT_BIT(OPT_PCAP) | OPT_BIT(OPT_CDB) | OPT_BIT(OPT_LOG) |
               OPT_BIT(OPT_VERSION) | OPT_BIT(OPT_MAN) | OPT_BIT(OPT_LOCK_WAIT)));
    if (bad_opt != OPT_COUNT) {
        line_error(s, la.argc > 0 ? la.argv[0] : NULL,
                   "--%s is an option of the program, not of the shell's commands",
                   args_opt_name(bad_opt));
        return;
    }
    if (la.argc == 0) {
        line_error(s, NULL, "no command (help lists them)");
        return;
    }
    cmd = command_find(la.argv[0]);
    if (cmd == NULL || (cmd->flags & CMD_NO_SHELL)) {
        line_error(s, la.argv[0], "%s \"%s\" (help lists the commands)",
                   cmd == NULL ? "unknown command" : "not available in the shell:", la.argv[0]);
        return;
    }
    if (la.set[OPT_HELP]) {
        commands_help(stdout, cmd, true);
        return;
    }
    /* The sticky target stands in for a missing --server. */
    tool_addr_str(target, s->st.target);
    if (s->st.target != 0 && (command_opts(cmd) & OPT_BIT(OPT_SERVER)) && !la.set[OPT_SERVER]) {
        la.set[OPT_SERVER] = true;
        la.val[OPT_SERVER] = target;
    }
    if (s->st.target != 0 && (command_opts(cmd) & OPT_BIT(OPT_NODE)) && !la.set[OPT_NODE]) {
        la.set[OPT_NODE] = true;
        la.val[OPT_NODE] = target;
    }
    memset(&lc, 0, sizeof(lc));
    lc.w = c->w;
    lc.b = c->b;
    lc.a = &la;
    lc.shell = true;
    lc.sh = &s->st;
    lc.lock_fd = -1;
    if (out_begin(&lc.out, la.set[OPT_JSON] || c->a->set[OPT_JSON], cmd->name) != 0) {
        line_error(s, cmd->name, "out of memory");
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
        save(s);
    }
}

/* libedit's handler of a complete line (NULL: end of input). */
static void on_line(char *line)
{
    struct shell *s = current;

    if (line == NULL) {
        printf("\n");
        s->st.quit = true;
        return;
    }
    if (line[strspn(line, " \t")] != '\0') {
        add_history(line);
    }
    s->prompt = false;
    shell_line(s, line);
    free(line);
    if (jobs_active(s)) {
        poll_jobs(s);
    }
    /* A new prompt for the next line, once libedit has reset its line (shell_run()). */
    s->prompt = true;
    s->redraw = !s->st.quit;
}

/* Tab completion: the names of the commands the shell accepts. */
static char *complete_command(const char *text, int state)
{
    static size_t next;
    size_t len = strlen(text);

    if (state == 0) {
        next = 0;
    }
    while (next < tool_command_count) {
        const struct command *cmd = &tool_commands[next++];
        if (!(cmd->flags & CMD_NO_SHELL) && strncmp(cmd->name, text, len) == 0) {
            return strdup(cmd->name);
        }
    }
    return NULL;
}

/* Split the pipe's input into lines and run them. @return false at the end of input. */
static bool read_pipe(struct shell *s)
{
    ssize_t n = read(STDIN_FILENO, s->buf + s->len, sizeof(s->buf) - 1 - s->len);
    char *nl;

    if (n < 0 && errno == EINTR) {
        return true;
    }
    if (n <= 0) {
        if (s->len > 0) {
            s->buf[s->len] = '\0';
            s->len = 0;
            shell_line(s, s->buf);
        }
        return false;
    }
    s->len += (size_t)n;
    s->buf[s->len] = '\0';
    while (!s->st.quit && (nl = memchr(s->buf, '\n', s->len)) != NULL) {
        char line[SHELL_LINE_MAX];
        size_t l = (size_t)(nl - s->buf);
        memcpy(line, s->buf, l);
        line[l] = '\0';
        memmove(s->buf, nl + 1, s->len - l - 1);
        s->len -= l + 1;
        shell_line(s, line);
        if (jobs_active(s)) {
            poll_jobs(s);
        }
    }
    if (s->len == sizeof(s->buf) - 1) {
        line_error(s, NULL, "line too long (at most %d characters)", SHELL_LINE_MAX - 2);
        s->len = 0;
    }
    return true;
}

/* Finish the running operations in virtual time (at quit or the end of input). */
static void drain(struct shell *s)
{
    while (jobs_active(s)) {
        (void)building_run_for(s->top->b, 100);
        building_activate(s->top->b);
        poll_jobs(s);
    }
}

int shell_run(struct cmd_ctx *c)
{
    struct shell s = { .top = c, .path = c->a->val[OPT_WORLD], .speed = 1.0 };
    const char *home = getenv("HOME");

    if (c->a->set[OPT_SPEED] && tool_parse_double(c->a->val[OPT_SPEED], 0, 1000, &s.speed) != 0) {
        tool_error("bad --speed (virtual seconds per real second, 0..1000)");
        return TOOL_EXIT_USAGE;
    }
    s.st.poll = poll_hook;
    s.st.owner = &s;
    s.interactive = isatty(STDIN_FILENO) != 0;
    s.json = c->a->set[OPT_JSON];
    current = &s;
    if (s.interactive) {
        rl_readline_name = "meshrpr";
        rl_completion_entry_function = complete_command;
        stifle_history(SHELL_HISTORY_MAX);
        if (home != NULL && home[0] != '\0') {
            snprintf(s.history, sizeof(s.history), "%s/.meshrpr_history", home);
            (void)read_history(s.history);
        }
        printf("meshrpr shell on %s; help lists the commands, quit leaves. The network runs "
               "while you type (%g virtual s per s).\n",
               s.path, s.speed);
        rl_callback_handler_install("meshrpr> ", on_line);
        s.prompt = true;
    }
    s.last_wall_ms = wall_ms();
    while (!s.st.quit) {
        struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
        int n = poll(&pfd, 1, SHELL_STEP_MS);

        if (n < 0 && errno != EINTR) {
            tool_error("cannot read the input: %s", strerror(errno));
            s.failures++;
            break;
        }
        if (n > 0 && s.interactive) {
            rl_callback_read_char();
            if (s.redraw) {
                /* libedit leaves the terminal cooked after a line: installing the handler again
                 * puts it back in character mode, resets the line and prints the prompt. */
                rl_callback_handler_install("meshrpr> ", on_line);
                s.redraw = false;
            }
        } else if (n > 0) {
            if (!read_pipe(&s)) {
                break;
            }
            /* Time a pipe's commands took is not waiting time. */
            s.last_wall_ms = wall_ms();
            continue;
        }
        step(&s);
    }
    if (s.interactive) {
        rl_callback_handler_remove();
        if (s.history[0] != '\0') {
            (void)write_history(s.history);
        }
    }
    drain(&s);
    /* The time that passed at the prompt is part of the world too. */
    if (s.st.dirty || building_now_ms(c->b) != c->w->time_ms) {
        save(&s);
    }
    current = NULL;
    if (s.world_rc != TOOL_EXIT_OK) {
        return s.world_rc;
    }
    out_num(c->out.root, "failures", s.failures);
    if (s.failures > 0) {
        /* The session's own result: each failure had its message (and object) already. */
        char msg[64];
        snprintf(msg, sizeof(msg), "%u command%s of the session failed", s.failures,
                 s.failures == 1 ? "" : "s");
        out_str(c->out.root, "error", msg);
    }
    return s.failures == 0 ? TOOL_EXIT_OK : TOOL_EXIT_FAIL;
}

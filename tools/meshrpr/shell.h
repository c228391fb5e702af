/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `meshrpr --world FILE shell`: the commands, one per line from stdin (a terminal or a pipe),
 * against one running network. The world file is saved after every command that succeeded.
 */
#ifndef MESHRPR_TOOL_SHELL_H
#define MESHRPR_TOOL_SHELL_H

#include <stdbool.h>
#include <stdint.h>

#include "commands.h"

/* Operations the shell runs in the background while its prompt stays live. */
#define SHELL_MAX_JOBS 16

enum shell_job_kind {
    SHELL_JOB_SCAN,     /* a Remote Provisioning Scan (server 0: discover, every server) */
    SHELL_JOB_PROV,     /* a provisioning (server 0: the provisioner's own PB-ADV) */
    SHELL_JOB_EXT_SCAN, /* an Extended Scan of the device uuid through server */
    SHELL_JOB_NPPI,     /* an NPPI procedure on the node server (the device uuid) */
};

struct shell_job {
    bool active;
    enum shell_job_kind kind;
    char command[24];
    uint16_t server;
    bool has_uuid;
    uint8_t uuid[16];
    uint64_t since_ms;
    uint64_t deadline_ms;
    /* Scan: reports printed so far. */
    size_t reported;
    /* Provisioning and NPPI: when it was seen to end (0: not yet), and the device's OOB
     * state. */
    uint64_t ended_ms;
    struct b_target *t;
    /* Extended Scan: its timeout. */
    uint8_t timeout_s;
    /* NPPI: the procedure (BT_MESH_RPR_NODE_REFRESH_*) and the device key before it. */
    unsigned procedure;
    uint8_t old_key[16];
};

/* What the shell keeps between its lines. */
struct shell_state {
    bool quit;
    /* The sticky target: the server of commands given without --server (0: none). */
    uint16_t target;
    struct shell_job jobs[SHELL_MAX_JOBS];
    /* Something changed the world since the last save (a job's result). */
    bool dirty;
    /* Print what the jobs did (set by the shell): commands that run the network for long,
     * like run, call it as they go, so reports appear in the order of virtual time. */
    void (*poll)(void *owner);
    void *owner;
};

/* Start a background job (c->sh set). @return TOOL_EXIT_OK, or TOOL_EXIT_FAIL (too many). */
int shell_job_start(struct cmd_ctx *c, const struct shell_job *j);

/* Whether commands_job_poll() has something to print for j (it may note that j's link ended).
 * commands.c. */
bool commands_job_ready(struct cmd_ctx *c, struct shell_job *j);

/* Print what happened to j since the last call (c: the shell's world and building; its out is
 * not used). @return -1 while the job runs on, else its TOOL_EXIT_* result (j->active
 * cleared). commands.c. */
int commands_job_poll(struct cmd_ctx *c, struct shell_job *j, bool json);

/* Run the shell on c's world and building. @return TOOL_EXIT_OK when every command succeeded,
 * else TOOL_EXIT_FAIL (or TOOL_EXIT_WORLD when a save failed). */
int shell_run(struct cmd_ctx *c);

#endif /* MESHRPR_TOOL_SHELL_H */

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

/* What the shell keeps between its lines. */
struct shell_state {
    bool quit;
    /* The sticky target: the server of commands given without --server (0: none). */
    uint16_t target;
};

/* Run the shell on c's world and building. @return TOOL_EXIT_OK when every command succeeded,
 * else TOOL_EXIT_FAIL (or TOOL_EXIT_WORLD when a save failed). */
int shell_run(struct cmd_ctx *c);

#endif /* MESHRPR_TOOL_SHELL_H */

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `meshrpr demo`: remote provisioning in a simulated building from start to finish (scan
 * through every server, provision every device remotely with several links at once, each NPPI
 * procedure once when the build has it, a Configuration Client check of every node), with
 * progress lines and a closing table. Deterministic for a seed.
 */
#ifndef MESHRPR_TOOL_DEMO_H
#define MESHRPR_TOOL_DEMO_H

#include "commands.h"

/* Run the demo with the options of c->a. @return TOOL_EXIT_OK only if everything succeeded. */
int demo_run(struct cmd_ctx *c);

#endif /* MESHRPR_TOOL_DEMO_H */

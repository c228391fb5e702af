/* SPDX-License-Identifier: Apache-2.0 */
/* Request/response helper for client models (not API; embedded in client model structs).
 * Implemented in src/access/msg_ack.c. */
#ifndef MESHRPR_PRIVATE_MSG_ACK_H
#define MESHRPR_PRIVATE_MSG_ACK_H

#include <stdbool.h>
#include <stdint.h>

#include <meshrpr/timer.h>

struct meshrpr_node;

/* One outstanding request of a client: the response opcode and the source it must come from. */
struct meshrpr_msg_ack_ctx {
    struct meshrpr_node *node;
    struct meshrpr_timer timer;
    bool busy;
    bool done;
    int result;      /* 0: answered, -ETIMEDOUT */
    uint32_t op;     /* expected response opcode */
    uint16_t dst;    /* address the response must come from */
    void *user_data; /* where the response handler writes the answer */
    /* Called once when the request completes (answer or timeout); may be NULL. */
    void (*complete)(struct meshrpr_msg_ack_ctx *ack, int err);
};

#endif /* MESHRPR_PRIVATE_MSG_ACK_H */

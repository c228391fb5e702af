/* SPDX-License-Identifier: Apache-2.0 */
/* Request/response matching for client models: one outstanding request per context, matched
 * by response opcode and source address, ended by the response or a timeout on the node's
 * clock. The blocking wait drives the platform's event loop (platform.run_until). */
#ifndef MESHRPR_ACCESS_MSG_ACK_H
#define MESHRPR_ACCESS_MSG_ACK_H

#include <meshrpr/node.h>
#include <meshrpr/private/msg_ack.h>

/* Arm the context for a request to dst expecting opcode op within timeout_ms.
 * @return 0, or -EBUSY when a request is already outstanding. */
int meshrpr_msg_ack_ctx_prepare(struct meshrpr_msg_ack_ctx *ack, struct meshrpr_node *node,
                                uint32_t op, uint16_t dst, void *user_data, uint32_t timeout_ms);

/* Whether a received message (opcode op from addr) is the awaited response; if so, returns
 * true and the user_data pointer (which may be NULL when nobody waits for the content). */
bool meshrpr_msg_ack_ctx_match(const struct meshrpr_msg_ack_ctx *ack, uint32_t op, uint16_t addr,
                               void **user_data);

/* The awaited response has been handled: complete with 0. */
void meshrpr_msg_ack_ctx_rx(struct meshrpr_msg_ack_ctx *ack);

/* Abandon the request (send failure): no completion callback. */
void meshrpr_msg_ack_ctx_clear(struct meshrpr_msg_ack_ctx *ack);

/* Block until the request completes, through platform.run_until.
 * @return 0 (answered), -ETIMEDOUT, -EDEADLK (called from inside the event loop, e.g. a
 *         model callback), -ENOTSUP (no run_until hook). The context is free afterwards. */
int meshrpr_msg_ack_ctx_wait(struct meshrpr_msg_ack_ctx *ack);

#endif /* MESHRPR_ACCESS_MSG_ACK_H */

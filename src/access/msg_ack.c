/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Request/response matching for client models. The wait never sleeps: it asks the platform to
 * run the event loop (radio and every node's timers) until the response or the timeout, so
 * the same code blocks on real time on a POSIX host and on virtual time in the simulator.
 */
#include "access/msg_ack.h"

#include <errno.h>

#include <meshrpr/util.h>

#include "node/node_services.h"

static void ack_complete(struct meshrpr_msg_ack_ctx *ack, int err)
{
    ack->done = true;
    ack->result = err;
    ack->busy = false;
    if (ack->complete != NULL) {
        ack->complete(ack, err);
    }
}

static void ack_timeout(struct meshrpr_timer *timer)
{
    struct meshrpr_msg_ack_ctx *ack =
        MESHRPR_CONTAINER_OF(timer, struct meshrpr_msg_ack_ctx, timer);

    ack_complete(ack, -ETIMEDOUT);
}

int meshrpr_msg_ack_ctx_prepare(struct meshrpr_msg_ack_ctx *ack, struct meshrpr_node *node,
                                uint32_t op, uint16_t dst, void *user_data, uint32_t timeout_ms)
{
    if (ack->busy) {
        return -EBUSY;
    }
    ack->node = node;
    meshrpr_timer_init(&ack->timer, ack_timeout);
    ack->busy = true;
    ack->done = false;
    ack->result = 0;
    ack->op = op;
    ack->dst = dst;
    ack->user_data = user_data;
    meshrpr_node_timer_start(node, &ack->timer, timeout_ms);
    return 0;
}

bool meshrpr_msg_ack_ctx_match(const struct meshrpr_msg_ack_ctx *ack, uint32_t op, uint16_t addr,
                               void **user_data)
{
    if (!ack->busy || ack->op != op || (ack->dst != addr && BT_MESH_ADDR_IS_UNICAST(ack->dst))) {
        return false;
    }
    if (user_data != NULL) {
        *user_data = ack->user_data;
    }
    return true;
}

void meshrpr_msg_ack_ctx_rx(struct meshrpr_msg_ack_ctx *ack)
{
    if (!ack->busy) {
        return;
    }
    meshrpr_node_timer_cancel(ack->node, &ack->timer);
    ack_complete(ack, 0);
}

void meshrpr_msg_ack_ctx_clear(struct meshrpr_msg_ack_ctx *ack)
{
    if (ack->busy) {
        meshrpr_node_timer_cancel(ack->node, &ack->timer);
    }
    ack->busy = false;
    ack->done = false;
    ack->user_data = NULL;
}

static bool ack_done(void *arg)
{
    return ((const struct meshrpr_msg_ack_ctx *)arg)->done;
}

int meshrpr_msg_ack_ctx_wait(struct meshrpr_msg_ack_ctx *ack)
{
    struct meshrpr_node *node = ack->node;
    int err;

    if (node == NULL || (!ack->busy && !ack->done)) {
        return -EINVAL;
    }
    if (node->platform.run_until == NULL) {
        meshrpr_msg_ack_ctx_clear(ack);
        return -ENOTSUP;
    }
    /* Run a little past the timer's deadline so that the timeout itself gets processed. */
    err = node->platform.run_until(node->platform.ctx, ack_done, ack, ack->timer.deadline_ms + 1);
    if (ack->done) {
        err = ack->result;
    } else if (err == 0) {
        err = -ETIMEDOUT;
    }
    meshrpr_msg_ack_ctx_clear(ack);
    return err;
}

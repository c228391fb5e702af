/* SPDX-License-Identifier: Apache-2.0 */
/* A platform for component tests: a clock the test sets, a seeded deterministic random
 * source, and a record of what was logged and transmitted. */
#ifndef MESHRPR_FAKE_PLATFORM_H
#define MESHRPR_FAKE_PLATFORM_H

#include <meshrpr/platform.h>

struct fake_platform {
    struct meshrpr_platform platform; /* hooks whose ctx points at this struct */
    uint64_t now_ms;                  /* what now_ms() returns; tests move it */
    uint64_t rng_state;               /* splitmix64 state */
    int random_result;                /* returned by random(); set negative to fail */

    unsigned log_count;
    enum meshrpr_log_level last_log_level;
    char last_log_module[32];
    char last_log_text[256];

    unsigned adv_count;
    uint8_t last_adv_type;
    uint8_t last_adv[64];
    size_t last_adv_len;
    struct meshrpr_adv_params last_adv_params; /* with the tx_id to report */

    /* The transmit-complete signal (platform.h, adv_send): when set, every PDU is reported
     * sent to this node from inside adv_send, as by a host whose radio takes no time. Left
     * NULL, nothing is reported and the node falls back on its estimate; a test may report
     * last_adv_params.tx_id itself with meshrpr_node_adv_sent(). */
    struct meshrpr_node *report_node;
};

void fake_platform_init(struct fake_platform *fp, uint64_t seed);

#endif /* MESHRPR_FAKE_PLATFORM_H */

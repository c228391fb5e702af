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
};

void fake_platform_init(struct fake_platform *fp, uint64_t seed);

#endif /* MESHRPR_FAKE_PLATFORM_H */

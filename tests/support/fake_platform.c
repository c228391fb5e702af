/* SPDX-License-Identifier: Apache-2.0 */
#include "fake_platform.h"

#include <meshrpr/node.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

static uint64_t fake_now_ms(void *ctx)
{
    return ((struct fake_platform *)ctx)->now_ms;
}

/* splitmix64: deterministic and good enough to make distinct keys in tests. */
static int fake_random(void *ctx, uint8_t *out, size_t len)
{
    struct fake_platform *fp = ctx;

    if (fp->random_result != 0) {
        return fp->random_result;
    }
    for (size_t i = 0; i < len; i++) {
        uint64_t z = (fp->rng_state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        out[i] = (uint8_t)(z ^ (z >> 31));
    }
    return 0;
}

static void fake_log(void *ctx, enum meshrpr_log_level level, const char *module, const char *text)
{
    struct fake_platform *fp = ctx;

    fp->log_count++;
    fp->last_log_level = level;
    snprintf(fp->last_log_module, sizeof(fp->last_log_module), "%s", module);
    snprintf(fp->last_log_text, sizeof(fp->last_log_text), "%s", text);
}

static int fake_adv_send(void *ctx, uint8_t ad_type, const uint8_t *data, size_t len,
                         const struct meshrpr_adv_params *params)
{
    struct fake_platform *fp = ctx;

    if (len > sizeof(fp->last_adv)) {
        return -EMSGSIZE;
    }
    fp->adv_count++;
    fp->last_adv_type = ad_type;
    memcpy(fp->last_adv, data, len);
    fp->last_adv_len = len;
    if (params != NULL) {
        fp->last_adv_params = *params;
    }
    if (fp->report_node != NULL && params != NULL) {
        meshrpr_node_adv_sent(fp->report_node, params->tx_id);
    }
    return 0;
}

void fake_platform_init(struct fake_platform *fp, uint64_t seed)
{
    memset(fp, 0, sizeof(*fp));
    fp->rng_state = seed;
    fp->platform.ctx = fp;
    fp->platform.now_ms = fake_now_ms;
    fp->platform.random = fake_random;
    fp->platform.log = fake_log;
    fp->platform.adv_send = fake_adv_send;
}

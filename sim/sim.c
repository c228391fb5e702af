/* SPDX-License-Identifier: Apache-2.0 */
/* The simulated world: nodes, their platforms, the virtual clock and the event loop. Time is
 * kept in microseconds (airtime and collisions need sub-millisecond resolution) and shown to
 * nodes in milliseconds. Each step of the loop takes the earliest of the pending radio events
 * and the nodes' timer deadlines, advances the clock to it and dispatches it; at one instant,
 * radio events go first (in insertion order) and then due nodes in node-id order. Nothing
 * here depends on wall-clock time or on addresses, so a run is reproducible. */
#include "sim_priv.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>

/* Longest log line handed to the log hook, NUL included. */
#define SIM_LOG_LINE_SIZE 160

static struct meshrpr_sim_node *node_of(void *ctx)
{
    return ctx;
}

static bool valid_id(const struct meshrpr_sim *sim, int id)
{
    return sim != NULL && id >= 0 && id < (int)sim->node_count;
}

/* ---- Logging ---- */

static char level_letter(enum meshrpr_log_level level)
{
    switch (level) {
    case MESHRPR_LOG_LEVEL_ERR:
        return 'E';
    case MESHRPR_LOG_LEVEL_WRN:
        return 'W';
    case MESHRPR_LOG_LEVEL_INF:
        return 'I';
    case MESHRPR_LOG_LEVEL_DBG:
        return 'D';
    case MESHRPR_LOG_LEVEL_NONE:
        break;
    }
    return '?';
}

static void emit_log(struct meshrpr_sim *sim, const char *name, enum meshrpr_log_level level,
                     const char *module, const char *text)
{
    if (level == MESHRPR_LOG_LEVEL_NONE || (int)level > (int)sim->log_level) {
        return;
    }
    if (sim->log_fn != NULL) {
        sim->log_fn(sim->log_arg, sim->now_us, name, level, module, text);
        return;
    }
    fprintf(stderr, "[%4" PRIu64 ".%06" PRIu64 "] %-8s %c %s: %s\n", sim->now_us / 1000000u,
            sim->now_us % 1000000u, name, level_letter(level), module != NULL ? module : "?", text);
}

void meshrpr_sim_log(struct meshrpr_sim *sim, int id, enum meshrpr_log_level level, const char *fmt,
                     ...)
{
    if (level == MESHRPR_LOG_LEVEL_NONE || (int)level > (int)sim->log_level) {
        return;
    }
    char text[SIM_LOG_LINE_SIZE];
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    emit_log(sim, valid_id(sim, id) ? sim->nodes[id].name : "-", level, "sim", text);
}

void meshrpr_sim_set_log(struct meshrpr_sim *sim, enum meshrpr_log_level level,
                         meshrpr_sim_log_fn fn, void *arg)
{
    sim->log_level = level;
    sim->log_fn = fn;
    sim->log_arg = arg;
}

void meshrpr_sim_set_observer(struct meshrpr_sim *sim, meshrpr_sim_observer_fn fn, void *arg)
{
    sim->observer = fn;
    sim->observer_arg = arg;
}

/* ---- The nodes' platform hooks ---- */

static uint64_t platform_now_ms(void *ctx)
{
    return node_of(ctx)->sim->now_us / 1000u;
}

static int platform_random(void *ctx, uint8_t *out, size_t len)
{
    meshrpr_sim_rng_fill(&node_of(ctx)->rng, out, len);
    return 0;
}

static void platform_log(void *ctx, enum meshrpr_log_level level, const char *module,
                         const char *text)
{
    struct meshrpr_sim_node *node = node_of(ctx);
    emit_log(node->sim, node->name, level, module, text);
}

static enum meshrpr_log_level platform_log_level(void *ctx)
{
    return node_of(ctx)->sim->log_level;
}

static int platform_adv_send(void *ctx, uint8_t ad_type, const uint8_t *data, size_t len,
                             const struct meshrpr_adv_params *params)
{
    struct meshrpr_sim_node *node = node_of(ctx);
    return meshrpr_sim_adv_send(node->sim, node->id, ad_type, data, len, params);
}

static int platform_run_until(void *ctx, meshrpr_done_fn done, void *arg, uint64_t deadline_ms)
{
    return meshrpr_sim_run_until_done(node_of(ctx)->sim, done, arg, deadline_ms);
}

static int platform_scan_active_set(void *ctx, bool active)
{
    struct meshrpr_sim_node *node = node_of(ctx);
    return meshrpr_sim_node_set_scan_active(node->sim, node->id, active);
}

/* ---- World and nodes ---- */

void meshrpr_sim_init(struct meshrpr_sim *sim, uint64_t seed)
{
    memset(sim, 0, sizeof(*sim));
    sim->seed = seed;
    meshrpr_sim_rng_seed_stream(&sim->rng, seed, 0);
    sim->range_m = INFINITY;
    sim->default_loss = 0.0;
    sim->rssi_1m_dbm = -40.0;
    sim->path_loss_exponent = 2.5;
    sim->log_level = MESHRPR_LOG_LEVEL_NONE;
    meshrpr_sim_radio_init(sim);
}

uint64_t meshrpr_sim_now_ms(const struct meshrpr_sim *sim)
{
    return sim->now_us / 1000u;
}

uint64_t meshrpr_sim_now_us(const struct meshrpr_sim *sim)
{
    return sim->now_us;
}

int meshrpr_sim_node_add(struct meshrpr_sim *sim, const char *name,
                         const struct meshrpr_sim_node_ops *ops, void *node)
{
    if (sim == NULL) {
        return -EINVAL;
    }
    if (sim->node_count >= MESHRPR_SIM_MAX_NODES) {
        return -ENOMEM;
    }
    const int id = sim->node_count;
    struct meshrpr_sim_node *n = &sim->nodes[id];

    memset(n, 0, sizeof(*n));
    n->sim = sim;
    n->id = (uint16_t)id;
    n->ops = ops;
    n->node = node;
    if (name != NULL) {
        (void)snprintf(n->name, sizeof(n->name), "%s", name);
    } else {
        (void)snprintf(n->name, sizeof(n->name), "n%d", id);
    }
    /* A node's stream depends on the seed and its id only, so adding a node or drawing from
     * the world never shifts another node's randomness. */
    meshrpr_sim_rng_seed_stream(&n->rng, sim->seed, (uint64_t)id + 1u);
    /* Static random address: the top two bits set, the rest never all zeros. 0xc2 also has
     * the locally-administered bit that no IEEE OUI has, so Wireshark shows it as it is
     * instead of resolving a vendor name. */
    const unsigned addr_low = (unsigned)id + 1u;
    const uint8_t addr[6] = { 0xc2, 0x00, 0x00, 0x00, (uint8_t)(addr_low >> 8), (uint8_t)addr_low };
    memcpy(n->adv_addr, addr, sizeof(addr));

    n->platform.ctx = n;
    n->platform.now_ms = platform_now_ms;
    n->platform.random = platform_random;
    n->platform.log = platform_log;
    n->platform.log_level = platform_log_level;
    n->platform.adv_send = platform_adv_send;
    n->platform.run_until = platform_run_until;
    n->platform.scan_active_set = platform_scan_active_set;

    sim->node_count++;
    return id;
}

int meshrpr_sim_node_set_ops(struct meshrpr_sim *sim, int id,
                             const struct meshrpr_sim_node_ops *ops, void *node)
{
    if (!valid_id(sim, id)) {
        return -EINVAL;
    }
    sim->nodes[id].ops = ops;
    sim->nodes[id].node = node;
    return 0;
}

struct meshrpr_platform *meshrpr_sim_node_platform(struct meshrpr_sim *sim, int id)
{
    return valid_id(sim, id) ? &sim->nodes[id].platform : NULL;
}

int meshrpr_sim_node_count(const struct meshrpr_sim *sim)
{
    return sim->node_count;
}

const char *meshrpr_sim_node_name(const struct meshrpr_sim *sim, int id)
{
    return valid_id(sim, id) ? sim->nodes[id].name : NULL;
}

const struct meshrpr_sim_node_stats *meshrpr_sim_node_stats(const struct meshrpr_sim *sim, int id)
{
    return valid_id(sim, id) ? &sim->nodes[id].stats : NULL;
}

int meshrpr_sim_node_set_position(struct meshrpr_sim *sim, int id, double x_m, double y_m)
{
    if (!valid_id(sim, id) || !isfinite(x_m) || !isfinite(y_m)) {
        return -EINVAL;
    }
    sim->nodes[id].x_m = x_m;
    sim->nodes[id].y_m = y_m;
    return 0;
}

int meshrpr_sim_node_set_adv_addr(struct meshrpr_sim *sim, int id, const uint8_t addr[6])
{
    if (!valid_id(sim, id) || addr == NULL) {
        return -EINVAL;
    }
    memcpy(sim->nodes[id].adv_addr, addr, sizeof(sim->nodes[id].adv_addr));
    return 0;
}

/* ---- Event loop ---- */

/* When node wants to be processed, in µs; UINT64_MAX for never. A deadline already passed
 * is due now: the clock never goes backwards. */
static uint64_t node_due_us(const struct meshrpr_sim *sim, const struct meshrpr_sim_node *node)
{
    if (node->ops == NULL || node->ops->next_deadline_ms == NULL || node->ops->process == NULL) {
        return UINT64_MAX;
    }
    uint64_t deadline_ms = node->ops->next_deadline_ms(node->node);
    if (deadline_ms >= UINT64_MAX / 1000u) {
        return UINT64_MAX; /* beyond the µs clock: never */
    }
    uint64_t due_us = deadline_ms * 1000u;
    return due_us < sim->now_us ? sim->now_us : due_us;
}

/* The common loop. done may be NULL; idle_result is what running out of events (or reaching
 * the deadline) returns when done is not true. */
static int run(struct meshrpr_sim *sim, meshrpr_done_fn done, void *arg, uint64_t deadline_ms,
               int idle_result)
{
    if (sim->running) {
        return -EDEADLK;
    }
    const uint64_t deadline_us =
        deadline_ms >= UINT64_MAX / 1000u ? UINT64_MAX : deadline_ms * 1000u;
    uint64_t instant_us = sim->now_us;
    uint32_t steps_at_instant = 0;
    int rc;

    sim->running = true;
    for (;;) {
        if (done != NULL && done(arg)) {
            rc = 0;
            break;
        }

        uint64_t radio_us = UINT64_MAX;
        const bool have_radio = meshrpr_sim_radio_peek(sim, &radio_us);
        int due_node = -1;
        uint64_t node_us = UINT64_MAX;
        for (int id = 0; id < (int)sim->node_count; id++) {
            uint64_t due_us = node_due_us(sim, &sim->nodes[id]);
            if (due_us < node_us) {
                node_us = due_us;
                due_node = id;
            }
        }
        const bool radio_next = have_radio && radio_us <= node_us;
        const uint64_t next_us = radio_next ? radio_us : node_us;

        if ((!radio_next && due_node < 0) || next_us > deadline_us) {
            if (deadline_us != UINT64_MAX && sim->now_us < deadline_us) {
                sim->now_us = deadline_us;
            }
            rc = done != NULL && done(arg) ? 0 : idle_result;
            break;
        }
        if (next_us == instant_us) {
            if (++steps_at_instant > MESHRPR_SIM_MAX_STEPS_PER_INSTANT) {
                meshrpr_sim_log(sim, due_node, MESHRPR_LOG_LEVEL_ERR,
                                "stuck at %" PRIu64 " us: giving up", next_us);
                rc = -ELOOP;
                break;
            }
        } else {
            instant_us = next_us;
            steps_at_instant = 1;
        }

        sim->now_us = next_us;
        meshrpr_sim_radio_reclaim(sim);
        if (radio_next) {
            meshrpr_sim_radio_dispatch(sim);
        } else {
            struct meshrpr_sim_node *node = &sim->nodes[due_node];
            node->ops->process(node->node);
        }
    }
    sim->running = false;
    return rc;
}

int meshrpr_sim_run_until(struct meshrpr_sim *sim, uint64_t deadline_ms)
{
    return run(sim, NULL, NULL, deadline_ms, 0);
}

int meshrpr_sim_run_until_done(struct meshrpr_sim *sim, meshrpr_done_fn done, void *arg,
                               uint64_t deadline_ms)
{
    return run(sim, done, arg, deadline_ms, -ETIMEDOUT);
}

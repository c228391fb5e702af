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
#include <stdlib.h>
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

/* Every hook marks its node stale: whoever calls a node's platform (the node itself, or
 * another node's callback calling into it) may be arming its timers, so the event loop asks
 * the node for its deadline again. */
static struct meshrpr_sim_node *touched(void *ctx)
{
    struct meshrpr_sim_node *node = node_of(ctx);
    meshrpr_sim_node_stale(node->sim, node->id);
    return node;
}

static uint64_t platform_now_ms(void *ctx)
{
    return touched(ctx)->sim->now_us / 1000u;
}

static int platform_random(void *ctx, uint8_t *out, size_t len)
{
    meshrpr_sim_rng_fill(&touched(ctx)->rng, out, len);
    return 0;
}

static void platform_log(void *ctx, enum meshrpr_log_level level, const char *module,
                         const char *text)
{
    struct meshrpr_sim_node *node = touched(ctx);
    emit_log(node->sim, node->name, level, module, text);
}

static enum meshrpr_log_level platform_log_level(void *ctx)
{
    return touched(ctx)->sim->log_level;
}

static int platform_adv_send(void *ctx, uint8_t ad_type, const uint8_t *data, size_t len,
                             const struct meshrpr_adv_params *params)
{
    struct meshrpr_sim_node *node = touched(ctx);
    return meshrpr_sim_adv_send(node->sim, node->id, ad_type, data, len, params);
}

static int platform_run_until(void *ctx, meshrpr_done_fn done, void *arg, uint64_t deadline_ms)
{
    return meshrpr_sim_run_until_done(node_of(ctx)->sim, done, arg, deadline_ms);
}

static int platform_scan_active_set(void *ctx, bool active)
{
    struct meshrpr_sim_node *node = touched(ctx);
    return meshrpr_sim_node_set_scan_active(node->sim, node->id, active);
}

/* ---- World and nodes ---- */

void meshrpr_sim_init(struct meshrpr_sim *sim, uint64_t seed)
{
    memset(sim, 0, sizeof(*sim));
    sim->nodes = sim->node_storage;
    sim->node_capacity = MESHRPR_SIM_MAX_NODES;
    sim->all_stale = true;
    sim->seed = seed;
    meshrpr_sim_rng_seed_stream(&sim->rng, seed, 0);
    sim->range_m = INFINITY;
    sim->default_loss = 0.0;
    sim->rssi_1m_dbm = -40.0;
    sim->path_loss_exponent = 2.5;
    sim->log_level = MESHRPR_LOG_LEVEL_NONE;
    meshrpr_sim_radio_init(sim);
}

int meshrpr_sim_init_nodes(struct meshrpr_sim *sim, uint64_t seed, struct meshrpr_sim_node *nodes,
                           size_t capacity)
{
    if (sim == NULL) {
        return -EINVAL;
    }
    meshrpr_sim_init(sim, seed);
    if (nodes == NULL || capacity == 0 || capacity > MESHRPR_SIM_NODE_LIMIT) {
        return -EINVAL;
    }
    sim->nodes = nodes;
    sim->node_capacity = (uint16_t)capacity;
    return 0;
}

int meshrpr_sim_node_capacity(const struct meshrpr_sim *sim)
{
    return sim->node_capacity;
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
    if (sim->node_count >= sim->node_capacity) {
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

    n->due_us = UINT64_MAX;
    n->heap_pos = SIM_NODE_NONE;
    n->link_head = UINT16_MAX; /* no explicit links */

    sim->node_count++;
    meshrpr_sim_node_stale(sim, id);
    meshrpr_sim_geometry_changed(sim);
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
    meshrpr_sim_node_stale(sim, id);
    return 0;
}

int meshrpr_sim_node_wake(struct meshrpr_sim *sim, int id)
{
    if (!valid_id(sim, id)) {
        return -EINVAL;
    }
    meshrpr_sim_node_stale(sim, id);
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
    meshrpr_sim_geometry_changed(sim);
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

/* ---- Node deadlines ---- */

/* The loop needs the due node with the earliest deadline, a deadline already passed counting
 * as now and ties going to the lowest id. Asking every node at every step made a step O(N);
 * instead each node's deadline is cached, and asked again only when it may have changed (a
 * callback into the node, a call of its platform, meshrpr_sim_node_wake(), the start of a
 * run). Nodes due later wait in a heap by (deadline, id); once the clock reaches their
 * deadline they move to a heap by id alone, since among due nodes the id decides. */

enum { SIM_HEAP_NONE = 0, SIM_HEAP_DEADLINE, SIM_HEAP_READY };

static uint16_t *heap_slot(struct meshrpr_sim *sim, uint8_t which, size_t pos)
{
    return which == SIM_HEAP_DEADLINE ? &sim->nodes[pos].deadline_heap_slot
                                      : &sim->nodes[pos].ready_heap_slot;
}

static uint16_t *heap_count(struct meshrpr_sim *sim, uint8_t which)
{
    return which == SIM_HEAP_DEADLINE ? &sim->deadline_heap_count : &sim->ready_heap_count;
}

static bool node_before(const struct meshrpr_sim *sim, uint8_t which, uint16_t a, uint16_t b)
{
    if (which == SIM_HEAP_DEADLINE && sim->nodes[a].due_us != sim->nodes[b].due_us) {
        return sim->nodes[a].due_us < sim->nodes[b].due_us;
    }
    return a < b;
}

static void heap_place(struct meshrpr_sim *sim, uint8_t which, size_t pos, uint16_t id)
{
    *heap_slot(sim, which, pos) = id;
    sim->nodes[id].heap_pos = (uint16_t)pos;
}

static void node_sift_up(struct meshrpr_sim *sim, uint8_t which, size_t pos)
{
    const uint16_t id = *heap_slot(sim, which, pos);
    while (pos > 0) {
        const size_t parent = (pos - 1) / 2;
        const uint16_t p = *heap_slot(sim, which, parent);
        if (!node_before(sim, which, id, p)) {
            break;
        }
        heap_place(sim, which, pos, p);
        pos = parent;
    }
    heap_place(sim, which, pos, id);
}

static void node_sift_down(struct meshrpr_sim *sim, uint8_t which, size_t pos)
{
    const size_t n = *heap_count(sim, which);
    const uint16_t id = *heap_slot(sim, which, pos);
    for (;;) {
        size_t child = 2 * pos + 1;
        if (child >= n) {
            break;
        }
        if (child + 1 < n && node_before(sim, which, *heap_slot(sim, which, child + 1),
                                         *heap_slot(sim, which, child))) {
            child++;
        }
        const uint16_t c = *heap_slot(sim, which, child);
        if (!node_before(sim, which, c, id)) {
            break;
        }
        heap_place(sim, which, pos, c);
        pos = child;
    }
    heap_place(sim, which, pos, id);
}

static void node_heap_insert(struct meshrpr_sim *sim, uint8_t which, uint16_t id)
{
    uint16_t *count = heap_count(sim, which);
    const size_t pos = (*count)++;
    sim->nodes[id].heap_which = which;
    heap_place(sim, which, pos, id);
    node_sift_up(sim, which, pos);
}

static void node_heap_remove(struct meshrpr_sim *sim, uint16_t id)
{
    struct meshrpr_sim_node *node = &sim->nodes[id];
    const uint8_t which = node->heap_which;
    if (which == SIM_HEAP_NONE) {
        return;
    }
    uint16_t *count = heap_count(sim, which);
    const size_t pos = node->heap_pos;
    const uint16_t last = *heap_slot(sim, which, --(*count));
    node->heap_which = SIM_HEAP_NONE;
    node->heap_pos = SIM_NODE_NONE;
    if (last == id) {
        return;
    }
    heap_place(sim, which, pos, last);
    node_sift_up(sim, which, pos);
    node_sift_down(sim, which, sim->nodes[last].heap_pos);
}

void meshrpr_sim_node_stale(struct meshrpr_sim *sim, int id)
{
    struct meshrpr_sim_node *node = &sim->nodes[id];
    if (node->stale || sim->all_stale) {
        return;
    }
    if (sim->stale_count >= sim->node_count) {
        sim->all_stale = true; /* only if refreshing keeps marking nodes: ask them all */
        return;
    }
    node->stale = true;
    sim->nodes[sim->stale_count++].stale_slot = (uint16_t)id;
}

/* When node wants to be processed, in µs; UINT64_MAX for never. */
static uint64_t node_deadline_us(const struct meshrpr_sim_node *node)
{
    if (node->ops == NULL || node->ops->next_deadline_ms == NULL || node->ops->process == NULL) {
        return UINT64_MAX;
    }
    uint64_t deadline_ms = node->ops->next_deadline_ms(node->node);
    if (deadline_ms >= UINT64_MAX / 1000u) {
        return UINT64_MAX; /* beyond the µs clock: never */
    }
    return deadline_ms * 1000u;
}

static void node_refresh(struct meshrpr_sim *sim, uint16_t id)
{
    struct meshrpr_sim_node *node = &sim->nodes[id];
    node->stale = false;
    node_heap_remove(sim, id);
    node->due_us = node_deadline_us(node);
    if (node->due_us == UINT64_MAX) {
        return;
    }
    node_heap_insert(sim, node->due_us <= sim->now_us ? SIM_HEAP_READY : SIM_HEAP_DEADLINE, id);
}

/* The node to process next and when (UINT64_MAX and -1 when none wants to be). */
static int next_node(struct meshrpr_sim *sim, uint64_t *due_us)
{
    /* Asking a node may mark others stale: the list may grow meanwhile. */
    do {
        if (sim->all_stale) {
            sim->all_stale = false;
            sim->stale_count = 0;
            for (uint16_t id = 0; id < sim->node_count; id++) {
                node_refresh(sim, id);
            }
        }
        for (uint16_t i = 0; i < sim->stale_count && !sim->all_stale; i++) {
            node_refresh(sim, sim->nodes[i].stale_slot);
        }
        sim->stale_count = 0;
    } while (sim->all_stale);
    while (sim->deadline_heap_count > 0) {
        const uint16_t id = sim->nodes[0].deadline_heap_slot;
        if (sim->nodes[id].due_us > sim->now_us) {
            break;
        }
        node_heap_remove(sim, id);
        node_heap_insert(sim, SIM_HEAP_READY, id);
    }
    if (sim->ready_heap_count > 0) {
        *due_us = sim->now_us;
        return sim->nodes[0].ready_heap_slot;
    }
    if (sim->deadline_heap_count > 0) {
        const uint16_t id = sim->nodes[0].deadline_heap_slot;
        *due_us = sim->nodes[id].due_us;
        return id;
    }
    *due_us = UINT64_MAX;
    return -1;
}

#ifdef MESHRPR_SIM_VERIFY_DEADLINES
/* Debug aid: the node a scan of every node picks, as the loop did before the heaps; abort if
 * the heaps disagree (a deadline changed without the node being marked stale). */
static void verify_next_node(const struct meshrpr_sim *sim, int due_node, uint64_t node_us)
{
    int scan_node = -1;
    uint64_t scan_us = UINT64_MAX;
    for (int id = 0; id < (int)sim->node_count; id++) {
        uint64_t d = node_deadline_us(&sim->nodes[id]);
        if (d != UINT64_MAX && d < sim->now_us) {
            d = sim->now_us;
        }
        if (d < scan_us) {
            scan_us = d;
            scan_node = id;
        }
    }
    if (scan_node != due_node || scan_us != node_us) {
        fprintf(stderr,
                "sim: deadline heap picked node %d at %" PRIu64 ", scan node %d at %" PRIu64 "\n",
                due_node, node_us, scan_node, scan_us);
        abort();
    }
}
#endif

/* ---- Event loop ---- */

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

    /* Anything may have happened to the nodes since the last run. */
    sim->all_stale = true;
    sim->running = true;
    for (;;) {
        if (done != NULL && done(arg)) {
            rc = 0;
            break;
        }

        uint64_t radio_us = UINT64_MAX;
        const bool have_radio = meshrpr_sim_radio_peek(sim, &radio_us);
        uint64_t node_us = UINT64_MAX;
        const int due_node = next_node(sim, &node_us);
#ifdef MESHRPR_SIM_VERIFY_DEADLINES
        verify_next_node(sim, due_node, node_us);
#endif
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
            meshrpr_sim_node_stale(sim, due_node);
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

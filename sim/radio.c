/* SPDX-License-Identifier: Apache-2.0 */
/* The simulated radio medium. Who hears whom comes from node distance and a range, or from an
 * explicit link list; loss is a per-link probability drawn from the world RNG; RSSI follows a
 * log-distance path-loss model. Each adv_send becomes count transmissions with the
 * advertising interval and a random advDelay, each occupying the air for the airtime of its
 * PDU at 1 Mbit/s and delivered at the end of that airtime. Transmissions live in a fixed
 * pool; each has exactly one pending event (its start, then its end) in a binary min-heap
 * ordered by (time, insertion sequence), which makes the order of every event reproducible.
 * Finished transmissions stay in an "air list" for one longest airtime more, so the collision
 * model can check every transmission that overlaps a delivery. An active scanner's scan
 * request/response exchange is one more pool entry with three events (SCAN_REQ start,
 * SCAN_RSP start, SCAN_RSP end); it stays off the air list, so it takes no part in collisions,
 * and is freed as soon as it is delivered. */
#include "sim_priv.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- Event heap ---- */

static bool event_before(const struct meshrpr_sim_event *a, const struct meshrpr_sim_event *b)
{
    if (a->time_us != b->time_us) {
        return a->time_us < b->time_us;
    }
    return a->seq < b->seq;
}

/* Room is guaranteed: a transmission has at most one event, and the heap is as large as the
 * pool. */
static void heap_push(struct meshrpr_sim *sim, uint16_t tx, uint64_t time_us)
{
    size_t i = sim->heap_count++;
    const struct meshrpr_sim_event event = { .time_us = time_us, .seq = sim->next_seq++, .tx = tx };

    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!event_before(&event, &sim->heap[parent])) {
            break;
        }
        sim->heap[i] = sim->heap[parent];
        i = parent;
    }
    sim->heap[i] = event;
}

static struct meshrpr_sim_event heap_pop(struct meshrpr_sim *sim)
{
    const struct meshrpr_sim_event top = sim->heap[0];
    const struct meshrpr_sim_event last = sim->heap[--sim->heap_count];
    const size_t n = sim->heap_count;
    size_t i = 0;

    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= n) {
            break;
        }
        if (child + 1 < n && event_before(&sim->heap[child + 1], &sim->heap[child])) {
            child++;
        }
        if (!event_before(&sim->heap[child], &last)) {
            break;
        }
        sim->heap[i] = sim->heap[child];
        i = child;
    }
    if (n > 0) {
        sim->heap[i] = last;
    }
    return top;
}

static void links_reset(struct meshrpr_sim *sim);

void meshrpr_sim_radio_init(struct meshrpr_sim *sim)
{
    /* Stacked so that the pool hands out 0, 1, 2... first: easier to read in a debugger. */
    for (size_t i = 0; i < MESHRPR_SIM_MAX_TX; i++) {
        sim->tx[i].state = SIM_TX_FREE;
        sim->tx_free[i] = (uint16_t)(MESHRPR_SIM_MAX_TX - 1 - i);
    }
    sim->tx_free_count = MESHRPR_SIM_MAX_TX;
    sim->heap_count = 0;
    sim->air_head = SIM_TX_NONE;
    sim->done_first = 0;
    sim->done_count = 0;
    links_reset(sim);
}

bool meshrpr_sim_radio_peek(const struct meshrpr_sim *sim, uint64_t *time_us)
{
    if (sim->heap_count == 0) {
        return false;
    }
    *time_us = sim->heap[0].time_us;
    return true;
}

/* ---- Air list: transmissions on air or recently finished ---- */

static void air_insert(struct meshrpr_sim *sim, uint16_t idx)
{
    struct meshrpr_sim_tx *tx = &sim->tx[idx];

    tx->air_prev = SIM_TX_NONE;
    tx->air_next = sim->air_head;
    if (sim->air_head != SIM_TX_NONE) {
        sim->tx[sim->air_head].air_prev = idx;
    }
    sim->air_head = idx;
}

static void air_remove(struct meshrpr_sim *sim, uint16_t idx)
{
    struct meshrpr_sim_tx *tx = &sim->tx[idx];

    if (tx->air_prev != SIM_TX_NONE) {
        sim->tx[tx->air_prev].air_next = tx->air_next;
    } else {
        sim->air_head = tx->air_next;
    }
    if (tx->air_next != SIM_TX_NONE) {
        sim->tx[tx->air_next].air_prev = tx->air_prev;
    }
}

void meshrpr_sim_radio_reclaim(struct meshrpr_sim *sim)
{
    /* Finished transmissions enter the FIFO in end-time order. One that ended at least one
     * longest airtime ago cannot overlap anything still to be delivered: such a transmission
     * ends at or after now, so it started after now - MESHRPR_SIM_MAX_AIRTIME_US. */
    while (sim->done_count > 0) {
        uint16_t idx = sim->done_fifo[sim->done_first];
        if (sim->tx[idx].end_us + MESHRPR_SIM_MAX_AIRTIME_US > sim->now_us) {
            break;
        }
        air_remove(sim, idx);
        sim->tx[idx].state = SIM_TX_FREE;
        sim->tx_free[sim->tx_free_count++] = idx;
        sim->done_first = (uint16_t)((sim->done_first + 1u) % MESHRPR_SIM_MAX_TX);
        sim->done_count--;
    }
}

/* ---- Medium model ---- */

static bool valid_id(const struct meshrpr_sim *sim, int id)
{
    return sim != NULL && id >= 0 && id < (int)sim->node_count;
}

static double distance_m(const struct meshrpr_sim *sim, int a, int b)
{
    const struct meshrpr_sim_node *na = &sim->nodes[a];
    const struct meshrpr_sim_node *nb = &sim->nodes[b];
    return hypot(na->x_m - nb->x_m, na->y_m - nb->y_m);
}

/* Node b is within range of node a. The squared distance decides unless it is too close to
 * the squared range for rounding to be ruled out: then hypot() does, as it always did. */
static bool in_range(const struct meshrpr_sim *sim, int a, int b)
{
    if (isinf(sim->range_m)) {
        return true;
    }
    const struct meshrpr_sim_node *na = &sim->nodes[a];
    const struct meshrpr_sim_node *nb = &sim->nodes[b];
    const double dx = na->x_m - nb->x_m;
    const double dy = na->y_m - nb->y_m;
    const double d2 = dx * dx + dy * dy;
    const double r2 = sim->range_m * sim->range_m;
    const double margin = 1e-9 * (r2 + d2) + 1e-300;
    if (d2 < r2 - margin) {
        return true;
    }
    if (d2 > r2 + margin) {
        return false;
    }
    return distance_m(sim, a, b) <= sim->range_m;
}

/* ---- Explicit links ---- */

#define SIM_LINK_NONE UINT16_MAX

_Static_assert(MESHRPR_SIM_MAX_LINKS > 0 && MESHRPR_SIM_MAX_LINKS < SIM_LINK_NONE,
               "MESHRPR_SIM_MAX_LINKS must fit a uint16_t index below SIM_LINK_NONE");

static void links_reset(struct meshrpr_sim *sim)
{
    for (size_t i = 0; i < MESHRPR_SIM_MAX_LINKS; i++) {
        sim->links[i].next = i + 1 < MESHRPR_SIM_MAX_LINKS ? (uint16_t)(i + 1) : SIM_LINK_NONE;
    }
    sim->link_free = 0;
    sim->link_count = 0;
    for (size_t id = 0; id < sim->node_count; id++) {
        sim->nodes[id].link_head = SIM_LINK_NONE;
    }
}

/* The link from -> to, or SIM_LINK_NONE. */
static uint16_t link_find(const struct meshrpr_sim *sim, int from, int to)
{
    for (uint16_t l = sim->nodes[from].link_head; l != SIM_LINK_NONE; l = sim->links[l].next) {
        if (sim->links[l].to >= to) {
            return sim->links[l].to == to ? l : SIM_LINK_NONE;
        }
    }
    return SIM_LINK_NONE;
}

/* The first link of from to a receiver above after (-1: the first of all), or SIM_LINK_NONE. */
static uint16_t link_after(const struct meshrpr_sim *sim, int from, int after)
{
    uint16_t l = sim->nodes[from].link_head;
    while (l != SIM_LINK_NONE && (int)sim->links[l].to <= after) {
        l = sim->links[l].next;
    }
    return l;
}

static void link_unlink(struct meshrpr_sim *sim, int from, int to)
{
    uint16_t *prev = &sim->nodes[from].link_head;
    while (*prev != SIM_LINK_NONE && sim->links[*prev].to < to) {
        prev = &sim->links[*prev].next;
    }
    if (*prev == SIM_LINK_NONE || sim->links[*prev].to != to) {
        return;
    }
    const uint16_t l = *prev;
    *prev = sim->links[l].next;
    sim->links[l].next = sim->link_free;
    sim->link_free = l;
    sim->link_count--;
}

bool meshrpr_sim_link_exists(const struct meshrpr_sim *sim, int from, int to)
{
    if (!valid_id(sim, from) || !valid_id(sim, to) || from == to) {
        return false;
    }
    if (sim->link_count > 0) {
        return link_find(sim, from, to) != SIM_LINK_NONE;
    }
    return in_range(sim, from, to);
}

/* ---- Spatial index ---- */

void meshrpr_sim_geometry_changed(struct meshrpr_sim *sim)
{
    sim->grid_valid = false;
    sim->geometry_gen++;
}

/* The index is usable in range mode with a finite, positive range. */
static bool grid_usable(const struct meshrpr_sim *sim)
{
    return sim->link_count == 0 && isfinite(sim->range_m) && sim->range_m > 0.0;
}

static int64_t grid_coord(double v_m, double cell_m)
{
    const double c = floor(v_m / cell_m);
    /* Far-away nodes share the outermost cells; they are still checked by distance. */
    if (c > 1e15) {
        return (int64_t)1e15;
    }
    if (c < -1e15) {
        return (int64_t)-1e15;
    }
    return (int64_t)c;
}

static size_t grid_bucket(int64_t cx, int64_t cy)
{
    uint64_t h = (uint64_t)cx * 0x9e3779b97f4a7c15u ^ (uint64_t)cy * 0xc2b2ae3d27d4eb4fu;
    h ^= h >> 29;
    return (size_t)(h % MESHRPR_SIM_GRID_BUCKETS);
}

static void grid_build(struct meshrpr_sim *sim)
{
    sim->grid_cell_m = sim->range_m;
    for (size_t i = 0; i < MESHRPR_SIM_GRID_BUCKETS; i++) {
        sim->grid_bucket[i] = SIM_NODE_NONE;
    }
    /* Pushed in reverse id order, so each bucket lists its nodes by increasing id. */
    for (int id = (int)sim->node_count - 1; id >= 0; id--) {
        struct meshrpr_sim_node *n = &sim->nodes[id];
        n->cell_x = grid_coord(n->x_m, sim->grid_cell_m);
        n->cell_y = grid_coord(n->y_m, sim->grid_cell_m);
        const size_t b = grid_bucket(n->cell_x, n->cell_y);
        n->bucket_next = sim->grid_bucket[b];
        sim->grid_bucket[b] = (uint16_t)id;
    }
    sim->grid_valid = true;
}

static int cmp_u16(const void *a, const void *b)
{
    const uint16_t x = *(const uint16_t *)a;
    const uint16_t y = *(const uint16_t *)b;
    return (x > y) - (x < y);
}

/* Candidates gathered per reception at most; more fall back to every node. */
#define GRID_MAX_CANDIDATES 1024

/* The nodes of the nine cells around node id, by increasing id, into out; false if there are
 * more than GRID_MAX_CANDIDATES. Nodes in range are among them: cells are one range wide. */
static bool grid_candidates(struct meshrpr_sim *sim, int id, uint16_t *out, size_t *count)
{
    if (!sim->grid_valid) {
        grid_build(sim);
    }
    const struct meshrpr_sim_node *n = &sim->nodes[id];
    size_t k = 0;
    for (int64_t dx = -1; dx <= 1; dx++) {
        for (int64_t dy = -1; dy <= 1; dy++) {
            const int64_t cx = n->cell_x + dx;
            const int64_t cy = n->cell_y + dy;
            /* Two of the nine cells may share a bucket: take each node for its own cell. */
            for (uint16_t u = sim->grid_bucket[grid_bucket(cx, cy)]; u != SIM_NODE_NONE;
                 u = sim->nodes[u].bucket_next) {
                if (sim->nodes[u].cell_x != cx || sim->nodes[u].cell_y != cy) {
                    continue;
                }
                if (k == GRID_MAX_CANDIDATES) {
                    return false;
                }
                out[k++] = u;
            }
        }
    }
    qsort(out, k, sizeof(out[0]), cmp_u16);
    *count = k;
    return true;
}

int8_t meshrpr_sim_rssi(const struct meshrpr_sim *sim, int from, int to)
{
    if (!valid_id(sim, from) || !valid_id(sim, to)) {
        return 0;
    }
    /* Closer than the 1 m reference the model has no meaning; it saturates there. */
    double d_m = fmax(distance_m(sim, from, to), 1.0);
    double rssi = sim->rssi_1m_dbm - 10.0 * sim->path_loss_exponent * log10(d_m);
    rssi = fmin(fmax(round(rssi), (double)INT8_MIN), (double)INT8_MAX);
    return (int8_t)rssi;
}

static double link_loss(const struct meshrpr_sim *sim, int from, int to)
{
    if (sim->link_count > 0) {
        const uint16_t l = link_find(sim, from, to);
        if (l != SIM_LINK_NONE && sim->links[l].loss >= 0.0f) {
            return (double)sim->links[l].loss;
        }
    }
    return sim->default_loss;
}

static bool valid_loss(double loss)
{
    return loss >= 0.0 && loss <= 1.0; /* false for NaN too */
}

int meshrpr_sim_set_range(struct meshrpr_sim *sim, double range_m)
{
    if (sim == NULL || !(range_m >= 0.0)) {
        return -EINVAL;
    }
    sim->range_m = range_m;
    meshrpr_sim_geometry_changed(sim);
    return 0;
}

int meshrpr_sim_set_default_loss(struct meshrpr_sim *sim, double loss)
{
    if (sim == NULL || !valid_loss(loss)) {
        return -EINVAL;
    }
    sim->default_loss = loss;
    return 0;
}

int meshrpr_sim_set_path_loss(struct meshrpr_sim *sim, double rssi_1m_dbm, double exponent)
{
    if (sim == NULL || !isfinite(rssi_1m_dbm) || !(exponent >= 0.0) || !isfinite(exponent)) {
        return -EINVAL;
    }
    sim->rssi_1m_dbm = rssi_1m_dbm;
    sim->path_loss_exponent = exponent;
    return 0;
}

void meshrpr_sim_set_collisions(struct meshrpr_sim *sim, bool enabled)
{
    sim->collisions = enabled;
}

void meshrpr_sim_set_half_duplex(struct meshrpr_sim *sim, bool enabled)
{
    sim->half_duplex = enabled;
}

int meshrpr_sim_link_set_oneway(struct meshrpr_sim *sim, int from, int to, double loss)
{
    if (!valid_id(sim, from) || !valid_id(sim, to) || from == to) {
        return -EINVAL;
    }
    if (!valid_loss(loss) && loss != MESHRPR_SIM_LOSS_DEFAULT) {
        return -EINVAL;
    }
    uint16_t l = link_find(sim, from, to);
    if (l == SIM_LINK_NONE) {
        if (sim->link_free == SIM_LINK_NONE) {
            return -ENOSPC;
        }
        l = sim->link_free;
        sim->link_free = sim->links[l].next;
        uint16_t *prev = &sim->nodes[from].link_head;
        while (*prev != SIM_LINK_NONE && sim->links[*prev].to < to) {
            prev = &sim->links[*prev].next;
        }
        sim->links[l].to = (uint16_t)to;
        sim->links[l].next = *prev;
        *prev = l;
        sim->link_count++;
    }
    sim->links[l].loss = (float)loss;
    return 0;
}

int meshrpr_sim_link_set(struct meshrpr_sim *sim, int a, int b, double loss)
{
    /* Validate once so that a bad call changes neither direction. */
    if (!valid_id(sim, a) || !valid_id(sim, b) || a == b ||
        (!valid_loss(loss) && loss != MESHRPR_SIM_LOSS_DEFAULT)) {
        return -EINVAL;
    }
    const unsigned needed = (link_find(sim, a, b) == SIM_LINK_NONE ? 1u : 0u) +
                            (link_find(sim, b, a) == SIM_LINK_NONE ? 1u : 0u);
    unsigned free_links = 0;
    for (uint16_t l = sim->link_free; l != SIM_LINK_NONE && free_links < needed;
         l = sim->links[l].next) {
        free_links++;
    }
    if (free_links < needed) {
        return -ENOSPC;
    }
    (void)meshrpr_sim_link_set_oneway(sim, a, b, loss);
    (void)meshrpr_sim_link_set_oneway(sim, b, a, loss);
    return 0;
}

int meshrpr_sim_link_remove(struct meshrpr_sim *sim, int a, int b)
{
    if (!valid_id(sim, a) || !valid_id(sim, b)) {
        return -EINVAL;
    }
    link_unlink(sim, a, b);
    link_unlink(sim, b, a);
    return 0;
}

void meshrpr_sim_link_clear(struct meshrpr_sim *sim)
{
    links_reset(sim);
}

/* ---- Transmission ---- */

/* AD types of the mesh advertising bearer, PB-ADV and beacons (MshPRTv1.1 §3.3.1, §5.2.1,
 * §3.10), the only ones handed to a node's adv_recv. */
#define AD_TYPE_PB_ADV       0x29u
#define AD_TYPE_MESH_MESSAGE 0x2au
#define AD_TYPE_MESH_BEACON  0x2bu

static bool scannable(uint8_t adv_type)
{
    return adv_type == MESHRPR_ADV_IND || adv_type == MESHRPR_ADV_SCAN_IND;
}

static const char *pdu_name(uint8_t adv_type)
{
    switch (adv_type) {
    case MESHRPR_ADV_IND:
        return "ADV_IND";
    case MESHRPR_ADV_SCAN_IND:
        return "ADV_SCAN_IND";
    case MESHRPR_ADV_NONCONN_IND:
        return "ADV_NONCONN_IND";
    case MESHRPR_ADV_SCAN_RSP:
        return "SCAN_RSP";
    default:
        return "?";
    }
}

/* Queue count transmissions of adv_len octets of AdvData in PDUs of HCI type adv_type; the
 * arguments are valid. */
static int send_pdu(struct meshrpr_sim *sim, int id, uint8_t adv_type, const uint8_t *adv_data,
                    size_t adv_len, const struct meshrpr_adv_params *params)
{
    struct meshrpr_sim_node *node = &sim->nodes[id];
    const uint8_t count = params != NULL ? params->count : 1;
    const uint64_t interval_us = params != NULL ? (uint64_t)params->interval_ms * 1000u : 0;

    if (sim->tx_free_count < count) {
        meshrpr_sim_radio_reclaim(sim);
    }
    if (sim->tx_free_count < count) {
        return -ENOBUFS;
    }

    const uint64_t airtime_us = MESHRPR_SIM_PDU_AIRTIME_US(adv_len);
    /* A scannable PDU is followed by a possible scan exchange (Core Spec Vol 6 Part B
     * §4.4.2): the advertiser keeps time for the longest one before its next PDU. */
    const uint64_t busy_us = airtime_us + (scannable(adv_type) ? MESHRPR_SIM_SCAN_WINDOW_US : 0);
    /* Like a controller's advertiser, a node sends one PDU at a time: this one waits for the
     * end of whatever the node has already scheduled. Every transmission, the first one
     * included, gets its own advDelay; a repeat never starts before the previous one ends,
     * whatever the interval. */
    uint64_t start_us = node->tx_busy_until_us > sim->now_us ? node->tx_busy_until_us : sim->now_us;
    uint64_t prev_end_us = start_us;
    for (uint8_t i = 0; i < count; i++) {
        if (i > 0) {
            start_us = start_us + interval_us > prev_end_us ? start_us + interval_us : prev_end_us;
        }
        start_us += meshrpr_sim_rng_below(&sim->rng, MESHRPR_SIM_ADV_DELAY_MAX_US + 1u);

        uint16_t idx = sim->tx_free[--sim->tx_free_count];
        struct meshrpr_sim_tx *tx = &sim->tx[idx];
        tx->start_us = start_us;
        tx->end_us = start_us + airtime_us;
        tx->tx_id = sim->next_tx_id++;
        tx->air_prev = SIM_TX_NONE;
        tx->air_next = SIM_TX_NONE;
        tx->state = SIM_TX_QUEUED;
        tx->sender = (uint16_t)id;
        tx->peer = (uint16_t)id;
        tx->repeat = i;
        tx->count = count;
        tx->adv_type = adv_type;
        tx->len = (uint8_t)adv_len;
        tx->cookie = params != NULL ? params->tx_id : 0;
        if (adv_len > 0) {
            memcpy(tx->data, adv_data, adv_len);
        }
        heap_push(sim, idx, tx->start_us);
        prev_end_us = start_us + busy_us;
    }
    node->tx_busy_until_us = prev_end_us;
    return 0;
}

static int refuse(struct meshrpr_sim *sim, int id, const char *what, unsigned type, size_t len,
                  int err)
{
    sim->nodes[id].stats.tx_refused++;
    meshrpr_sim_log(sim, id, MESHRPR_LOG_LEVEL_WRN, "%s type 0x%02x len %zu refused: %d", what,
                    type, len, err);
    return err;
}

int meshrpr_sim_adv_send(struct meshrpr_sim *sim, int id, uint8_t ad_type, const uint8_t *data,
                         size_t len, const struct meshrpr_adv_params *params)
{
    if (!valid_id(sim, id)) {
        return -EINVAL;
    }
    if ((params != NULL && params->count == 0) || (data == NULL && len > 0)) {
        return refuse(sim, id, "adv_send", ad_type, len, -EINVAL);
    }
    if (len > MESHRPR_SIM_MAX_AD_DATA) {
        return refuse(sim, id, "adv_send", ad_type, len, -EMSGSIZE);
    }
    /* One AD structure (MshPRTv1.1 §3.3.1): its length counts the type octet. */
    uint8_t adv_data[MESHRPR_SIM_MAX_ADV_DATA];
    adv_data[0] = (uint8_t)(1 + len);
    adv_data[1] = ad_type;
    if (len > 0) {
        memcpy(&adv_data[2], data, len);
    }
    int err = send_pdu(sim, id, MESHRPR_ADV_NONCONN_IND, adv_data, 2 + len, params);
    return err != 0 ? refuse(sim, id, "adv_send", ad_type, len, err) : 0;
}

int meshrpr_sim_adv_send_raw(struct meshrpr_sim *sim, int id, uint8_t adv_type,
                             const uint8_t *adv_data, size_t len,
                             const struct meshrpr_adv_params *params)
{
    if (!valid_id(sim, id)) {
        return -EINVAL;
    }
    if ((adv_type != MESHRPR_ADV_NONCONN_IND && !scannable(adv_type)) ||
        (params != NULL && params->count == 0) || (adv_data == NULL && len > 0)) {
        return refuse(sim, id, "adv_send_raw", adv_type, len, -EINVAL);
    }
    if (len > MESHRPR_SIM_MAX_ADV_DATA) {
        return refuse(sim, id, "adv_send_raw", adv_type, len, -EMSGSIZE);
    }
    int err = send_pdu(sim, id, adv_type, adv_data, len, params);
    return err != 0 ? refuse(sim, id, "adv_send_raw", adv_type, len, err) : 0;
}

int meshrpr_sim_node_set_scan_rsp(struct meshrpr_sim *sim, int id, const uint8_t *data, size_t len)
{
    if (!valid_id(sim, id) || (data == NULL && len > 0)) {
        return -EINVAL;
    }
    if (len > MESHRPR_SIM_MAX_ADV_DATA) {
        return -EMSGSIZE;
    }
    struct meshrpr_sim_node *node = &sim->nodes[id];
    if (len > 0) {
        memcpy(node->scan_rsp, data, len);
    }
    node->scan_rsp_len = (uint8_t)len;
    return 0;
}

int meshrpr_sim_node_set_scan_active(struct meshrpr_sim *sim, int id, bool active)
{
    if (!valid_id(sim, id)) {
        return -EINVAL;
    }
    sim->nodes[id].scan_active = active;
    meshrpr_sim_log(sim, id, MESHRPR_LOG_LEVEL_DBG, "%s scanning", active ? "active" : "passive");
    return 0;
}

bool meshrpr_sim_node_scan_active(const struct meshrpr_sim *sim, int id)
{
    return valid_id(sim, id) && sim->nodes[id].scan_active;
}

/* The first AD structure of adv_data: false if it does not start with a well-formed one. */
static bool first_ad(const uint8_t *adv_data, size_t len, uint8_t *ad_type, const uint8_t **data,
                     size_t *data_len)
{
    if (len < 2 || adv_data[0] == 0 || 1u + adv_data[0] > len) {
        return false;
    }
    *ad_type = adv_data[1];
    *data = &adv_data[2];
    *data_len = adv_data[0] - 1u;
    return true;
}

static void observe(struct meshrpr_sim *sim, enum meshrpr_sim_radio_kind kind,
                    const struct meshrpr_sim_tx *tx, uint64_t time_us, int from, int to,
                    int8_t rssi)
{
    if (sim->observer == NULL) {
        return;
    }
    const bool scan_req = kind == MESHRPR_SIM_RADIO_SCAN_REQ;
    struct meshrpr_sim_radio_event event = {
        .kind = kind,
        .time_us = time_us,
        .tx_id = tx->tx_id,
        .from = from,
        .to = to,
        .repeat = tx->repeat,
        .count = tx->count,
        .ad_type = 0,
        .data = tx->data, /* never NULL, even when empty */
        .len = 0,
        .rssi = rssi,
        .pdu_type = scan_req ? MESHRPR_SIM_PDU_SCAN_REQ : meshrpr_sim_pdu_type(tx->adv_type),
        .adv_type = scan_req ? UINT8_MAX : tx->adv_type,
        .adv_data = tx->data,
        .adv_len = scan_req ? 0 : tx->len,
    };
    if (!scan_req) {
        (void)first_ad(tx->data, tx->len, &event.ad_type, &event.data, &event.len);
    }
    sim->observer(sim->observer_arg, &event);
}

static bool is_exchange(const struct meshrpr_sim_tx *tx)
{
    return tx->adv_type == MESHRPR_ADV_SCAN_RSP;
}

static void start_tx(struct meshrpr_sim *sim, uint16_t idx)
{
    struct meshrpr_sim_tx *tx = &sim->tx[idx];

    tx->state = SIM_TX_ON_AIR;
    if (is_exchange(tx)) {
        sim->nodes[tx->sender].stats.scan_rsp_tx++;
    } else {
        air_insert(sim, idx);
        sim->nodes[tx->sender].stats.tx++;
    }
    meshrpr_sim_log(sim, tx->sender, MESHRPR_LOG_LEVEL_DBG, "tx #%u %s len %u (%u/%u)",
                    (unsigned)tx->tx_id, pdu_name(tx->adv_type), tx->len, tx->repeat + 1u,
                    tx->count);
    observe(sim, MESHRPR_SIM_RADIO_TX, tx, tx->start_us, tx->sender, -1, 0);
    meshrpr_sim_pcap_record(sim, tx);
    heap_push(sim, idx, tx->end_us);
}

/* Scan exchange idx: the scanner's SCAN_REQ goes on air now; the SCAN_RSP follows. */
static void start_scan_req(struct meshrpr_sim *sim, uint16_t idx)
{
    struct meshrpr_sim_tx *tx = &sim->tx[idx];

    sim->nodes[tx->peer].stats.scan_req_tx++;
    meshrpr_sim_log(sim, tx->peer, MESHRPR_LOG_LEVEL_DBG, "scan_req #%u to %s", (unsigned)tx->tx_id,
                    sim->nodes[tx->sender].name);
    observe(sim, MESHRPR_SIM_RADIO_SCAN_REQ, tx, sim->now_us, tx->peer, tx->sender, 0);
    meshrpr_sim_pcap_record_scan_req(sim, tx, sim->now_us);
    tx->state = SIM_TX_QUEUED;
    heap_push(sim, idx, tx->start_us);
}

/* Active scanner rx has just received scannable transmission idx: if its sender has scan
 * response data and can hear rx, schedule the exchange (Core Spec Vol 6 Part B §4.4.3):
 * SCAN_REQ T_IFS after the PDU, SCAN_RSP T_IFS after the request. */
static void schedule_scan_exchange(struct meshrpr_sim *sim, uint16_t idx, int rx)
{
    const struct meshrpr_sim_tx *adv = &sim->tx[idx];
    const struct meshrpr_sim_node *advertiser = &sim->nodes[adv->sender];

    if (advertiser->scan_rsp_len == 0 || !meshrpr_sim_link_exists(sim, rx, adv->sender)) {
        return;
    }
    if (sim->tx_free_count == 0) {
        meshrpr_sim_radio_reclaim(sim);
    }
    if (sim->tx_free_count == 0) {
        meshrpr_sim_log(sim, rx, MESHRPR_LOG_LEVEL_WRN, "no room for a scan exchange with %s",
                        advertiser->name);
        return;
    }
    const uint64_t req_start_us = adv->end_us + MESHRPR_SIM_T_IFS_US;
    uint16_t e = sim->tx_free[--sim->tx_free_count];
    struct meshrpr_sim_tx *tx = &sim->tx[e];
    tx->start_us = req_start_us + MESHRPR_SIM_SCAN_REQ_AIRTIME_US + MESHRPR_SIM_T_IFS_US;
    tx->end_us = tx->start_us + MESHRPR_SIM_PDU_AIRTIME_US(advertiser->scan_rsp_len);
    tx->tx_id = sim->next_tx_id++;
    tx->air_prev = SIM_TX_NONE;
    tx->air_next = SIM_TX_NONE;
    tx->state = SIM_TX_SCAN_REQ;
    tx->sender = adv->sender;
    tx->peer = (uint16_t)rx;
    tx->repeat = 0;
    tx->count = 1;
    tx->adv_type = MESHRPR_ADV_SCAN_RSP;
    tx->len = advertiser->scan_rsp_len;
    tx->cookie = 0;
    memcpy(tx->data, advertiser->scan_rsp, advertiser->scan_rsp_len);
    heap_push(sim, e, req_start_us);
}

/* What happens to transmission idx at node rx, which can hear its sender. */
static enum meshrpr_sim_radio_kind reception_fate(struct meshrpr_sim *sim, uint16_t idx, int rx)
{
    const struct meshrpr_sim_tx *tx = &sim->tx[idx];

    if (!is_exchange(tx) && (sim->collisions || sim->half_duplex)) {
        for (uint16_t u = sim->air_head; u != SIM_TX_NONE; u = sim->tx[u].air_next) {
            const struct meshrpr_sim_tx *other = &sim->tx[u];
            if (u == idx || other->start_us >= tx->end_us || tx->start_us >= other->end_us) {
                continue;
            }
            if (other->sender == rx) {
                if (sim->half_duplex) {
                    return MESHRPR_SIM_RADIO_LOST_HALF_DUPLEX;
                }
            } else if (sim->collisions && meshrpr_sim_link_exists(sim, other->sender, rx)) {
                return MESHRPR_SIM_RADIO_LOST_COLLISION;
            }
        }
    }
    /* Draw only for a real chance: links at 0 or 1 then consume no randomness. A scan
     * exchange gets this one draw on the advertiser's link to the scanner. */
    double loss = link_loss(sim, tx->sender, rx);
    if (loss >= 1.0 || (loss > 0.0 && meshrpr_sim_rng_unit(&sim->rng) < loss)) {
        return MESHRPR_SIM_RADIO_LOST_LOSS;
    }
    return MESHRPR_SIM_RADIO_RX;
}

static const char *fate_name(enum meshrpr_sim_radio_kind fate)
{
    switch (fate) {
    case MESHRPR_SIM_RADIO_RX:
        return "rx";
    case MESHRPR_SIM_RADIO_LOST_LOSS:
        return "lost (loss)";
    case MESHRPR_SIM_RADIO_LOST_COLLISION:
        return "lost (collision)";
    case MESHRPR_SIM_RADIO_LOST_HALF_DUPLEX:
        return "lost (half-duplex)";
    case MESHRPR_SIM_RADIO_SCAN_REQ:
        return "scan_req";
    case MESHRPR_SIM_RADIO_TX:
        break;
    }
    return "tx";
}

static bool mesh_ad_type(uint8_t ad_type)
{
    return ad_type == AD_TYPE_PB_ADV || ad_type == AD_TYPE_MESH_MESSAGE ||
           ad_type == AD_TYPE_MESH_BEACON;
}

/* Hand transmission tx, received by node rx, to the node. Callbacks may send, change ops or
 * add nodes; tx stays untouched meanwhile. */
static void deliver(struct meshrpr_sim *sim, const struct meshrpr_sim_tx *tx, int rx, int8_t rssi)
{
    struct meshrpr_sim_node *node = &sim->nodes[rx];

    if (node->ops == NULL) {
        return;
    }
    meshrpr_sim_node_stale(sim, rx);
    if (node->ops->adv_report != NULL) {
        struct meshrpr_adv_report report = {
            .addr_type = 1, /* every simulated AdvA is random (TxAdd set) */
            .adv_type = tx->adv_type,
            .rssi = rssi,
            .data = tx->data,
            .len = tx->len,
        };
        const uint8_t *addr = sim->nodes[tx->sender].adv_addr;
        for (size_t i = 0; i < sizeof(report.addr); i++) {
            report.addr[i] = addr[sizeof(report.addr) - 1 - i]; /* HCI order */
        }
        node->ops->adv_report(node->node, &report);
        return;
    }
    /* A mesh bearer takes its AD types from ADV_NONCONN_IND only (MshPRTv1.1 §3.3.1). The walk
     * stops at the first malformed AD structure or at a zero length, which ends the data
     * early (Core Spec Supplement Part A §1). */
    if (tx->adv_type != MESHRPR_ADV_NONCONN_IND) {
        return;
    }
    for (size_t pos = 0; pos < tx->len;) {
        uint8_t ad_type;
        const uint8_t *data;
        size_t len;
        if (!first_ad(&tx->data[pos], tx->len - pos, &ad_type, &data, &len)) {
            break;
        }
        if (mesh_ad_type(ad_type) && node->ops != NULL && node->ops->adv_recv != NULL) {
            node->ops->adv_recv(node->node, ad_type, data, len, rssi);
        }
        pos += 2 + len;
    }
}

static void count_fate(struct meshrpr_sim_node *node, enum meshrpr_sim_radio_kind fate)
{
    switch (fate) {
    case MESHRPR_SIM_RADIO_RX:
        node->stats.rx++;
        break;
    case MESHRPR_SIM_RADIO_LOST_LOSS:
        node->stats.rx_lost_loss++;
        break;
    case MESHRPR_SIM_RADIO_LOST_COLLISION:
        node->stats.rx_lost_collision++;
        break;
    case MESHRPR_SIM_RADIO_LOST_HALF_DUPLEX:
        node->stats.rx_lost_half_duplex++;
        break;
    case MESHRPR_SIM_RADIO_TX:
    case MESHRPR_SIM_RADIO_SCAN_REQ:
        break;
    }
}

/* Transmission idx reaches node rx (which can hear its sender, or asked for it). */
static enum meshrpr_sim_radio_kind receive(struct meshrpr_sim *sim, uint16_t idx, int rx)
{
    const struct meshrpr_sim_tx *tx = &sim->tx[idx];
    enum meshrpr_sim_radio_kind fate = reception_fate(sim, idx, rx);
    int8_t rssi = meshrpr_sim_rssi(sim, tx->sender, rx);

    count_fate(&sim->nodes[rx], fate);
    meshrpr_sim_log(sim, rx, MESHRPR_LOG_LEVEL_DBG, "%s #%u %s from %s rssi %d", fate_name(fate),
                    (unsigned)tx->tx_id, pdu_name(tx->adv_type), sim->nodes[tx->sender].name, rssi);
    observe(sim, fate, tx, tx->end_us, tx->sender, rx, rssi);
    if (fate != MESHRPR_SIM_RADIO_RX) {
        return fate;
    }
    if (is_exchange(tx)) {
        sim->nodes[rx].stats.scan_rsp_rx++;
    } else if (scannable(tx->adv_type) && sim->nodes[rx].scan_active) {
        /* The controller asks before its host hears of the PDU. */
        schedule_scan_exchange(sim, idx, rx);
    }
    deliver(sim, tx, rx, rssi);
    return fate;
}

static void end_tx(struct meshrpr_sim *sim, uint16_t idx)
{
    const struct meshrpr_sim_tx *tx = &sim->tx[idx];

    if (is_exchange(tx)) {
        /* Only the scanner that asked takes a scan response. */
        (void)receive(sim, idx, tx->peer);
        sim->tx[idx].state = SIM_TX_FREE;
        sim->tx_free[sim->tx_free_count++] = idx;
        return;
    }
    /* Receivers in node-id order. With the spatial index, only the nodes near the sender;
     * should a callback move a node, change the range or add one, the rest of the walk
     * checks every node again, as without it. */
    uint16_t cand[GRID_MAX_CANDIDATES];
    size_t cand_count = 0;
    int next_rx = 0;
    if (grid_usable(sim) && grid_candidates(sim, tx->sender, cand, &cand_count)) {
        const uint32_t gen = sim->geometry_gen;
        size_t i = 0;
        for (; i < cand_count && sim->geometry_gen == gen; i++) {
            next_rx = cand[i] + 1;
            if (meshrpr_sim_link_exists(sim, tx->sender, cand[i])) {
                (void)receive(sim, idx, cand[i]);
            }
        }
        next_rx = sim->geometry_gen == gen ? (int)sim->node_count : next_rx;
    }
    /* In link mode the sender's links are listed by receiver id. A callback may change the
     * links or the mode, so each step looks the next receiver up afresh. */
    for (;;) {
        int rx;
        if (sim->link_count > 0) {
            const uint16_t l = link_after(sim, tx->sender, next_rx - 1);
            if (l == SIM_LINK_NONE) {
                break;
            }
            rx = sim->links[l].to;
        } else {
            rx = next_rx;
            while (rx < (int)sim->node_count && !meshrpr_sim_link_exists(sim, tx->sender, rx)) {
                rx++;
            }
            if (rx >= (int)sim->node_count) {
                break;
            }
        }
        next_rx = rx + 1;
        (void)receive(sim, idx, rx);
    }

    sim->tx[idx].state = SIM_TX_DONE;
    sim->done_fifo[(sim->done_first + sim->done_count) % MESHRPR_SIM_MAX_TX] = idx;
    sim->done_count++;

    /* The PDU's last transmission is over: its sender hears of it (platform.h, adv_send). The
     * transmission stays in the air list until reclaimed, so the node may send from here. */
    const struct meshrpr_sim_node *sender = &sim->nodes[tx->sender];
    if (tx->repeat + 1u == tx->count && tx->cookie != 0 && sender->ops != NULL &&
        sender->ops->adv_sent != NULL) {
        meshrpr_sim_node_stale(sim, tx->sender);
        sender->ops->adv_sent(sender->node, tx->cookie);
    }
}

void meshrpr_sim_radio_dispatch(struct meshrpr_sim *sim)
{
    const struct meshrpr_sim_event event = heap_pop(sim);

    switch (sim->tx[event.tx].state) {
    case SIM_TX_SCAN_REQ:
        start_scan_req(sim, event.tx);
        break;
    case SIM_TX_QUEUED:
        start_tx(sim, event.tx);
        break;
    default:
        end_tx(sim, event.tx);
        break;
    }
}

/* SPDX-License-Identifier: Apache-2.0 */
/* The simulated radio medium. Who hears whom comes from node distance and a range, or from an
 * explicit link list; loss is a per-link probability drawn from the world RNG; RSSI follows a
 * log-distance path-loss model. Each adv_send becomes count transmissions with the
 * advertising interval and a random advDelay, each occupying the air for the airtime of its
 * ADV_NONCONN_IND at 1 Mbit/s and delivered at the end of that airtime. Transmissions live in
 * a fixed pool; each has exactly one pending event (its start, then its end) in a binary
 * min-heap ordered by (time, insertion sequence), which makes the order of every event
 * reproducible. Finished transmissions stay in an "air list" for one longest airtime more, so
 * the collision model can check every transmission that overlaps a delivery. */
#include "sim_priv.h"

#include <errno.h>
#include <math.h>
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

bool meshrpr_sim_link_exists(const struct meshrpr_sim *sim, int from, int to)
{
    if (!valid_id(sim, from) || !valid_id(sim, to) || from == to) {
        return false;
    }
    if (sim->link_count > 0) {
        return sim->link[from][to];
    }
    return distance_m(sim, from, to) <= sim->range_m;
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
    if (sim->link_count > 0 && sim->link[from][to] && sim->link_loss[from][to] >= 0.0f) {
        return (double)sim->link_loss[from][to];
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
    if (!sim->link[from][to]) {
        sim->link[from][to] = true;
        sim->link_count++;
    }
    sim->link_loss[from][to] = (float)loss;
    return 0;
}

int meshrpr_sim_link_set(struct meshrpr_sim *sim, int a, int b, double loss)
{
    /* Validate once so that a bad call changes neither direction. */
    if (!valid_id(sim, a) || !valid_id(sim, b) || a == b ||
        (!valid_loss(loss) && loss != MESHRPR_SIM_LOSS_DEFAULT)) {
        return -EINVAL;
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
    if (sim->link[a][b]) {
        sim->link[a][b] = false;
        sim->link_count--;
    }
    if (sim->link[b][a]) {
        sim->link[b][a] = false;
        sim->link_count--;
    }
    return 0;
}

void meshrpr_sim_link_clear(struct meshrpr_sim *sim)
{
    memset(sim->link, 0, sizeof(sim->link));
    sim->link_count = 0;
}

/* ---- Transmission ---- */

int meshrpr_sim_adv_send(struct meshrpr_sim *sim, int id, uint8_t ad_type, const uint8_t *data,
                         size_t len, const struct meshrpr_adv_params *params)
{
    if (!valid_id(sim, id)) {
        return -EINVAL;
    }
    struct meshrpr_sim_node *node = &sim->nodes[id];
    const uint8_t count = params != NULL ? params->count : 1;
    const uint64_t interval_us = params != NULL ? (uint64_t)params->interval_ms * 1000u : 0;

    int err = 0;
    if (count == 0 || (data == NULL && len > 0)) {
        err = -EINVAL;
    } else if (len > MESHRPR_SIM_MAX_AD_DATA) {
        err = -EMSGSIZE;
    } else {
        if (sim->tx_free_count < count) {
            meshrpr_sim_radio_reclaim(sim);
        }
        if (sim->tx_free_count < count) {
            err = -ENOBUFS;
        }
    }
    if (err != 0) {
        node->stats.tx_refused++;
        meshrpr_sim_log(sim, id, MESHRPR_LOG_LEVEL_WRN, "adv_send type 0x%02x len %zu refused: %d",
                        ad_type, len, err);
        return err;
    }

    const uint64_t airtime_us = MESHRPR_SIM_AIRTIME_US(len);
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
        tx->sender = (uint8_t)id;
        tx->repeat = i;
        tx->count = count;
        tx->ad_type = ad_type;
        tx->len = (uint8_t)len;
        if (len > 0) {
            memcpy(tx->data, data, len);
        }
        heap_push(sim, idx, tx->start_us);
        prev_end_us = tx->end_us;
    }
    node->tx_busy_until_us = prev_end_us;
    return 0;
}

static void observe(struct meshrpr_sim *sim, enum meshrpr_sim_radio_kind kind,
                    const struct meshrpr_sim_tx *tx, int to, int8_t rssi)
{
    if (sim->observer == NULL) {
        return;
    }
    const struct meshrpr_sim_radio_event event = {
        .kind = kind,
        .time_us = kind == MESHRPR_SIM_RADIO_TX ? tx->start_us : tx->end_us,
        .tx_id = tx->tx_id,
        .from = tx->sender,
        .to = to,
        .repeat = tx->repeat,
        .count = tx->count,
        .ad_type = tx->ad_type,
        .data = tx->data,
        .len = tx->len,
        .rssi = rssi,
    };
    sim->observer(sim->observer_arg, &event);
}

static void start_tx(struct meshrpr_sim *sim, uint16_t idx)
{
    struct meshrpr_sim_tx *tx = &sim->tx[idx];

    tx->state = SIM_TX_ON_AIR;
    air_insert(sim, idx);
    sim->nodes[tx->sender].stats.tx++;
    meshrpr_sim_log(sim, tx->sender, MESHRPR_LOG_LEVEL_DBG, "tx #%u type 0x%02x len %u (%u/%u)",
                    (unsigned)tx->tx_id, tx->ad_type, tx->len, tx->repeat + 1u, tx->count);
    observe(sim, MESHRPR_SIM_RADIO_TX, tx, -1, 0);
    meshrpr_sim_pcap_record(sim, tx);
    heap_push(sim, idx, tx->end_us);
}

/* What happens to transmission idx at node rx, which can hear its sender. */
static enum meshrpr_sim_radio_kind reception_fate(struct meshrpr_sim *sim, uint16_t idx, int rx)
{
    const struct meshrpr_sim_tx *tx = &sim->tx[idx];

    if (sim->collisions || sim->half_duplex) {
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
    /* Draw only for a real chance: links at 0 or 1 then consume no randomness. */
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
    case MESHRPR_SIM_RADIO_TX:
        break;
    }
    return "tx";
}

static void end_tx(struct meshrpr_sim *sim, uint16_t idx)
{
    const struct meshrpr_sim_tx *tx = &sim->tx[idx];

    /* Receivers in node-id order. A callback may send (which only schedules) or add nodes;
     * the transmission stays untouched until it is marked done below. */
    for (int rx = 0; rx < (int)sim->node_count; rx++) {
        if (!meshrpr_sim_link_exists(sim, tx->sender, rx)) {
            continue;
        }
        struct meshrpr_sim_node *node = &sim->nodes[rx];
        enum meshrpr_sim_radio_kind fate = reception_fate(sim, idx, rx);
        int8_t rssi = meshrpr_sim_rssi(sim, tx->sender, rx);

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
            break;
        }
        meshrpr_sim_log(sim, rx, MESHRPR_LOG_LEVEL_DBG, "%s #%u from %s type 0x%02x rssi %d",
                        fate_name(fate), (unsigned)tx->tx_id, sim->nodes[tx->sender].name,
                        tx->ad_type, rssi);
        observe(sim, fate, tx, rx, rssi);
        if (fate == MESHRPR_SIM_RADIO_RX && node->ops != NULL && node->ops->adv_recv != NULL) {
            node->ops->adv_recv(node->node, tx->ad_type, tx->data, tx->len, rssi);
        }
    }

    sim->tx[idx].state = SIM_TX_DONE;
    sim->done_fifo[(sim->done_first + sim->done_count) % MESHRPR_SIM_MAX_TX] = idx;
    sim->done_count++;
}

void meshrpr_sim_radio_dispatch(struct meshrpr_sim *sim)
{
    const struct meshrpr_sim_event event = heap_pop(sim);

    if (sim->tx[event.tx].state == SIM_TX_QUEUED) {
        start_tx(sim, event.tx);
    } else {
        end_tx(sim, event.tx);
    }
}

/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file
 * The deterministic multi-node simulator: many nodes in one process on one virtual clock,
 * a radio medium for advertising PDUs (range or explicit links, loss, RSSI, airtime, optional
 * collisions) and a pcap trace of every transmission.
 *
 * The simulator knows nothing of the mesh stack. A node is any object behind a small vtable
 * (@ref meshrpr_sim_node_ops); the simulator gives each node its own
 * @ref meshrpr_platform whose clock is the virtual clock, whose random source is a PRNG seeded
 * from the world seed and the node id, and whose adv_send puts PDUs on the simulated medium.
 * All state lives in a @ref meshrpr_sim the caller owns (it is large: make it static or
 * allocate it); the library has no globals and allocates nothing except the pcap FILE.
 *
 * Determinism: the same seed, the same world and the same calls give a byte-identical run.
 * Events are ordered by (virtual time, insertion sequence); at one instant, radio events come
 * before node timers, and due nodes are processed in node-id order.
 *
 * Not thread-safe; drive one world from one thread.
 */
#ifndef MESHRPR_SIM_H
#define MESHRPR_SIM_H

#include <meshrpr/platform.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Compile-time limits. They size the arrays inside struct meshrpr_sim, so override them only
 * for the whole build (a definition on the meshrpr_sim target that its users inherit). */

/** Most nodes in one world (at most 255); meshrpr_sim_node_add() returns -ENOMEM beyond
 *  it. */
#ifndef MESHRPR_SIM_MAX_NODES
#define MESHRPR_SIM_MAX_NODES 64
#endif

/** Most transmissions (each repeat counts) that are waiting, on air, or recent enough to
 *  collide with one on air; adv_send returns -ENOBUFS beyond it. At most 65534. */
#ifndef MESHRPR_SIM_MAX_TX
#define MESHRPR_SIM_MAX_TX 4096
#endif

/** Longest AD data: legacy AdvData is 31 octets, minus the AD length and type octets. */
#define MESHRPR_SIM_MAX_AD_DATA 29

/** Size of a node name, terminating NUL included; longer names are cut. */
#define MESHRPR_SIM_NAME_SIZE 16

/** Largest advertising random delay (Core Spec Vol 6 Part B §4.4.2.2.1 advDelay), drawn
 *  uniformly in 0..this for every transmission. */
#define MESHRPR_SIM_ADV_DELAY_MAX_US 10000u

/** Airtime at LE 1M of an ADV_NONCONN_IND carrying @p data_len octets of AD data:
 *  preamble 1 + access address 4 + header 2 + AdvA 6 + AD (2 + data) + CRC 3 octets,
 *  8 µs per octet. */
#define MESHRPR_SIM_AIRTIME_US(data_len) ((uint64_t)(1 + 4 + 2 + 6 + 2 + (data_len) + 3) * 8u)

/** Airtime of the longest PDU: nothing older than this can overlap a PDU on air. */
#define MESHRPR_SIM_MAX_AIRTIME_US MESHRPR_SIM_AIRTIME_US(MESHRPR_SIM_MAX_AD_DATA)

/** Dispatches at one virtual instant after which a run gives up with -ELOOP: a node whose
 *  deadline never moves past the clock would otherwise hang the process. */
#define MESHRPR_SIM_MAX_STEPS_PER_INSTANT 1000000u

/** Loss value meaning "the world default" for a link. */
#define MESHRPR_SIM_LOSS_DEFAULT (-1.0)

/** PCAP link type of the trace: Bluetooth LE link layer, no pseudo-header. */
#define MESHRPR_SIM_PCAP_LINKTYPE 251u

/** Longest link-layer packet in the trace: access address 4, header 2, AdvA 6, AdvData 31,
 *  CRC 3. */
#define MESHRPR_SIM_LL_PACKET_MAX (4 + 2 + 6 + 31 + 3)

/** CRC initial value on the advertising channels (Core Spec Vol 6 Part B §3.1.1). */
#define MESHRPR_SIM_CRC_INIT_ADV 0x555555u

/** What the simulator needs from a node. Every member may be NULL. */
struct meshrpr_sim_node_ops {
    /** One advertising PDU heard by @p node: AD type, AD data and the received signal
     *  strength in dBm. The data is only valid during the call. */
    void (*adv_recv)(void *node, uint8_t ad_type, const uint8_t *data, size_t len, int8_t rssi);
    /** The node's next timer deadline in ms on the platform clock, UINT64_MAX if none. A
     *  deadline at or before the current time is due now. */
    uint64_t (*next_deadline_ms)(void *node);
    /** Run the node's due timers; called when the clock reaches next_deadline_ms. */
    void (*process)(void *node);
};

/** Per-node counters. */
struct meshrpr_sim_node_stats {
    uint64_t tx;                  /**< Transmissions put on air, each repeat counted. */
    uint64_t tx_refused;          /**< adv_send calls refused (queue full, bad arguments). */
    uint64_t rx;                  /**< PDUs delivered to the node. */
    uint64_t rx_lost_loss;        /**< Receptions dropped by the link's loss probability. */
    uint64_t rx_lost_collision;   /**< Receptions destroyed by an overlapping transmission. */
    uint64_t rx_lost_half_duplex; /**< Receptions missed because the node was transmitting. */
};

/** Kinds of @ref meshrpr_sim_radio_event. */
enum meshrpr_sim_radio_kind {
    MESHRPR_SIM_RADIO_TX,               /**< A transmission went on air (one per repeat). */
    MESHRPR_SIM_RADIO_RX,               /**< A node received it (reported before adv_recv). */
    MESHRPR_SIM_RADIO_LOST_LOSS,        /**< A node in reach lost it to the link loss. */
    MESHRPR_SIM_RADIO_LOST_COLLISION,   /**< A node in reach lost it to a collision. */
    MESHRPR_SIM_RADIO_LOST_HALF_DUPLEX, /**< A node in reach was transmitting itself. */
};

/** One radio event, as reported to the observer (meshrpr_sim_set_observer()). */
struct meshrpr_sim_radio_event {
    enum meshrpr_sim_radio_kind kind;
    /** Start of the transmission for TX; end of its airtime (delivery time) otherwise. */
    uint64_t time_us;
    /** Serial number of the transmission in this world, from 0; repeats get their own. */
    uint32_t tx_id;
    /** Transmitting node. */
    int from;
    /** Receiving node, -1 for TX. */
    int to;
    /** Which transmission of its adv_send this is, 0-based, and how many there are. */
    uint8_t repeat;
    uint8_t count;
    uint8_t ad_type;
    const uint8_t *data;
    size_t len;
    /** Received signal strength in dBm; 0 for TX. */
    int8_t rssi;
};

/** Receives every radio event; see meshrpr_sim_set_observer(). */
typedef void (*meshrpr_sim_observer_fn)(void *arg, const struct meshrpr_sim_radio_event *event);

/** Receives log lines of the nodes (module from the stack) and of the simulator itself
 *  (module "sim"), stamped with the virtual time in µs and the node's name. */
typedef void (*meshrpr_sim_log_fn)(void *arg, uint64_t time_us, const char *node_name,
                                   enum meshrpr_log_level level, const char *module,
                                   const char *text);

/** xoshiro256** state. Treat as private. */
struct meshrpr_sim_rng {
    uint64_t s[4];
};

/** One node of the world. Treat as private. */
struct meshrpr_sim_node {
    struct meshrpr_platform platform; /* ctx points at this struct */
    struct meshrpr_sim *sim;
    const struct meshrpr_sim_node_ops *ops;
    void *node;
    struct meshrpr_sim_rng rng;
    struct meshrpr_sim_node_stats stats;
    double x_m;
    double y_m;
    /* The node's transmissions are serialised like a controller's advertiser: the next one
     * cannot start before the end of the last one scheduled. */
    uint64_t tx_busy_until_us;
    uint16_t id;
    uint8_t adv_addr[6]; /* most significant octet first, as displayed */
    char name[MESHRPR_SIM_NAME_SIZE];
};

/** One transmission (one repeat of an adv_send). Treat as private. */
struct meshrpr_sim_tx {
    uint64_t start_us;
    uint64_t end_us;
    uint32_t tx_id;
    uint16_t air_prev; /* neighbours in the list of transmissions on air or recent */
    uint16_t air_next;
    uint8_t state;
    uint8_t sender;
    uint8_t repeat;
    uint8_t count;
    uint8_t ad_type;
    uint8_t len;
    uint8_t data[MESHRPR_SIM_MAX_AD_DATA];
};

/** One pending event: the next step of transmission @ref tx. Treat as private. */
struct meshrpr_sim_event {
    uint64_t time_us;
    uint64_t seq;
    uint16_t tx;
};

/** A simulated world. Treat the fields as private; use the functions below. */
struct meshrpr_sim {
    uint64_t now_us;
    uint64_t next_seq;
    uint32_t next_tx_id;
    bool running;

    struct meshrpr_sim_rng rng; /* advDelay and loss draws */
    uint64_t seed;

    struct meshrpr_sim_node nodes[MESHRPR_SIM_MAX_NODES];
    uint16_t node_count;

    /* Medium. */
    double range_m;
    double default_loss;
    double rssi_1m_dbm;
    double path_loss_exponent;
    bool collisions;
    bool half_duplex;
    uint32_t link_count; /* directed explicit links; > 0 means only they exist */
    bool link[MESHRPR_SIM_MAX_NODES][MESHRPR_SIM_MAX_NODES];       /* [from][to] */
    float link_loss[MESHRPR_SIM_MAX_NODES][MESHRPR_SIM_MAX_NODES]; /* < 0: world default */

    /* Transmissions: a pool, a free stack, a min-heap of pending events and a list of the
     * transmissions on air or recent (which collisions are checked against), with a FIFO of
     * the finished ones in end-time order for reclaiming them. */
    struct meshrpr_sim_tx tx[MESHRPR_SIM_MAX_TX];
    uint16_t tx_free[MESHRPR_SIM_MAX_TX];
    uint16_t tx_free_count;
    struct meshrpr_sim_event heap[MESHRPR_SIM_MAX_TX];
    uint16_t heap_count;
    uint16_t air_head;
    uint16_t done_fifo[MESHRPR_SIM_MAX_TX];
    uint16_t done_first;
    uint16_t done_count;

    /* Hooks. */
    meshrpr_sim_observer_fn observer;
    void *observer_arg;
    meshrpr_sim_log_fn log_fn;
    void *log_arg;
    enum meshrpr_log_level log_level;

    /* Trace. */
    FILE *pcap;
    bool pcap_error;
};

/* ---- World ---- */

/**
 * Make @p sim an empty world at virtual time 0 seeded with @p seed. Defaults: unlimited range
 * (every node hears every other), no loss, no collisions, no half-duplex, RSSI -40 dBm at
 * 1 m with path-loss exponent 2.5, logging off, no trace, no observer.
 */
void meshrpr_sim_init(struct meshrpr_sim *sim, uint64_t seed);

/** @return The virtual time in ms (what the nodes' now_ms returns). */
uint64_t meshrpr_sim_now_ms(const struct meshrpr_sim *sim);

/** @return The virtual time in µs. */
uint64_t meshrpr_sim_now_us(const struct meshrpr_sim *sim);

/**
 * Run the world until virtual time @p deadline_ms: every event at or before it is
 * dispatched, then the clock is set to it. With UINT64_MAX, run until no event is left and
 * leave the clock at the last one.
 * @return 0; -EDEADLK if the world is already running (called from a node callback);
 *         -ELOOP if one instant took more than MESHRPR_SIM_MAX_STEPS_PER_INSTANT steps.
 */
int meshrpr_sim_run_until(struct meshrpr_sim *sim, uint64_t deadline_ms);

/**
 * Run the world until @p done returns true (polled before the first event and after each)
 * or the deadline passes as in meshrpr_sim_run_until(). A NULL @p done never becomes true.
 * The nodes' platform run_until hook calls this.
 * @return 0 when done; -ETIMEDOUT at the deadline (also when the deadline is UINT64_MAX and
 *         no event is left); -EDEADLK if called while the world is running; -ELOOP as above.
 */
int meshrpr_sim_run_until_done(struct meshrpr_sim *sim, meshrpr_done_fn done, void *arg,
                               uint64_t deadline_ms);

/* ---- Nodes ---- */

/**
 * Add a node named @p name (NULL: "n<id>") behind @p ops and @p node (either may be NULL
 * and set later with meshrpr_sim_node_set_ops()). It starts at (0, 0) with a static random
 * AdvA C2:00:00:00:xx:yy where xxyy = id + 1.
 * @return The node id (0, 1, ... in order of addition), -EINVAL if @p sim is NULL, or
 *         -ENOMEM when the world already has MESHRPR_SIM_MAX_NODES nodes.
 */
int meshrpr_sim_node_add(struct meshrpr_sim *sim, const char *name,
                         const struct meshrpr_sim_node_ops *ops, void *node);

/** Replace the ops and node object of node @p id. @return 0 or -EINVAL. */
int meshrpr_sim_node_set_ops(struct meshrpr_sim *sim, int id,
                             const struct meshrpr_sim_node_ops *ops, void *node);

/**
 * @return The platform of node @p id (valid as long as @p sim), or NULL for a bad id. Its
 * now_ms is the virtual clock, random the node's own PRNG, log goes to the world's log,
 * adv_send to meshrpr_sim_adv_send() and run_until to meshrpr_sim_run_until_done().
 */
struct meshrpr_platform *meshrpr_sim_node_platform(struct meshrpr_sim *sim, int id);

/** @return The number of nodes. */
int meshrpr_sim_node_count(const struct meshrpr_sim *sim);

/** @return The name of node @p id, or NULL for a bad id. */
const char *meshrpr_sim_node_name(const struct meshrpr_sim *sim, int id);

/** @return The counters of node @p id, or NULL for a bad id. */
const struct meshrpr_sim_node_stats *meshrpr_sim_node_stats(const struct meshrpr_sim *sim, int id);

/** Place node @p id at (@p x_m, @p y_m) metres. @return 0 or -EINVAL. */
int meshrpr_sim_node_set_position(struct meshrpr_sim *sim, int id, double x_m, double y_m);

/** Set the AdvA of node @p id, most significant octet first (as displayed). It is written to
 *  the trace as is, so pick a static random address (top two bits set). @return 0 or
 *  -EINVAL. */
int meshrpr_sim_node_set_adv_addr(struct meshrpr_sim *sim, int id, const uint8_t addr[6]);

/* ---- Medium ---- */

/** Nodes farther apart than @p range_m do not hear each other (range mode only). INFINITY
 *  (the default) lets every node hear every other. @return 0 or -EINVAL if negative/NaN. */
int meshrpr_sim_set_range(struct meshrpr_sim *sim, double range_m);

/** Loss probability of links without their own, 0..1. @return 0 or -EINVAL. */
int meshrpr_sim_set_default_loss(struct meshrpr_sim *sim, double loss);

/** RSSI model: rssi = @p rssi_1m_dbm - 10 * @p exponent * log10(d), d at least 1 m, rounded
 *  and clamped to int8. @return 0 or -EINVAL. */
int meshrpr_sim_set_path_loss(struct meshrpr_sim *sim, double rssi_1m_dbm, double exponent);

/** Collision model (off by default): a reception at node R is lost if another transmission
 *  that R can hear overlaps it in time. */
void meshrpr_sim_set_collisions(struct meshrpr_sim *sim, bool enabled);

/** Half-duplex (off by default): a node misses receptions that overlap its own
 *  transmissions. */
void meshrpr_sim_set_half_duplex(struct meshrpr_sim *sim, bool enabled);

/**
 * Add or update the explicit link @p from -> @p to with loss probability @p loss (0..1, or
 * MESHRPR_SIM_LOSS_DEFAULT to follow the world default). Once any explicit link exists, only
 * explicit links exist: range no longer matters (RSSI still follows distance).
 * @return 0 or -EINVAL.
 */
int meshrpr_sim_link_set_oneway(struct meshrpr_sim *sim, int from, int to, double loss);

/** meshrpr_sim_link_set_oneway() in both directions. @return 0 or -EINVAL. */
int meshrpr_sim_link_set(struct meshrpr_sim *sim, int a, int b, double loss);

/** Remove the explicit links between @p a and @p b, both directions. When the last explicit
 *  link goes, the world is back in range mode. @return 0 or -EINVAL. */
int meshrpr_sim_link_remove(struct meshrpr_sim *sim, int a, int b);

/** Remove every explicit link: back to range mode. */
void meshrpr_sim_link_clear(struct meshrpr_sim *sim);

/** @return True if node @p to can hear node @p from (loss aside). */
bool meshrpr_sim_link_exists(const struct meshrpr_sim *sim, int from, int to);

/** @return The RSSI in dBm at which @p to hears @p from (0 for bad ids). */
int8_t meshrpr_sim_rssi(const struct meshrpr_sim *sim, int from, int to);

/**
 * Transmit from node @p id: @p params->count transmissions (NULL params: one), each after a
 * gap of @p params->interval_ms plus a random advDelay of 0..10 ms from the world RNG; the
 * first goes after the node's previous transmission ends, plus its own advDelay. Every node
 * that can hear the sender gets each transmission at the end of its airtime, unless it is
 * lost. Safe to call from node callbacks. The nodes' platform adv_send hook calls this.
 * @return 0; -EINVAL for a bad id or a zero count; -EMSGSIZE if @p len exceeds
 *         MESHRPR_SIM_MAX_AD_DATA; -ENOBUFS if MESHRPR_SIM_MAX_TX leaves no room for all
 *         repeats (nothing is sent).
 */
int meshrpr_sim_adv_send(struct meshrpr_sim *sim, int id, uint8_t ad_type, const uint8_t *data,
                         size_t len, const struct meshrpr_adv_params *params);

/* ---- Observation ---- */

/** Report every radio event to @p fn (NULL to stop). */
void meshrpr_sim_set_observer(struct meshrpr_sim *sim, meshrpr_sim_observer_fn fn, void *arg);

/**
 * Log lines at or below @p level (from the nodes and the simulator) go to @p fn, or, when
 * @p fn is NULL, to stderr as "[seconds.micros] name module: text". MESHRPR_LOG_LEVEL_NONE,
 * the default, silences everything.
 */
void meshrpr_sim_set_log(struct meshrpr_sim *sim, enum meshrpr_log_level level,
                         meshrpr_sim_log_fn fn, void *arg);

/* ---- Trace ---- */

/**
 * Start writing a pcap trace (LINKTYPE_BLUETOOTH_LE_LL, 251) to @p path: one record per
 * transmission, stamped with its virtual start time, holding an ADV_NONCONN_IND with the
 * sender's AdvA, the AD structure and the CRC.
 * @return 0; -EBUSY if a trace is already open; -EINVAL; the negative errno of fopen; -EIO.
 */
int meshrpr_sim_pcap_open(struct meshrpr_sim *sim, const char *path);

/** Finish the trace. @return 0, or -EIO if any write failed (the file is closed anyway). */
int meshrpr_sim_pcap_close(struct meshrpr_sim *sim);

/**
 * Build the LINKTYPE 251 packet of an ADV_NONCONN_IND: access address, header (TxAdd
 * random), AdvA (@p adv_addr most significant octet first, written least significant first),
 * the AD structure (length, @p ad_type, @p data) and the CRC.
 * @return The packet length, or 0 if @p len exceeds MESHRPR_SIM_MAX_AD_DATA or the packet
 *         does not fit @p out_size.
 */
size_t meshrpr_sim_ll_packet(const uint8_t adv_addr[6], uint8_t ad_type, const uint8_t *data,
                             size_t len, uint8_t *out, size_t out_size);

/**
 * The link-layer CRC-24 (Core Spec Vol 6 Part B §3.1.1) of @p len octets (PDU header and
 * payload) with the initial value @p crc_init as the specification writes it
 * (MESHRPR_SIM_CRC_INIT_ADV on advertising channels).
 * @return The CRC as the integer whose octets, least significant first, are the three
 *         octets sent after the PDU (and stored in the trace).
 */
uint32_t meshrpr_sim_crc24(uint32_t crc_init, const uint8_t *data, size_t len);

/* ---- Seeded PRNG (xoshiro256**, seeded through splitmix64) ---- */

/** Seed @p rng; every seed, 0 included, gives a usable state. */
void meshrpr_sim_rng_seed(struct meshrpr_sim_rng *rng, uint64_t seed);

/** Seed @p rng with stream @p stream of @p seed: streams of one seed are independent. The
 *  world draws from stream 0 and node @e id from stream @e id + 1. */
void meshrpr_sim_rng_seed_stream(struct meshrpr_sim_rng *rng, uint64_t seed, uint64_t stream);

/** @return The next 64 random bits. */
uint64_t meshrpr_sim_rng_next(struct meshrpr_sim_rng *rng);

/** @return A uniform integer in 0..@p bound - 1 (0 when @p bound is 0), without modulo
 *  bias. */
uint64_t meshrpr_sim_rng_below(struct meshrpr_sim_rng *rng, uint64_t bound);

/** @return A uniform double in [0, 1). */
double meshrpr_sim_rng_unit(struct meshrpr_sim_rng *rng);

/** Fill @p out with @p len random octets. */
void meshrpr_sim_rng_fill(struct meshrpr_sim_rng *rng, uint8_t *out, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* MESHRPR_SIM_H */

/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file
 * The deterministic multi-node simulator: many nodes in one process on one virtual clock,
 * a radio medium for legacy advertising PDUs (range or explicit links, loss, RSSI, airtime,
 * optional collisions), active scanning with scan responses, and a pcap trace of every
 * transmission.
 *
 * The simulator knows nothing of the mesh stack. A node is any object behind a small vtable
 * (@ref meshrpr_sim_node_ops); the simulator gives each node its own
 * @ref meshrpr_platform whose clock is the virtual clock, whose random source is a PRNG seeded
 * from the world seed and the node id, and whose adv_send puts PDUs on the simulated medium.
 * All state lives in a @ref meshrpr_sim the caller owns (it is large: make it static or
 * allocate it); the library has no globals and allocates nothing except the pcap FILE.
 *
 * What goes on air: the platform's adv_send builds one AD structure and sends it as an
 * ADV_NONCONN_IND, as a mesh bearer does (MshPRTv1.1 §3.3.1); meshrpr_sim_adv_send_raw() sends
 * any legacy AdvData (several AD structures, up to 31 octets) as ADV_NONCONN_IND, ADV_IND or
 * ADV_SCAN_IND. Every node has a scanner, passive by default; the platform's scan_active_set
 * makes it active, and an active scanner that receives a scannable PDU (ADV_IND, ADV_SCAN_IND)
 * from a node with scan response data (meshrpr_sim_node_set_scan_rsp()) gets that node's
 * SCAN_RSP too, as the Remote Provisioning Server's Extended Scan needs
 * (MshPRTv1.1 §4.4.5.5.1.7). A node hears PDUs through @ref meshrpr_sim_node_ops.adv_report
 * (whole reports with advertiser address and PDU type) or, without it, through
 * @ref meshrpr_sim_node_ops.adv_recv (mesh AD structures only).
 *
 * Order and completion: a node's PDUs leave first in first out, every repeat of one before the
 * next one starts (the contract of meshrpr_platform.adv_send), and the node hears of the end
 * of each through @ref meshrpr_sim_node_ops.adv_sent.
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

/** Nodes of a world made by meshrpr_sim_init(), whose node table is inside struct
 *  meshrpr_sim; meshrpr_sim_node_add() returns -ENOMEM beyond it. A larger world brings its
 *  own table (meshrpr_sim_init_nodes(), up to MESHRPR_SIM_NODE_LIMIT nodes). */
#ifndef MESHRPR_SIM_MAX_NODES
#define MESHRPR_SIM_MAX_NODES 64
#endif

/** Most directed explicit links of one world (meshrpr_sim_link_set() counts two); beyond it
 *  meshrpr_sim_link_set_oneway() returns -ENOSPC. At most 65534. */
#ifndef MESHRPR_SIM_MAX_LINKS
#define MESHRPR_SIM_MAX_LINKS 8192
#endif

/** Most nodes of any world: node ids are 16-bit. */
#define MESHRPR_SIM_NODE_LIMIT 65534u

/** Buckets of the spatial index of range mode (a hash of grid cells one range wide): a
 *  reception visits only the nodes of the nine cells around its sender. */
#define MESHRPR_SIM_GRID_BUCKETS 4096u

/** Most transmissions (each repeat counts, and each scan exchange under way) that are
 *  waiting, on air, or recent enough to collide with one on air; adv_send returns -ENOBUFS
 *  beyond it (and a scan exchange that finds no room is skipped, with a warning). At most
 *  65534. */
#ifndef MESHRPR_SIM_MAX_TX
#define MESHRPR_SIM_MAX_TX 4096
#endif

/** Longest legacy AdvData or ScanRspData (Core Spec Vol 6 Part B §2.3.1): 31 octets of AD
 *  structures. */
#define MESHRPR_SIM_MAX_ADV_DATA 31

/** Longest AD data of one AD structure: the AdvData minus the AD length and type octets. */
#define MESHRPR_SIM_MAX_AD_DATA (MESHRPR_SIM_MAX_ADV_DATA - 2)

/** Size of a node name, terminating NUL included; longer names are cut. */
#define MESHRPR_SIM_NAME_SIZE 16

/** Largest advertising random delay (Core Spec Vol 6 Part B §4.4.2.2.1 advDelay), drawn
 *  uniformly in 0..this for every transmission. */
#define MESHRPR_SIM_ADV_DELAY_MAX_US 10000u

/** Airtime at LE 1M of an advertising PDU or SCAN_RSP carrying @p adv_len octets of AdvData
 *  (or ScanRspData): preamble 1 + access address 4 + header 2 + AdvA 6 + data + CRC 3 octets,
 *  8 µs per octet. */
#define MESHRPR_SIM_PDU_AIRTIME_US(adv_len) ((uint64_t)(1 + 4 + 2 + 6 + (adv_len) + 3) * 8u)

/** Airtime of an ADV_NONCONN_IND carrying one AD structure with @p data_len octets of AD
 *  data (what adv_send sends): MESHRPR_SIM_PDU_AIRTIME_US() of 2 + @p data_len. */
#define MESHRPR_SIM_AIRTIME_US(data_len) MESHRPR_SIM_PDU_AIRTIME_US(2 + (data_len))

/** Airtime of the longest PDU: nothing older than this can overlap a PDU on air. */
#define MESHRPR_SIM_MAX_AIRTIME_US MESHRPR_SIM_PDU_AIRTIME_US(MESHRPR_SIM_MAX_ADV_DATA)

/** Inter frame space between a scannable PDU, the SCAN_REQ and the SCAN_RSP (Core Spec Vol 6
 *  Part B §4.1.1 T_IFS). */
#define MESHRPR_SIM_T_IFS_US 150u

/** Airtime of a SCAN_REQ: preamble 1 + access address 4 + header 2 + ScanA 6 + AdvA 6 +
 *  CRC 3 octets. */
#define MESHRPR_SIM_SCAN_REQ_AIRTIME_US ((uint64_t)(1 + 4 + 2 + 6 + 6 + 3) * 8u)

/** From the end of a scannable PDU to the delivery of the scan response carrying
 *  @p rsp_len octets of ScanRspData: T_IFS, SCAN_REQ, T_IFS, SCAN_RSP. */
#define MESHRPR_SIM_SCAN_RSP_DELAY_US(rsp_len)                                                     \
    (MESHRPR_SIM_T_IFS_US + MESHRPR_SIM_SCAN_REQ_AIRTIME_US + MESHRPR_SIM_T_IFS_US +               \
     MESHRPR_SIM_PDU_AIRTIME_US(rsp_len))

/** Time a node keeps free after each scannable PDU it sends, for the longest scan
 *  request/response exchange: its next transmission starts no earlier. */
#define MESHRPR_SIM_SCAN_WINDOW_US MESHRPR_SIM_SCAN_RSP_DELAY_US(MESHRPR_SIM_MAX_ADV_DATA)

/* Link-layer PDU types on the advertising channels (Core Spec Vol 6 Part B §2.3), as written
 * in the low 4 bits of the PDU header in the trace. Not the HCI report types MESHRPR_ADV_*. */
#define MESHRPR_SIM_PDU_ADV_IND         0x0u
#define MESHRPR_SIM_PDU_ADV_NONCONN_IND 0x2u
#define MESHRPR_SIM_PDU_SCAN_REQ        0x3u
#define MESHRPR_SIM_PDU_SCAN_RSP        0x4u
#define MESHRPR_SIM_PDU_ADV_SCAN_IND    0x6u

/** Dispatches at one virtual instant after which a run gives up with -ELOOP: a node whose
 *  deadline never moves past the clock would otherwise hang the process. */
#define MESHRPR_SIM_MAX_STEPS_PER_INSTANT 1000000u

/** Loss value meaning "the world default" for a link. */
#define MESHRPR_SIM_LOSS_DEFAULT (-1.0)

/** PCAP link type of the trace: Bluetooth LE link layer, no pseudo-header. */
#define MESHRPR_SIM_PCAP_LINKTYPE 251u

/** Longest link-layer packet in the trace: access address 4, header 2, AdvA 6, AdvData 31,
 *  CRC 3. */
#define MESHRPR_SIM_LL_PACKET_MAX (4 + 2 + 6 + MESHRPR_SIM_MAX_ADV_DATA + 3)

/** Length of a SCAN_REQ packet in the trace: access address 4, header 2, ScanA 6, AdvA 6,
 *  CRC 3. */
#define MESHRPR_SIM_LL_SCAN_REQ_LEN (4 + 2 + 6 + 6 + 3)

/** CRC initial value on the advertising channels (Core Spec Vol 6 Part B §3.1.1). */
#define MESHRPR_SIM_CRC_INIT_ADV 0x555555u

/** What the simulator needs from a node. Every member may be NULL. */
struct meshrpr_sim_node_ops {
    /** One mesh AD structure heard by @p node: AD type, AD data and the received signal
     *  strength in dBm. Used only when @ref adv_report is NULL: then it is called once for
     *  every well-formed AD structure of a mesh AD type (0x29 PB-ADV, 0x2A Mesh Message,
     *  0x2B Mesh Beacon) in every ADV_NONCONN_IND the node receives, in order; other AD types,
     *  other PDU types and scan responses are not passed on, as a mesh bearer ignores them
     *  (MshPRTv1.1 §3.3.1). The data is only valid during the call. */
    void (*adv_recv)(void *node, uint8_t ad_type, const uint8_t *data, size_t len, int8_t rssi);
    /** The node's next timer deadline in ms on the platform clock, UINT64_MAX if none. A
     *  deadline at or before the current time is due now. */
    uint64_t (*next_deadline_ms)(void *node);
    /** Run the node's due timers; called when the clock reaches next_deadline_ms. */
    void (*process)(void *node);
    /** Every PDU the node's scanner receives (advertising PDUs of any type, and scan
     *  responses to its own scan requests), as one report: the sender's AdvA (least
     *  significant octet first), addr_type 1 (random), the HCI type MESHRPR_ADV_IND,
     *  MESHRPR_ADV_SCAN_IND, MESHRPR_ADV_NONCONN_IND or MESHRPR_ADV_SCAN_RSP, the RSSI and the
     *  whole AdvData or ScanRspData. When set, @ref adv_recv is not called. A mesh node wires it
     *  to meshrpr_node_scan_recv(). The report and its data are only valid during the call. */
    void (*adv_report)(void *node, const struct meshrpr_adv_report *report);
    /** The transmit-complete signal of the platform contract (include/meshrpr/platform.h,
     *  adv_send): called when the last transmission of a PDU sent through the node's
     *  platform adv_send (or meshrpr_sim_adv_send_raw() with a nonzero tx_id in its params)
     *  has ended, after its receivers got it, with the tx_id of its meshrpr_adv_params. A mesh
     *  node wires it to meshrpr_node_adv_sent(). The node may send from inside. */
    void (*adv_sent)(void *node, uint32_t tx_id);
};

/** Per-node counters. */
struct meshrpr_sim_node_stats {
    uint64_t tx;                  /**< Advertising PDUs put on air, each repeat counted. */
    uint64_t tx_refused;          /**< adv_send calls refused (queue full, bad arguments). */
    uint64_t rx;                  /**< PDUs received (scan responses included). */
    uint64_t rx_lost_loss;        /**< Receptions dropped by the link's loss probability. */
    uint64_t rx_lost_collision;   /**< Receptions destroyed by an overlapping transmission. */
    uint64_t rx_lost_half_duplex; /**< Receptions missed because the node was transmitting. */
    uint64_t scan_req_tx;         /**< SCAN_REQs sent (as an active scanner). */
    uint64_t scan_rsp_tx;         /**< SCAN_RSPs sent (not counted in tx). */
    uint64_t scan_rsp_rx;         /**< Scan responses delivered (also counted in rx). */
};

/** Kinds of @ref meshrpr_sim_radio_event. */
enum meshrpr_sim_radio_kind {
    MESHRPR_SIM_RADIO_TX,        /**< A transmission went on air (one per repeat). */
    MESHRPR_SIM_RADIO_RX,        /**< A node received it (reported before adv_report/adv_recv). */
    MESHRPR_SIM_RADIO_LOST_LOSS, /**< A node in reach lost it to the link loss. */
    MESHRPR_SIM_RADIO_LOST_COLLISION,   /**< A node in reach lost it to a collision. */
    MESHRPR_SIM_RADIO_LOST_HALF_DUPLEX, /**< A node in reach was transmitting itself. */
    /** An active scanner (from) sent a SCAN_REQ to the advertiser (to). No node receives it;
     *  the advertiser's SCAN_RSP follows as a TX event and one RX or LOST_LOSS at the scanner,
     *  all with the same tx_id. */
    MESHRPR_SIM_RADIO_SCAN_REQ,
};

/** One radio event, as reported to the observer (meshrpr_sim_set_observer()). */
struct meshrpr_sim_radio_event {
    enum meshrpr_sim_radio_kind kind;
    /** Start of the transmission for TX and SCAN_REQ; end of its airtime (delivery time)
     *  otherwise. */
    uint64_t time_us;
    /** Serial number of the transmission in this world, from 0; repeats get their own, and so
     *  does each scan request/response exchange. */
    uint32_t tx_id;
    /** Transmitting node (the scanner for SCAN_REQ). */
    int from;
    /** Receiving node (the advertiser for SCAN_REQ), -1 for TX. */
    int to;
    /** Which transmission of its adv_send this is, 0-based, and how many there are (0 and 1
     *  for scan exchanges). */
    uint8_t repeat;
    uint8_t count;
    /** The first AD structure of the data: its type and AD data (for adv_send, the only one).
     *  0 and empty when the data does not start with a well-formed AD structure. */
    uint8_t ad_type;
    const uint8_t *data;
    size_t len;
    /** Received signal strength in dBm; 0 for TX and SCAN_REQ. */
    int8_t rssi;
    /** Link-layer PDU type, MESHRPR_SIM_PDU_*. */
    uint8_t pdu_type;
    /** HCI report type, MESHRPR_ADV_* (0xff for SCAN_REQ, which is never reported). */
    uint8_t adv_type;
    /** The whole AdvData or ScanRspData (empty for SCAN_REQ); valid during the call. */
    const uint8_t *adv_data;
    size_t adv_len;
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
    /* Event loop (sim.c): the node's deadline in µs as last asked (UINT64_MAX: never), which
     * of the two node heaps holds it and where, and whether it must be asked again. The
     * heaps and the list of nodes to ask again are arrays of node ids spread over the node
     * table: slot i of each lives in node i. */
    uint64_t due_us;
    uint16_t heap_pos;
    uint8_t heap_which;
    bool stale;
    uint16_t deadline_heap_slot;
    uint16_t ready_heap_slot;
    uint16_t stale_slot;
    /* Spatial index (radio.c): grid cell and the next node of its bucket. */
    int64_t cell_x;
    int64_t cell_y;
    uint16_t bucket_next;
    /* Explicit links from this node (radio.c): the first of its list, by receiver id. */
    uint16_t link_head;
    uint16_t id;
    uint8_t adv_addr[6]; /* most significant octet first, as displayed */
    char name[MESHRPR_SIM_NAME_SIZE];
    bool scan_active;
    uint8_t scan_rsp_len;
    uint8_t scan_rsp[MESHRPR_SIM_MAX_ADV_DATA];
};

/** One transmission (one repeat of an adv_send, or one scan request/response exchange).
 *  Treat as private. */
struct meshrpr_sim_tx {
    uint64_t start_us; /* for an exchange: of its SCAN_RSP */
    uint64_t end_us;
    uint32_t tx_id;
    uint16_t air_prev; /* neighbours in the list of transmissions on air or recent */
    uint16_t air_next;
    uint8_t state;
    uint16_t sender; /* the advertiser */
    uint16_t peer;   /* for an exchange: the scanner that asked */
    uint8_t repeat;
    uint8_t count;
    uint8_t adv_type; /* MESHRPR_ADV_*; MESHRPR_ADV_SCAN_RSP for an exchange */
    uint8_t len;
    uint8_t data[MESHRPR_SIM_MAX_ADV_DATA];
    uint32_t cookie; /* tx_id of the adv_send's params, reported after its last repeat */
};

/** One directed explicit link. Treat as private. */
struct meshrpr_sim_link {
    float loss;    /* < 0: world default */
    uint16_t to;   /* receiver */
    uint16_t next; /* next link of the same sender (greater receiver id), or the free list */
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

    /* The node table: node_storage, or the caller's (meshrpr_sim_init_nodes()). */
    struct meshrpr_sim_node *nodes;
    uint16_t node_count;
    uint16_t node_capacity;
    struct meshrpr_sim_node node_storage[MESHRPR_SIM_MAX_NODES];

    /* Node deadlines (sim.c): a min-heap of the nodes due later, by (deadline, id), a
     * min-heap of the nodes due now, by id, and the nodes whose deadline may have changed. */
    uint16_t deadline_heap_count;
    uint16_t ready_heap_count;
    uint16_t stale_count;
    bool all_stale;

    /* Medium. */
    double range_m;
    double default_loss;
    double rssi_1m_dbm;
    double path_loss_exponent;
    bool collisions;
    bool half_duplex;
    uint32_t link_count; /* directed explicit links; > 0 means only they exist */
    /* Explicit links: a pool, each sender's links listed from its node by receiver id. */
    struct meshrpr_sim_link links[MESHRPR_SIM_MAX_LINKS];
    uint16_t link_free;
    /* Spatial index of range mode (radio.c), rebuilt when a position or the range changed;
     * geometry_gen counts those changes (and node additions). */
    bool grid_valid;
    uint32_t geometry_gen;
    double grid_cell_m;
    uint16_t grid_bucket[MESHRPR_SIM_GRID_BUCKETS];

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

/**
 * meshrpr_sim_init() for a world of up to @p capacity nodes kept in the caller's @p nodes
 * (which must outlive the world; no initialisation needed). About 300 octets a node
 * (sizeof(struct meshrpr_sim_node)); see docs/capacities.md.
 * @return 0, or -EINVAL for NULL arguments, a zero @p capacity or one above
 *         MESHRPR_SIM_NODE_LIMIT (the world is then made with its own table, as by
 *         meshrpr_sim_init()).
 */
int meshrpr_sim_init_nodes(struct meshrpr_sim *sim, uint64_t seed, struct meshrpr_sim_node *nodes,
                           size_t capacity);

/** @return The most nodes the world can hold. */
int meshrpr_sim_node_capacity(const struct meshrpr_sim *sim);

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
 *         -ENOMEM when the world is full (MESHRPR_SIM_MAX_NODES nodes, or the capacity given to
 *         meshrpr_sim_init_nodes()).
 */
int meshrpr_sim_node_add(struct meshrpr_sim *sim, const char *name,
                         const struct meshrpr_sim_node_ops *ops, void *node);

/**
 * Tell the simulator that the deadline of node @p id (its ops' next_deadline_ms) may have
 * changed through something other than a callback into that node or a call of its platform:
 * for example another node's callback changing state its next_deadline_ms reads. The
 * simulator asks a node for its deadline again after each callback into it and after each
 * call of its platform's hooks, and asks every node at the start of each run; between those,
 * a changed deadline goes unnoticed without this call. @return 0 or -EINVAL.
 */
int meshrpr_sim_node_wake(struct meshrpr_sim *sim, int id);

/** Replace the ops and node object of node @p id. @return 0 or -EINVAL. */
int meshrpr_sim_node_set_ops(struct meshrpr_sim *sim, int id,
                             const struct meshrpr_sim_node_ops *ops, void *node);

/**
 * @return The platform of node @p id (valid as long as @p sim), or NULL for a bad id. Its
 * now_ms is the virtual clock, random the node's own PRNG, log goes to the world's log,
 * adv_send to meshrpr_sim_adv_send(), run_until to meshrpr_sim_run_until_done() and
 * scan_active_set to meshrpr_sim_node_set_scan_active().
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

/**
 * Set the scan response data of node @p id: @p len octets of AD structures (copied; not
 * checked), which an active scanner that receives one of the node's scannable PDUs gets back as
 * a MESHRPR_ADV_SCAN_RSP report. @p len 0 clears it: the node then answers no scan request.
 * The data in force when the scannable PDU ends is sent.
 * @return 0; -EINVAL for a bad id or NULL data with a length; -EMSGSIZE if @p len exceeds
 *         MESHRPR_SIM_MAX_ADV_DATA (nothing changes).
 */
int meshrpr_sim_node_set_scan_rsp(struct meshrpr_sim *sim, int id, const uint8_t *data, size_t len);

/**
 * Make the scanner of node @p id active (true) or passive (false, the default). The node's
 * platform scan_active_set hook calls this.
 *
 * An active scanner R that receives a scannable PDU (ADV_IND or ADV_SCAN_IND) from node T
 * sends T a SCAN_REQ T_IFS after the PDU ends, provided T has scan response data and can hear
 * R (meshrpr_sim_link_exists(R, T)); T's SCAN_RSP follows T_IFS after the request, and R alone
 * receives it at the end of its airtime, MESHRPR_SIM_SCAN_RSP_DELAY_US(len) after the PDU
 * ended, unless one draw of the loss of the link T -> R loses the exchange. So R gets at most
 * one scan response per transmission of T; passive scanners get none. Simplifications: the
 * exchange neither collides with other transmissions nor is lost to collisions or
 * half-duplex, and it does not delay the advertiser, which keeps MESHRPR_SIM_SCAN_WINDOW_US
 * free after every scannable PDU anyway.
 * @return 0 or -EINVAL for a bad id.
 */
int meshrpr_sim_node_set_scan_active(struct meshrpr_sim *sim, int id, bool active);

/** @return True if node @p id scans actively (false for a bad id). */
bool meshrpr_sim_node_scan_active(const struct meshrpr_sim *sim, int id);

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
 * @return 0; -EINVAL; -ENOSPC when the world already has MESHRPR_SIM_MAX_LINKS links.
 */
int meshrpr_sim_link_set_oneway(struct meshrpr_sim *sim, int from, int to, double loss);

/** meshrpr_sim_link_set_oneway() in both directions. @return 0, -EINVAL or -ENOSPC (neither
 *  direction changed). */
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
 * Transmit from node @p id an ADV_NONCONN_IND whose AdvData is one AD structure of type
 * @p ad_type with AD data @p data: @p params->count transmissions (NULL params: one), each
 * after a gap of @p params->interval_ms plus a random advDelay of 0..10 ms from the world RNG;
 * the first goes after the node's previous transmission ends, plus its own advDelay. Every
 * node that can hear the sender gets each transmission at the end of its airtime, unless it is
 * lost. Safe to call from node callbacks. The nodes' platform adv_send hook calls this.
 * @return 0; -EINVAL for a bad id or a zero count; -EMSGSIZE if @p len exceeds
 *         MESHRPR_SIM_MAX_AD_DATA; -ENOBUFS if MESHRPR_SIM_MAX_TX leaves no room for all
 *         repeats (nothing is sent).
 */
int meshrpr_sim_adv_send(struct meshrpr_sim *sim, int id, uint8_t ad_type, const uint8_t *data,
                         size_t len, const struct meshrpr_adv_params *params);

/**
 * Transmit from node @p id any legacy AdvData: @p len octets of AD structures (copied; not
 * checked, so malformed data can be sent on purpose) in PDUs of HCI type @p adv_type:
 * MESHRPR_ADV_NONCONN_IND, MESHRPR_ADV_IND (connectable and scannable; connections are not
 * simulated) or MESHRPR_ADV_SCAN_IND (scannable). Timing and delivery as in
 * meshrpr_sim_adv_send(), with airtime MESHRPR_SIM_PDU_AIRTIME_US(@p len); after each
 * scannable PDU the node keeps MESHRPR_SIM_SCAN_WINDOW_US free for a scan exchange (see
 * meshrpr_sim_node_set_scan_active()).
 * @return 0; -EINVAL for a bad id, another @p adv_type, a zero count or NULL data with a
 *         length; -EMSGSIZE if @p len exceeds MESHRPR_SIM_MAX_ADV_DATA; -ENOBUFS as in
 *         meshrpr_sim_adv_send().
 */
int meshrpr_sim_adv_send_raw(struct meshrpr_sim *sim, int id, uint8_t adv_type,
                             const uint8_t *adv_data, size_t len,
                             const struct meshrpr_adv_params *params);

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
 * transmission, stamped with its virtual start time, holding the link-layer packet as on air
 * after the preamble: access address, header (PDU type ADV_IND, ADV_NONCONN_IND, ADV_SCAN_IND
 * or SCAN_RSP, TxAdd random), the sender's AdvA, the AdvData or ScanRspData and the CRC. Each
 * scan exchange adds a SCAN_REQ record (ScanA of the scanner, AdvA of the advertiser, both
 * random) and a SCAN_RSP record.
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
 * Build the LINKTYPE 251 packet of an advertising PDU or SCAN_RSP: access address, header
 * (@p pdu_type, one of MESHRPR_SIM_PDU_ADV_IND, _ADV_NONCONN_IND, _ADV_SCAN_IND, _SCAN_RSP,
 * with TxAdd random and ChSel 0), AdvA as in meshrpr_sim_ll_packet(), @p adv_data as is and the
 * CRC.
 * @return The packet length, or 0 for another @p pdu_type, NULL data with a length, @p len
 *         above MESHRPR_SIM_MAX_ADV_DATA or a packet that does not fit @p out_size.
 */
size_t meshrpr_sim_ll_adv_pdu(uint8_t pdu_type, const uint8_t adv_addr[6], const uint8_t *adv_data,
                              size_t len, uint8_t *out, size_t out_size);

/**
 * Build the LINKTYPE 251 packet of a SCAN_REQ from @p scan_addr to @p adv_addr (both most
 * significant octet first, both random: TxAdd and RxAdd set).
 * @return MESHRPR_SIM_LL_SCAN_REQ_LEN, or 0 if it does not fit @p out_size.
 */
size_t meshrpr_sim_ll_scan_req(const uint8_t scan_addr[6], const uint8_t adv_addr[6], uint8_t *out,
                               size_t out_size);

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

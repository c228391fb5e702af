/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file
 * The POSIX host: the way to run meshrpr nodes on Linux (or another POSIX system) in real
 * time.
 *
 * A @ref meshrpr_posix_host is a poll() event loop that drives one or more nodes on
 * CLOCK_MONOTONIC. For every node it provides the platform hooks of include/meshrpr/platform.h:
 *
 * - now_ms: CLOCK_MONOTONIC in milliseconds;
 * - random: getrandom(2), the kernel's cryptographically secure generator;
 * - log: one line per call to the host's log stream (stderr by default) with the time since the
 *   host started, the node's name, the level and the module, filtered by the host's log level;
 * - adv_send: a first-in first-out transmit queue per node (@ref MESHRPR_POSIX_ADV_QUEUE_LEN
 *   PDUs; -ENOBUFS beyond it). The node's radio backend gets one PDU at a time and all its
 *   repeats go out before the next PDU starts;
 * - run_until: runs the whole loop (every node, every backend) until the predicate holds or the
 *   deadline passes, and returns -EDEADLK when called from inside the loop (from a callback the
 *   loop is running), where it could only wait for itself;
 * - scan_active_set: forwarded to the radio backend.
 *
 * Storage is separate: give each node a file store (meshrpr_storage_file_init() in
 * include/meshrpr/storage.h) so that it restarts where it stopped.
 *
 * The radio is pluggable. A backend (@ref meshrpr_posix_radio) is a small vtable: the host hands
 * it PDUs to transmit, polls the file descriptors it registers with
 * meshrpr_posix_host_fd_add(), runs its timers, and the backend feeds what it receives back with
 * meshrpr_posix_radio_report() (whole advertising reports) or meshrpr_posix_radio_adv_recv()
 * (one mesh AD structure). meshrpr ships an HCI backend for Bluetooth controllers
 * (include/meshrpr/hci.h); tests and bridges write their own (a datagram socket, for example).
 *
 * The host allocates nothing and has no globals; all state is in the caller's struct. Not
 * thread-safe: drive one host from one thread.
 */
#ifndef MESHRPR_POSIX_HOST_H
#define MESHRPR_POSIX_HOST_H

#include <meshrpr/platform.h>

#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Most nodes on one host. */
#define MESHRPR_POSIX_HOST_MAX_NODES 8
/** Most file descriptors registered with meshrpr_posix_host_fd_add(). */
#define MESHRPR_POSIX_HOST_MAX_FDS 16
/** Most PDUs waiting in one node's transmit queue (the one on air included). A segmented
 *  message of 32 segments fits with room for beacons and relayed PDUs. */
#define MESHRPR_POSIX_ADV_QUEUE_LEN 64
/** Longest AD data of one mesh advertising PDU: 31 octets of legacy AdvData minus the AD
 *  length and type octets (Core Spec Vol 6 Part B §2.3.1.3). */
#define MESHRPR_POSIX_AD_DATA_MAX 29
/** Largest random advertising delay the host adds to each transmission it schedules itself
 *  (Core Spec Vol 6 Part B §4.4.2.2.1 advDelay, 0..10 ms). */
#define MESHRPR_POSIX_ADV_DELAY_MAX_MS 10

/** One PDU to transmit: an AD structure's type and data, and its transmission parameters. */
struct meshrpr_posix_adv {
    uint8_t ad_type;
    uint8_t len;
    uint8_t data[MESHRPR_POSIX_AD_DATA_MAX];
    /** Transmissions, the first one included (at least 1). */
    uint8_t count;
    /** Interval between transmissions in milliseconds. */
    uint16_t interval_ms;
};

struct meshrpr_node;
struct meshrpr_posix_host;
struct meshrpr_posix_radio;

/**
 * What a radio backend does. Every hook receives @ref meshrpr_posix_radio.ctx. A backend
 * implements exactly one of @ref adv_start and @ref adv_tx.
 */
struct meshrpr_posix_radio_ops {
    /**
     * Transmit @p adv: all @ref meshrpr_posix_adv.count transmissions, about
     * @ref meshrpr_posix_adv.interval_ms apart. The host calls it for one PDU at a time and
     * waits for meshrpr_posix_radio_adv_done() before the next (first-in first-out). The
     * backend copies @p adv.
     * @return 0, or a negative errno: the PDU is then dropped and counted, and the next starts.
     */
    int (*adv_start)(void *ctx, const struct meshrpr_posix_adv *adv);
    /**
     * Transmit one copy of an AD structure now, without blocking. With this hook the host
     * schedules the repeats itself (the interval plus a random 0..MESHRPR_POSIX_ADV_DELAY_MAX_MS
     * delay) and the PDU is complete once its last copy has been handed over.
     * @return 0, or a negative errno (counted; the remaining copies are still tried).
     */
    int (*adv_tx)(void *ctx, uint8_t ad_type, const uint8_t *data, size_t len);
    /** Switch between passive and active scanning (platform.h scan_active_set). May be NULL:
     *  the node then gets -ENOTSUP. */
    int (*scan_active_set)(void *ctx, bool active);
    /** The backend's next timer deadline on the host clock (ms), UINT64_MAX if none. May be
     *  NULL. */
    uint64_t (*next_deadline_ms)(void *ctx);
    /** Run the backend's due timers. May be NULL. */
    void (*process)(void *ctx);
};

/** Per-node transmit counters. */
struct meshrpr_posix_tx_stats {
    uint64_t queued;     /**< PDUs accepted by adv_send. */
    uint64_t refused;    /**< adv_send calls refused (queue full, PDU too long, bad count). */
    uint64_t completed;  /**< PDUs whose transmissions all went out. */
    uint64_t failed;     /**< PDUs (adv_start) or copies (adv_tx) the backend refused. */
    uint64_t tx;         /**< Copies handed to an adv_tx backend. */
    uint64_t rx_reports; /**< Reports and AD structures delivered to the node. */
};

/** A node as the host drives it. Fields are private. */
struct meshrpr_posix_node {
    struct meshrpr_posix_host *host;
    struct meshrpr_node *node;
    struct meshrpr_posix_radio *radio;
    struct meshrpr_platform platform;
    char name[16];
    bool used;
    /* Transmit FIFO: queue[head] is on air while busy. */
    struct meshrpr_posix_adv queue[MESHRPR_POSIX_ADV_QUEUE_LEN];
    unsigned head;
    unsigned len;
    bool busy;
    /* adv_tx backends: copies of queue[head] still to send and when the next goes. */
    uint8_t copies_left;
    uint64_t next_copy_ms;
    struct meshrpr_posix_tx_stats stats;
};

/**
 * A radio backend bound to one node. The backend fills @ref ops and @ref ctx; the host sets
 * @ref pnode when the node is added.
 */
struct meshrpr_posix_radio {
    const struct meshrpr_posix_radio_ops *ops;
    void *ctx;
    /** Set by meshrpr_posix_host_node_add(); private. */
    struct meshrpr_posix_node *pnode;
};

/** Called when a registered file descriptor is ready (@p revents from poll()). */
typedef void (*meshrpr_posix_fd_fn)(void *ctx, int fd, short revents);

/** The host. Fields are private. */
struct meshrpr_posix_host {
    struct meshrpr_posix_node nodes[MESHRPR_POSIX_HOST_MAX_NODES];
    struct {
        int fd;
        short events;
        meshrpr_posix_fd_fn fn;
        void *ctx;
    } fds[MESHRPR_POSIX_HOST_MAX_FDS];
    size_t fd_count;
    /* Set while the loop is running: run_until from inside it is refused. */
    bool in_loop;
    volatile sig_atomic_t stop;
    uint64_t start_ms;
    FILE *log_file;
    enum meshrpr_log_level log_level;
};

/**
 * Initialise a host: no nodes, no file descriptors, logging at MESHRPR_LOG_LEVEL_WRN to
 * stderr.
 */
void meshrpr_posix_host_init(struct meshrpr_posix_host *host);

/** Log lines up to @p level go to @p file (NULL: stderr); MESHRPR_LOG_LEVEL_NONE: none. */
void meshrpr_posix_host_set_log(struct meshrpr_posix_host *host, enum meshrpr_log_level level,
                                FILE *file);

/** The host's clock: CLOCK_MONOTONIC in milliseconds. */
uint64_t meshrpr_posix_host_now_ms(const struct meshrpr_posix_host *host);

/**
 * Add a node driven by this host over @p radio, and give the platform its hooks must use.
 * Call it before meshrpr_node_init() (pass the returned platform in the node's configuration);
 * the host touches @p node only from its loop, so initialise the node before running it.
 * @param name for log lines (cut to 15 characters); may be NULL.
 * @return 0 with *@p platform set, -EINVAL (NULL argument, backend with neither or both of
 *         adv_start and adv_tx), -EBUSY (radio already bound), -ENOMEM
 * (MESHRPR_POSIX_HOST_MAX_NODES reached).
 */
int meshrpr_posix_host_node_add(struct meshrpr_posix_host *host, struct meshrpr_node *node,
                                struct meshrpr_posix_radio *radio, const char *name,
                                const struct meshrpr_platform **platform);

/** Stop driving @p node (after meshrpr_node_deinit(), or when its init failed). Its queued
 *  PDUs are dropped. @return 0 or -ENOENT. */
int meshrpr_posix_host_node_remove(struct meshrpr_posix_host *host, struct meshrpr_node *node);

/** The transmit counters of @p node, or NULL if the host does not drive it. */
const struct meshrpr_posix_tx_stats *
meshrpr_posix_host_tx_stats(const struct meshrpr_posix_host *host, const struct meshrpr_node *node);

/**
 * Poll @p fd for @p events (POLLIN, POLLOUT...) and call @p fn when it is ready. Registering
 * an fd again replaces its events and callback.
 * @return 0, -EINVAL, -ENOMEM (MESHRPR_POSIX_HOST_MAX_FDS reached).
 */
int meshrpr_posix_host_fd_add(struct meshrpr_posix_host *host, int fd, short events,
                              meshrpr_posix_fd_fn fn, void *ctx);

/** Stop polling @p fd (safe from its own callback). @return 0 or -ENOENT. */
int meshrpr_posix_host_fd_remove(struct meshrpr_posix_host *host, int fd);

/**
 * Run the loop until @p done returns true (checked before the first wait and after every
 * event), the clock reaches @p deadline_ms (UINT64_MAX: no deadline) or
 * meshrpr_posix_host_stop() is called. @p done may be NULL.
 * @return 0 (done), -ETIMEDOUT (deadline), -EINTR (stopped), -EDEADLK (called from inside the
 *         loop), or the negative errno of a failed poll().
 */
int meshrpr_posix_host_run_until(struct meshrpr_posix_host *host, meshrpr_done_fn done, void *arg,
                                 uint64_t deadline_ms);

/** Make the running (or next) meshrpr_posix_host_run_until() return -EINTR. Safe from a signal
 *  handler; a signal also interrupts the loop's poll(). */
void meshrpr_posix_host_stop(struct meshrpr_posix_host *host);

/** Whether @p node's transmit queue is empty and nothing is on air. */
bool meshrpr_posix_host_tx_idle(const struct meshrpr_posix_host *host,
                                const struct meshrpr_node *node);

/* ---- For radio backends ----------------------------------------------------------------- */

/** The host @p radio belongs to (NULL before meshrpr_posix_host_node_add()). */
struct meshrpr_posix_host *meshrpr_posix_radio_host(const struct meshrpr_posix_radio *radio);

/** An adv_start backend finished the PDU the host gave it (all its transmissions, or it gave
 *  up: @p err negative). The host starts the next queued PDU. */
void meshrpr_posix_radio_adv_done(struct meshrpr_posix_radio *radio, int err);

/** Deliver one advertising report (AdvData of AD structures) to the node
 *  (meshrpr_node_scan_recv()). */
void meshrpr_posix_radio_report(struct meshrpr_posix_radio *radio,
                                const struct meshrpr_adv_report *report);

/** Deliver one mesh AD structure (type and data, no length octet) to the node
 *  (meshrpr_node_adv_recv()), for backends that carry bare AD structures. */
void meshrpr_posix_radio_adv_recv(struct meshrpr_posix_radio *radio, uint8_t ad_type,
                                  const uint8_t *data, size_t len, int8_t rssi);

/** Log a line for the node @p radio belongs to, through the host's log (module "radio"
 *  unless @p module is given). */
void meshrpr_posix_radio_log(struct meshrpr_posix_radio *radio, enum meshrpr_log_level level,
                             const char *module, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#ifdef __cplusplus
}
#endif

#endif /* MESHRPR_POSIX_HOST_H */

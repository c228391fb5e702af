/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file
 * The platform seam: everything the meshrpr core needs from the outside world.
 *
 * The core is sans-IO and single-threaded. It never reads the OS clock, never draws OS
 * randomness, never sleeps and never touches a radio itself; a host (the POSIX event loop,
 * the simulator, a test fixture, an RTOS port) provides these hooks. One platform instance
 * belongs to one node, so @ref meshrpr_platform.ctx identifies the node to the host.
 */
#ifndef MESHRPR_PLATFORM_H
#define MESHRPR_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Log levels, from quietest to noisiest. */
enum meshrpr_log_level {
    MESHRPR_LOG_LEVEL_NONE = 0, /**< Logging off; never passed to the hook. */
    MESHRPR_LOG_LEVEL_ERR = 1,  /**< Something failed that the user should know about. */
    MESHRPR_LOG_LEVEL_WRN = 2,  /**< Dropped input, refused requests, recoverable trouble. */
    MESHRPR_LOG_LEVEL_INF = 3,  /**< Protocol milestones (link opened, node provisioned). */
    MESHRPR_LOG_LEVEL_DBG = 4,  /**< Per-PDU detail. */
};

/** Transmission parameters of one advertising PDU. */
struct meshrpr_adv_params {
    /** Number of transmissions (the first one included), 1..8 as in Network Transmit. */
    uint8_t count;
    /** Interval between transmissions in milliseconds; the host adds its own random
     *  advertising delay (Core Spec Vol 6 Part B §4.4.2.2.1) on top of it. */
    uint16_t interval_ms;
    /** Handle of this PDU for meshrpr_node_adv_sent() (include/meshrpr/node.h): never 0, one
     *  more than the previous PDU the node handed to this host (wrapping from 0xffffffff to 1).
     *  A host that does not report completions ignores it. */
    uint32_t tx_id;
};

/** Advertising report types (the HCI LE Advertising Report event types). */
#define MESHRPR_ADV_IND         0x00
#define MESHRPR_ADV_DIRECT_IND  0x01
#define MESHRPR_ADV_SCAN_IND    0x02
#define MESHRPR_ADV_NONCONN_IND 0x03
#define MESHRPR_ADV_SCAN_RSP    0x04

/** One advertising or scan response PDU as the host's scanner reports it. */
struct meshrpr_adv_report {
    /** Advertiser address, least significant octet first (as in HCI). */
    uint8_t addr[6];
    /** 0: public, 1: random. */
    uint8_t addr_type;
    /** MESHRPR_ADV_*. */
    uint8_t adv_type;
    int8_t rssi;
    /** AdvData or ScanRspData: AD structures (Length, Type, Data). */
    const uint8_t *data;
    size_t len;
};

/** Longest time, after its estimated end, that the node waits for meshrpr_node_adv_sent() to
 *  report a PDU before taking it as sent anyway (see @ref meshrpr_platform.adv_send). */
#define MESHRPR_ADV_SENT_GUARD_MS 5000u

/** Predicate polled by @ref meshrpr_platform.run_until. */
typedef bool (*meshrpr_done_fn)(void *arg);

/**
 * The hooks of one node's host. All hooks receive @ref ctx as their first argument.
 *
 * Required: @ref now_ms and @ref random. The others may be NULL: a NULL @ref log discards
 * log lines, a NULL @ref adv_send makes transmissions fail with -ENOTSUP, a NULL
 * @ref run_until makes the blocking API calls fail with -ENOTSUP (their asynchronous forms
 * still work).
 */
struct meshrpr_platform {
    /** Opaque host context, passed back to every hook. */
    void *ctx;

    /** Monotonic time in milliseconds. Never goes backwards; the epoch is the host's. */
    uint64_t (*now_ms)(void *ctx);

    /**
     * Fill @p out with @p len random octets. Keys, provisioning randoms and AuthValues come
     * from here, so a real host must back it with a cryptographically secure generator; the
     * simulator seeds a deterministic generator per node.
     * @return 0, or a negative errno if no randomness is available.
     */
    int (*random)(void *ctx, uint8_t *out, size_t len);

    /**
     * Emit one formatted log line (no trailing newline). @p module is the short tag of the
     * layer that logged it ("net", "prov", "rpr_cli"...). The text is only valid during the
     * call.
     */
    void (*log)(void *ctx, enum meshrpr_log_level level, const char *module, const char *text);

    /**
     * The most detailed level the host wants logged now; may be NULL (every level). The node
     * asks before it formats a line, so lines above it cost neither formatting nor a call of
     * @ref log. The answer may change between calls.
     */
    enum meshrpr_log_level (*log_level)(void *ctx);

    /**
     * Transmit one advertising PDU: an AD structure of type @p ad_type (0x29 PB-ADV,
     * 0x2A Mesh Message, 0x2B Mesh Beacon) whose data is @p data, @p params->count times.
     * The host copies the data before returning.
     *
     * Order (a requirement on the host): PDUs leave in the order adv_send accepted them,
     * first in first out, and all transmissions of one PDU end before the first transmission
     * of the next one starts. The timers of the stack assume it: a segment is retransmitted
     * only after the previous copy has left, a PB-ADV Transaction Ack precedes the answer to
     * the PDU it acknowledges.
     *
     * Completion (optional for the host): when the last transmission of a PDU has ended (or
     * the host dropped the PDU), the host calls meshrpr_node_adv_sent() with
     * @p params->tx_id. Because of the order above, that reports every earlier PDU as well,
     * so a host may report only the latest of several. The stack starts the timers that
     * measure from a transmission (SAR retransmissions and segment intervals, PB-ADV
     * retransmissions, the end of a Link Close) at that moment, not when the PDU was queued,
     * so a long queue never makes it retransmit a PDU that has not left yet. A host that
     * never calls meshrpr_node_adv_sent() still works: until its first call, the node
     * estimates that each PDU is done count × (interval_ms + 10 ms) after the previous one
     * was (10 ms: the largest advertising delay). A host that calls it must do so for every
     * PDU it accepted; as a safety net the node takes a PDU as done anyway
     * MESHRPR_ADV_SENT_GUARD_MS after that estimate.
     *
     * @return 0, or a negative errno (-ENOBUFS when the host's queue is full). A PDU that was
     *         refused is not reported; the next PDU gets the same tx_id.
     */
    int (*adv_send)(void *ctx, uint8_t ad_type, const uint8_t *data, size_t len,
                    const struct meshrpr_adv_params *params);

    /**
     * Drive the host's event loop (radio reception and every node's timers) until
     * @p done returns true or the monotonic clock reaches @p deadline_ms. The blocking forms
     * of the documented API (for example bt_mesh_rpr_scan_start() with a status pointer) are
     * built on this. In the simulator it advances virtual time.
     * @return 0 when @p done became true, -ETIMEDOUT at the deadline, -EDEADLK when called
     *         from inside the loop it would drive, or another negative errno.
     */
    int (*run_until)(void *ctx, meshrpr_done_fn done, void *arg, uint64_t deadline_ms);

    /**
     * Switch the scanner between passive (the default) and active scanning, in which the
     * host's controller sends scan requests to scannable advertisers and delivers their scan
     * responses through meshrpr_node_scan_recv() (the Remote Provisioning Server's Extended
     * Scan, MshPRTv1.1 §4.4.5.5.1.7). May be NULL: extended scans then see only what devices
     * advertise. @return 0 or a negative errno.
     */
    int (*scan_active_set)(void *ctx, bool active);

    /**
     * The UTC wall-clock time, in ms since 1970-01-01T00:00:00Z (Unix time), for the dates
     * written into files: a provisioner stamps its node database (the Mesh CDB "timestamp")
     * with it whenever it changes the database. Never used for timers (those run on
     * @ref now_ms). May be NULL: the database then keeps the timestamp the application gives
     * it (a simulation has no wall clock of its own). The POSIX host reads CLOCK_REALTIME.
     * @return 0, or a negative errno when the time is not known.
     */
    int (*utc_time_ms)(void *ctx, uint64_t *unix_ms);
};

/**
 * Check that a platform has its required hooks.
 * @return 0, or -EINVAL when @p platform is NULL or lacks now_ms or random.
 */
int meshrpr_platform_check(const struct meshrpr_platform *platform);

#ifdef __cplusplus
}
#endif

#endif /* MESHRPR_PLATFORM_H */

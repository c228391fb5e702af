/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A minimal real-time host for meshrpr nodes whose "radio" is bluetooth-meshd's unit socket
 * (test-only code). It implements include/meshrpr/platform.h on CLOCK_MONOTONIC and getrandom(),
 * with a poll() loop, and a first-in first-out transmitter per node: every repetition of one
 * PDU leaves before the next PDU starts (meshd takes any transaction number but the last as
 * new, so interleaving would feed it stale PDUs).
 *
 * One datagram on the socket is one advertising PDU, `<AD type><AD data>` (the AD structure
 * without its length octet), in both directions (with meshd_shim.so in meshd). Nodes added with
 * hears_meshd send to and receive from meshd; all nodes of a host also hear each other, as if
 * they were in radio range.
 */
#ifndef MESHRPR_INTEROP_UNIT_HOST_H
#define MESHRPR_INTEROP_UNIT_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/un.h>

#include <meshrpr/node.h>
#include <meshrpr/platform.h>

#define UNIT_HOST_NODES    4
#define UNIT_HOST_TX_QUEUE 64
#define UNIT_HOST_PDU_MAX  31

struct unit_host;

struct unit_host_tx {
    uint8_t ad_type;
    uint8_t len;
    uint8_t data[UNIT_HOST_PDU_MAX];
    uint8_t remaining;
    uint16_t interval_ms;
};

struct unit_host_node {
    struct unit_host *host;
    struct meshrpr_node *node;
    const char *name;
    bool hears_meshd;
    struct meshrpr_platform platform;
    /* FIFO transmitter: a ring of queued PDUs; the head is on air. */
    struct unit_host_tx tx[UNIT_HOST_TX_QUEUE];
    size_t tx_head;
    size_t tx_count;
    uint64_t tx_next_ms;
};

struct unit_host {
    int fd;
    struct sockaddr_un meshd_addr;
    struct unit_host_node nodes[UNIT_HOST_NODES];
    size_t node_count;
    bool in_loop;
    bool verbose;
    /* Random delay added before each transmission, 0..adv_delay_max_ms (the advertising delay
     * of Core Spec Vol 6 Part B §4.4.2.2.1 is 0..10 ms). */
    uint16_t adv_delay_max_ms;
    /* Lines from stdin (the harness): "quit", "number N". */
    bool watch_stdin;
    bool stdin_eof;
    char stdin_buf[256];
    size_t stdin_len;
    void (*stdin_line)(struct unit_host *host, const char *line, void *ctx);
    void *stdin_ctx;
    uint64_t t0_ms;
    unsigned long tx_datagrams;
    unsigned long rx_datagrams;
};

/** Bind peer_path (unlinked first) and remember meshd's socket path. @return 0 or -errno. */
int unit_host_init(struct unit_host *host, const char *peer_path, const char *meshd_path);
void unit_host_close(struct unit_host *host, const char *peer_path);

/** The platform for a node about to be initialised: call before meshrpr_node_init(), with the
 *  node's storage; then unit_host_attach() once the node is initialised. */
const struct meshrpr_platform *unit_host_platform(struct unit_host *host, const char *name,
                                                  bool hears_meshd);
void unit_host_attach(struct unit_host *host, const struct meshrpr_platform *platform,
                      struct meshrpr_node *node);

/** Drive the loop until done(arg) or the deadline (platform ms). @return 0, -ETIMEDOUT,
 *  -EDEADLK (from inside the loop). */
int unit_host_run_until(struct unit_host *host, meshrpr_done_fn done, void *arg,
                        uint64_t deadline_ms);
uint64_t unit_host_now_ms(const struct unit_host *host);

#endif /* MESHRPR_INTEROP_UNIT_HOST_H */

/* SPDX-License-Identifier: Apache-2.0 */
/* The unit-socket host of the meshd interop tests (see unit_host.h). */
#define _GNU_SOURCE
#include "unit_host.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t unit_host_now_ms(const struct unit_host *host)
{
    (void)host;
    return mono_ms();
}

static int fill_random(uint8_t *out, size_t len)
{
    while (len > 0) {
        ssize_t n = getrandom(out, len, 0);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        out += n;
        len -= (size_t)n;
    }
    return 0;
}

static uint16_t adv_delay(const struct unit_host *host)
{
    uint16_t r = 0;
    if (host->adv_delay_max_ms == 0 || fill_random((uint8_t *)&r, sizeof(r)) != 0) {
        return 0;
    }
    return (uint16_t)(r % (host->adv_delay_max_ms + 1u));
}

/* ---- platform hooks ----------------------------------------------------------------------- */

static uint64_t hook_now_ms(void *ctx)
{
    struct unit_host_node *hn = ctx;
    return unit_host_now_ms(hn->host);
}

static int hook_random(void *ctx, uint8_t *out, size_t len)
{
    (void)ctx;
    return fill_random(out, len);
}

static void hook_log(void *ctx, enum meshrpr_log_level level, const char *module, const char *text)
{
    struct unit_host_node *hn = ctx;
    static const char *const names[] = { "", "ERR", "WRN", "INF", "DBG" };

    if (!hn->host->verbose && level > MESHRPR_LOG_LEVEL_WRN) {
        return;
    }
    uint64_t t = unit_host_now_ms(hn->host) - hn->host->t0_ms;
    fprintf(stderr, "[%4u.%03u %s] %s %s: %s\n", (unsigned)(t / 1000), (unsigned)(t % 1000),
            hn->name, names[level <= MESHRPR_LOG_LEVEL_DBG ? level : 0], module, text);
}

static int hook_adv_send(void *ctx, uint8_t ad_type, const uint8_t *data, size_t len,
                         const struct meshrpr_adv_params *params)
{
    struct unit_host_node *hn = ctx;

    if (len + 1 > UNIT_HOST_PDU_MAX - 1 || len == 0) {
        return -EMSGSIZE;
    }
    if (hn->tx_count == UNIT_HOST_TX_QUEUE) {
        return -ENOBUFS;
    }
    struct unit_host_tx *tx = &hn->tx[(hn->tx_head + hn->tx_count) % UNIT_HOST_TX_QUEUE];
    tx->ad_type = ad_type;
    tx->len = (uint8_t)len;
    memcpy(tx->data, data, len);
    tx->remaining = (params != NULL && params->count > 0) ? params->count : 1;
    tx->interval_ms = params != NULL ? params->interval_ms : 20;
    if (hn->tx_count++ == 0) {
        hn->tx_next_ms = unit_host_now_ms(hn->host) + adv_delay(hn->host);
    }
    return 0;
}

static int hook_run_until(void *ctx, meshrpr_done_fn done, void *arg, uint64_t deadline_ms)
{
    struct unit_host_node *hn = ctx;
    return unit_host_run_until(hn->host, done, arg, deadline_ms);
}

/* ---- set-up ------------------------------------------------------------------------------- */

int unit_host_init(struct unit_host *host, const char *peer_path, const char *meshd_path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };

    memset(host, 0, sizeof(*host));
    host->fd = -1;
    host->adv_delay_max_ms = 10;
    host->t0_ms = mono_ms();
    if (strlen(peer_path) >= sizeof(addr.sun_path) ||
        strlen(meshd_path) >= sizeof(host->meshd_addr.sun_path)) {
        return -ENAMETOOLONG;
    }
    memcpy(addr.sun_path, peer_path, strlen(peer_path));
    host->meshd_addr.sun_family = AF_UNIX;
    memcpy(host->meshd_addr.sun_path, meshd_path, strlen(meshd_path));
    host->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (host->fd < 0) {
        return -errno;
    }
    unlink(peer_path);
    if (bind(host->fd, (const struct sockaddr *)&addr, sizeof(addr)) != 0) {
        int err = -errno;
        close(host->fd);
        host->fd = -1;
        return err;
    }
    return 0;
}

void unit_host_close(struct unit_host *host, const char *peer_path)
{
    for (size_t i = 0; i < host->node_count; i++) {
        if (host->nodes[i].node != NULL) {
            meshrpr_node_deinit(host->nodes[i].node);
        }
    }
    if (host->fd >= 0) {
        close(host->fd);
        host->fd = -1;
    }
    if (peer_path != NULL) {
        unlink(peer_path);
    }
}

const struct meshrpr_platform *unit_host_platform(struct unit_host *host, const char *name,
                                                  bool hears_meshd)
{
    if (host->node_count == UNIT_HOST_NODES) {
        return NULL;
    }
    struct unit_host_node *hn = &host->nodes[host->node_count++];
    memset(hn, 0, sizeof(*hn));
    hn->host = host;
    hn->name = name;
    hn->hears_meshd = hears_meshd;
    hn->platform = (struct meshrpr_platform){
        .ctx = hn,
        .now_ms = hook_now_ms,
        .random = hook_random,
        .log = hook_log,
        .adv_send = hook_adv_send,
        .run_until = hook_run_until,
    };
    return &hn->platform;
}

void unit_host_attach(struct unit_host *host, const struct meshrpr_platform *platform,
                      struct meshrpr_node *node)
{
    for (size_t i = 0; i < host->node_count; i++) {
        if (&host->nodes[i].platform == platform) {
            host->nodes[i].node = node;
        }
    }
}

/* ---- the loop ----------------------------------------------------------------------------- */

static void log_datagram(struct unit_host *host, const char *dir, const char *name,
                         const uint8_t *p, size_t n)
{
    if (!host->verbose) {
        return;
    }
    uint64_t t = unit_host_now_ms(host) - host->t0_ms;
    fprintf(stderr, "[%4u.%03u %s] %s ", (unsigned)(t / 1000), (unsigned)(t % 1000), name, dir);
    for (size_t i = 0; i < n; i++) {
        fprintf(stderr, "%02x", p[i]);
    }
    fputc('\n', stderr);
}

/* One transmission of the head PDU of hn: to meshd, and to every other node of the host. */
static void transmit_one(struct unit_host *host, struct unit_host_node *hn)
{
    struct unit_host_tx *tx = &hn->tx[hn->tx_head];
    uint8_t dgram[UNIT_HOST_PDU_MAX];

    dgram[0] = tx->ad_type;
    memcpy(dgram + 1, tx->data, tx->len);
    if (hn->hears_meshd) {
        log_datagram(host, "->meshd", hn->name, dgram, 1u + tx->len);
        /* meshd's socket may not exist yet (or any more): that is radio silence. */
        if (sendto(host->fd, dgram, 1u + tx->len, 0, (const struct sockaddr *)&host->meshd_addr,
                   sizeof(host->meshd_addr)) > 0) {
            host->tx_datagrams++;
        }
    }
    for (size_t i = 0; i < host->node_count; i++) {
        struct unit_host_node *other = &host->nodes[i];
        if (other != hn && other->node != NULL) {
            meshrpr_node_adv_recv(other->node, tx->ad_type, tx->data, tx->len, -40);
        }
    }
    uint64_t now = unit_host_now_ms(host);
    if (--tx->remaining > 0) {
        hn->tx_next_ms = now + tx->interval_ms + adv_delay(host);
        return;
    }
    hn->tx_head = (hn->tx_head + 1) % UNIT_HOST_TX_QUEUE;
    hn->tx_count--;
    hn->tx_next_ms = now + adv_delay(host);
}

static void receive_all(struct unit_host *host)
{
    uint8_t dgram[64];

    for (;;) {
        ssize_t n = recv(host->fd, dgram, sizeof(dgram), MSG_DONTWAIT);
        if (n <= 0) {
            return;
        }
        host->rx_datagrams++;
        log_datagram(host, "<-meshd", "host", dgram, (size_t)n);
        if (n < 2) {
            continue;
        }
        for (size_t i = 0; i < host->node_count; i++) {
            struct unit_host_node *hn = &host->nodes[i];
            if (hn->hears_meshd && hn->node != NULL) {
                meshrpr_node_adv_recv(hn->node, dgram[0], dgram + 1, (size_t)n - 1, -20);
            }
        }
    }
}

static void read_stdin(struct unit_host *host)
{
    ssize_t n = read(STDIN_FILENO, host->stdin_buf + host->stdin_len,
                     sizeof(host->stdin_buf) - 1 - host->stdin_len);
    if (n <= 0) {
        host->stdin_eof = true;
        return;
    }
    host->stdin_len += (size_t)n;
    host->stdin_buf[host->stdin_len] = '\0';
    char *nl;
    while ((nl = strchr(host->stdin_buf, '\n')) != NULL) {
        *nl = '\0';
        if (host->stdin_line != NULL) {
            host->stdin_line(host, host->stdin_buf, host->stdin_ctx);
        }
        size_t used = (size_t)(nl + 1 - host->stdin_buf);
        memmove(host->stdin_buf, nl + 1, host->stdin_len - used + 1);
        host->stdin_len -= used;
    }
    if (host->stdin_len == sizeof(host->stdin_buf) - 1) {
        host->stdin_len = 0; /* an overlong line: drop it */
    }
}

static void step(struct unit_host *host, uint64_t deadline_ms)
{
    uint64_t now = unit_host_now_ms(host);
    uint64_t wake = deadline_ms;

    for (size_t i = 0; i < host->node_count; i++) {
        struct unit_host_node *hn = &host->nodes[i];
        if (hn->node == NULL) {
            continue;
        }
        uint64_t d = meshrpr_node_next_deadline_ms(hn->node);
        if (d < wake) {
            wake = d;
        }
        if (hn->tx_count > 0 && hn->tx_next_ms < wake) {
            wake = hn->tx_next_ms;
        }
    }
    int timeout = wake <= now ? 0 : (wake - now > 1000 ? 1000 : (int)(wake - now));
    struct pollfd pfd[2] = { { .fd = host->fd, .events = POLLIN },
                             { .fd = STDIN_FILENO, .events = POLLIN } };
    nfds_t nfds = (host->watch_stdin && !host->stdin_eof) ? 2 : 1;
    if (poll(pfd, nfds, timeout) > 0) {
        if (pfd[0].revents & POLLIN) {
            receive_all(host);
        }
        if (nfds == 2 && (pfd[1].revents & (POLLIN | POLLHUP))) {
            read_stdin(host);
        }
    }
    now = unit_host_now_ms(host);
    for (size_t i = 0; i < host->node_count; i++) {
        struct unit_host_node *hn = &host->nodes[i];
        if (hn->node == NULL) {
            continue;
        }
        if (hn->tx_count > 0 && hn->tx_next_ms <= now) {
            transmit_one(host, hn);
        }
        meshrpr_node_process(hn->node);
    }
}

int unit_host_run_until(struct unit_host *host, meshrpr_done_fn done, void *arg,
                        uint64_t deadline_ms)
{
    if (host->in_loop) {
        return -EDEADLK;
    }
    host->in_loop = true;
    int ret = 0;
    while (done == NULL || !done(arg)) {
        if (unit_host_now_ms(host) >= deadline_ms) {
            ret = -ETIMEDOUT;
            break;
        }
        step(host, deadline_ms);
    }
    host->in_loop = false;
    return ret;
}

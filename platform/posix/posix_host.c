/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The POSIX host (include/meshrpr/posix_host.h): a poll() loop on CLOCK_MONOTONIC that runs
 * every node's timers, every radio backend's timers and file descriptors, and one first-in
 * first-out transmit queue per node.
 *
 * Why FIFO: a mesh receiver takes a transaction it has not seen last as new (BlueZ meshd's
 * PB-ADV, for one), so a later PDU must never overtake the remaining repeats of an earlier one
 * (MshPRTv1.1 §5.3.2 leaves the order to the bearer; the platform contract states it).
 * Why PDUs start from the loop and not from adv_send: the backend may finish a PDU at once,
 * and completing it calls back into the node; doing that inside the node's own adv_send call
 * would re-enter the layer that is transmitting.
 */
#define _GNU_SOURCE
#include <meshrpr/node.h>
#include <meshrpr/posix_host.h>

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

static uint64_t clock_ms(void)
{
    struct timespec ts;

    /* CLOCK_MONOTONIC cannot fail with a valid pointer; it never jumps with the wall clock. */
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t meshrpr_posix_host_now_ms(const struct meshrpr_posix_host *host)
{
    (void)host;
    return clock_ms();
}

/* ---- Platform hooks ---------------------------------------------------------------------- */

static int hook_utc_time_ms(void *ctx, uint64_t *unix_ms)
{
    struct timespec ts;

    (void)ctx;
    /* The wall clock, for the dates in files (the node database); timers use now_ms. */
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0 || ts.tv_sec < 0) {
        return -EIO;
    }
    *unix_ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
    return 0;
}

static uint64_t hook_now_ms(void *ctx)
{
    (void)ctx;
    return clock_ms();
}

static int host_random(uint8_t *out, size_t len)
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

static int hook_random(void *ctx, uint8_t *out, size_t len)
{
    (void)ctx;
    return host_random(out, len);
}

static const char level_tag[] = { '-', 'E', 'W', 'I', 'D' };

static void host_log(const struct meshrpr_posix_host *host, const char *name,
                     enum meshrpr_log_level level, const char *module, const char *text)
{
    if (level == MESHRPR_LOG_LEVEL_NONE || level > host->log_level || host->log_file == NULL) {
        return;
    }
    uint64_t t = clock_ms() - host->start_ms;
    fprintf(host->log_file, "%5llu.%03u %-8s %c %-8s %s\n", (unsigned long long)(t / 1000u),
            (unsigned)(t % 1000u), name, level_tag[(unsigned)level <= 4 ? level : 0], module, text);
    fflush(host->log_file);
}

static void hook_log(void *ctx, enum meshrpr_log_level level, const char *module, const char *text)
{
    struct meshrpr_posix_node *pn = ctx;

    host_log(pn->host, pn->name, level, module, text);
}

static int hook_adv_send(void *ctx, uint8_t ad_type, const uint8_t *data, size_t len,
                         const struct meshrpr_adv_params *params)
{
    struct meshrpr_posix_node *pn = ctx;

    if ((data == NULL && len > 0) || len > MESHRPR_POSIX_AD_DATA_MAX || params == NULL ||
        params->count == 0) {
        pn->stats.refused++;
        return -EINVAL;
    }
    if (pn->len == MESHRPR_POSIX_ADV_QUEUE_LEN) {
        pn->stats.refused++;
        return -ENOBUFS;
    }
    struct meshrpr_posix_adv *adv = &pn->queue[(pn->head + pn->len) % MESHRPR_POSIX_ADV_QUEUE_LEN];
    adv->ad_type = ad_type;
    adv->len = (uint8_t)len;
    if (len > 0) {
        memcpy(adv->data, data, len);
    }
    adv->count = params->count;
    adv->interval_ms = params->interval_ms;
    pn->len++;
    pn->stats.queued++;
    return 0;
}

static int hook_run_until(void *ctx, meshrpr_done_fn done, void *arg, uint64_t deadline_ms)
{
    struct meshrpr_posix_node *pn = ctx;

    return meshrpr_posix_host_run_until(pn->host, done, arg, deadline_ms);
}

static int hook_scan_active_set(void *ctx, bool active)
{
    struct meshrpr_posix_node *pn = ctx;

    if (pn->radio->ops->scan_active_set == NULL) {
        return -ENOTSUP;
    }
    return pn->radio->ops->scan_active_set(pn->radio->ctx, active);
}

/* ---- Host -------------------------------------------------------------------------------- */

void meshrpr_posix_host_init(struct meshrpr_posix_host *host)
{
    memset(host, 0, sizeof(*host));
    host->start_ms = clock_ms();
    host->log_file = stderr;
    host->log_level = MESHRPR_LOG_LEVEL_WRN;
}

void meshrpr_posix_host_set_log(struct meshrpr_posix_host *host, enum meshrpr_log_level level,
                                FILE *file)
{
    host->log_level = level;
    host->log_file = file != NULL ? file : stderr;
}

static struct meshrpr_posix_node *node_find(const struct meshrpr_posix_host *host,
                                            const struct meshrpr_node *node)
{
    for (size_t i = 0; i < MESHRPR_POSIX_HOST_MAX_NODES; i++) {
        if (host->nodes[i].used && host->nodes[i].node == node) {
            return (struct meshrpr_posix_node *)&host->nodes[i];
        }
    }
    return NULL;
}

int meshrpr_posix_host_node_add(struct meshrpr_posix_host *host, struct meshrpr_node *node,
                                struct meshrpr_posix_radio *radio, const char *name,
                                const struct meshrpr_platform **platform)
{
    if (host == NULL || node == NULL || radio == NULL || radio->ops == NULL || platform == NULL ||
        (radio->ops->adv_start == NULL) == (radio->ops->adv_tx == NULL)) {
        return -EINVAL;
    }
    if (radio->pnode != NULL || node_find(host, node) != NULL) {
        return -EBUSY;
    }
    struct meshrpr_posix_node *pn = NULL;
    for (size_t i = 0; i < MESHRPR_POSIX_HOST_MAX_NODES && pn == NULL; i++) {
        if (!host->nodes[i].used) {
            pn = &host->nodes[i];
        }
    }
    if (pn == NULL) {
        return -ENOMEM;
    }
    memset(pn, 0, sizeof(*pn));
    pn->used = true;
    pn->host = host;
    pn->node = node;
    pn->radio = radio;
    snprintf(pn->name, sizeof(pn->name), "%s", name != NULL ? name : "node");
    pn->platform = (struct meshrpr_platform){
        .ctx = pn,
        .now_ms = hook_now_ms,
        .random = hook_random,
        .log = hook_log,
        .adv_send = hook_adv_send,
        .run_until = hook_run_until,
        .scan_active_set = hook_scan_active_set,
        .utc_time_ms = hook_utc_time_ms,
    };
    radio->pnode = pn;
    *platform = &pn->platform;
    return 0;
}

int meshrpr_posix_host_node_remove(struct meshrpr_posix_host *host, struct meshrpr_node *node)
{
    struct meshrpr_posix_node *pn = node_find(host, node);

    if (pn == NULL) {
        return -ENOENT;
    }
    pn->radio->pnode = NULL;
    pn->used = false;
    pn->node = NULL;
    return 0;
}

const struct meshrpr_posix_tx_stats *
meshrpr_posix_host_tx_stats(const struct meshrpr_posix_host *host, const struct meshrpr_node *node)
{
    const struct meshrpr_posix_node *pn = node_find(host, node);

    return pn != NULL ? &pn->stats : NULL;
}

bool meshrpr_posix_host_tx_idle(const struct meshrpr_posix_host *host,
                                const struct meshrpr_node *node)
{
    const struct meshrpr_posix_node *pn = node_find(host, node);

    return pn == NULL || pn->len == 0;
}

int meshrpr_posix_host_fd_add(struct meshrpr_posix_host *host, int fd, short events,
                              meshrpr_posix_fd_fn fn, void *ctx)
{
    if (host == NULL || fd < 0 || fn == NULL) {
        return -EINVAL;
    }
    size_t i = 0;
    while (i < host->fd_count && host->fds[i].fd != fd) {
        i++;
    }
    if (i == host->fd_count) {
        if (host->fd_count == MESHRPR_POSIX_HOST_MAX_FDS) {
            return -ENOMEM;
        }
        host->fd_count++;
    }
    host->fds[i].fd = fd;
    host->fds[i].events = events;
    host->fds[i].fn = fn;
    host->fds[i].ctx = ctx;
    return 0;
}

int meshrpr_posix_host_fd_remove(struct meshrpr_posix_host *host, int fd)
{
    for (size_t i = 0; i < host->fd_count; i++) {
        if (host->fds[i].fd == fd) {
            host->fds[i] = host->fds[host->fd_count - 1];
            host->fd_count--;
            return 0;
        }
    }
    return -ENOENT;
}

void meshrpr_posix_host_stop(struct meshrpr_posix_host *host)
{
    host->stop = 1;
}

/* ---- Transmit queue ---------------------------------------------------------------------- */

/* The PDU at the head is finished: count it and free its slot. */
static void tx_complete(struct meshrpr_posix_node *pn, int err)
{
    if (!pn->busy) {
        return;
    }
    pn->busy = false;
    pn->copies_left = 0;
    if (err < 0) {
        pn->stats.failed++;
    } else {
        pn->stats.completed++;
    }
    pn->head = (pn->head + 1) % MESHRPR_POSIX_ADV_QUEUE_LEN;
    pn->len--;
}

static uint16_t adv_delay_ms(void)
{
    uint8_t r = 0;

    if (host_random(&r, 1) < 0) {
        return 0;
    }
    return (uint16_t)(r % (MESHRPR_POSIX_ADV_DELAY_MAX_MS + 1));
}

/* adv_tx backends: hand over one copy of the head PDU. */
static void tx_copy(struct meshrpr_posix_node *pn, uint64_t now)
{
    const struct meshrpr_posix_adv *adv = &pn->queue[pn->head];

    int err = pn->radio->ops->adv_tx(pn->radio->ctx, adv->ad_type, adv->data, adv->len);
    if (err < 0) {
        pn->stats.failed++;
    } else {
        pn->stats.tx++;
    }
    pn->copies_left--;
    if (pn->copies_left == 0) {
        tx_complete(pn, 0);
    } else {
        pn->next_copy_ms = now + adv->interval_ms + adv_delay_ms();
    }
}

/* Start the head PDU when nothing is on air. An adv_start backend that refuses it drops it and
 * the next is tried, so one bad PDU cannot wedge the queue. */
static void tx_kick(struct meshrpr_posix_node *pn, uint64_t now)
{
    while (!pn->busy && pn->len > 0) {
        const struct meshrpr_posix_adv *adv = &pn->queue[pn->head];
        pn->busy = true;
        if (pn->radio->ops->adv_tx != NULL) {
            pn->copies_left = adv->count;
            pn->next_copy_ms = now;
            return;
        }
        int err = pn->radio->ops->adv_start(pn->radio->ctx, adv);
        if (err < 0) {
            tx_complete(pn, err);
        }
    }
}

/* ---- For backends ------------------------------------------------------------------------ */

struct meshrpr_posix_host *meshrpr_posix_radio_host(const struct meshrpr_posix_radio *radio)
{
    return radio->pnode != NULL ? radio->pnode->host : NULL;
}

void meshrpr_posix_radio_adv_done(struct meshrpr_posix_radio *radio, int err)
{
    if (radio->pnode != NULL) {
        tx_complete(radio->pnode, err);
    }
}

void meshrpr_posix_radio_report(struct meshrpr_posix_radio *radio,
                                const struct meshrpr_adv_report *report)
{
    if (radio->pnode != NULL && report != NULL) {
        radio->pnode->stats.rx_reports++;
        meshrpr_node_scan_recv(radio->pnode->node, report);
    }
}

void meshrpr_posix_radio_adv_recv(struct meshrpr_posix_radio *radio, uint8_t ad_type,
                                  const uint8_t *data, size_t len, int8_t rssi)
{
    if (radio->pnode != NULL) {
        radio->pnode->stats.rx_reports++;
        meshrpr_node_adv_recv(radio->pnode->node, ad_type, data, len, rssi);
    }
}

void meshrpr_posix_radio_log(struct meshrpr_posix_radio *radio, enum meshrpr_log_level level,
                             const char *module, const char *fmt, ...)
{
    if (radio->pnode == NULL) {
        return;
    }
    const struct meshrpr_posix_host *host = radio->pnode->host;
    if (level == MESHRPR_LOG_LEVEL_NONE || level > host->log_level) {
        return;
    }
    char text[256];
    va_list args;
    va_start(args, fmt);
    vsnprintf(text, sizeof(text), fmt, args);
    va_end(args);
    host_log(host, radio->pnode->name, level, module != NULL ? module : "radio", text);
}

/* ---- The loop ---------------------------------------------------------------------------- */

static uint64_t min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

/* Everything due at @p now; returns the earliest future deadline. */
static uint64_t run_due(struct meshrpr_posix_host *host, uint64_t now)
{
    uint64_t next = UINT64_MAX;

    for (size_t i = 0; i < MESHRPR_POSIX_HOST_MAX_NODES; i++) {
        struct meshrpr_posix_node *pn = &host->nodes[i];
        if (!pn->used) {
            continue;
        }
        const struct meshrpr_posix_radio_ops *ops = pn->radio->ops;
        if (ops->next_deadline_ms != NULL && ops->process != NULL &&
            ops->next_deadline_ms(pn->radio->ctx) <= now) {
            ops->process(pn->radio->ctx);
        }
        if (meshrpr_node_next_deadline_ms(pn->node) <= now) {
            meshrpr_node_process(pn->node);
        }
        tx_kick(pn, now);
        if (pn->used && pn->busy && pn->copies_left > 0 && pn->next_copy_ms <= now) {
            tx_copy(pn, now);
            tx_kick(pn, now);
        }
    }
    for (size_t i = 0; i < MESHRPR_POSIX_HOST_MAX_NODES; i++) {
        struct meshrpr_posix_node *pn = &host->nodes[i];
        if (!pn->used) {
            continue;
        }
        const struct meshrpr_posix_radio_ops *ops = pn->radio->ops;
        if (ops->next_deadline_ms != NULL) {
            next = min_u64(next, ops->next_deadline_ms(pn->radio->ctx));
        }
        next = min_u64(next, meshrpr_node_next_deadline_ms(pn->node));
        if (pn->busy && pn->copies_left > 0) {
            next = min_u64(next, pn->next_copy_ms);
        } else if (!pn->busy && pn->len > 0) {
            next = now; /* a PDU queued by a callback above: start it at once */
        }
    }
    return next;
}

int meshrpr_posix_host_run_until(struct meshrpr_posix_host *host, meshrpr_done_fn done, void *arg,
                                 uint64_t deadline_ms)
{
    if (host == NULL) {
        return -EINVAL;
    }
    if (host->in_loop) {
        return -EDEADLK;
    }
    host->in_loop = true;
    int ret;
    for (;;) {
        if (done != NULL && done(arg)) {
            ret = 0;
            break;
        }
        if (host->stop) {
            host->stop = 0;
            ret = -EINTR;
            break;
        }
        uint64_t now = clock_ms();
        uint64_t next = run_due(host, now);
        if (done != NULL && done(arg)) {
            ret = 0;
            break;
        }
        if (now >= deadline_ms) {
            ret = -ETIMEDOUT;
            break;
        }
        next = min_u64(next, deadline_ms);
        now = clock_ms();
        int timeout = 0;
        if (next > now) {
            timeout = next - now > INT_MAX ? INT_MAX : (int)(next - now);
        }

        struct pollfd pfd[MESHRPR_POSIX_HOST_MAX_FDS];
        size_t n = host->fd_count;
        for (size_t i = 0; i < n; i++) {
            pfd[i].fd = host->fds[i].fd;
            pfd[i].events = host->fds[i].events;
            pfd[i].revents = 0;
        }
        int r = poll(pfd, n, timeout);
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            ret = -errno;
            break;
        }
        for (size_t i = 0; i < n && r > 0; i++) {
            if (pfd[i].revents == 0) {
                continue;
            }
            /* A callback may have removed or replaced this fd's registration. */
            for (size_t k = 0; k < host->fd_count; k++) {
                if (host->fds[k].fd == pfd[i].fd) {
                    host->fds[k].fn(host->fds[k].ctx, pfd[i].fd, pfd[i].revents);
                    break;
                }
            }
        }
    }
    host->in_loop = false;
    return ret;
}

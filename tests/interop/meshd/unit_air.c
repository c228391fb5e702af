/* SPDX-License-Identifier: Apache-2.0 */
/* The unit-socket radio backend of the meshd interop tests (see unit_air.h). */
#include "unit_air.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* meshd reads at most 30 octets (mesh/mesh-io-unit.c): AD type plus 29 octets of data. */
#define UNIT_AIR_DGRAM_MAX 30

static void trace(struct unit_air *air, const char *who, const char *dir, const uint8_t *p,
                  size_t n)
{
    if (air->trace == NULL) {
        return;
    }
    uint64_t t = meshrpr_posix_host_now_ms(air->host) - air->t0_ms;
    fprintf(air->trace, "[%4u.%03u %s] %s ", (unsigned)(t / 1000), (unsigned)(t % 1000), who, dir);
    for (size_t i = 0; i < n; i++) {
        fprintf(air->trace, "%02x", p[i]);
    }
    fputc('\n', air->trace);
}

/* One copy of a PDU, now: to meshd and to every other radio of the air. The host calls this
 * from its loop, never from inside a node, so delivering to the other nodes at once is safe. */
static int radio_adv_tx(void *ctx, uint8_t ad_type, const uint8_t *data, size_t len)
{
    struct unit_air_radio *r = ctx;
    struct unit_air *air = r->air;
    uint8_t dgram[UNIT_AIR_DGRAM_MAX];
    int err = 0;

    if (len + 1 > sizeof(dgram)) {
        return -EMSGSIZE;
    }
    if (r->hears_meshd) {
        dgram[0] = ad_type;
        memcpy(dgram + 1, data, len);
        trace(air, r->name, "->meshd", dgram, len + 1);
        /* No socket at meshd's path (not started yet, or gone) is radio silence. */
        if (sendto(air->fd, dgram, len + 1, 0, (const struct sockaddr *)&air->meshd_addr,
                   sizeof(air->meshd_addr)) < 0) {
            err = -errno;
        } else {
            air->to_meshd++;
        }
    }
    for (size_t i = 0; i < air->radio_count; i++) {
        struct unit_air_radio *other = &air->radios[i];
        if (other != r) {
            meshrpr_posix_radio_adv_recv(&other->radio, ad_type, data, len, -40);
        }
    }
    return err == -ENOENT || err == -ECONNREFUSED ? 0 : err;
}

static void on_readable(void *ctx, int fd, short revents)
{
    struct unit_air *air = ctx;
    uint8_t dgram[64];

    (void)revents;
    for (;;) {
        ssize_t n = recv(fd, dgram, sizeof(dgram), MSG_DONTWAIT);
        if (n <= 0) {
            return;
        }
        air->from_meshd++;
        trace(air, "air", "<-meshd", dgram, (size_t)n);
        if (n < 2 || (size_t)n > UNIT_AIR_DGRAM_MAX) {
            continue;
        }
        for (size_t i = 0; i < air->radio_count; i++) {
            struct unit_air_radio *r = &air->radios[i];
            if (r->hears_meshd) {
                /* meshd reports RSSI -20 for everything it hears; mirror that. */
                meshrpr_posix_radio_adv_recv(&r->radio, dgram[0], dgram + 1, (size_t)n - 1, -20);
            }
        }
    }
}

static const struct meshrpr_posix_radio_ops unit_air_ops = {
    .adv_tx = radio_adv_tx,
};

int unit_air_open(struct unit_air *air, struct meshrpr_posix_host *host, const char *peer_path,
                  const char *meshd_path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };

    memset(air, 0, sizeof(*air));
    air->host = host;
    air->fd = -1;
    air->t0_ms = meshrpr_posix_host_now_ms(host);
    if (strlen(peer_path) >= sizeof(addr.sun_path) ||
        strlen(meshd_path) >= sizeof(air->meshd_addr.sun_path)) {
        return -ENAMETOOLONG;
    }
    memcpy(addr.sun_path, peer_path, strlen(peer_path));
    air->meshd_addr.sun_family = AF_UNIX;
    memcpy(air->meshd_addr.sun_path, meshd_path, strlen(meshd_path));
    air->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (air->fd < 0) {
        return -errno;
    }
    unlink(peer_path);
    if (bind(air->fd, (const struct sockaddr *)&addr, sizeof(addr)) != 0) {
        int err = -errno;
        close(air->fd);
        air->fd = -1;
        return err;
    }
    return meshrpr_posix_host_fd_add(host, air->fd, POLLIN, on_readable, air);
}

void unit_air_close(struct unit_air *air, const char *peer_path)
{
    if (air->fd >= 0) {
        (void)meshrpr_posix_host_fd_remove(air->host, air->fd);
        close(air->fd);
        air->fd = -1;
    }
    if (peer_path != NULL) {
        unlink(peer_path);
    }
}

struct meshrpr_posix_radio *unit_air_radio(struct unit_air *air, const char *name, bool hears_meshd)
{
    if (air->radio_count == UNIT_AIR_RADIOS) {
        return NULL;
    }
    struct unit_air_radio *r = &air->radios[air->radio_count++];
    memset(r, 0, sizeof(*r));
    r->air = air;
    r->name = name;
    r->hears_meshd = hears_meshd;
    r->radio.ops = &unit_air_ops;
    r->radio.ctx = r;
    return &r->radio;
}

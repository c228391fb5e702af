/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A radio backend of the POSIX host (include/meshrpr/posix_host.h) whose air is
 * bluetooth-meshd's `--io unit:` datagram socket (test-only code).
 *
 * One datagram is one advertising PDU, `<AD type><AD data>` (the AD structure without its
 * length octet), at most 30 octets, in both directions (with meshd_shim.so in meshd, which
 * fixes meshd's own framing bugs). Radios opened with hears_meshd send each copy to meshd's
 * socket and receive what meshd sends; all radios of one air also hear each other, as nodes in
 * radio range do. The host's first-in first-out transmitter matters here: meshd takes any
 * transaction number other than the last one as new, so interleaved repeats would feed it stale
 * PDUs.
 */
#ifndef MESHRPR_INTEROP_UNIT_AIR_H
#define MESHRPR_INTEROP_UNIT_AIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/un.h>

#include <meshrpr/posix_host.h>

#define UNIT_AIR_RADIOS 4

struct unit_air;

struct unit_air_radio {
    struct meshrpr_posix_radio radio;
    struct unit_air *air;
    bool hears_meshd;
    const char *name;
};

struct unit_air {
    struct meshrpr_posix_host *host;
    int fd;
    struct sockaddr_un meshd_addr;
    struct unit_air_radio radios[UNIT_AIR_RADIOS];
    size_t radio_count;
    /* Hex log of every datagram (NULL: none). */
    FILE *trace;
    uint64_t t0_ms;
    unsigned long to_meshd;
    unsigned long from_meshd;
};

/** Bind our socket at peer_path (unlinked first), remember meshd's, and register the socket
 *  with the host. @return 0 or a negative errno. */
int unit_air_open(struct unit_air *air, struct meshrpr_posix_host *host, const char *peer_path,
                  const char *meshd_path);
/** Close the socket and unlink peer_path. */
void unit_air_close(struct unit_air *air, const char *peer_path);

/** A radio for one node (give it to meshrpr_posix_host_node_add()), or NULL when all
 *  UNIT_AIR_RADIOS are in use. */
struct meshrpr_posix_radio *unit_air_radio(struct unit_air *air, const char *name,
                                           bool hears_meshd);

#endif /* MESHRPR_INTEROP_UNIT_AIR_H */

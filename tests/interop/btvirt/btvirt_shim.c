/* SPDX-License-Identifier: Apache-2.0 */
/*
 * LD_PRELOAD stand-in for BlueZ's controller emulator btvirt (Debian bluez-test-tools 5.66),
 * test-only. Two things:
 *
 * 1. AF_ALG. Each emulated LE controller opens the kernel's crypto sockets when it is created
 *    (AES-ECB and CMAC-AES, for LE Encrypt and resolvable private addresses), and btvirt drops
 *    the connection when that fails, as it does on kernels without AF_ALG. Mesh advertising and
 *    scanning never use that crypto, so the stand-in answers the calls made on those sockets:
 *    socket(AF_ALG) gives one end of a socket pair, and bind, setsockopt(SOL_ALG) and accept on
 *    it succeed. An LE Encrypt sent to the emulator would get no answer; meshrpr sends none.
 *
 * 2. Paths. btvirt serves on fixed paths /tmp/bt-server-*; with BTVIRT_SHIM_DIR set, bind()
 *    and unlink() of those paths go to that directory instead, so every test has its own
 *    emulator in the build tree and parallel runs do not meet.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#ifndef AF_ALG
#define AF_ALG 38
#endif
#ifndef SOL_ALG
#define SOL_ALG 279
#endif

#define MAX_FDS       64
#define SERVER_PREFIX "/tmp/bt-server-"

/* The process is btvirt alone: one table of the descriptors standing in for AF_ALG sockets. */
static int alg_fds[MAX_FDS];
static int alg_count;

/* POSIX: dlsym results are converted to function pointers through the object pointer. */
#define REAL(fp, name) (*(void **)&(fp) = dlsym(RTLD_NEXT, name))

static void alg_add(int fd)
{
    if (alg_count < MAX_FDS) {
        alg_fds[alg_count++] = fd;
    }
}

static int alg_is(int fd)
{
    for (int i = 0; i < alg_count; i++) {
        if (alg_fds[i] == fd) {
            return 1;
        }
    }
    return 0;
}

static void alg_del(int fd)
{
    for (int i = 0; i < alg_count; i++) {
        if (alg_fds[i] == fd) {
            alg_fds[i] = alg_fds[--alg_count];
            return;
        }
    }
}

static int stand_in(void)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
        return -1;
    }
    /* The other end stays open so reads do not see EOF; one descriptor per socket is cheap. */
    alg_add(sv[0]);
    return sv[0];
}

int socket(int domain, int type, int protocol)
{
    int (*real)(int, int, int);
    REAL(real, "socket");
    if (domain == AF_ALG) {
        return stand_in();
    }
    return real(domain, type, protocol);
}

/* The path a btvirt server path stands for in BTVIRT_SHIM_DIR, or NULL. */
static const char *moved(const char *path, char *buf, size_t size)
{
    const char *dir = getenv("BTVIRT_SHIM_DIR");
    if (dir == NULL || strncmp(path, SERVER_PREFIX, strlen(SERVER_PREFIX)) != 0) {
        return NULL;
    }
    int n = snprintf(buf, size, "%s/%s", dir, path + strlen("/tmp/"));
    return n > 0 && (size_t)n < size ? buf : NULL;
}

/* glibc declares bind() and accept() with transparent unions under _GNU_SOURCE; keep their
 * prototypes. */
int bind(int fd, __CONST_SOCKADDR_ARG addr_arg, socklen_t len)
{
    const struct sockaddr *addr = addr_arg.__sockaddr__;
    int (*real)(int, __CONST_SOCKADDR_ARG, socklen_t);
    REAL(real, "bind");
    if (alg_is(fd)) {
        return 0;
    }
    if (addr != NULL && addr->sa_family == AF_UNIX) {
        const struct sockaddr_un *un = (const struct sockaddr_un *)addr;
        char buf[sizeof(un->sun_path)];
        const char *p = moved(un->sun_path, buf, sizeof(buf));
        if (p != NULL) {
            struct sockaddr_un copy;
            memset(&copy, 0, sizeof(copy));
            copy.sun_family = AF_UNIX;
            memcpy(copy.sun_path, p, strlen(p));
            __CONST_SOCKADDR_ARG arg = { .__sockaddr_un__ = &copy };
            return real(fd, arg, sizeof(copy));
        }
    }
    return real(fd, addr_arg, len);
}

int unlink(const char *path)
{
    int (*real)(const char *);
    REAL(real, "unlink");
    char buf[108];
    const char *p = moved(path, buf, sizeof(buf));
    return real(p != NULL ? p : path);
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
    int (*real)(int, int, int, const void *, socklen_t);
    REAL(real, "setsockopt");
    if (level == SOL_ALG || alg_is(fd)) {
        return 0;
    }
    return real(fd, level, name, val, len);
}

int accept(int fd, __SOCKADDR_ARG addr, socklen_t *len)
{
    int (*real)(int, __SOCKADDR_ARG, socklen_t *);
    REAL(real, "accept");
    if (alg_is(fd)) {
        return stand_in();
    }
    return real(fd, addr, len);
}

int close(int fd)
{
    int (*real)(int);
    REAL(real, "close");
    alg_del(fd);
    return real(fd);
}

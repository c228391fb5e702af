/* SPDX-License-Identifier: Apache-2.0 */
/*
 * File locks of the tool (see lock.h): flock(LOCK_EX | LOCK_NB) in a loop, with a short sleep,
 * until the lock is ours on the inode the path names now, or the wait is over.
 */
#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/* Pause between two tries. */
#define LOCK_RETRY_MS 5

static uint64_t mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int tool_lock(const char *path, unsigned wait_s, char *err, size_t err_size)
{
    uint64_t deadline = mono_ms() + (uint64_t)wait_s * 1000u;
    bool told = false;

    for (;;) {
        struct stat held, named;
        int e;
        /* O_RDONLY is enough for flock; the file is replaced, never written in place. */
        int fd = open(path, O_RDONLY | O_CLOEXEC);

        if (fd < 0) {
            e = errno;
            tool_msg(err, err_size, "cannot open %s: %s", path,
                     e == ENOENT ? "no such file" : strerror(e));
            return -e;
        }
        if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
            if (fstat(fd, &held) == 0 && stat(path, &named) == 0 && held.st_ino == named.st_ino &&
                held.st_dev == named.st_dev) {
                return fd;
            }
            /* The holder before us saved a new file under the path: lock that one. */
            close(fd);
            continue;
        }
        e = errno;
        close(fd);
        if (e != EWOULDBLOCK && e != EINTR) {
            tool_msg(err, err_size, "cannot lock %s: %s", path, strerror(e));
            return -e;
        }
        if (mono_ms() >= deadline) {
            tool_msg(err, err_size,
                     "%s is in use by another meshrpr (a command or a shell on the same world)%s",
                     path, wait_s > 0 ? ", still after the wait (--lock-wait)" : "");
            return -EWOULDBLOCK;
        }
        if (!told) {
            fprintf(stderr, "meshrpr: %s is in use by another meshrpr; waiting up to %u s\n", path,
                    wait_s);
            told = true;
        }
        {
            struct timespec pause = { 0, LOCK_RETRY_MS * 1000000L };
            nanosleep(&pause, NULL);
        }
    }
}

void tool_unlock(int fd)
{
    if (fd >= 0) {
        close(fd);
    }
}

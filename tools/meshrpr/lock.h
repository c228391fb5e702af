/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Exclusive locks on the tool's state files (a world file; any file the tool reads, changes
 * and saves back), so invocations on one file take turns instead of losing each other's
 * changes. The lock is flock(2) on the file itself: it lasts as long as the descriptor and
 * goes with the process, also on SIGKILL, so no stale lock survives a crash. Saves replace
 * the file (a new inode, see world_save()), so a waiter that gets the lock checks it still
 * holds the file the path names, and starts again when not.
 */
#ifndef MESHRPR_TOOL_LOCK_H
#define MESHRPR_TOOL_LOCK_H

#include <stddef.h>

/* Default wait for a lock another invocation holds, in seconds. */
#define TOOL_LOCK_WAIT_S 60u

/*
 * Lock the existing file path for this process, waiting up to wait_s seconds (0: not at all)
 * for another holder; says once on stderr that it waits. @return the descriptor holding the
 * lock (>= 0), or -ENOENT (no such file), -EWOULDBLOCK (still held after wait_s), another
 * negative errno; err says which in words.
 */
int tool_lock(const char *path, unsigned wait_s, char *err, size_t err_size);

/* Release a lock of tool_lock() (fd < 0: nothing). */
void tool_unlock(int fd);

#endif /* MESHRPR_TOOL_LOCK_H */

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A preload library for the tool tests (LD_PRELOAD): the process kills itself with SIGKILL
 * when it calls rename(), the instant a save has written and synced its temporary file but
 * not yet put it in place. It shows what a kill -9 in the middle of a save leaves behind,
 * every time rather than by the luck of a timer.
 */
#include <signal.h>
#include <stdio.h>

int rename(const char *oldpath, const char *newpath)
{
    (void)oldpath;
    (void)newpath;
    raise(SIGKILL);
    return -1;
}

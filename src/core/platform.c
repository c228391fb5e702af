/* SPDX-License-Identifier: Apache-2.0 */
/* Validation of a host's platform hooks (see include/meshrpr/platform.h). */
#include <meshrpr/platform.h>

#include <errno.h>

int meshrpr_platform_check(const struct meshrpr_platform *platform)
{
    if (platform == NULL || platform->now_ms == NULL || platform->random == NULL) {
        return -EINVAL;
    }
    return 0;
}

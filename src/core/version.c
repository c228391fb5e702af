/* SPDX-License-Identifier: Apache-2.0 */
/* The version the library was built as (<meshrpr/version.h>, generated from the project). */
#include <meshrpr/version.h>

uint32_t meshrpr_version(void)
{
    return MESHRPR_VERSION;
}

const char *meshrpr_version_string(void)
{
    return MESHRPR_VERSION_STRING;
}

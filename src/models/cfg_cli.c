/* SPDX-License-Identifier: Apache-2.0 */
/* Placeholder while being written. */
#include <meshrpr/access.h>

typedef int meshrpr_placeholder_cfg_cli;

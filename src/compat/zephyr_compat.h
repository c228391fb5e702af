/* SPDX-License-Identifier: Apache-2.0 */
/* Inside the meshrpr_compat library: the host registered with meshrpr_compat_init(). */
#ifndef MESHRPR_COMPAT_ZEPHYR_COMPAT_H
#define MESHRPR_COMPAT_ZEPHYR_COMPAT_H

#include <meshrpr/main.h>

/* The registered host, or NULL before meshrpr_compat_init(). */
const struct meshrpr_compat_host *meshrpr_compat_host_get(void);

/* The host's node database, or NULL. */
struct meshrpr_cdb *meshrpr_compat_cdb_get(void);

/* Whether the host's database is valid (Zephyr's BT_MESH_CDB_VALID): it holds a NetKey. */
bool meshrpr_compat_cdb_valid(void);

/* Store the host's database through its cdb_store hook (nothing without one). */
int meshrpr_compat_cdb_store(void);

#endif /* MESHRPR_COMPAT_ZEPHYR_COMPAT_H */

/* SPDX-License-Identifier: Apache-2.0 */
/* PB-ADV bearer and Unprovisioned Device beacon state of a node (not API). Owned by
 * src/prov/pb_adv.c and src/prov/unprov_beacon.c. */
#ifndef MESHRPR_PRIVATE_PB_ADV_H
#define MESHRPR_PRIVATE_PB_ADV_H

#include <stdbool.h>
#include <stdint.h>

#include <meshrpr/config.h>
#include <meshrpr/timer.h>

struct meshrpr_pb_adv_state {
    int placeholder; /* replaced by the PB-ADV implementation */
};

#endif /* MESHRPR_PRIVATE_PB_ADV_H */

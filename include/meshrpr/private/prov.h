/* SPDX-License-Identifier: Apache-2.0 */
/* Provisioning Protocol state of a node (not API): sessions and the device role's settings.
 * Owned by src/prov/ (prov.c, provisioner.c, provisionee.c). */
#ifndef MESHRPR_PRIVATE_PROV_H
#define MESHRPR_PRIVATE_PROV_H

#include <stdbool.h>
#include <stdint.h>

#include <meshrpr/config.h>
#include <meshrpr/timer.h>

struct meshrpr_prov_state {
    int placeholder; /* replaced by the provisioning implementation */
};

#endif /* MESHRPR_PRIVATE_PROV_H */

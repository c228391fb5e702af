/* SPDX-License-Identifier: Apache-2.0 */
/* The provisioning bearer interface lives with the node's private types, since the PB-ADV
 * and PB-Remote link structs are embedded in the node. */
#ifndef MESHRPR_PROV_BEARER_H
#define MESHRPR_PROV_BEARER_H

#include <meshrpr/private/prov_bearer.h>

#endif /* MESHRPR_PROV_BEARER_H */

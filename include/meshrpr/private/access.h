/* SPDX-License-Identifier: Apache-2.0 */
/* Access layer state of a node (not API). Owned by src/access/access.c. */
#ifndef MESHRPR_PRIVATE_ACCESS_H
#define MESHRPR_PRIVATE_ACCESS_H

#include <stdbool.h>
#include <stdint.h>

#include <meshrpr/config.h>

/* Runtime state of one model instance: AppKey bindings and subscriptions. */
struct meshrpr_model_state {
    uint16_t keys[MESHRPR_MODEL_KEY_COUNT];     /* BT_MESH_KEY_UNUSED when free */
    uint16_t groups[MESHRPR_MODEL_GROUP_COUNT]; /* BT_MESH_ADDR_UNASSIGNED when free */
};

struct meshrpr_access {
    struct meshrpr_model_state models[MESHRPR_MODEL_COUNT];
    uint8_t model_count;
    uint8_t elem_count;
};

#endif /* MESHRPR_PRIVATE_ACCESS_H */

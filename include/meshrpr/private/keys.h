/* SPDX-License-Identifier: Apache-2.0 */
/* Key tables of a node (not API: complete types so callers can allocate nodes). Owned by
 * src/net/keys.c. */
#ifndef MESHRPR_PRIVATE_KEYS_H
#define MESHRPR_PRIVATE_KEYS_H

#include <stdbool.h>
#include <stdint.h>

#include <meshrpr/config.h>

/* Network credentials derived from a NetKey with k2 (MshPRTv1.1 §3.9.6.3). */
struct meshrpr_net_cred {
    uint8_t nid;
    uint8_t encryption_key[16];
    uint8_t privacy_key[16];
};

struct meshrpr_subnet {
    bool valid;
    uint16_t net_idx;
    uint8_t net_key[16];
    struct meshrpr_net_cred cred; /* managed flooding */
    uint8_t network_id[8];
    uint8_t beacon_key[16];
    uint8_t private_beacon_key[16];
    uint8_t identity_key[16];
};

struct meshrpr_app_key {
    bool valid;
    uint16_t app_idx;
    uint16_t net_idx; /* the NetKey it is bound to */
    uint8_t key[16];
    uint8_t aid; /* k4(AppKey) */
};

struct meshrpr_label {
    bool valid;
    uint16_t addr; /* the virtual address of the Label UUID */
    uint8_t uuid[16];
};

struct meshrpr_keys {
    struct meshrpr_subnet subnets[MESHRPR_SUBNET_COUNT];
    struct meshrpr_app_key app_keys[MESHRPR_APP_KEY_COUNT];
    struct meshrpr_label labels[MESHRPR_LABEL_COUNT];
};

#endif /* MESHRPR_PRIVATE_KEYS_H */

/* SPDX-License-Identifier: Apache-2.0 */
/* Test-only seams into provisioning sessions (prov_test_hooks.h): they set the session's
 * injection flags, which prov.c honours when it would make a key pair or a Random. */
#include <errno.h>
#include <string.h>

#include "crypto/crypto.h"
#include "node/node_internal.h"
#include "prov_test_hooks.h"

int meshrpr_prov_test_inject(struct meshrpr_prov_session *s, const uint8_t priv_key[32],
                             const uint8_t *random, size_t random_len)
{
    if (s == NULL || s->link == NULL) {
        return -EINVAL;
    }
    if (random != NULL && random_len != 16 && random_len != 32) {
        return -EINVAL;
    }
    if (priv_key != NULL) {
        uint8_t pub[64];

        if (s->flags & (MESHRPR_PROV_F_HAVE_KEY | MESHRPR_PROV_F_HAVE_DHKEY)) {
            return -EALREADY;
        }
        /* The same validation as any key: a scalar in 1..n-1. */
        if (meshrpr_crypto_p256_public_key(priv_key, pub) != 0) {
            return -EINVAL;
        }
        memcpy(s->priv_key, priv_key, 32);
        memcpy(meshrpr_prov_own_pub_key(s), pub, 64);
        s->flags |= MESHRPR_PROV_F_INJECT_KEY;
    }
    if (random != NULL) {
        if (s->flags & MESHRPR_PROV_F_INJECT_RAND) {
            return -EALREADY;
        }
        memcpy(s->rand, random, random_len);
        s->flags |= MESHRPR_PROV_F_INJECT_RAND;
    }
    return 0;
}

void meshrpr_prov_test_iv_index_once(struct meshrpr_node *node, uint32_t iv_index)
{
    node->prov.test_iv_index_set = true;
    node->prov.test_iv_index = iv_index;
}

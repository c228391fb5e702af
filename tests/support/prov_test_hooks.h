/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test-only seams into provisioning sessions. They live in the test support library, never in
 * libmeshrpr: a product cannot call them, because a fixed key or Random defeats provisioning
 * security (MshPRTv1.1 §5.4.2.3; CVE-2020-26559).
 */
#ifndef MESHRPR_PROV_TEST_HOOKS_H
#define MESHRPR_PROV_TEST_HOOKS_H

#include <stddef.h>
#include <stdint.h>

#include "prov/prov.h"

/*
 * TEST ONLY: make a session use the given private key and/or Random instead of fresh ones, to
 * reproduce the specification's sample exchanges (MshPRTv1.1 §8.17). Either may be NULL. Call
 * right after starting the session, before its key or Random is used. The private key is
 * validated as any other (a scalar in 1..n-1); every check on the peer still runs. Never call
 * it in a product: a fixed key or Random defeats provisioning security.
 * @return 0, -EINVAL (invalid key, random_len not 16 or 32), -EALREADY (too late).
 */
int meshrpr_prov_test_inject(struct meshrpr_prov_session *session, const uint8_t priv_key[32],
                             const uint8_t *random, size_t random_len);

/*
 * TEST ONLY: the next Provisioning Data a provisioner session of this node builds carries
 * iv_index instead of the node's IV Index (once), so that tests can check that a node being
 * refreshed through NPPI refuses data that is not its current IV Index (MshPRTv1.1 §5.4.2.5).
 * Never call it in a product.
 */
void meshrpr_prov_test_iv_index_once(struct meshrpr_node *node, uint32_t iv_index);

#endif /* MESHRPR_PROV_TEST_HOOKS_H */

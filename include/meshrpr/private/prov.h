/* SPDX-License-Identifier: Apache-2.0 */
/* Provisioning Protocol state of a node (not API): one session per provisioning link, several
 * for a provisioner and one for the device role, plus the node's provisioning settings. Owned by
 * src/prov/ (prov.c, provisioner.c, provisionee.c). Complete types so callers can allocate
 * nodes; treat every field as private. */
#ifndef MESHRPR_PRIVATE_PROV_H
#define MESHRPR_PRIVATE_PROV_H

#include <stdbool.h>
#include <stdint.h>

#include <meshrpr/config.h>
#include <meshrpr/prov.h>
#include <meshrpr/timer.h>

/** Concurrent provisioner sessions of one node (the device role has one more of its own).
 *  MshPRTv1.1 §5.2.1 lets a provisioner run several links at once. */
#ifndef MESHRPR_PROV_SESSION_COUNT
#define MESHRPR_PROV_SESSION_COUNT 4
#endif
MESHRPR_STATIC_ASSERT(MESHRPR_PROV_SESSION_COUNT >= 1 && MESHRPR_PROV_SESSION_COUNT <= 64,
                      "provisioner session count");

/* Longest Provisioning PDU this implementation sends: Public Key, 1 + 64 octets. */
#define MESHRPR_PROV_TX_PDU_MAX 65
/* PDUs a session may have waiting behind the one in flight (Start then Public Key; Public Key
 * then Input Complete; a Failed behind anything). */
#define MESHRPR_PROV_TX_QUEUE 3

struct meshrpr_node;
struct meshrpr_prov_link;
struct meshrpr_prov_session;
struct meshrpr_prov_hooks;

/* An authentication choice of a provisioner (bt_mesh_auth_method_set_*). */
struct meshrpr_prov_auth_choice {
    uint8_t method; /* Start PDU Authentication Method: 0 none, 1 static, 2 output, 3 input */
    uint8_t action; /* action as a bit mask (bt_mesh_output_action_t / _input_action_t) */
    uint8_t size;
    uint8_t static_len;
    uint8_t static_val[MESHRPR_PROV_STATIC_OOB_MAX];
};

struct meshrpr_prov_tx_pdu {
    uint8_t len;
    uint8_t data[MESHRPR_PROV_TX_PDU_MAX];
};

struct meshrpr_prov_session {
    struct meshrpr_node *node;
    struct meshrpr_prov_link *link; /* NULL while the slot is free */
    const struct meshrpr_prov_hooks *hooks;
    void *hooks_ctx;
    struct meshrpr_timer timer; /* protocol timer, §5.4.4 */

    uint8_t role;  /* enum meshrpr_prov_role (src/prov/prov.h) */
    uint8_t state; /* role-specific state */
    uint16_t flags;
    uint8_t bearer; /* bt_mesh_prov_bearer_t of the link */
    uint8_t closing_status;
    uint8_t closing_err;

    /* Negotiated in the Start PDU. */
    uint8_t alg;
    uint8_t oob_pub_key;
    uint8_t auth_method;
    uint8_t auth_action; /* action number as in the Start PDU */
    uint8_t auth_size;
    uint8_t value_len; /* 16 (CMAC) or 32 (HMAC): Confirmation, Random, AuthValue */
    uint8_t auth_len;  /* expected entry length for Input/Output OOB */

    /* Invite || Capabilities || Start || PublicKeyProvisioner || PublicKeyDevice. */
    uint8_t conf_inputs[145];
    uint8_t priv_key[32];
    uint8_t dhkey[32];
    uint8_t auth[32];
    uint8_t conf_salt[32];
    uint8_t conf_key[32];
    uint8_t rand[32];
    uint8_t conf[32];
    uint8_t peer_conf[32];
    uint8_t dev_key[16];
    uint8_t session_key[16];
    uint8_t session_nonce[13];

    /* Provisioner: the device and what it gets. */
    uint8_t uuid[16];
    uint16_t net_idx;
    uint16_t addr;
    uint8_t attention_s;
    uint8_t elem_count;
    struct meshrpr_prov_auth_choice choice;

    /* Transmit queue: entry 0 is in flight while tx_busy. */
    struct meshrpr_prov_tx_pdu txq[MESHRPR_PROV_TX_QUEUE];
    uint8_t txq_count;
    bool tx_busy;
};

struct meshrpr_prov_state {
    struct meshrpr_prov_session sessions[MESHRPR_PROV_SESSION_COUNT];
    /* The provisioner sessions in use: the built-in table, or the application's
     * (struct meshrpr_node_capacity); NULL before meshrpr_prov_init(). */
    struct meshrpr_prov_session *session_tab;
    uint16_t session_count;
    struct meshrpr_prov_session device;
    /* The session whose bt_mesh_prov callback is running, so the explicit API called from it
     * acts on that session. */
    struct meshrpr_prov_session *cb_session;
    /* Provisioner defaults for sessions that do not choose in their capabilities callback. */
    struct meshrpr_prov_auth_choice auth_default;
    uint8_t pending_pub_key[64];
    bool pending_pub_key_set;
    /* Device role: bearers enabled with meshrpr_prov_enable(). */
    uint8_t enabled;
    bool have_result;
    struct meshrpr_prov_result last_result;
    /* Test only (meshrpr_prov_test_iv_index_once(), tests/support/): the IV Index the next
     * Provisioning Data carries instead of the node's. */
    bool test_iv_index_set;
    uint32_t test_iv_index;
};

#endif /* MESHRPR_PRIVATE_PROV_H */

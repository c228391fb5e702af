/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Provisioning Protocol (MshPRTv1.1 §5.4) inside the library: how bearers start sessions
 * on their links, the hooks Remote Provisioning and NPPI use to change what a session does with
 * its result, and the session services the provisioner (provisioner.c) and device
 * (provisionee.c) state machines share (prov.c).
 *
 * A bearer (PB-ADV, PB-Remote, the Remote Provisioning Server's local NPPI path) creates a
 * link, starts a session on it with meshrpr_prov_provisioner_start() or
 * meshrpr_prov_device_start(), which set link->cb and link->session, and from then on reports
 * through link->cb. The session sends through link->ops, one PDU in flight at a time, and
 * closes the link through ops->close when provisioning ends; the session's slot is released
 * when the bearer reports link_closed.
 */
#ifndef MESHRPR_PROV_PROV_H
#define MESHRPR_PROV_PROV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <meshrpr/node.h>
#include <meshrpr/prov.h>

#include "prov/prov_bearer.h"
#include "prov/prov_pdu.h"

/* Protocol timer (§5.4.4): restarted by every PDU sent or received. */
#define MESHRPR_PROV_TIMEOUT_MS     60000
#define MESHRPR_PROV_TIMEOUT_OOB_MS 120000 /* with Input or Output OOB */

enum meshrpr_prov_role {
    MESHRPR_PROV_ROLE_NONE = 0,
    MESHRPR_PROV_ROLE_PROVISIONER,
    MESHRPR_PROV_ROLE_DEVICE,
};

/* The 25-octet Provisioning Data (§5.4.2.5, Table 5.47), decoded. */
struct meshrpr_prov_data {
    uint8_t net_key[16];
    uint16_t net_idx;
    uint8_t flags;
    uint32_t iv_index;
    uint16_t addr;
};

/*
 * What a session does with its result, for users other than plain provisioning: the Remote
 * Provisioning Client (PB-Remote), NPPI on both sides. Every hook is optional; a NULL hook (or
 * no hooks at all) keeps the default written next to it.
 */
struct meshrpr_prov_hooks {
    /* Provisioner: pick the primary address once Capabilities gives the element count.
     * Default: the requested address, or the lowest free range of the node database, checked
     * against the database, this node's own addresses and the other sessions in progress.
     * @return 0 with *addr set, or a negative errno (the link is then closed, status
     *         LOCAL_ERROR with Out of Resources). */
    int (*addr_assign)(struct meshrpr_prov_session *session, uint8_t elem_count, uint16_t *addr);
    /* Provisioner: the device sent Provisioning Complete. Default: add the node (UUID, address,
     * element count, NetKey index, device key) to the node database and call node_added. */
    void (*node_provisioned)(struct meshrpr_prov_session *session, const uint8_t dev_key[16]);
    /* Provisioner: the Provisioning Data is about to be sent (write-ahead). Default: the node
     * enters the database as MESHRPR_CDB_PENDING_PROVISION with its address and device key
     * (replacing a pending entry of an earlier attempt) and the database is stored.
     * @return 0, or a negative errno: the data is not sent and the session fails. */
    int (*data_sending)(struct meshrpr_prov_session *session, const uint8_t dev_key[16]);
    /* Device: the Number of Elements its Capabilities report. Default: the node's. NPPI's Node
     * Composition Refresh reports page 128's, the composition the node will have, so that the
     * provisioner assigns and records the right range (§3.11.8, §5.4.1.2). */
    uint8_t (*elem_count)(const struct meshrpr_prov_session *session);
    /* Device: check the decrypted Provisioning Data (NPPI: current NetKey and IV Index, address
     * rules). Default: the primary address and every element address are unicast (§5.4.2.5).
     * @return 0 to accept, or the Provisioning Failed error code to send (Invalid Data, Cannot
     *         Assign Addresses...). */
    uint8_t (*data_check)(struct meshrpr_prov_session *session,
                          const struct meshrpr_prov_data *data);
    /* Device: make accepted data effective. Default: meshrpr_node_provision() and the complete
     * callback. @return 0, or a negative errno (Provisioning Failed, Unexpected Error, is sent
     * instead of Complete). */
    int (*data_apply)(struct meshrpr_prov_session *session, const struct meshrpr_prov_data *data,
                      const uint8_t dev_key[16]);
    /* Either role: the session ended (after the link closed) with this result; called after the
     * application's link_close callback. The session is already released. */
    void (*ended)(void *hooks_ctx, const struct meshrpr_prov_result *result);
};

/* What a provisioner session provisions. */
struct meshrpr_prov_provisioner_params {
    const uint8_t *uuid; /* the device's UUID (16 octets) */
    uint16_t net_idx;    /* NetKey of the provisioner node given to the device */
    uint16_t addr;       /* primary address, or 0 for automatic allocation */
    uint8_t attention_s; /* Invite's Attention Duration */
    const struct meshrpr_prov_hooks *hooks;
    void *hooks_ctx;
};

/* The default data_sending and the database part of the default node_provisioned, for hooks
 * that replace them: write the pending node / clear its pending mark, then store the database.
 * @return 0, -ENOMEM (no room), or the cdb_store hook's error. */
int meshrpr_provisioner_pending_write(struct meshrpr_prov_session *s, const uint8_t dev_key[16]);
int meshrpr_provisioner_pending_commit(struct meshrpr_prov_session *s, const uint8_t dev_key[16]);

/* ---- For bearers ------------------------------------------------------------------------ */

/*
 * Start a provisioner session on a link the bearer is opening (or has opened): the session
 * sends Invite when the bearer calls link->cb->link_opened, which it must do once the link is
 * open (or call link_closed if it never opens). The node must be provisioned and know net_idx.
 * @return 0, -EINVAL (bad arguments, unknown NetKey, unprovisioned node), -ENOTSUP (default
 *         allocation without a node database), -EEXIST (UUID in the database), -EBUSY (UUID
 *         being provisioned), -ENOMEM (all MESHRPR_PROV_SESSION_COUNT sessions in use).
 */
int meshrpr_prov_provisioner_start(struct meshrpr_node *node, struct meshrpr_prov_link *link,
                                   const uint8_t uuid[16], uint16_t net_idx, uint16_t addr,
                                   uint8_t attention_s);
int meshrpr_prov_provisioner_start_ext(struct meshrpr_node *node, struct meshrpr_prov_link *link,
                                       const struct meshrpr_prov_provisioner_params *params);

/*
 * Start the device session on a link a provisioner opened to this node. The link is taken as
 * open at once (a later link_opened is harmless); the session waits for Invite. Bearers call
 * this only when meshrpr_prov_device_can_start() allows it.
 * @return 0, -EINVAL (no bt_mesh_prov with a UUID), -EBUSY (the device session is in use),
 *         -EALREADY (the node is provisioned and no data_apply hook says what to do).
 */
int meshrpr_prov_device_start(struct meshrpr_node *node, struct meshrpr_prov_link *link);
/* The same with hooks, for NPPI (the node is then already provisioned). */
int meshrpr_prov_device_start_ext(struct meshrpr_node *node, struct meshrpr_prov_link *link,
                                  const struct meshrpr_prov_hooks *hooks, void *hooks_ctx);

/* The bearers the device role is enabled on (meshrpr_prov_enable(); bt_mesh_prov_bearer_t
 * bits). */
uint8_t meshrpr_prov_enabled_bearers(const struct meshrpr_node *node);

/*
 * Whether the node accepts a device link on this bearer now: the bearer is enabled with
 * meshrpr_prov_enable(), the node is unprovisioned (except for BT_MESH_PROV_REMOTE), and no
 * device session is running. PB-ADV asks this before answering a Link Open, and the
 * Unprovisioned Device beacon runs only while it holds for BT_MESH_PROV_ADV (§5.4.2.1: not
 * while being provisioned).
 */
bool meshrpr_prov_device_can_start(const struct meshrpr_node *node, uint8_t bearer);

/* The node's provisioning configuration (NULL when none was given). */
const struct bt_mesh_prov *meshrpr_prov_cfg(const struct meshrpr_node *node);

/* ---- Session accessors for hooks --------------------------------------------------------- */

/* meshrpr_prov_session_node(), _uuid(), _net_idx(), _addr(), _elem_count(): <meshrpr/prov.h>. */
void *meshrpr_prov_session_hooks_ctx(const struct meshrpr_prov_session *session);

/* The test-only seams that inject a fixed private key or Random, or a wrong IV Index, are not
 * part of the library: tests/support/prov_test_hooks.h. They act on the session flags below. */

/* ---- Shared by the state machines (prov.c) ------------------------------------------------ */

/* Session flags. */
#define MESHRPR_PROV_F_OPENED         0x0001 /* link open reported to the application */
#define MESHRPR_PROV_F_HAVE_KEY       0x0002 /* own key pair ready */
#define MESHRPR_PROV_F_INJECT_KEY     0x0004 /* test: private key injected */
#define MESHRPR_PROV_F_INJECT_RAND    0x0008 /* test: Random injected */
#define MESHRPR_PROV_F_HAVE_DHKEY     0x0010 /* ECDHSecret computed */
#define MESHRPR_PROV_F_AUTH_READY     0x0020 /* AuthValue known */
#define MESHRPR_PROV_F_WAIT_NUMBER    0x0040 /* waiting for meshrpr_prov_input_number() */
#define MESHRPR_PROV_F_WAIT_STRING    0x0080 /* waiting for meshrpr_prov_input_string() */
#define MESHRPR_PROV_F_INPUT_COMPLETE 0x0100 /* provisioner: Input Complete received */
#define MESHRPR_PROV_F_PUB_KEY_SENT   0x0200 /* device: own Public Key queued (or OOB) */
#define MESHRPR_PROV_F_NOTIFY_INPUT   0x0400 /* device: call input_complete on Confirmation */
#define MESHRPR_PROV_F_PEER_PUB_KEY   0x0800 /* provisioner: device key known out of band */
#define MESHRPR_PROV_F_CLOSING        0x1000 /* ops->close called; waiting for link_closed */
#define MESHRPR_PROV_F_DONE           0x2000 /* provisioning succeeded */
#define MESHRPR_PROV_F_FAILED         0x4000 /* device: Failed sent, waiting for link close */
#define MESHRPR_PROV_F_STATUS_SET     0x8000 /* closing_status / closing_err hold the outcome */

/* Offsets in ConfirmationInputs (§5.4.2.4.1). */
#define MESHRPR_PROV_CI_INVITE       0
#define MESHRPR_PROV_CI_CAPABILITIES 1
#define MESHRPR_PROV_CI_START        12
#define MESHRPR_PROV_CI_PUB_KEY_PROV 17
#define MESHRPR_PROV_CI_PUB_KEY_DEV  81

/* Queue a PDU for sending; restarts the protocol timer. @return 0, or a negative errno (the
 * session has then failed and is closing). */
int meshrpr_prov_send(struct meshrpr_prov_session *session, const struct meshrpr_prov_pdu *pdu);

/* Refuse the exchange with an error code: the device sends Provisioning Failed and waits for
 * the link to close; the provisioner closes the link with Fail (§5.4.4). */
void meshrpr_prov_refuse(struct meshrpr_prov_session *session, uint8_t error_code);
/* End with a status (first one wins) and close the link with reason. */
void meshrpr_prov_close(struct meshrpr_prov_session *session, enum meshrpr_prov_link_status reason,
                        enum meshrpr_prov_status status, uint8_t error_code);

/* Provisioning succeeded (Complete sent or received): the outcome is SUCCESS whatever happens
 * to the link afterwards, and later PDUs are ignored. */
void meshrpr_prov_succeeded(struct meshrpr_prov_session *session);

/* (Re)arm the protocol timer: 60 s, or 120 s with Input/Output OOB. */
void meshrpr_prov_timer_restart(struct meshrpr_prov_session *session);

/* Own public key in ConfirmationInputs, and the peer's. */
uint8_t *meshrpr_prov_own_pub_key(struct meshrpr_prov_session *session);
uint8_t *meshrpr_prov_peer_pub_key(struct meshrpr_prov_session *session);
/* Make the own key pair (fresh from the platform random, or injected) if not done yet. */
int meshrpr_prov_key_make(struct meshrpr_prov_session *session);
/* Set the own key pair from a fixed private key (device with an OOB public key). */
int meshrpr_prov_key_set(struct meshrpr_prov_session *session, const uint8_t priv[32],
                         const uint8_t pub[64]);
/* ECDHSecret from the own private key and the peer public key (which must differ from ours and
 * be a valid point, §5.4.2.3). The private key is wiped afterwards.
 * @return 0, or the Provisioning Failed error code (Invalid Format, Unexpected Error). */
uint8_t meshrpr_prov_dhkey(struct meshrpr_prov_session *session);
/* Negotiated algorithm: value length, AuthValue length. */
void meshrpr_prov_alg_set(struct meshrpr_prov_session *session, uint8_t alg);
/* ConfirmationSalt, ConfirmationKey, own Random and own Confirmation into session->conf.
 * @return 0, or a negative errno. */
int meshrpr_prov_confirm_make(struct meshrpr_prov_session *session);
/* Check the peer's Random: not ours, and it opens peer_conf (§5.4.2.4.2).
 * @return 0, or MESHRPR_PROV_ERR_CONFIRMATION_FAILED. */
uint8_t meshrpr_prov_confirm_check(struct meshrpr_prov_session *session, const uint8_t *peer_rand);
/* ProvisioningSalt from the two Randoms, then SessionKey, SessionNonce and DevKey
 * (session->dev_key). @return 0, or a negative errno. */
int meshrpr_prov_session_keys(struct meshrpr_prov_session *session, const uint8_t *rand_prov,
                              const uint8_t *rand_dev, uint8_t session_key[16],
                              uint8_t session_nonce[13]);

/* AuthValue of Static OOB (zero-padded or cut to the value length, §5.4.2.4). */
void meshrpr_prov_auth_static(struct meshrpr_prov_session *session, const uint8_t *val, size_t len);
/* Draw an Output/Input OOB value of auth_size digits or characters and set the AuthValue.
 * numeric: *num gets the number; else str (9 octets) gets the string. blink_like: the value
 * is counted out (Blink, Beep, Vibrate, Push, Twist), so it is in 1..10^size-1.
 * @return 0, or -EIO when the random source fails. */
int meshrpr_prov_auth_generate(struct meshrpr_prov_session *session, bool numeric, bool blink_like,
                               uint32_t *num, char str[9]);

/* Callback helpers: run a bt_mesh_prov callback with the session marked as the one in
 * callback, so the explicit API called from it acts on it. */
struct meshrpr_prov_session *meshrpr_prov_cb_enter(struct meshrpr_prov_session *session);
void meshrpr_prov_cb_exit(struct meshrpr_node *node, struct meshrpr_prov_session *previous);

/* The application's OOB callbacks for session s: the meshrpr *_ex variant with the session
 * when the application gave one, else Zephyr's; run as s's callback (cb_enter/exit). The
 * has_* tell whether either is set. */
bool meshrpr_prov_has_output_number(const struct bt_mesh_prov *prov);
bool meshrpr_prov_has_output_string(const struct bt_mesh_prov *prov);
bool meshrpr_prov_has_input(const struct bt_mesh_prov *prov);
int meshrpr_prov_cb_output_number(struct meshrpr_prov_session *s, const struct bt_mesh_prov *prov,
                                  bt_mesh_output_action_t act, uint32_t num);
int meshrpr_prov_cb_output_string(struct meshrpr_prov_session *s, const struct bt_mesh_prov *prov,
                                  const char *str);
int meshrpr_prov_cb_input(struct meshrpr_prov_session *s, const struct bt_mesh_prov *prov,
                          bt_mesh_input_action_t act, uint8_t size);
void meshrpr_prov_cb_input_complete(struct meshrpr_prov_session *s,
                                    const struct bt_mesh_prov *prov);

/* Role state machines. check: 0 when a PDU of this type is welcome now, else the error code
 * to refuse it with; recv: a welcome, well-formed PDU; link_opened: the link is open;
 * input_done: the user's OOB input is in the AuthValue. */
uint8_t meshrpr_provisioner_check(struct meshrpr_prov_session *session, uint8_t type);
void meshrpr_provisioner_recv(struct meshrpr_prov_session *session,
                              const struct meshrpr_prov_pdu *pdu);
void meshrpr_provisioner_link_opened(struct meshrpr_prov_session *session);
void meshrpr_provisioner_input_done(struct meshrpr_prov_session *session);
uint8_t meshrpr_provisionee_check(struct meshrpr_prov_session *session, uint8_t type);
void meshrpr_provisionee_recv(struct meshrpr_prov_session *session,
                              const struct meshrpr_prov_pdu *pdu);
void meshrpr_provisionee_input_done(struct meshrpr_prov_session *session);
/* Start (enable true) or stop the device side of PB-ADV and the Unprovisioned Device beacon.
 * @return 0, or the bearer's or beacon's error. */
int meshrpr_provisionee_adv_enable(struct meshrpr_node *node, bool enable);
/* Whether a provisioner session is in its capabilities callback, choosing the authentication
 * (the setters then act on it rather than on the node's default). */
bool meshrpr_provisioner_choosing(const struct meshrpr_prov_session *session);
/* The PDU type a session waits for (0xff when none), for results and log lines. */
uint8_t meshrpr_provisioner_waiting_for(const struct meshrpr_prov_session *session);
uint8_t meshrpr_provisionee_waiting_for(const struct meshrpr_prov_session *session);

/* The shared bearer callbacks every session installs on its link. */
extern const struct meshrpr_prov_bearer_cb meshrpr_prov_link_cb;
/* Choose the provisioner session table (the built-in one, or the run-time capacity's) and
 * clear it; from meshrpr_node_init(). */
void meshrpr_prov_init(struct meshrpr_node *node);
/* The node's provisioner session table and its size. */
static inline size_t meshrpr_prov_session_count(const struct meshrpr_node *node)
{
    return node->prov.session_tab != NULL ? node->prov.session_count : MESHRPR_PROV_SESSION_COUNT;
}
static inline struct meshrpr_prov_session *meshrpr_prov_session_at(struct meshrpr_node *node,
                                                                   size_t i)
{
    return node->prov.session_tab != NULL ? &node->prov.session_tab[i] : &node->prov.sessions[i];
}
static inline const struct meshrpr_prov_session *
meshrpr_prov_session_at_const(const struct meshrpr_node *node, size_t i)
{
    return node->prov.session_tab != NULL ? &node->prov.session_tab[i] : &node->prov.sessions[i];
}

/* Take a free session slot for a link (provisioner slots, or the device slot). */
struct meshrpr_prov_session *meshrpr_prov_session_alloc(struct meshrpr_node *node,
                                                        enum meshrpr_prov_role role,
                                                        struct meshrpr_prov_link *link);

#endif /* MESHRPR_PROV_PROV_H */

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Provisioning sessions (MshPRTv1.1 §5.4): what the provisioner and device state machines
 * share. A session lives in a slot of the node's provisioning state and owns one bearer link:
 * it receives the bearer's callbacks, decodes PDUs and ranks their errors (§5.4.4: unknown
 * type, then unexpected, then malformed), queues outgoing PDUs one at a time, runs the protocol
 * timer, does the ECDH, confirmation and session-key steps with the security checks of the 2021
 * advisories (fresh key pair per session, peer key equal to ours, reflected Random), and wipes
 * every secret when the link ends. It also carries the explicit provisioning API of
 * <meshrpr/prov.h>.
 */
#include <errno.h>
#include <string.h>

#define MESHRPR_LOG_MODULE "prov"
#include "core/log.h"

#include <meshrpr/util.h>

#include "crypto/crypto.h"
#include "node/node_services.h"
#include "prov/nppi.h"
#include "prov/prov.h"

/* ---- Sessions ----------------------------------------------------------------------------- */

const struct bt_mesh_prov *meshrpr_prov_cfg(const struct meshrpr_node *node)
{
    return node->cfg.prov;
}

static void timer_expired(struct meshrpr_timer *timer);

void meshrpr_prov_init(struct meshrpr_node *node)
{
    const struct meshrpr_node_capacity *cap = node->cfg.capacity;

    node->prov.session_tab = NULL;
    node->prov.session_count = 0;
    if (cap != NULL && cap->prov_sessions != NULL && cap->prov_session_count != 0) {
        memset(cap->prov_sessions, 0, cap->prov_session_count * sizeof(cap->prov_sessions[0]));
        node->prov.session_tab = cap->prov_sessions;
        node->prov.session_count = (uint16_t)cap->prov_session_count;
    }
}

struct meshrpr_prov_session *meshrpr_prov_session_alloc(struct meshrpr_node *node,
                                                        enum meshrpr_prov_role role,
                                                        struct meshrpr_prov_link *link)
{
    struct meshrpr_prov_session *s = NULL;

    if (role == MESHRPR_PROV_ROLE_DEVICE) {
        if (node->prov.device.link == NULL) {
            s = &node->prov.device;
        }
    } else {
        for (size_t i = 0; i < meshrpr_prov_session_count(node); i++) {
            if (meshrpr_prov_session_at(node, i)->link == NULL) {
                s = meshrpr_prov_session_at(node, i);
                break;
            }
        }
    }
    if (s == NULL) {
        return NULL;
    }
    memset(s, 0, sizeof(*s));
    s->node = node;
    s->link = link;
    s->role = (uint8_t)role;
    s->bearer = link->ops->type;
    meshrpr_timer_init(&s->timer, timer_expired);
    link->cb = &meshrpr_prov_link_cb;
    link->session = s;
    return s;
}

struct meshrpr_node *meshrpr_prov_session_node(const struct meshrpr_prov_session *session)
{
    return session->node;
}

void *meshrpr_prov_session_hooks_ctx(const struct meshrpr_prov_session *session)
{
    return session->hooks_ctx;
}

const uint8_t *meshrpr_prov_session_uuid(const struct meshrpr_prov_session *session)
{
    return session->uuid;
}

uint16_t meshrpr_prov_session_net_idx(const struct meshrpr_prov_session *session)
{
    return session->net_idx;
}

uint16_t meshrpr_prov_session_addr(const struct meshrpr_prov_session *session)
{
    return session->addr;
}

uint8_t meshrpr_prov_session_elem_count(const struct meshrpr_prov_session *session)
{
    return session->elem_count;
}

struct meshrpr_prov_session *meshrpr_prov_cb_enter(struct meshrpr_prov_session *session)
{
    struct meshrpr_prov_session *previous = session->node->prov.cb_session;

    session->node->prov.cb_session = session;
    return previous;
}

void meshrpr_prov_cb_exit(struct meshrpr_node *node, struct meshrpr_prov_session *previous)
{
    node->prov.cb_session = previous;
}

bool meshrpr_prov_session_is_provisioner(const struct meshrpr_prov_session *session)
{
    return session->role == MESHRPR_PROV_ROLE_PROVISIONER;
}

bool meshrpr_prov_has_output_number(const struct bt_mesh_prov *prov)
{
    return prov != NULL && (prov->output_number != NULL || prov->output_number_ex != NULL);
}

bool meshrpr_prov_has_output_string(const struct bt_mesh_prov *prov)
{
    return prov != NULL && (prov->output_string != NULL || prov->output_string_ex != NULL);
}

bool meshrpr_prov_has_input(const struct bt_mesh_prov *prov)
{
    return prov != NULL && (prov->input != NULL || prov->input_ex != NULL);
}

int meshrpr_prov_cb_output_number(struct meshrpr_prov_session *s, const struct bt_mesh_prov *prov,
                                  bt_mesh_output_action_t act, uint32_t num)
{
    struct meshrpr_prov_session *prev = meshrpr_prov_cb_enter(s);
    int err = prov->output_number_ex != NULL ? prov->output_number_ex(s, act, num)
                                             : prov->output_number(act, num);

    meshrpr_prov_cb_exit(s->node, prev);
    return err;
}

int meshrpr_prov_cb_output_string(struct meshrpr_prov_session *s, const struct bt_mesh_prov *prov,
                                  const char *str)
{
    struct meshrpr_prov_session *prev = meshrpr_prov_cb_enter(s);
    int err =
        prov->output_string_ex != NULL ? prov->output_string_ex(s, str) : prov->output_string(str);

    meshrpr_prov_cb_exit(s->node, prev);
    return err;
}

int meshrpr_prov_cb_input(struct meshrpr_prov_session *s, const struct bt_mesh_prov *prov,
                          bt_mesh_input_action_t act, uint8_t size)
{
    struct meshrpr_prov_session *prev = meshrpr_prov_cb_enter(s);
    int err = prov->input_ex != NULL ? prov->input_ex(s, act, size) : prov->input(act, size);

    meshrpr_prov_cb_exit(s->node, prev);
    return err;
}

void meshrpr_prov_cb_input_complete(struct meshrpr_prov_session *s, const struct bt_mesh_prov *prov)
{
    struct meshrpr_prov_session *prev;

    if (prov == NULL || (prov->input_complete == NULL && prov->input_complete_ex == NULL)) {
        return;
    }
    prev = meshrpr_prov_cb_enter(s);
    if (prov->input_complete_ex != NULL) {
        prov->input_complete_ex(s);
    } else {
        prov->input_complete();
    }
    meshrpr_prov_cb_exit(s->node, prev);
}

/* What the state machine waited for when it stopped (0xff once provisioning succeeded). */
static uint8_t waiting_for_state(const struct meshrpr_prov_session *s)
{
    if (s->flags & MESHRPR_PROV_F_DONE) {
        return 0xff;
    }
    return s->role == MESHRPR_PROV_ROLE_PROVISIONER ? meshrpr_provisioner_waiting_for(s)
                                                    : meshrpr_provisionee_waiting_for(s);
}

static uint8_t waiting_for(const struct meshrpr_prov_session *s)
{
    return (s->flags & (MESHRPR_PROV_F_CLOSING | MESHRPR_PROV_F_FAILED)) ? 0xff
                                                                         : waiting_for_state(s);
}

static void status_set(struct meshrpr_prov_session *s, enum meshrpr_prov_status status,
                       uint8_t error_code)
{
    if (!(s->flags & MESHRPR_PROV_F_STATUS_SET)) {
        s->flags |= MESHRPR_PROV_F_STATUS_SET;
        s->closing_status = (uint8_t)status;
        s->closing_err = error_code;
    }
}

void meshrpr_prov_succeeded(struct meshrpr_prov_session *s)
{
    status_set(s, MESHRPR_PROV_STATUS_SUCCESS, 0);
    s->flags |= MESHRPR_PROV_F_DONE;
}

void meshrpr_prov_timer_restart(struct meshrpr_prov_session *s)
{
    uint32_t timeout_ms = MESHRPR_PROV_TIMEOUT_MS;

    if (s->flags & MESHRPR_PROV_F_CLOSING) {
        return;
    }
    /* §5.4.4: at least 120 s when the user has to carry a value across. */
    if (s->auth_method == MESHRPR_PROV_AUTH_OUTPUT || s->auth_method == MESHRPR_PROV_AUTH_INPUT) {
        timeout_ms = MESHRPR_PROV_TIMEOUT_OOB_MS;
    }
    meshrpr_node_timer_start(s->node, &s->timer, timeout_ms);
}

void meshrpr_prov_close(struct meshrpr_prov_session *s, enum meshrpr_prov_link_status reason,
                        enum meshrpr_prov_status status, uint8_t error_code)
{
    if (s->link == NULL || (s->flags & MESHRPR_PROV_F_CLOSING)) {
        return;
    }
    status_set(s, status, error_code);
    s->flags |= MESHRPR_PROV_F_CLOSING;
    meshrpr_node_timer_cancel(s->node, &s->timer);
    s->link->ops->close(s->link, reason);
}

static void timer_expired(struct meshrpr_timer *timer)
{
    struct meshrpr_prov_session *s =
        MESHRPR_CONTAINER_OF(timer, struct meshrpr_prov_session, timer);

    MESHRPR_LOG_WRN(&s->node->platform, "%s: protocol timer expired waiting for PDU 0x%02x",
                    s->role == MESHRPR_PROV_ROLE_PROVISIONER ? "provisioner" : "device",
                    waiting_for(s));
    /* §5.4.4: the link is closed with Timeout (no Provisioning Failed is sent). */
    meshrpr_prov_close(s, MESHRPR_PROV_LINK_TIMEOUT, MESHRPR_PROV_STATUS_TIMEOUT, 0);
}

/* ---- Transmission ------------------------------------------------------------------------ */

static void tx_kick(struct meshrpr_prov_session *s);

static void tx_complete(int err, void *cb_data)
{
    struct meshrpr_prov_session *s = cb_data;

    if (s->link == NULL || !s->tx_busy) {
        return;
    }
    s->tx_busy = false;
    if (err != 0) {
        MESHRPR_LOG_WRN(&s->node->platform, "bearer failed to deliver PDU 0x%02x (%d)",
                        s->txq[0].data[0], err);
        meshrpr_prov_close(
            s, err == -ETIMEDOUT ? MESHRPR_PROV_LINK_TIMEOUT : MESHRPR_PROV_LINK_FAIL,
            err == -ETIMEDOUT ? MESHRPR_PROV_STATUS_TIMEOUT : MESHRPR_PROV_STATUS_LINK_CLOSED, 0);
        return;
    }
    s->txq_count--;
    memmove(&s->txq[0], &s->txq[1], sizeof(s->txq[0]) * s->txq_count);
    tx_kick(s);
}

static void tx_kick(struct meshrpr_prov_session *s)
{
    while (!s->tx_busy && s->txq_count > 0 && s->link != NULL &&
           !(s->flags & MESHRPR_PROV_F_CLOSING)) {
        int err;

        s->tx_busy = true;
        err = s->link->ops->send(s->link, s->txq[0].data, s->txq[0].len, tx_complete, s);
        if (err != 0) {
            s->tx_busy = false;
            MESHRPR_LOG_WRN(&s->node->platform, "bearer refused PDU 0x%02x (%d)", s->txq[0].data[0],
                            err);
            meshrpr_prov_close(s, MESHRPR_PROV_LINK_FAIL, MESHRPR_PROV_STATUS_LOCAL_ERROR,
                               MESHRPR_PROV_ERR_UNEXPECTED_ERROR);
            return;
        }
    }
}

int meshrpr_prov_send(struct meshrpr_prov_session *s, const struct meshrpr_prov_pdu *pdu)
{
    struct meshrpr_prov_tx_pdu *tx;
    struct net_buf_simple buf;
    int err;

    if (s->link == NULL || (s->flags & MESHRPR_PROV_F_CLOSING)) {
        return -ENOTCONN; /* the link is closed or closing (ESHUTDOWN is not in newlib) */
    }
    if (s->txq_count >= MESHRPR_PROV_TX_QUEUE) {
        MESHRPR_LOG_ERR(&s->node->platform, "transmit queue full");
        meshrpr_prov_close(s, MESHRPR_PROV_LINK_FAIL, MESHRPR_PROV_STATUS_LOCAL_ERROR,
                           MESHRPR_PROV_ERR_OUT_OF_RESOURCES);
        return -ENOBUFS;
    }
    tx = &s->txq[s->txq_count];
    net_buf_simple_init_with_data(&buf, tx->data, sizeof(tx->data));
    net_buf_simple_reset(&buf);
    err = meshrpr_prov_pdu_encode(pdu, &buf);
    if (err != 0) {
        meshrpr_prov_close(s, MESHRPR_PROV_LINK_FAIL, MESHRPR_PROV_STATUS_LOCAL_ERROR,
                           MESHRPR_PROV_ERR_UNEXPECTED_ERROR);
        return err;
    }
    tx->len = (uint8_t)buf.len;
    s->txq_count++;
    MESHRPR_LOG_DBG(&s->node->platform, "send PDU 0x%02x, %u octets", pdu->type, tx->len);
    meshrpr_prov_timer_restart(s);
    tx_kick(s);
    return 0;
}

void meshrpr_prov_refuse(struct meshrpr_prov_session *s, uint8_t error_code)
{
    if (s->link == NULL || (s->flags & (MESHRPR_PROV_F_CLOSING | MESHRPR_PROV_F_FAILED))) {
        return;
    }
    MESHRPR_LOG_WRN(&s->node->platform, "%s refuses: error 0x%02x while waiting for PDU 0x%02x",
                    s->role == MESHRPR_PROV_ROLE_PROVISIONER ? "provisioner" : "device", error_code,
                    waiting_for(s));
    if (s->role == MESHRPR_PROV_ROLE_PROVISIONER) {
        /* §5.4.4: the provisioner never sends Provisioning Failed; it closes the link. */
        meshrpr_prov_close(s, MESHRPR_PROV_LINK_FAIL, MESHRPR_PROV_STATUS_REFUSED, error_code);
        return;
    }
    /* The device reports the error and waits for the provisioner to close the link; every
     * later PDU is ignored. Its protocol timer still closes the link if nobody does. */
    status_set(s, MESHRPR_PROV_STATUS_REFUSED, error_code);
    s->flags |= MESHRPR_PROV_F_FAILED;
    struct meshrpr_prov_pdu pdu = { .type = MESHRPR_PROV_FAILED, .error_code = error_code };
    (void)meshrpr_prov_send(s, &pdu);
}

/* ---- Bearer callbacks -------------------------------------------------------------------- */

static struct meshrpr_prov_session *link_session(struct meshrpr_prov_link *link)
{
    struct meshrpr_prov_session *s = link->session;

    return (s != NULL && s->link == link) ? s : NULL;
}

static void link_opened(struct meshrpr_prov_link *link)
{
    struct meshrpr_prov_session *s = link_session(link);
    const struct bt_mesh_prov *prov;

    if (s == NULL || (s->flags & (MESHRPR_PROV_F_OPENED | MESHRPR_PROV_F_CLOSING))) {
        return;
    }
    s->flags |= MESHRPR_PROV_F_OPENED;
    meshrpr_prov_timer_restart(s);
    prov = meshrpr_prov_cfg(s->node);
    if (prov != NULL && (prov->link_open != NULL || prov->link_open_ex != NULL)) {
        struct meshrpr_prov_session *prev = meshrpr_prov_cb_enter(s);
        if (prov->link_open_ex != NULL) {
            prov->link_open_ex(s, (bt_mesh_prov_bearer_t)s->bearer);
        } else {
            prov->link_open((bt_mesh_prov_bearer_t)s->bearer);
        }
        meshrpr_prov_cb_exit(s->node, prev);
    }
    if (s->role == MESHRPR_PROV_ROLE_PROVISIONER && !(s->flags & MESHRPR_PROV_F_CLOSING)) {
        meshrpr_provisioner_link_opened(s);
    }
}

static void peer_failed(struct meshrpr_prov_session *s, uint8_t error_code)
{
    MESHRPR_LOG_WRN(&s->node->platform, "peer sent Provisioning Failed, error 0x%02x", error_code);
    if (s->role == MESHRPR_PROV_ROLE_PROVISIONER) {
        meshrpr_prov_close(s, MESHRPR_PROV_LINK_FAIL, MESHRPR_PROV_STATUS_PEER_FAILED, error_code);
        return;
    }
    /* Only a device sends Failed (§5.4.4); a device told so stops and waits for the close. */
    status_set(s, MESHRPR_PROV_STATUS_PEER_FAILED, error_code);
    s->flags |= MESHRPR_PROV_F_FAILED;
}

static void link_recv(struct meshrpr_prov_link *link, const uint8_t *data, size_t len)
{
    struct meshrpr_prov_session *s = link_session(link);
    struct meshrpr_prov_pdu pdu;
    uint8_t error_code;
    uint8_t refuse;
    int err;

    if (s == NULL || data == NULL ||
        (s->flags & (MESHRPR_PROV_F_CLOSING | MESHRPR_PROV_F_FAILED | MESHRPR_PROV_F_DONE))) {
        return;
    }
    if (!(s->flags & MESHRPR_PROV_F_OPENED)) {
        return; /* the bearer reports the link open first */
    }
    meshrpr_prov_timer_restart(s);
    err = meshrpr_prov_pdu_decode(data, len, s->value_len, &pdu, &error_code);
    MESHRPR_LOG_DBG(&s->node->platform, "recv PDU 0x%02x, %u octets", len > 0 ? data[0] : 0xff,
                    (unsigned)len);
    if (err != 0 && error_code == MESHRPR_PROV_ERR_INVALID_PDU) {
        meshrpr_prov_refuse(s, MESHRPR_PROV_ERR_INVALID_PDU);
        return;
    }
    if (pdu.type == MESHRPR_PROV_FAILED) {
        if (err != 0) {
            meshrpr_prov_refuse(s, MESHRPR_PROV_ERR_INVALID_FORMAT);
        } else {
            peer_failed(s, pdu.error_code);
        }
        return;
    }
    refuse = s->role == MESHRPR_PROV_ROLE_PROVISIONER ? meshrpr_provisioner_check(s, pdu.type)
                                                      : meshrpr_provisionee_check(s, pdu.type);
    if (refuse != 0) {
        meshrpr_prov_refuse(s, refuse);
        return;
    }
    if (err != 0) {
        meshrpr_prov_refuse(s, MESHRPR_PROV_ERR_INVALID_FORMAT);
        return;
    }
    if (s->role == MESHRPR_PROV_ROLE_PROVISIONER) {
        meshrpr_provisioner_recv(s, &pdu);
    } else {
        meshrpr_provisionee_recv(s, &pdu);
    }
    meshrpr_crypto_wipe(&pdu, sizeof(pdu));
}

static void link_closed(struct meshrpr_prov_link *link, enum meshrpr_prov_link_status reason)
{
    struct meshrpr_prov_session *s = link_session(link);
    struct meshrpr_prov_result result = { 0 };
    const struct meshrpr_prov_hooks *hooks;
    const struct bt_mesh_prov *prov;
    struct meshrpr_node *node;
    void *hooks_ctx;
    bool opened;

    if (s == NULL) {
        return;
    }
    node = s->node;
    prov = meshrpr_prov_cfg(node);
    if (!(s->flags & MESHRPR_PROV_F_STATUS_SET)) {
        /* Closed from the other side (or by the bearer) before an outcome was known. */
        status_set(s,
                   reason == MESHRPR_PROV_LINK_TIMEOUT ? MESHRPR_PROV_STATUS_TIMEOUT
                                                       : MESHRPR_PROV_STATUS_LINK_CLOSED,
                   0);
    }
    result.status = (enum meshrpr_prov_status)s->closing_status;
    result.error_code = s->closing_err;
    result.provisioner = s->role == MESHRPR_PROV_ROLE_PROVISIONER;
    if (result.provisioner) {
        memcpy(result.uuid, s->uuid, 16);
    } else if (prov != NULL && prov->uuid != NULL) {
        memcpy(result.uuid, prov->uuid, 16);
    }
    result.addr = s->addr;
    result.link_status = (uint8_t)reason;
    result.bearer = s->bearer;
    result.waiting_for = waiting_for_state(s);
    opened = (s->flags & MESHRPR_PROV_F_OPENED) != 0;
    hooks = s->hooks;
    hooks_ctx = s->hooks_ctx;

    meshrpr_node_timer_cancel(node, &s->timer);
    if (node->prov.cb_session == s) {
        node->prov.cb_session = NULL;
    }
    link->session = NULL;
    /* Private key, ECDHSecret, AuthValue, confirmation key, device key: all gone. */
    meshrpr_crypto_wipe(s, sizeof(*s));

    node->prov.last_result = result;
    node->prov.have_result = true;
    MESHRPR_LOG_INF(&node->platform, "%s link closed: status %d, error 0x%02x, address 0x%04x",
                    result.provisioner ? "provisioner" : "device", (int)result.status,
                    result.error_code, result.addr);
    if (opened && prov != NULL && prov->link_close_ex != NULL) {
        prov->link_close_ex(s, (bt_mesh_prov_bearer_t)result.bearer);
    } else if (opened && prov != NULL && prov->link_close != NULL) {
        prov->link_close((bt_mesh_prov_bearer_t)result.bearer);
    }
    if (hooks != NULL && hooks->ended != NULL) {
        hooks->ended(hooks_ctx, &result);
    }
}

const struct meshrpr_prov_bearer_cb meshrpr_prov_link_cb = {
    .link_opened = link_opened,
    .recv = link_recv,
    .link_closed = link_closed,
};

/* ---- Keys, confirmation, session keys ---------------------------------------------------- */

uint8_t *meshrpr_prov_own_pub_key(struct meshrpr_prov_session *s)
{
    return &s->conf_inputs[s->role == MESHRPR_PROV_ROLE_PROVISIONER ? MESHRPR_PROV_CI_PUB_KEY_PROV
                                                                    : MESHRPR_PROV_CI_PUB_KEY_DEV];
}

uint8_t *meshrpr_prov_peer_pub_key(struct meshrpr_prov_session *s)
{
    return &s->conf_inputs[s->role == MESHRPR_PROV_ROLE_PROVISIONER ? MESHRPR_PROV_CI_PUB_KEY_DEV
                                                                    : MESHRPR_PROV_CI_PUB_KEY_PROV];
}

int meshrpr_prov_key_make(struct meshrpr_prov_session *s)
{
    int err;

    if (s->flags & MESHRPR_PROV_F_HAVE_KEY) {
        return 0;
    }
    if (s->flags & MESHRPR_PROV_F_INJECT_KEY) {
        s->flags |= MESHRPR_PROV_F_HAVE_KEY;
        return 0;
    }
    /* A fresh key pair for every session (§5.4.2.3; CVE-2020-26559 makes reuse dangerous). */
    err = meshrpr_crypto_p256_keygen(&s->node->platform, s->priv_key, meshrpr_prov_own_pub_key(s));
    if (err != 0) {
        MESHRPR_LOG_ERR(&s->node->platform, "key pair generation failed (%d)", err);
        return -EIO;
    }
    s->flags |= MESHRPR_PROV_F_HAVE_KEY;
    return 0;
}

int meshrpr_prov_key_set(struct meshrpr_prov_session *s, const uint8_t priv[32],
                         const uint8_t pub[64])
{
    uint8_t check[64];
    int err = meshrpr_crypto_p256_public_key(priv, check);

    if (err != 0 || memcmp(check, pub, 64) != 0) {
        return -EINVAL;
    }
    memcpy(s->priv_key, priv, 32);
    memcpy(meshrpr_prov_own_pub_key(s), pub, 64);
    s->flags |= MESHRPR_PROV_F_HAVE_KEY;
    return 0;
}

uint8_t meshrpr_prov_dhkey(struct meshrpr_prov_session *s)
{
    const uint8_t *peer = meshrpr_prov_peer_pub_key(s);
    int err;

    /* A peer that returns our own key knows the ECDHSecret without any private key (§5.4.2.3,
     * the Core CVE-2020-26558 fix carried over by Mesh erratum E16350). */
    if (memcmp(peer, meshrpr_prov_own_pub_key(s), 64) == 0) {
        MESHRPR_LOG_WRN(&s->node->platform, "peer public key equals ours");
        meshrpr_crypto_wipe(s->priv_key, sizeof(s->priv_key));
        return MESHRPR_PROV_ERR_INVALID_FORMAT;
    }
    /* meshrpr_crypto_ecdh() validates the point (coordinates below p, on the curve). */
    err = meshrpr_crypto_ecdh(&s->node->platform, s->priv_key, peer, s->dhkey);
    meshrpr_crypto_wipe(s->priv_key, sizeof(s->priv_key));
    if (err == -EINVAL) {
        MESHRPR_LOG_WRN(&s->node->platform, "peer public key is not a valid P-256 point");
        return MESHRPR_PROV_ERR_INVALID_FORMAT;
    }
    if (err != 0) {
        return MESHRPR_PROV_ERR_UNEXPECTED_ERROR;
    }
    s->flags |= MESHRPR_PROV_F_HAVE_DHKEY;
    return 0;
}

void meshrpr_prov_alg_set(struct meshrpr_prov_session *s, uint8_t alg)
{
    s->alg = alg;
    s->value_len = (uint8_t)meshrpr_crypto_prov_value_len((enum meshrpr_prov_alg)alg);
}

int meshrpr_prov_confirm_make(struct meshrpr_prov_session *s)
{
    enum meshrpr_prov_alg alg = (enum meshrpr_prov_alg)s->alg;
    int err;

    err = meshrpr_crypto_prov_confirmation_salt(alg, s->conf_inputs, s->conf_salt);
    if (err == 0) {
        err =
            meshrpr_crypto_prov_confirmation_key(alg, s->dhkey, s->conf_salt, s->auth, s->conf_key);
    }
    if (err == 0 && !(s->flags & MESHRPR_PROV_F_INJECT_RAND)) {
        err = meshrpr_node_random(s->node, s->rand, s->value_len);
    }
    if (err == 0) {
        err = meshrpr_crypto_prov_confirmation(alg, s->conf_key, s->rand, s->auth, s->conf);
    }
    return err;
}

static bool equal_ct(const uint8_t *a, const uint8_t *b, size_t len)
{
    uint8_t diff = 0;

    for (size_t i = 0; i < len; i++) {
        diff |= (uint8_t)(a[i] ^ b[i]);
    }
    return diff == 0;
}

uint8_t meshrpr_prov_confirm_check(struct meshrpr_prov_session *s, const uint8_t *peer_rand)
{
    uint8_t expected[32];
    int err;

    /* A reflected Random opens a reflected Confirmation without the AuthValue (CVE-2020-26560):
     * refuse it whatever the confirmation says. */
    if (memcmp(peer_rand, s->rand, s->value_len) == 0) {
        MESHRPR_LOG_WRN(&s->node->platform, "peer Random equals ours");
        return MESHRPR_PROV_ERR_CONFIRMATION_FAILED;
    }
    err = meshrpr_crypto_prov_confirmation((enum meshrpr_prov_alg)s->alg, s->conf_key, peer_rand,
                                           s->auth, expected);
    if (err != 0 || !equal_ct(expected, s->peer_conf, s->value_len)) {
        meshrpr_crypto_wipe(expected, sizeof(expected));
        MESHRPR_LOG_WRN(&s->node->platform, "peer Confirmation does not match its Random");
        return MESHRPR_PROV_ERR_CONFIRMATION_FAILED;
    }
    meshrpr_crypto_wipe(expected, sizeof(expected));
    return 0;
}

int meshrpr_prov_session_keys(struct meshrpr_prov_session *s, const uint8_t *rand_prov,
                              const uint8_t *rand_dev, uint8_t session_key[16],
                              uint8_t session_nonce[13])
{
    uint8_t prov_salt[16];
    int err;

    err = meshrpr_crypto_prov_salt((enum meshrpr_prov_alg)s->alg, s->conf_salt, rand_prov, rand_dev,
                                   prov_salt);
    if (err == 0) {
        err = meshrpr_crypto_prov_session_key(s->dhkey, prov_salt, session_key);
    }
    if (err == 0) {
        err = meshrpr_crypto_prov_session_nonce(s->dhkey, prov_salt, session_nonce);
    }
    if (err == 0) {
        err = meshrpr_crypto_prov_dev_key(s->dhkey, prov_salt, s->dev_key);
    }
    meshrpr_crypto_wipe(prov_salt, sizeof(prov_salt));
    return err;
}

/* ---- AuthValue (§5.4.2.4) ---------------------------------------------------------------- */

static const uint32_t pow10_table[MESHRPR_PROV_IO_OOB_SIZE_MAX + 1] = {
    1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
};

void meshrpr_prov_auth_static(struct meshrpr_prov_session *s, const uint8_t *val, size_t len)
{
    /* Binary data: copied from octet 0, zero-filled after, cut at the AuthValue length. */
    memset(s->auth, 0, sizeof(s->auth));
    memcpy(s->auth, val, len < s->value_len ? len : s->value_len);
    s->flags |= MESHRPR_PROV_F_AUTH_READY;
}

static void auth_number(struct meshrpr_prov_session *s, uint32_t num)
{
    /* Numeric: an unsigned big-endian integer in the last octets (8 digits fit 32 bits). */
    memset(s->auth, 0, sizeof(s->auth));
    s->auth[s->value_len - 4] = (uint8_t)(num >> 24);
    s->auth[s->value_len - 3] = (uint8_t)(num >> 16);
    s->auth[s->value_len - 2] = (uint8_t)(num >> 8);
    s->auth[s->value_len - 1] = (uint8_t)num;
    s->flags |= MESHRPR_PROV_F_AUTH_READY;
}

static void auth_string(struct meshrpr_prov_session *s, const char *str, size_t len)
{
    /* Alphanumeric: the characters from octet 0, zero-padded. */
    memset(s->auth, 0, sizeof(s->auth));
    memcpy(s->auth, str, len);
    s->flags |= MESHRPR_PROV_F_AUTH_READY;
}

/* A uniform random value in [0, n) without modulo bias. */
static int random_below(struct meshrpr_node *node, uint32_t n, uint32_t *out)
{
    const uint64_t limit = (UINT64_C(1) << 32) - ((UINT64_C(1) << 32) % n);

    for (int tries = 0; tries < 64; tries++) {
        uint8_t r[4];
        uint32_t v;

        if (meshrpr_node_random(node, r, sizeof(r)) != 0) {
            return -EIO;
        }
        v = (uint32_t)r[0] << 24 | (uint32_t)r[1] << 16 | (uint32_t)r[2] << 8 | r[3];
        if (v < limit) {
            *out = v % n;
            return 0;
        }
    }
    return -EIO; /* a source this skewed is broken */
}

int meshrpr_prov_auth_generate(struct meshrpr_prov_session *s, bool numeric, bool blink_like,
                               uint32_t *num, char str[9])
{
    static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const uint8_t size = s->auth_size;

    if (size < 1 || size > MESHRPR_PROV_IO_OOB_SIZE_MAX) {
        return -EINVAL;
    }
    if (numeric) {
        uint32_t v;
        int err;

        /* Counted actions (Blink, Beep, Vibrate, Push, Twist) use 1..10^size-1; the numeric
         * ones use every value of size digits (§5.4.2.4.3-4). */
        if (blink_like) {
            err = random_below(s->node, pow10_table[size] - 1, &v);
            v += 1;
        } else {
            err = random_below(s->node, pow10_table[size], &v);
        }
        if (err != 0) {
            return err;
        }
        *num = v;
        auth_number(s, v);
        return 0;
    }
    /* Size characters from 0-9 and A-Z (36 symbols): reject octets >= 252 to stay uniform. */
    for (uint8_t i = 0; i < size;) {
        uint8_t r[16];

        if (meshrpr_node_random(s->node, r, sizeof(r)) != 0) {
            return -EIO;
        }
        for (size_t k = 0; k < sizeof(r) && i < size; k++) {
            if (r[k] < 252) {
                str[i++] = alphabet[r[k] % 36];
            }
        }
        meshrpr_crypto_wipe(r, sizeof(r));
    }
    str[size] = '\0';
    auth_string(s, str, size);
    return 0;
}

/* ---- Explicit API ------------------------------------------------------------------------ */

/* The provisioner choice a setter changes: the session in its capabilities callback, or the
 * node default. */
static struct meshrpr_prov_auth_choice *choice_target(struct meshrpr_node *node)
{
    struct meshrpr_prov_session *s = node->prov.cb_session;

    if (s != NULL && meshrpr_provisioner_choosing(s)) {
        return &s->choice;
    }
    return &node->prov.auth_default;
}

int meshrpr_prov_auth_method_set_none(struct meshrpr_node *node)
{
    struct meshrpr_prov_auth_choice *c;

    if (node == NULL) {
        return -EINVAL;
    }
    c = choice_target(node);
    meshrpr_crypto_wipe(c, sizeof(*c));
    c->method = MESHRPR_PROV_AUTH_NONE;
    return 0;
}

int meshrpr_prov_auth_method_set_static(struct meshrpr_node *node, const uint8_t *static_val,
                                        uint8_t size)
{
    struct meshrpr_prov_auth_choice *c;

    if (node == NULL || static_val == NULL || size == 0 || size > MESHRPR_PROV_STATIC_OOB_MAX) {
        return -EINVAL;
    }
    c = choice_target(node);
    meshrpr_crypto_wipe(c, sizeof(*c));
    c->method = MESHRPR_PROV_AUTH_STATIC;
    c->static_len = size;
    memcpy(c->static_val, static_val, size);
    return 0;
}

int meshrpr_prov_auth_method_set_output(struct meshrpr_node *node, bt_mesh_output_action_t action,
                                        uint8_t size)
{
    struct meshrpr_prov_auth_choice *c;
    int bit = meshrpr_prov_action_bit((uint16_t)action);

    if (node == NULL || bit < 0 || bit >= MESHRPR_PROV_OUTPUT_ACTION_COUNT || size == 0 ||
        size > MESHRPR_PROV_IO_OOB_SIZE_MAX) {
        return -EINVAL;
    }
    c = choice_target(node);
    meshrpr_crypto_wipe(c, sizeof(*c));
    c->method = MESHRPR_PROV_AUTH_OUTPUT;
    c->action = (uint8_t)action;
    c->size = size;
    return 0;
}

int meshrpr_prov_auth_method_set_input(struct meshrpr_node *node, bt_mesh_input_action_t action,
                                       uint8_t size)
{
    struct meshrpr_prov_auth_choice *c;
    int bit = meshrpr_prov_action_bit((uint16_t)action);

    if (node == NULL || bit < 0 || bit >= MESHRPR_PROV_INPUT_ACTION_COUNT || size == 0 ||
        size > MESHRPR_PROV_IO_OOB_SIZE_MAX) {
        return -EINVAL;
    }
    c = choice_target(node);
    meshrpr_crypto_wipe(c, sizeof(*c));
    c->method = MESHRPR_PROV_AUTH_INPUT;
    c->action = (uint8_t)action;
    c->size = size;
    return 0;
}

int meshrpr_prov_remote_pub_key_set(struct meshrpr_node *node, const uint8_t public_key[64])
{
    struct meshrpr_prov_session *s;

    if (node == NULL || public_key == NULL ||
        meshrpr_crypto_p256_check_public_key(public_key) != 0) {
        return -EINVAL;
    }
    s = node->prov.cb_session;
    if (s != NULL && meshrpr_provisioner_choosing(s)) {
        memcpy(&s->conf_inputs[MESHRPR_PROV_CI_PUB_KEY_DEV], public_key, 64);
        s->flags |= MESHRPR_PROV_F_PEER_PUB_KEY;
        return 0;
    }
    memcpy(node->prov.pending_pub_key, public_key, 64);
    node->prov.pending_pub_key_set = true;
    return 0;
}

/* The session an input call answers: the one in callback, else the first one waiting. */
static struct meshrpr_prov_session *input_target(struct meshrpr_node *node, uint16_t flag)
{
    struct meshrpr_prov_session *s = node->prov.cb_session;

    if (s != NULL && s->link != NULL && (s->flags & flag)) {
        return s;
    }
    if (node->prov.device.link != NULL && (node->prov.device.flags & flag)) {
        return &node->prov.device;
    }
    for (size_t i = 0; i < meshrpr_prov_session_count(node); i++) {
        s = meshrpr_prov_session_at(node, i);
        if (s->link != NULL && (s->flags & flag)) {
            return s;
        }
    }
    return NULL;
}

static void input_done(struct meshrpr_prov_session *s)
{
    if (s->role == MESHRPR_PROV_ROLE_PROVISIONER) {
        meshrpr_provisioner_input_done(s);
    } else {
        meshrpr_provisionee_input_done(s);
    }
}

static int input_number(struct meshrpr_prov_session *s, uint32_t num)
{
    if (s == NULL || s->link == NULL || !(s->flags & MESHRPR_PROV_F_WAIT_NUMBER) ||
        num >= pow10_table[s->auth_size]) {
        return -EINVAL;
    }
    s->flags &= (uint16_t)~MESHRPR_PROV_F_WAIT_NUMBER;
    auth_number(s, num);
    input_done(s);
    return 0;
}

int meshrpr_prov_input_number(struct meshrpr_node *node, uint32_t num)
{
    if (node == NULL) {
        return -EINVAL;
    }
    return input_number(input_target(node, MESHRPR_PROV_F_WAIT_NUMBER), num);
}

int meshrpr_prov_session_input_number(struct meshrpr_prov_session *session, uint32_t num)
{
    return input_number(session, num);
}

static int input_string(struct meshrpr_prov_session *s, const char *str)
{
    size_t len;

    if (s == NULL || str == NULL || s->link == NULL || !(s->flags & MESHRPR_PROV_F_WAIT_STRING)) {
        return -EINVAL;
    }
    for (len = 0; len <= MESHRPR_PROV_IO_OOB_SIZE_MAX && str[len] != '\0'; len++) {
    }
    if (len > s->auth_size) {
        return -ENOTSUP;
    }
    if (len == 0) {
        return -EINVAL;
    }
    s->flags &= (uint16_t)~MESHRPR_PROV_F_WAIT_STRING;
    auth_string(s, str, len);
    input_done(s);
    return 0;
}

int meshrpr_prov_input_string(struct meshrpr_node *node, const char *str)
{
    if (node == NULL || str == NULL) {
        return -EINVAL;
    }
    return input_string(input_target(node, MESHRPR_PROV_F_WAIT_STRING), str);
}

int meshrpr_prov_session_input_string(struct meshrpr_prov_session *session, const char *str)
{
    return input_string(session, str);
}

int meshrpr_prov_enable(struct meshrpr_node *node, bt_mesh_prov_bearer_t bearers)
{
    const struct bt_mesh_prov *prov;

    if (node == NULL || bearers == 0) {
        return -EINVAL;
    }
    prov = meshrpr_prov_cfg(node);
    if (prov == NULL || prov->uuid == NULL) {
        return -EINVAL;
    }
    if (bearers & ~(BT_MESH_PROV_ADV | BT_MESH_PROV_GATT | BT_MESH_PROV_REMOTE)) {
        return -EINVAL;
    }
    if (bearers & BT_MESH_PROV_GATT) {
        return -ENOTSUP;
    }
    /* Only NPPI (the remote bearer) makes sense once provisioned (Zephyr does the same). */
    if (meshrpr_node_is_provisioned(node) && (bearers & BT_MESH_PROV_ADV)) {
        return -EALREADY;
    }
    if ((bearers & BT_MESH_PROV_REMOTE) && meshrpr_nppi_enable(node, true) != 0) {
        return -ENOTSUP; /* NPPI needs the node's own Remote Provisioning Server */
    }
    if ((bearers & BT_MESH_PROV_ADV) && !(node->prov.enabled & BT_MESH_PROV_ADV)) {
        int err = meshrpr_provisionee_adv_enable(node, true);
        if (err != 0) {
            return err;
        }
    }
    node->prov.enabled |= (uint8_t)bearers;
    return 0;
}

int meshrpr_prov_disable(struct meshrpr_node *node, bt_mesh_prov_bearer_t bearers)
{
    if (node == NULL || bearers == 0) {
        return -EINVAL;
    }
    if ((bearers & BT_MESH_PROV_ADV) && (node->prov.enabled & BT_MESH_PROV_ADV)) {
        (void)meshrpr_provisionee_adv_enable(node, false);
    }
    if (bearers & BT_MESH_PROV_REMOTE) {
        (void)meshrpr_nppi_enable(node, false);
    }
    node->prov.enabled &= (uint8_t)~bearers;
    return 0;
}

uint8_t meshrpr_prov_enabled(const struct meshrpr_node *node)
{
    return node->prov.enabled;
}

bool meshrpr_prov_device_can_start(const struct meshrpr_node *node, uint8_t bearer)
{
    if (!(node->prov.enabled & bearer) || node->prov.device.link != NULL) {
        return false;
    }
    return bearer == BT_MESH_PROV_REMOTE || !meshrpr_node_is_provisioned(node);
}

bool meshrpr_prov_is_busy(const struct meshrpr_node *node)
{
    if (node->prov.device.link != NULL) {
        return true;
    }
    for (size_t i = 0; i < meshrpr_prov_session_count(node); i++) {
        if (meshrpr_prov_session_at_const(node, i)->link != NULL) {
            return true;
        }
    }
    return false;
}

int meshrpr_prov_last_result(const struct meshrpr_node *node, struct meshrpr_prov_result *result)
{
    if (node == NULL || result == NULL) {
        return -EINVAL;
    }
    if (!node->prov.have_result) {
        return -ENOENT;
    }
    *result = node->prov.last_result;
    return 0;
}

uint8_t meshrpr_prov_enabled_bearers(const struct meshrpr_node *node)
{
    return node->prov.enabled;
}

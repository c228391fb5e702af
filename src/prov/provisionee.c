/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The device's (provisionee's) state machine (MshPRTv1.1 §5.4.2): Capabilities from the node's
 * struct bt_mesh_prov, Start checked against them (§5.4.1.3: a value it did not offer is
 * Invalid Format), the Public Key exchange (a fresh key pair per session, or the OOB key pair),
 * the OOB step with the application's output and input callbacks, Confirmation, Random, and the
 * Provisioning Data, which makes the node provisioned. On any error it sends Provisioning
 * Failed and waits for the provisioner to close the link. NPPI reuses it through hooks that
 * check and apply the Provisioning Data differently.
 */
#include <errno.h>
#include <string.h>

#define MESHRPR_LOG_MODULE "prov"
#include "core/log.h"

#include "crypto/crypto.h"
#include "node/node_services.h"
#include "prov/pb_adv.h"
#include "prov/prov.h"
#include "prov/unprov_beacon.h"

enum device_state {
    D_WAIT_INVITE = 0,
    D_WAIT_START,   /* Capabilities sent */
    D_WAIT_PUB_KEY, /* Start accepted */
    D_WAIT_CONFIRM, /* Public Keys exchanged */
    D_WAIT_RANDOM,  /* our Confirmation sent */
    D_WAIT_DATA,    /* our Random sent */
};

/* Output actions this implementation can drive (Blink..Alphanumeric) and input actions
 * (Push..Alphanumeric), as Capabilities bit masks. */
#define OUTPUT_ACTIONS_KNOWN 0x001f
#define INPUT_ACTIONS_KNOWN  0x000f

uint8_t meshrpr_provisionee_waiting_for(const struct meshrpr_prov_session *s)
{
    switch (s->state) {
    case D_WAIT_INVITE:
        return MESHRPR_PROV_INVITE;
    case D_WAIT_START:
        return MESHRPR_PROV_START;
    case D_WAIT_PUB_KEY:
        return MESHRPR_PROV_PUB_KEY;
    case D_WAIT_CONFIRM:
        /* With Input OOB the provisioner confirms only after our Input Complete. */
        if (s->auth_method == MESHRPR_PROV_AUTH_INPUT &&
            !(s->flags & MESHRPR_PROV_F_INPUT_COMPLETE)) {
            return 0xff;
        }
        return MESHRPR_PROV_CONFIRM;
    case D_WAIT_RANDOM:
        return MESHRPR_PROV_RANDOM;
    case D_WAIT_DATA:
        return MESHRPR_PROV_DATA;
    default:
        return 0xff;
    }
}

uint8_t meshrpr_provisionee_check(struct meshrpr_prov_session *s, uint8_t type)
{
    uint8_t expected = meshrpr_provisionee_waiting_for(s);

    /* Provisioning records (§5.4.2.6) are not supported: before Invite a record request is a
     * PDU this device does not understand; after Invite it is out of sequence. */
    if (type == MESHRPR_PROV_RECORD_REQUEST || type == MESHRPR_PROV_RECORDS_GET) {
        return s->state == D_WAIT_INVITE ? MESHRPR_PROV_ERR_INVALID_PDU
                                         : MESHRPR_PROV_ERR_UNEXPECTED_PDU;
    }
    return (expected != 0xff && type == expected) ? 0 : MESHRPR_PROV_ERR_UNEXPECTED_PDU;
}

/* Our Capabilities, from the node's struct bt_mesh_prov (§5.4.1.2). */
static void caps_build(const struct meshrpr_prov_session *s, struct meshrpr_prov_caps *caps)
{
    const struct bt_mesh_prov *prov = meshrpr_prov_cfg(s->node);
    uint16_t algorithms = prov->algorithms & 0x0003;

    memset(caps, 0, sizeof(*caps));
    caps->elem_count = (s->hooks != NULL && s->hooks->elem_count != NULL)
                           ? s->hooks->elem_count(s)
                           : (uint8_t)meshrpr_node_elem_count(s->node);
    if (algorithms == 0) {
        algorithms =
            BIT(BT_MESH_PROV_AUTH_CMAC_AES128_AES_CCM) | BIT(BT_MESH_PROV_AUTH_HMAC_SHA256_AES_CCM);
    }
    if (prov->oob_auth_required) {
        /* §5.4.1.2: with "only OOB authenticated provisioning", CMAC shall not be offered. */
        algorithms = BIT(BT_MESH_PROV_AUTH_HMAC_SHA256_AES_CCM);
        caps->oob_type |= BT_MESH_OOB_AUTH_REQUIRED;
    }
    caps->algorithms = algorithms;
    caps->pub_key_type = (prov->public_key_be != NULL && prov->private_key_be != NULL) ? 1 : 0;
    if (prov->static_val != NULL && prov->static_val_len > 0) {
        caps->oob_type |= BT_MESH_STATIC_OOB_AVAILABLE;
    }
    if (prov->output_size >= 1 && prov->output_size <= MESHRPR_PROV_IO_OOB_SIZE_MAX &&
        (prov->output_actions & OUTPUT_ACTIONS_KNOWN) != 0) {
        caps->output_size = prov->output_size;
        caps->output_actions = prov->output_actions & OUTPUT_ACTIONS_KNOWN;
    }
    if (prov->input_size >= 1 && prov->input_size <= MESHRPR_PROV_IO_OOB_SIZE_MAX &&
        (prov->input_actions & INPUT_ACTIONS_KNOWN) != 0) {
        caps->input_size = prov->input_size;
        caps->input_actions = prov->input_actions & INPUT_ACTIONS_KNOWN;
    }
}

static void recv_invite(struct meshrpr_prov_session *s, const struct meshrpr_prov_pdu *pdu)
{
    struct meshrpr_prov_pdu caps = { .type = MESHRPR_PROV_CAPABILITIES };
    struct net_buf_simple buf;
    uint8_t raw[1 + MESHRPR_PROV_CAPABILITIES_LEN];

    /* The Attention Duration would drive the Attention Timer of a Health Server, which
     * meshrpr does not have; it only enters the ConfirmationInputs. */
    s->conf_inputs[MESHRPR_PROV_CI_INVITE] = pdu->attention_s;
    caps_build(s, &caps.caps);
    net_buf_simple_init_with_data(&buf, raw, sizeof(raw));
    net_buf_simple_reset(&buf);
    (void)meshrpr_prov_pdu_encode(&caps, &buf);
    memcpy(&s->conf_inputs[MESHRPR_PROV_CI_CAPABILITIES], &raw[1], MESHRPR_PROV_CAPABILITIES_LEN);
    s->state = D_WAIT_START;
    (void)meshrpr_prov_send(s, &caps);
}

/* Whether a Start asks only for what our Capabilities offered (§5.4.2.3). */
static bool start_acceptable(const struct meshrpr_prov_session *s,
                             const struct meshrpr_prov_start *st)
{
    const uint8_t *c = &s->conf_inputs[MESHRPR_PROV_CI_CAPABILITIES];
    uint16_t algorithms = (uint16_t)(c[1] << 8 | c[2]);
    uint8_t pub_key_type = c[3];
    uint8_t oob_type = c[4];
    uint8_t output_size = c[5];
    uint16_t output_actions = (uint16_t)(c[6] << 8 | c[7]);
    uint8_t input_size = c[8];
    uint16_t input_actions = (uint16_t)(c[9] << 8 | c[10]);

    if (!(algorithms & BIT(st->algorithm))) {
        return false;
    }
    if (st->pub_key && !(pub_key_type & 0x01)) {
        return false;
    }
    switch (st->auth_method) {
    case MESHRPR_PROV_AUTH_NONE:
        /* "Only OOB authenticated provisioning": No OOB is refused (HMAC is already forced by
         * the algorithm bits). */
        return !(oob_type & BT_MESH_OOB_AUTH_REQUIRED);
    case MESHRPR_PROV_AUTH_STATIC:
        return (oob_type & BT_MESH_STATIC_OOB_AVAILABLE) != 0;
    case MESHRPR_PROV_AUTH_OUTPUT:
        return (output_actions & BIT(st->auth_action)) && st->auth_size <= output_size;
    case MESHRPR_PROV_AUTH_INPUT:
        return (input_actions & BIT(st->auth_action)) && st->auth_size <= input_size;
    default:
        return false;
    }
}

/* Our side of the authentication as the Start arrives (§5.4.2.4). @return 0, or a
 * Provisioning Failed error code. */
static uint8_t auth_start(struct meshrpr_prov_session *s)
{
    const struct bt_mesh_prov *prov = meshrpr_prov_cfg(s->node);
    uint32_t num = 0;
    char str[9];
    int err;

    switch (s->auth_method) {
    case MESHRPR_PROV_AUTH_NONE:
        memset(s->auth, 0, sizeof(s->auth));
        s->flags |= MESHRPR_PROV_F_AUTH_READY;
        return 0;
    case MESHRPR_PROV_AUTH_STATIC:
        meshrpr_prov_auth_static(s, prov->static_val, prov->static_val_len);
        return 0;
    case MESHRPR_PROV_AUTH_OUTPUT: {
        /* We draw and output the value; the user enters it on the provisioner. */
        bool string = s->auth_action == MESHRPR_PROV_OUTPUT_ALPHANUMERIC;
        bool counted = s->auth_action < MESHRPR_PROV_OUTPUT_NUMERIC; /* Blink, Beep, Vibrate */
        if (string ? !meshrpr_prov_has_output_string(prov)
                   : !meshrpr_prov_has_output_number(prov)) {
            return MESHRPR_PROV_ERR_UNEXPECTED_ERROR;
        }
        if (meshrpr_prov_auth_generate(s, !string, counted, &num, str) != 0) {
            return MESHRPR_PROV_ERR_UNEXPECTED_ERROR;
        }
        s->flags |= MESHRPR_PROV_F_NOTIFY_INPUT;
        err = string ? meshrpr_prov_cb_output_string(s, prov, str)
                     : meshrpr_prov_cb_output_number(
                           s, prov, (bt_mesh_output_action_t)BIT(s->auth_action), num);
        meshrpr_crypto_wipe(str, sizeof(str));
        return err == 0 ? 0 : MESHRPR_PROV_ERR_UNEXPECTED_ERROR;
    }
    case MESHRPR_PROV_AUTH_INPUT: {
        /* The user enters what the provisioner shows; meshrpr_prov_input_*() brings it. */
        bool string = s->auth_action == MESHRPR_PROV_INPUT_ALPHANUMERIC;
        if (!meshrpr_prov_has_input(prov)) {
            return MESHRPR_PROV_ERR_UNEXPECTED_ERROR;
        }
        s->flags |= string ? MESHRPR_PROV_F_WAIT_STRING : MESHRPR_PROV_F_WAIT_NUMBER;
        err = meshrpr_prov_cb_input(s, prov, (bt_mesh_input_action_t)BIT(s->auth_action),
                                    s->auth_size);
        return err == 0 ? 0 : MESHRPR_PROV_ERR_UNEXPECTED_ERROR;
    }
    default:
        return MESHRPR_PROV_ERR_INVALID_FORMAT;
    }
}

/* Input OOB: Input Complete goes out once the value is in and our Public Key has been sent
 * (or is known out of band), §5.4.2.4. */
static void try_input_complete(struct meshrpr_prov_session *s)
{
    struct meshrpr_prov_pdu pdu = { .type = MESHRPR_PROV_INPUT_COMPLETE };

    if (s->auth_method != MESHRPR_PROV_AUTH_INPUT || !(s->flags & MESHRPR_PROV_F_AUTH_READY) ||
        !(s->flags & MESHRPR_PROV_F_PUB_KEY_SENT) ||
        (s->flags &
         (MESHRPR_PROV_F_INPUT_COMPLETE | MESHRPR_PROV_F_CLOSING | MESHRPR_PROV_F_FAILED))) {
        return;
    }
    s->flags |= MESHRPR_PROV_F_INPUT_COMPLETE;
    (void)meshrpr_prov_send(s, &pdu);
}

void meshrpr_provisionee_input_done(struct meshrpr_prov_session *s)
{
    try_input_complete(s);
}

static void recv_start(struct meshrpr_prov_session *s, const struct meshrpr_prov_pdu *pdu)
{
    const struct bt_mesh_prov *prov = meshrpr_prov_cfg(s->node);
    const struct meshrpr_prov_start *st = &pdu->start;
    uint8_t code;

    if (!start_acceptable(s, st)) {
        MESHRPR_LOG_WRN(&s->node->platform, "Start asks for what was not offered");
        meshrpr_prov_refuse(s, MESHRPR_PROV_ERR_INVALID_FORMAT);
        return;
    }
    s->conf_inputs[MESHRPR_PROV_CI_START + 0] = st->algorithm;
    s->conf_inputs[MESHRPR_PROV_CI_START + 1] = st->pub_key;
    s->conf_inputs[MESHRPR_PROV_CI_START + 2] = st->auth_method;
    s->conf_inputs[MESHRPR_PROV_CI_START + 3] = st->auth_action;
    s->conf_inputs[MESHRPR_PROV_CI_START + 4] = st->auth_size;
    meshrpr_prov_alg_set(s, st->algorithm);
    s->oob_pub_key = st->pub_key;
    s->auth_method = st->auth_method;
    s->auth_action = st->auth_action;
    s->auth_size = st->auth_size;
    s->state = D_WAIT_PUB_KEY;
    meshrpr_prov_timer_restart(s); /* 120 s from now on with Input/Output OOB */

    if (s->oob_pub_key) {
        /* Our key pair is the one whose public half the provisioner got out of band. */
        if (meshrpr_prov_key_set(s, prov->private_key_be, prov->public_key_be) != 0) {
            MESHRPR_LOG_ERR(&s->node->platform, "OOB key pair of the configuration is invalid");
            meshrpr_prov_refuse(s, MESHRPR_PROV_ERR_UNEXPECTED_ERROR);
            return;
        }
        s->flags |= MESHRPR_PROV_F_PUB_KEY_SENT;
    }
    code = auth_start(s);
    if (code != 0) {
        meshrpr_prov_refuse(s, code);
    }
}

static void recv_pub_key(struct meshrpr_prov_session *s, const struct meshrpr_prov_pdu *pdu)
{
    uint8_t code;

    memcpy(&s->conf_inputs[MESHRPR_PROV_CI_PUB_KEY_PROV], pdu->pub_key, 64);
    if (!s->oob_pub_key && meshrpr_prov_key_make(s) != 0) {
        meshrpr_prov_refuse(s, MESHRPR_PROV_ERR_UNEXPECTED_ERROR);
        return;
    }
    code = meshrpr_prov_dhkey(s);
    if (code != 0) {
        meshrpr_prov_refuse(s, code);
        return;
    }
    s->state = D_WAIT_CONFIRM;
    if (!s->oob_pub_key) {
        struct meshrpr_prov_pdu pub = { .type = MESHRPR_PROV_PUB_KEY };
        memcpy(pub.pub_key, meshrpr_prov_own_pub_key(s), 64);
        if (meshrpr_prov_send(s, &pub) != 0) {
            return;
        }
        s->flags |= MESHRPR_PROV_F_PUB_KEY_SENT;
    }
    try_input_complete(s);
}

static void recv_confirm(struct meshrpr_prov_session *s, const struct meshrpr_prov_pdu *pdu)
{
    const struct bt_mesh_prov *prov = meshrpr_prov_cfg(s->node);
    struct meshrpr_prov_pdu conf = { .type = MESHRPR_PROV_CONFIRM };

    if (!(s->flags & MESHRPR_PROV_F_AUTH_READY)) {
        /* Output OOB values are drawn at Start, so only a missing input gets here. */
        meshrpr_prov_refuse(s, MESHRPR_PROV_ERR_UNEXPECTED_PDU);
        return;
    }
    if (s->flags & MESHRPR_PROV_F_NOTIFY_INPUT) {
        /* The user typed our output value on the provisioner: stop showing it. */
        s->flags &= (uint16_t)~MESHRPR_PROV_F_NOTIFY_INPUT;
        meshrpr_prov_cb_input_complete(s, prov);
    }
    memcpy(s->peer_conf, pdu->value.value, s->value_len);
    if (meshrpr_prov_confirm_make(s) != 0) {
        meshrpr_prov_refuse(s, MESHRPR_PROV_ERR_UNEXPECTED_ERROR);
        return;
    }
    /* §5.4.2.4.2: a Confirmation equal to ours is reflected, refuse it (Invalid Format). */
    if (memcmp(s->peer_conf, s->conf, s->value_len) == 0) {
        MESHRPR_LOG_WRN(&s->node->platform, "provisioner Confirmation equals ours");
        meshrpr_prov_refuse(s, MESHRPR_PROV_ERR_INVALID_FORMAT);
        return;
    }
    conf.value.len = s->value_len;
    memcpy(conf.value.value, s->conf, s->value_len);
    s->state = D_WAIT_RANDOM;
    (void)meshrpr_prov_send(s, &conf);
}

static void recv_random(struct meshrpr_prov_session *s, const struct meshrpr_prov_pdu *pdu)
{
    struct meshrpr_prov_pdu rnd = { .type = MESHRPR_PROV_RANDOM };
    uint8_t code;

    /* The provisioner's Random must open its Confirmation before ours is revealed. */
    code = meshrpr_prov_confirm_check(s, pdu->value.value);
    if (code != 0) {
        meshrpr_prov_refuse(s, code);
        return;
    }
    if (meshrpr_prov_session_keys(s, pdu->value.value, s->rand, s->session_key, s->session_nonce) !=
        0) {
        meshrpr_prov_refuse(s, MESHRPR_PROV_ERR_UNEXPECTED_ERROR);
        return;
    }
    rnd.value.len = s->value_len;
    memcpy(rnd.value.value, s->rand, s->value_len);
    s->state = D_WAIT_DATA;
    (void)meshrpr_prov_send(s, &rnd);
}

static uint8_t data_check_default(struct meshrpr_prov_session *s,
                                  const struct meshrpr_prov_data *data)
{
    size_t elem_count = meshrpr_node_elem_count(s->node);

    if (data->net_idx > 0x0fff) {
        return MESHRPR_PROV_ERR_INVALID_DATA;
    }
    /* §5.4.2.5: every element gets a consecutive unicast address, or Cannot Assign Addresses. */
    if (!BT_MESH_ADDR_IS_UNICAST(data->addr) || data->addr + elem_count - 1 > 0x7fff) {
        return MESHRPR_PROV_ERR_CANNOT_ASSIGN_ADDRESSES;
    }
    return 0;
}

static int data_apply_default(struct meshrpr_prov_session *s, const struct meshrpr_prov_data *data,
                              const uint8_t dev_key[16])
{
    struct meshrpr_node *node = s->node;
    int err;

    /* The node takes the identity and keys as a whole (the composer, src/node/node.c). */
    err = node->hooks.provision == NULL
              ? -ENOTSUP
              : node->hooks.provision(node, data->net_key, data->net_idx, data->flags,
                                      data->iv_index, data->addr, dev_key);
    if (err != 0) {
        return err;
    }
    /* Provisioned: no more PB-ADV links or Unprovisioned Device beacons (§5.4.2.1). */
    node->prov.enabled &= (uint8_t)~BT_MESH_PROV_ADV;
    meshrpr_pb_adv_device_disable(node);
    meshrpr_unprov_beacon_stop(node);
    return 0;
}

static void recv_data(struct meshrpr_prov_session *s, const struct meshrpr_prov_pdu *pdu)
{
    const struct bt_mesh_prov *prov = meshrpr_prov_cfg(s->node);
    struct meshrpr_prov_pdu complete = { .type = MESHRPR_PROV_COMPLETE };
    struct meshrpr_prov_data data;
    uint8_t plain[MESHRPR_PROV_DATA_LEN];
    uint8_t code;
    int err;

    err = meshrpr_crypto_prov_data_decrypt(s->session_key, s->session_nonce, pdu->data.encrypted,
                                           pdu->data.mic, plain);
    meshrpr_crypto_wipe(s->session_key, sizeof(s->session_key));
    if (err != 0) {
        meshrpr_prov_refuse(s, MESHRPR_PROV_ERR_DECRYPTION_FAILED);
        return;
    }
    memcpy(data.net_key, plain, 16);
    data.net_idx = (uint16_t)(plain[16] << 8 | plain[17]);
    data.flags = plain[18];
    data.iv_index = (uint32_t)plain[19] << 24 | (uint32_t)plain[20] << 16 |
                    (uint32_t)plain[21] << 8 | plain[22];
    data.addr = (uint16_t)(plain[23] << 8 | plain[24]);
    meshrpr_crypto_wipe(plain, sizeof(plain));

    code = (s->hooks != NULL && s->hooks->data_check != NULL) ? s->hooks->data_check(s, &data)
                                                              : data_check_default(s, &data);
    if (code == 0) {
        err = (s->hooks != NULL && s->hooks->data_apply != NULL)
                  ? s->hooks->data_apply(s, &data, s->dev_key)
                  : data_apply_default(s, &data, s->dev_key);
        code = err == 0 ? 0 : MESHRPR_PROV_ERR_UNEXPECTED_ERROR;
    }
    meshrpr_crypto_wipe(&data.net_key, sizeof(data.net_key));
    if (code != 0) {
        meshrpr_prov_refuse(s, code);
        return;
    }
    s->addr = data.addr;
    if (meshrpr_prov_send(s, &complete) != 0) {
        return;
    }
    meshrpr_prov_succeeded(s);
    MESHRPR_LOG_INF(&s->node->platform, "provisioned as 0x%04x", data.addr);
    if ((s->hooks == NULL || s->hooks->data_apply == NULL) && prov->complete != NULL) {
        struct meshrpr_prov_session *prev = meshrpr_prov_cb_enter(s);
        prov->complete(data.net_idx, data.addr);
        meshrpr_prov_cb_exit(s->node, prev);
    }
}

void meshrpr_provisionee_recv(struct meshrpr_prov_session *s, const struct meshrpr_prov_pdu *pdu)
{
    switch (pdu->type) {
    case MESHRPR_PROV_INVITE:
        recv_invite(s, pdu);
        break;
    case MESHRPR_PROV_START:
        recv_start(s, pdu);
        break;
    case MESHRPR_PROV_PUB_KEY:
        recv_pub_key(s, pdu);
        break;
    case MESHRPR_PROV_CONFIRM:
        recv_confirm(s, pdu);
        break;
    case MESHRPR_PROV_RANDOM:
        recv_random(s, pdu);
        break;
    case MESHRPR_PROV_DATA:
        recv_data(s, pdu);
        break;
    default:
        break;
    }
}

int meshrpr_prov_device_start_ext(struct meshrpr_node *node, struct meshrpr_prov_link *link,
                                  const struct meshrpr_prov_hooks *hooks, void *hooks_ctx)
{
    const struct bt_mesh_prov *prov;
    struct meshrpr_prov_session *s;

    if (node == NULL || link == NULL || link->ops == NULL) {
        return -EINVAL;
    }
    prov = meshrpr_prov_cfg(node);
    if (prov == NULL || prov->uuid == NULL) {
        return -EINVAL;
    }
    /* Only NPPI (with its hooks) provisions a node that already is. */
    if ((hooks == NULL || hooks->data_apply == NULL) && meshrpr_node_is_provisioned(node)) {
        return -EALREADY;
    }
    s = meshrpr_prov_session_alloc(node, MESHRPR_PROV_ROLE_DEVICE, link);
    if (s == NULL) {
        return -EBUSY;
    }
    s->hooks = hooks;
    s->hooks_ctx = hooks_ctx;
    s->state = D_WAIT_INVITE;
    MESHRPR_LOG_INF(&node->platform, "provisioning link opened on bearer 0x%02x", s->bearer);
    /* A device link is open when the provisioner opened it: report it now. */
    meshrpr_prov_link_cb.link_opened(link);
    return 0;
}

int meshrpr_prov_device_start(struct meshrpr_node *node, struct meshrpr_prov_link *link)
{
    return meshrpr_prov_device_start_ext(node, link, NULL, NULL);
}

/* PB-ADV's accept hook: a provisioner opened a link to our UUID. */
static void pb_adv_accept(struct meshrpr_node *node, struct meshrpr_prov_link *link)
{
    if (meshrpr_prov_device_start(node, link) != 0) {
        link->ops->close(link, MESHRPR_PROV_LINK_FAIL);
    }
}

int meshrpr_provisionee_adv_enable(struct meshrpr_node *node, bool enable)
{
    const struct bt_mesh_prov *prov = meshrpr_prov_cfg(node);
    int err;

    if (!enable) {
        meshrpr_pb_adv_device_disable(node);
        meshrpr_unprov_beacon_stop(node);
        return 0;
    }
    err = meshrpr_pb_adv_device_enable(node, prov->uuid, pb_adv_accept);
    if (err == 0) {
        err = meshrpr_unprov_beacon_start(node, prov->uuid, (uint16_t)prov->oob_info, prov->uri);
        if (err != 0) {
            meshrpr_pb_adv_device_disable(node);
        }
    }
    return err;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The provisioner's state machine (MshPRTv1.1 §5.4.2): Invite, Capabilities (where the
 * application picks the authentication), Start, the Public Key exchange (ours fresh for every
 * session, the device's in band or out of band), the OOB step, Confirmation, Random, the
 * encrypted Provisioning Data and Complete, after which the node enters the node database.
 * It never sends Provisioning Failed (§5.4.4): every refusal closes the link with Fail. The
 * checks of the 2021 advisories (CVE-2020-26560: reflected Confirmation and Random; the device
 * returning our public key) run before any secret leaves the node.
 */
#include <errno.h>
#include <string.h>

#define MESHRPR_LOG_MODULE "prov"
#include "core/log.h"

#include <meshrpr/cdb.h>

#include "crypto/crypto.h"
#include "net/keys.h"
#include "node/node_services.h"
#include "prov/pb_adv.h"
#include "prov/prov.h"

enum provisioner_state {
    P_LINK = 0,      /* waiting for the bearer to open the link */
    P_WAIT_CAPS,     /* Invite sent */
    P_WAIT_PUB_KEY,  /* Start and our Public Key sent */
    P_WAIT_AUTH,     /* ECDHSecret known; waiting for the user or for Input Complete */
    P_WAIT_CONFIRM,  /* our Confirmation sent */
    P_WAIT_RANDOM,   /* our Random sent */
    P_WAIT_COMPLETE, /* Provisioning Data sent */
};

uint8_t meshrpr_provisioner_waiting_for(const struct meshrpr_prov_session *s)
{
    switch (s->state) {
    case P_WAIT_CAPS:
        return MESHRPR_PROV_CAPABILITIES;
    case P_WAIT_PUB_KEY:
        return MESHRPR_PROV_PUB_KEY;
    case P_WAIT_AUTH:
        if (s->auth_method == MESHRPR_PROV_AUTH_INPUT &&
            !(s->flags & MESHRPR_PROV_F_INPUT_COMPLETE)) {
            return MESHRPR_PROV_INPUT_COMPLETE;
        }
        return 0xff; /* the user's input */
    case P_WAIT_CONFIRM:
        return MESHRPR_PROV_CONFIRM;
    case P_WAIT_RANDOM:
        return MESHRPR_PROV_RANDOM;
    case P_WAIT_COMPLETE:
        return MESHRPR_PROV_COMPLETE;
    default:
        return 0xff;
    }
}

bool meshrpr_provisioner_choosing(const struct meshrpr_prov_session *s)
{
    /* The state moves on from P_WAIT_CAPS only after the capabilities callback returned. */
    return s->role == MESHRPR_PROV_ROLE_PROVISIONER && s->state == P_WAIT_CAPS;
}

uint8_t meshrpr_provisioner_check(struct meshrpr_prov_session *s, uint8_t type)
{
    uint8_t expected = meshrpr_provisioner_waiting_for(s);

    return (expected != 0xff && type == expected) ? 0 : MESHRPR_PROV_ERR_UNEXPECTED_PDU;
}

static void local_error(struct meshrpr_prov_session *s, uint8_t error_code, const char *why)
{
    MESHRPR_LOG_WRN(&s->node->platform, "provisioning 0x%04x stopped: %s", s->addr, why);
    meshrpr_prov_close(s, MESHRPR_PROV_LINK_FAIL, MESHRPR_PROV_STATUS_LOCAL_ERROR, error_code);
}

/* ---- Address allocation ------------------------------------------------------------------ */

/* 0 when [addr, addr + n) is free, else the first address after the range that overlaps it. */
static uint32_t range_conflict(struct meshrpr_prov_session *s, uint32_t addr, uint32_t n)
{
    struct meshrpr_node *node = s->node;
    const struct meshrpr_cdb *cdb = node->cfg.cdb;
    uint32_t end = addr + n;

    if (meshrpr_node_is_provisioned(node)) {
        uint32_t own = meshrpr_node_addr(node);
        uint32_t own_end = own + meshrpr_node_elem_count(node);
        if (addr < own_end && own < end) {
            return own_end;
        }
    }
    if (cdb != NULL) {
        for (size_t i = 0; i < meshrpr_cdb_node_capacity(cdb); i++) {
            const struct meshrpr_cdb_node *c = meshrpr_cdb_node_at(cdb, i);
            uint32_t c_end = (uint32_t)c->addr + (c->num_elem ? c->num_elem : 1);
            if (c->valid && addr < c_end && c->addr < end) {
                return c_end;
            }
        }
    }
    /* Sessions in progress hold their range from Capabilities to the end. */
    for (size_t i = 0; i < meshrpr_prov_session_count(node); i++) {
        const struct meshrpr_prov_session *o = meshrpr_prov_session_at_const(node, i);
        uint32_t o_end = (uint32_t)o->addr + o->elem_count;
        if (o != s && o->link != NULL && o->addr != 0 && o->elem_count != 0 && addr < o_end &&
            o->addr < end) {
            return o_end;
        }
    }
    return 0;
}

static int addr_assign_default(struct meshrpr_prov_session *s, uint8_t elem_count,
                               uint16_t *addr_out)
{
    const struct meshrpr_cdb *cdb = s->node->cfg.cdb;
    uint32_t low = 0x0001;
    uint32_t high = 0x7fff;
    uint32_t addr;

    if (cdb != NULL) {
        size_t used = 0;

        /* Keep a database entry free for every session that already holds an address. */
        for (size_t i = 0; i < meshrpr_cdb_node_capacity(cdb); i++) {
            used += meshrpr_cdb_node_at(cdb, i)->valid ? 1 : 0;
        }
        for (size_t i = 0; i < meshrpr_prov_session_count(s->node); i++) {
            const struct meshrpr_prov_session *o = meshrpr_prov_session_at_const(s->node, i);
            used += (o != s && o->link != NULL && o->addr != 0 && o->elem_count != 0) ? 1 : 0;
        }
        if (used >= meshrpr_cdb_node_capacity(cdb)) {
            return -ENOMEM;
        }
    }
    if (s->addr != 0) {
        /* A requested address: all of its elements must fit and be free (§5.4.2.5). */
        if ((uint32_t)s->addr + elem_count - 1 > 0x7fff) {
            return -EINVAL;
        }
        if (range_conflict(s, s->addr, elem_count) != 0) {
            return -EADDRINUSE;
        }
        *addr_out = s->addr;
        return 0;
    }
    if (cdb == NULL) {
        return -ENOTSUP;
    }
    if (cdb->alloc_low != 0 && cdb->alloc_low <= cdb->alloc_high) {
        low = cdb->alloc_low;
        high = cdb->alloc_high < 0x7fff ? cdb->alloc_high : 0x7fff;
    }
    /* The lowest free range: each conflict moves the candidate past the range in the way. */
    addr = meshrpr_cdb_free_addr_get(cdb, elem_count);
    if (addr == 0) {
        return -ENOMEM;
    }
    addr = addr > low ? addr : low;
    while (addr + elem_count - 1 <= high) {
        uint32_t next = range_conflict(s, addr, elem_count);
        if (next == 0) {
            *addr_out = (uint16_t)addr;
            return 0;
        }
        addr = next;
    }
    return -ENOMEM;
}

int meshrpr_provisioner_pending_write(struct meshrpr_prov_session *s, const uint8_t dev_key[16])
{
    struct meshrpr_node *node = s->node;
    struct meshrpr_cdb *cdb = node->cfg.cdb;
    struct meshrpr_cdb_node *entry;

    if (cdb == NULL) {
        return 0;
    }
    entry = meshrpr_cdb_node_by_uuid(cdb, s->uuid);
    if (entry != NULL && entry->pending == MESHRPR_CDB_PENDING_PROVISION) {
        /* An earlier attempt that never saw Complete: the device is unprovisioned again
         * (it is being provisioned now), so that entry was never true. */
        meshrpr_cdb_node_del(cdb, entry);
    }
    entry = meshrpr_cdb_node_alloc(cdb, s->uuid, s->addr, s->elem_count, s->net_idx);
    if (entry == NULL) {
        MESHRPR_LOG_ERR(&node->platform, "node 0x%04x: no room in the database", s->addr);
        return -ENOMEM;
    }
    memcpy(entry->dev_key, dev_key, 16);
    entry->pending = MESHRPR_CDB_PENDING_PROVISION;
    return meshrpr_node_cdb_store(node);
}

int meshrpr_provisioner_pending_commit(struct meshrpr_prov_session *s, const uint8_t dev_key[16])
{
    struct meshrpr_node *node = s->node;
    struct meshrpr_cdb *cdb = node->cfg.cdb;
    struct meshrpr_cdb_node *entry;

    if (cdb == NULL) {
        return 0;
    }
    entry = meshrpr_cdb_node_by_uuid(cdb, s->uuid);
    if (entry == NULL) {
        /* A custom data_sending hook that kept no entry: add it now. */
        entry = meshrpr_cdb_node_alloc(cdb, s->uuid, s->addr, s->elem_count, s->net_idx);
    }
    if (entry == NULL) {
        MESHRPR_LOG_ERR(&node->platform, "node 0x%04x provisioned but not added to the database",
                        s->addr);
        return -ENOMEM;
    }
    memcpy(entry->dev_key, dev_key, 16);
    entry->pending = MESHRPR_CDB_PENDING_NONE;
    return meshrpr_node_cdb_store(node);
}

static void node_provisioned_default(struct meshrpr_prov_session *s, const uint8_t dev_key[16])
{
    struct meshrpr_node *node = s->node;
    const struct bt_mesh_prov *prov = meshrpr_prov_cfg(node);

    (void)meshrpr_provisioner_pending_commit(s, dev_key);
    if (prov != NULL && prov->node_added != NULL) {
        uint8_t uuid[16];
        struct meshrpr_prov_session *prev = meshrpr_prov_cb_enter(s);

        memcpy(uuid, s->uuid, 16);
        prov->node_added(s->net_idx, uuid, s->addr, s->elem_count);
        meshrpr_prov_cb_exit(node, prev);
    }
}

/* ---- The exchange ------------------------------------------------------------------------ */

void meshrpr_provisioner_link_opened(struct meshrpr_prov_session *s)
{
    struct meshrpr_prov_pdu pdu = { .type = MESHRPR_PROV_INVITE, .attention_s = s->attention_s };

    if (s->state != P_LINK) {
        return;
    }
    s->conf_inputs[MESHRPR_PROV_CI_INVITE] = s->attention_s;
    s->state = P_WAIT_CAPS;
    (void)meshrpr_prov_send(s, &pdu);
}

/* Send our Confirmation once the ECDHSecret, the AuthValue and (Input OOB) the device's Input
 * Complete are all there. */
static void try_confirm(struct meshrpr_prov_session *s)
{
    struct meshrpr_prov_pdu pdu = { .type = MESHRPR_PROV_CONFIRM };

    if (s->state != P_WAIT_AUTH || (s->flags & MESHRPR_PROV_F_CLOSING) ||
        !(s->flags & MESHRPR_PROV_F_AUTH_READY) || !(s->flags & MESHRPR_PROV_F_HAVE_DHKEY)) {
        return;
    }
    if (s->auth_method == MESHRPR_PROV_AUTH_INPUT && !(s->flags & MESHRPR_PROV_F_INPUT_COMPLETE)) {
        return;
    }
    if (meshrpr_prov_confirm_make(s) != 0) {
        local_error(s, MESHRPR_PROV_ERR_UNEXPECTED_ERROR, "confirmation computation failed");
        return;
    }
    pdu.value.len = s->value_len;
    memcpy(pdu.value.value, s->conf, s->value_len);
    s->state = P_WAIT_CONFIRM;
    (void)meshrpr_prov_send(s, &pdu);
}

void meshrpr_provisioner_input_done(struct meshrpr_prov_session *s)
{
    try_confirm(s);
}

/* Whether the chosen authentication fits the device and our callbacks; NULL when it does, else
 * the reason. */
static const char *choice_invalid(const struct meshrpr_prov_session *s,
                                  const struct meshrpr_prov_caps *caps,
                                  const struct bt_mesh_prov *prov)
{
    const struct meshrpr_prov_auth_choice *c = &s->choice;
    int bit;

    switch (c->method) {
    case MESHRPR_PROV_AUTH_NONE:
        /* §5.4.1.2: "Only OOB authenticated provisioning supported". */
        return (caps->oob_type & BT_MESH_OOB_AUTH_REQUIRED) ? "device requires OOB authentication"
                                                            : NULL;
    case MESHRPR_PROV_AUTH_STATIC:
        return (caps->oob_type & BT_MESH_STATIC_OOB_AVAILABLE) ? NULL : "device has no static OOB";
    case MESHRPR_PROV_AUTH_OUTPUT:
        bit = meshrpr_prov_action_bit(c->action);
        if (bit < 0 || !(caps->output_actions & c->action) || c->size > caps->output_size) {
            return "device does not offer this output action and size";
        }
        if (!meshrpr_prov_has_input(prov)) {
            return "no input callback for Output OOB";
        }
        return NULL;
    case MESHRPR_PROV_AUTH_INPUT:
        bit = meshrpr_prov_action_bit(c->action);
        if (bit < 0 || !(caps->input_actions & c->action) || c->size > caps->input_size) {
            return "device does not offer this input action and size";
        }
        if (bit == MESHRPR_PROV_INPUT_ALPHANUMERIC ? !meshrpr_prov_has_output_string(prov)
                                                   : !meshrpr_prov_has_output_number(prov)) {
            return "no output callback for Input OOB";
        }
        return NULL;
    default:
        return "unknown method";
    }
}

/* Set up our side of the authentication as the Start goes out (§5.4.2.4). */
static int auth_start(struct meshrpr_prov_session *s, const struct bt_mesh_prov *prov)
{
    const struct meshrpr_prov_auth_choice *c = &s->choice;
    char str[9];
    uint32_t num = 0;
    int err = 0;

    switch (s->auth_method) {
    case MESHRPR_PROV_AUTH_NONE:
        memset(s->auth, 0, sizeof(s->auth));
        s->flags |= MESHRPR_PROV_F_AUTH_READY;
        return 0;
    case MESHRPR_PROV_AUTH_STATIC:
        meshrpr_prov_auth_static(s, c->static_val, c->static_len);
        return 0;
    case MESHRPR_PROV_AUTH_OUTPUT: {
        /* The device outputs; the user types the value here. */
        bool string = s->auth_action == MESHRPR_PROV_OUTPUT_ALPHANUMERIC;
        s->flags |= string ? MESHRPR_PROV_F_WAIT_STRING : MESHRPR_PROV_F_WAIT_NUMBER;
        return meshrpr_prov_cb_input(s, prov, string ? BT_MESH_ENTER_STRING : BT_MESH_ENTER_NUMBER,
                                     s->auth_size);
    }
    case MESHRPR_PROV_AUTH_INPUT: {
        /* We draw the value with full entropy for its size (CVE-2020-26557) and show it. */
        bool string = s->auth_action == MESHRPR_PROV_INPUT_ALPHANUMERIC;
        bool counted = s->auth_action < MESHRPR_PROV_INPUT_NUMERIC; /* Push, Twist */
        err = meshrpr_prov_auth_generate(s, !string, counted, &num, str);
        if (err != 0) {
            return err;
        }
        err = string ? meshrpr_prov_cb_output_string(s, prov, str)
                     : meshrpr_prov_cb_output_number(s, prov, BT_MESH_DISPLAY_NUMBER, num);
        meshrpr_crypto_wipe(str, sizeof(str));
        return err;
    }
    default:
        return -EINVAL;
    }
}

static void recv_capabilities(struct meshrpr_prov_session *s, const struct meshrpr_prov_pdu *pdu)
{
    const struct bt_mesh_prov *prov = meshrpr_prov_cfg(s->node);
    const struct meshrpr_prov_caps *caps = &pdu->caps;
    struct meshrpr_prov_pdu start = { .type = MESHRPR_PROV_START };
    struct net_buf_simple buf;
    uint8_t raw[1 + MESHRPR_PROV_CAPABILITIES_LEN];
    const char *invalid;
    uint16_t addr = 0;
    int err;

    net_buf_simple_init_with_data(&buf, raw, sizeof(raw));
    net_buf_simple_reset(&buf);
    (void)meshrpr_prov_pdu_encode(pdu, &buf);
    memcpy(&s->conf_inputs[MESHRPR_PROV_CI_CAPABILITIES], &raw[1], MESHRPR_PROV_CAPABILITIES_LEN);
    s->elem_count = caps->elem_count;

    /* §5.4.2.3: never CMAC when the device offers HMAC; unknown algorithm bits are ignored. */
    if (caps->algorithms & BIT(BT_MESH_PROV_AUTH_HMAC_SHA256_AES_CCM)) {
        meshrpr_prov_alg_set(s, BT_MESH_PROV_AUTH_HMAC_SHA256_AES_CCM);
    } else if ((caps->algorithms & BIT(BT_MESH_PROV_AUTH_CMAC_AES128_AES_CCM)) &&
               !(caps->oob_type & BT_MESH_OOB_AUTH_REQUIRED)) {
        meshrpr_prov_alg_set(s, BT_MESH_PROV_AUTH_CMAC_AES128_AES_CCM);
    } else {
        MESHRPR_LOG_WRN(&s->node->platform, "no usable algorithm in 0x%04x (OOB type 0x%02x)",
                        caps->algorithms, caps->oob_type);
        meshrpr_prov_refuse(s, MESHRPR_PROV_ERR_INVALID_FORMAT);
        return;
    }

    err = (s->hooks != NULL && s->hooks->addr_assign != NULL)
              ? s->hooks->addr_assign(s, caps->elem_count, &addr)
              : addr_assign_default(s, caps->elem_count, &addr);
    if (err != 0) {
        local_error(s, MESHRPR_PROV_ERR_OUT_OF_RESOURCES, "no address range for the device");
        return;
    }
    s->addr = addr;

    /* The node default, unless the capabilities callback chooses for this device. */
    s->choice = s->node->prov.auth_default;
    if (prov != NULL && (prov->capabilities != NULL || prov->capabilities_ex != NULL)) {
        struct bt_mesh_dev_capabilities cap = {
            .elem_count = caps->elem_count,
            .algorithms = caps->algorithms,
            .pub_key_type = caps->pub_key_type,
            .oob_type = caps->oob_type,
            .output_actions = (bt_mesh_output_action_t)caps->output_actions,
            .input_actions = (bt_mesh_input_action_t)caps->input_actions,
            .output_size = caps->output_size,
            .input_size = caps->input_size,
        };
        struct meshrpr_prov_session *prev = meshrpr_prov_cb_enter(s);
        if (prov->capabilities_ex != NULL) {
            prov->capabilities_ex(s, &cap);
        } else {
            prov->capabilities(&cap);
        }
        meshrpr_prov_cb_exit(s->node, prev);
        if (s->flags & MESHRPR_PROV_F_CLOSING) {
            return;
        }
    }
    invalid = choice_invalid(s, caps, prov);
    if (invalid != NULL) {
        local_error(s, MESHRPR_PROV_ERR_UNEXPECTED_ERROR, invalid);
        return;
    }

    /* The device's key out of band when it offers one and the application gave it. */
    s->oob_pub_key = (caps->pub_key_type & 0x01) && (s->flags & MESHRPR_PROV_F_PEER_PUB_KEY);
    s->auth_method = s->choice.method;
    s->auth_size = s->choice.size;
    s->auth_action = 0;
    if (s->auth_method == MESHRPR_PROV_AUTH_OUTPUT || s->auth_method == MESHRPR_PROV_AUTH_INPUT) {
        s->auth_action = (uint8_t)meshrpr_prov_action_bit(s->choice.action);
    }
    start.start = (struct meshrpr_prov_start){
        .algorithm = s->alg,
        .pub_key = s->oob_pub_key,
        .auth_method = s->auth_method,
        .auth_action = s->auth_action,
        .auth_size = s->auth_size,
    };
    s->conf_inputs[MESHRPR_PROV_CI_START + 0] = start.start.algorithm;
    s->conf_inputs[MESHRPR_PROV_CI_START + 1] = start.start.pub_key;
    s->conf_inputs[MESHRPR_PROV_CI_START + 2] = start.start.auth_method;
    s->conf_inputs[MESHRPR_PROV_CI_START + 3] = start.start.auth_action;
    s->conf_inputs[MESHRPR_PROV_CI_START + 4] = start.start.auth_size;
    if (meshrpr_prov_key_make(s) != 0) {
        local_error(s, MESHRPR_PROV_ERR_UNEXPECTED_ERROR, "no key pair");
        return;
    }
    s->state = P_WAIT_PUB_KEY;
    if (meshrpr_prov_send(s, &start) != 0) {
        return;
    }
    err = auth_start(s, prov);
    meshrpr_crypto_wipe(&s->choice, sizeof(s->choice));
    if (err != 0) {
        local_error(s, MESHRPR_PROV_ERR_UNEXPECTED_ERROR, "OOB authentication callback failed");
        return;
    }
    if (s->flags & MESHRPR_PROV_F_CLOSING) {
        return;
    }

    /* Our Public Key follows the Start (the bearer sends it once the Start is through). */
    struct meshrpr_prov_pdu pub = { .type = MESHRPR_PROV_PUB_KEY };
    memcpy(pub.pub_key, meshrpr_prov_own_pub_key(s), 64);
    if (meshrpr_prov_send(s, &pub) != 0) {
        return;
    }
    if (s->oob_pub_key) {
        uint8_t code = meshrpr_prov_dhkey(s);
        if (code != 0) {
            meshrpr_prov_refuse(s, code);
            return;
        }
        s->state = P_WAIT_AUTH;
        try_confirm(s);
    }
}

static void recv_pub_key(struct meshrpr_prov_session *s, const struct meshrpr_prov_pdu *pdu)
{
    uint8_t code;

    memcpy(&s->conf_inputs[MESHRPR_PROV_CI_PUB_KEY_DEV], pdu->pub_key, 64);
    code = meshrpr_prov_dhkey(s);
    if (code != 0) {
        meshrpr_prov_refuse(s, code);
        return;
    }
    s->state = P_WAIT_AUTH;
    try_confirm(s);
}

static void recv_input_complete(struct meshrpr_prov_session *s)
{
    const struct bt_mesh_prov *prov = meshrpr_prov_cfg(s->node);

    s->flags |= MESHRPR_PROV_F_INPUT_COMPLETE;
    meshrpr_prov_cb_input_complete(s, prov);
    try_confirm(s);
}

static void recv_confirm(struct meshrpr_prov_session *s, const struct meshrpr_prov_pdu *pdu)
{
    struct meshrpr_prov_pdu rnd = { .type = MESHRPR_PROV_RANDOM };

    /* A device that reflects our Confirmation would next reflect our Random and pass the
     * check without knowing the AuthValue (CVE-2020-26560, erratum E16350). */
    if (memcmp(pdu->value.value, s->conf, s->value_len) == 0) {
        MESHRPR_LOG_WRN(&s->node->platform, "device Confirmation equals ours");
        meshrpr_prov_refuse(s, MESHRPR_PROV_ERR_CONFIRMATION_FAILED);
        return;
    }
    memcpy(s->peer_conf, pdu->value.value, s->value_len);
    rnd.value.len = s->value_len;
    memcpy(rnd.value.value, s->rand, s->value_len);
    s->state = P_WAIT_RANDOM;
    (void)meshrpr_prov_send(s, &rnd);
    meshrpr_crypto_wipe(&rnd, sizeof(rnd));
}

static void recv_random(struct meshrpr_prov_session *s, const struct meshrpr_prov_pdu *pdu)
{
    struct meshrpr_prov_pdu data = { .type = MESHRPR_PROV_DATA };
    struct meshrpr_subnet *subnet;
    uint8_t plain[MESHRPR_PROV_DATA_LEN];
    uint32_t iv_index = s->node->net.iv_index;
    uint8_t code;
    int err;

    code = meshrpr_prov_confirm_check(s, pdu->value.value);
    if (code != 0) {
        meshrpr_prov_refuse(s, code);
        return;
    }
    err = meshrpr_prov_session_keys(s, s->rand, pdu->value.value, s->session_key, s->session_nonce);
    subnet = meshrpr_keys_subnet_get(s->node, s->net_idx);
    if (err != 0 || subnet == NULL) {
        local_error(s, MESHRPR_PROV_ERR_UNEXPECTED_ERROR, "no session keys or NetKey");
        return;
    }
    /* Provisioning Data (§5.4.2.5, Table 5.47): NetKey, Key Index, Flags, IV Index, address. */
    memcpy(plain, subnet->net_key, 16);
    plain[16] = (uint8_t)(s->net_idx >> 8);
    plain[17] = (uint8_t)s->net_idx;
    plain[18] = s->node->net.iv_update ? BT_MESH_FLAG_IV_UPDATE : 0;
    if (s->node->prov.test_iv_index_set) {
        s->node->prov.test_iv_index_set = false;
        iv_index = s->node->prov.test_iv_index;
    }
    plain[19] = (uint8_t)(iv_index >> 24);
    plain[20] = (uint8_t)(iv_index >> 16);
    plain[21] = (uint8_t)(iv_index >> 8);
    plain[22] = (uint8_t)iv_index;
    plain[23] = (uint8_t)(s->addr >> 8);
    plain[24] = (uint8_t)s->addr;
    err = meshrpr_crypto_prov_data_encrypt(s->session_key, s->session_nonce, plain,
                                           data.data.encrypted, data.data.mic);
    meshrpr_crypto_wipe(plain, sizeof(plain));
    meshrpr_crypto_wipe(s->session_key, sizeof(s->session_key));
    if (err != 0) {
        local_error(s, MESHRPR_PROV_ERR_UNEXPECTED_ERROR, "data encryption failed");
        return;
    }
    /* Write-ahead: from here on the device may hold this address and key. */
    err = (s->hooks != NULL && s->hooks->data_sending != NULL)
              ? s->hooks->data_sending(s, s->dev_key)
              : meshrpr_provisioner_pending_write(s, s->dev_key);
    if (err != 0) {
        local_error(s, MESHRPR_PROV_ERR_UNEXPECTED_ERROR, "pending node not stored");
        return;
    }
    s->state = P_WAIT_COMPLETE;
    (void)meshrpr_prov_send(s, &data);
}

static void recv_complete(struct meshrpr_prov_session *s)
{
    meshrpr_prov_succeeded(s);
    MESHRPR_LOG_INF(&s->node->platform, "node 0x%04x provisioned (%u elements)", s->addr,
                    s->elem_count);
    if (s->hooks != NULL && s->hooks->node_provisioned != NULL) {
        s->hooks->node_provisioned(s, s->dev_key);
    } else {
        node_provisioned_default(s, s->dev_key);
    }
    meshrpr_prov_close(s, MESHRPR_PROV_LINK_SUCCESS, MESHRPR_PROV_STATUS_SUCCESS, 0);
}

void meshrpr_provisioner_recv(struct meshrpr_prov_session *s, const struct meshrpr_prov_pdu *pdu)
{
    switch (pdu->type) {
    case MESHRPR_PROV_CAPABILITIES:
        recv_capabilities(s, pdu);
        break;
    case MESHRPR_PROV_PUB_KEY:
        recv_pub_key(s, pdu);
        break;
    case MESHRPR_PROV_INPUT_COMPLETE:
        recv_input_complete(s);
        break;
    case MESHRPR_PROV_CONFIRM:
        recv_confirm(s, pdu);
        break;
    case MESHRPR_PROV_RANDOM:
        recv_random(s, pdu);
        break;
    case MESHRPR_PROV_COMPLETE:
        recv_complete(s);
        break;
    default:
        break;
    }
}

/* ---- Starting ---------------------------------------------------------------------------- */

/* The checks of a provisioner start that need no session. */
static int params_check(struct meshrpr_node *node,
                        const struct meshrpr_prov_provisioner_params *params)
{
    const struct meshrpr_prov_hooks *hooks = params->hooks;
    bool default_store = hooks == NULL || hooks->node_provisioned == NULL;

    if (params->uuid == NULL || !meshrpr_node_is_provisioned(node) ||
        meshrpr_keys_subnet_get(node, params->net_idx) == NULL) {
        return -EINVAL;
    }
    if (params->addr != 0 && !BT_MESH_ADDR_IS_UNICAST(params->addr)) {
        return -EINVAL;
    }
    if ((hooks == NULL || hooks->addr_assign == NULL) && params->addr == 0 &&
        node->cfg.cdb == NULL) {
        return -ENOTSUP;
    }
    if (default_store && node->cfg.cdb != NULL) {
        const struct meshrpr_cdb_node *c = meshrpr_cdb_node_by_uuid(node->cfg.cdb, params->uuid);
        /* A pending entry is an attempt that never saw Complete: the device may try again. */
        if (c != NULL && c->pending != MESHRPR_CDB_PENDING_PROVISION) {
            return -EEXIST;
        }
    }
    for (size_t i = 0; i < meshrpr_prov_session_count(node); i++) {
        const struct meshrpr_prov_session *o = meshrpr_prov_session_at_const(node, i);
        if (o->link != NULL && memcmp(o->uuid, params->uuid, 16) == 0) {
            return -EBUSY;
        }
    }
    return 0;
}

int meshrpr_prov_provisioner_start_ext(struct meshrpr_node *node, struct meshrpr_prov_link *link,
                                       const struct meshrpr_prov_provisioner_params *params)
{
    struct meshrpr_prov_session *s;
    int err;

    if (node == NULL || link == NULL || link->ops == NULL || params == NULL) {
        return -EINVAL;
    }
    err = params_check(node, params);
    if (err != 0) {
        return err;
    }
    s = meshrpr_prov_session_alloc(node, MESHRPR_PROV_ROLE_PROVISIONER, link);
    if (s == NULL) {
        return -ENOMEM;
    }
    memcpy(s->uuid, params->uuid, 16);
    s->net_idx = params->net_idx;
    s->addr = params->addr;
    s->attention_s = params->attention_s;
    s->hooks = params->hooks;
    s->hooks_ctx = params->hooks_ctx;
    s->state = P_LINK;
    if (node->prov.pending_pub_key_set) {
        memcpy(&s->conf_inputs[MESHRPR_PROV_CI_PUB_KEY_DEV], node->prov.pending_pub_key, 64);
        s->flags |= MESHRPR_PROV_F_PEER_PUB_KEY;
        node->prov.pending_pub_key_set = false;
    }
    MESHRPR_LOG_INF(&node->platform, "provisioning a device on bearer 0x%02x", s->bearer);
    return 0;
}

int meshrpr_prov_provisioner_start(struct meshrpr_node *node, struct meshrpr_prov_link *link,
                                   const uint8_t uuid[16], uint16_t net_idx, uint16_t addr,
                                   uint8_t attention_s)
{
    const struct meshrpr_prov_provisioner_params params = {
        .uuid = uuid,
        .net_idx = net_idx,
        .addr = addr,
        .attention_s = attention_s,
    };

    return meshrpr_prov_provisioner_start_ext(node, link, &params);
}

int meshrpr_provision_adv(struct meshrpr_node *node, const uint8_t uuid[16], uint16_t net_idx,
                          uint16_t addr, uint8_t attention_duration)
{
    const struct meshrpr_prov_provisioner_params params = {
        .uuid = uuid,
        .net_idx = net_idx,
        .addr = addr,
        .attention_s = attention_duration,
    };
    struct meshrpr_prov_link *link = NULL;
    int err;

    if (node == NULL || uuid == NULL) {
        return -EINVAL;
    }
    err = params_check(node, &params);
    if (err != 0) {
        return err;
    }
    /* 0: PB-ADV's own link establishment timeout (60 s, §5.3.2). */
    err = meshrpr_pb_adv_link_open(node, uuid, 0, &meshrpr_prov_link_cb, NULL, &link);
    if (err != 0) {
        return err;
    }
    err = meshrpr_prov_provisioner_start_ext(node, link, &params);
    if (err != 0) {
        link->ops->close(link, MESHRPR_PROV_LINK_FAIL);
    }
    return err;
}

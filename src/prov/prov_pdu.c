/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Provisioning PDU codec (MshPRTv1.1 §5.4.1). Decoding checks the exact length of every PDU and
 * the Prohibited and RFU values a receiver must refuse, and reports the Provisioning Failed
 * error code the refusal calls for: Invalid PDU for an unknown type or non-zero padding,
 * Invalid Format for a wrong length or a bad field. Everything else (what a PDU means in the
 * session, whether it was expected) is the state machines' business.
 */
#include <errno.h>
#include <string.h>

#include "prov/prov_pdu.h"

static uint16_t get_be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

int meshrpr_prov_action_bit(uint16_t mask)
{
    if (mask == 0 || (mask & (mask - 1)) != 0) {
        return -1;
    }
    for (int bit = 0; bit < 16; bit++) {
        if (mask == (1u << bit)) {
            return bit;
        }
    }
    return -1;
}

bool meshrpr_prov_start_is_valid(const struct meshrpr_prov_start *start)
{
    /* Algorithm 0x02.. and Public Key 0x02.. are RFU; a device fails on RFU values (§5.4.4). */
    if (start->algorithm > BT_MESH_PROV_AUTH_HMAC_SHA256_AES_CCM || start->pub_key > 0x01) {
        return false;
    }
    switch (start->auth_method) {
    case MESHRPR_PROV_AUTH_NONE:
    case MESHRPR_PROV_AUTH_STATIC:
        /* Action and Size shall be 0x00 with these methods (Tables 5.30, 5.33). */
        return start->auth_action == 0 && start->auth_size == 0;
    case MESHRPR_PROV_AUTH_OUTPUT:
        /* Size 0x00 is Prohibited, 0x09.. RFU; action 0x05.. RFU (Tables 5.31, 5.34). */
        return start->auth_action < MESHRPR_PROV_OUTPUT_ACTION_COUNT && start->auth_size >= 1 &&
               start->auth_size <= MESHRPR_PROV_IO_OOB_SIZE_MAX;
    case MESHRPR_PROV_AUTH_INPUT:
        return start->auth_action < MESHRPR_PROV_INPUT_ACTION_COUNT && start->auth_size >= 1 &&
               start->auth_size <= MESHRPR_PROV_IO_OOB_SIZE_MAX;
    default:
        return false; /* 0x04.. Prohibited */
    }
}

/* Parameter length of the fixed-size PDUs; -1 for the variable ones. */
static int fixed_param_len(uint8_t type, size_t value_len, size_t param_len)
{
    switch (type) {
    case MESHRPR_PROV_INVITE:
        return MESHRPR_PROV_INVITE_LEN;
    case MESHRPR_PROV_CAPABILITIES:
        return MESHRPR_PROV_CAPABILITIES_LEN;
    case MESHRPR_PROV_START:
        return MESHRPR_PROV_START_LEN;
    case MESHRPR_PROV_PUB_KEY:
        return MESHRPR_PROV_PUB_KEY_LEN;
    case MESHRPR_PROV_INPUT_COMPLETE:
    case MESHRPR_PROV_COMPLETE:
    case MESHRPR_PROV_RECORDS_GET:
        return 0;
    case MESHRPR_PROV_CONFIRM:
    case MESHRPR_PROV_RANDOM:
        /* 16 octets with BTM_ECDH_P256_CMAC_AES128_AES_CCM, 32 with HMAC (§5.4.1.6-7). */
        if (value_len == 0) {
            return (param_len == 16 || param_len == 32) ? (int)param_len : 16;
        }
        return (int)value_len;
    case MESHRPR_PROV_DATA:
        return MESHRPR_PROV_DATA_PDU_LEN;
    case MESHRPR_PROV_FAILED:
        return 1;
    case MESHRPR_PROV_RECORD_REQUEST:
        return 6;
    default:
        return -1;
    }
}

int meshrpr_prov_pdu_decode(const uint8_t *data, size_t len, size_t value_len,
                            struct meshrpr_prov_pdu *pdu, uint8_t *error_code)
{
    const uint8_t *p;
    size_t plen;
    int fixed;

    memset(pdu, 0, sizeof(*pdu));
    pdu->type = 0xff;
    *error_code = MESHRPR_PROV_ERR_INVALID_PDU;
    if (data == NULL || len == 0) {
        return -EINVAL;
    }
    /* Padding bits 7..6 shall be 0 and types 0x0E.. are RFU: both make an Invalid PDU. */
    if (data[0] >= MESHRPR_PROV_PDU_TYPE_COUNT) {
        return -EINVAL;
    }
    pdu->type = data[0];
    *error_code = MESHRPR_PROV_ERR_INVALID_FORMAT;
    if (value_len != 0 && value_len != 16 && value_len != 32) {
        return -EINVAL;
    }
    p = data + 1;
    plen = len - 1;
    fixed = fixed_param_len(pdu->type, value_len, plen);
    if (fixed >= 0 && plen != (size_t)fixed) {
        return -EINVAL;
    }

    switch (pdu->type) {
    case MESHRPR_PROV_INVITE:
        pdu->attention_s = p[0];
        break;
    case MESHRPR_PROV_CAPABILITIES:
        pdu->caps.elem_count = p[0];
        pdu->caps.algorithms = get_be16(&p[1]);
        pdu->caps.pub_key_type = p[3];
        pdu->caps.oob_type = p[4];
        pdu->caps.output_size = p[5];
        pdu->caps.output_actions = get_be16(&p[6]);
        pdu->caps.input_size = p[8];
        pdu->caps.input_actions = get_be16(&p[9]);
        /* Number of Elements 0x00 is Prohibited (§5.4.1.2). RFU bits and sizes are left to
         * the provisioner, which ignores what it does not understand (§5.4.4). */
        if (pdu->caps.elem_count == 0) {
            return -EINVAL;
        }
        break;
    case MESHRPR_PROV_START:
        pdu->start.algorithm = p[0];
        pdu->start.pub_key = p[1];
        pdu->start.auth_method = p[2];
        pdu->start.auth_action = p[3];
        pdu->start.auth_size = p[4];
        if (!meshrpr_prov_start_is_valid(&pdu->start)) {
            return -EINVAL;
        }
        break;
    case MESHRPR_PROV_PUB_KEY:
        memcpy(pdu->pub_key, p, 64);
        break;
    case MESHRPR_PROV_CONFIRM:
    case MESHRPR_PROV_RANDOM:
        pdu->value.len = (uint8_t)plen;
        memcpy(pdu->value.value, p, plen);
        break;
    case MESHRPR_PROV_DATA:
        memcpy(pdu->data.encrypted, p, 25);
        memcpy(pdu->data.mic, p + 25, 8);
        break;
    case MESHRPR_PROV_FAILED:
        pdu->error_code = p[0];
        break;
    case MESHRPR_PROV_RECORD_REQUEST:
        pdu->record_request.record_id = get_be16(&p[0]);
        pdu->record_request.offset = get_be16(&p[2]);
        pdu->record_request.max_size = get_be16(&p[4]);
        /* Fragment Maximum Size 0x0000 is Prohibited (§5.4.1.11). */
        if (pdu->record_request.max_size == 0) {
            return -EINVAL;
        }
        break;
    case MESHRPR_PROV_RECORD_RESPONSE:
        if (plen < 7) {
            return -EINVAL;
        }
        pdu->record_response.status = p[0];
        pdu->record_response.record_id = get_be16(&p[1]);
        pdu->record_response.offset = get_be16(&p[3]);
        pdu->record_response.total_len = get_be16(&p[5]);
        pdu->record_response.data = p + 7;
        pdu->record_response.data_len = plen - 7;
        break;
    case MESHRPR_PROV_RECORDS_LIST:
        if (plen < 2 || (plen - 2) % 2 != 0) {
            return -EINVAL;
        }
        pdu->records_list.extensions = get_be16(&p[0]);
        pdu->records_list.ids = p + 2;
        pdu->records_list.count = (plen - 2) / 2;
        break;
    default: /* INPUT_COMPLETE, COMPLETE, RECORDS_GET: no parameters */
        break;
    }
    *error_code = 0;
    return 0;
}

int meshrpr_prov_pdu_encode(const struct meshrpr_prov_pdu *pdu, struct net_buf_simple *buf)
{
    uint8_t out[1 + 64];
    size_t len = 1;

    out[0] = pdu->type;
    switch (pdu->type) {
    case MESHRPR_PROV_INVITE:
        out[len++] = pdu->attention_s;
        break;
    case MESHRPR_PROV_CAPABILITIES:
        out[len++] = pdu->caps.elem_count;
        out[len++] = (uint8_t)(pdu->caps.algorithms >> 8);
        out[len++] = (uint8_t)pdu->caps.algorithms;
        out[len++] = pdu->caps.pub_key_type;
        out[len++] = pdu->caps.oob_type;
        out[len++] = pdu->caps.output_size;
        out[len++] = (uint8_t)(pdu->caps.output_actions >> 8);
        out[len++] = (uint8_t)pdu->caps.output_actions;
        out[len++] = pdu->caps.input_size;
        out[len++] = (uint8_t)(pdu->caps.input_actions >> 8);
        out[len++] = (uint8_t)pdu->caps.input_actions;
        break;
    case MESHRPR_PROV_START:
        out[len++] = pdu->start.algorithm;
        out[len++] = pdu->start.pub_key;
        out[len++] = pdu->start.auth_method;
        out[len++] = pdu->start.auth_action;
        out[len++] = pdu->start.auth_size;
        break;
    case MESHRPR_PROV_PUB_KEY:
        memcpy(&out[len], pdu->pub_key, 64);
        len += 64;
        break;
    case MESHRPR_PROV_CONFIRM:
    case MESHRPR_PROV_RANDOM:
        if (pdu->value.len != 16 && pdu->value.len != 32) {
            return -EINVAL;
        }
        memcpy(&out[len], pdu->value.value, pdu->value.len);
        len += pdu->value.len;
        break;
    case MESHRPR_PROV_DATA:
        memcpy(&out[len], pdu->data.encrypted, 25);
        memcpy(&out[len + 25], pdu->data.mic, 8);
        len += 33;
        break;
    case MESHRPR_PROV_FAILED:
        out[len++] = pdu->error_code;
        break;
    case MESHRPR_PROV_INPUT_COMPLETE:
    case MESHRPR_PROV_COMPLETE:
    case MESHRPR_PROV_RECORDS_GET:
        break;
    default:
        return -EINVAL;
    }
    if (net_buf_simple_tailroom(buf) < len) {
        return -ENOBUFS;
    }
    net_buf_simple_add_mem(buf, out, len);
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Remote Provisioning message codec (MshPRTv1.1 §4.3.4). Every decoder checks the exact
 * lengths and the prohibited values of its message before touching the fields; the encoders
 * trust their (internal) callers and rely on net_buf_simple's bounds for safety.
 */
#include "models/rpr_msg.h"

#include <errno.h>
#include <string.h>

/* AD types prohibited in an Extended Scan Start filter (§4.3.4.7). */
#define AD_INCOMPLETE_UUID16  0x02
#define AD_INCOMPLETE_UUID32  0x04
#define AD_INCOMPLETE_UUID128 0x06
#define AD_SHORTENED_NAME     0x08

#define STATUS_MAX         0x0b /* BT_MESH_RPR_ERR_LINK_CLOSED_AS_CANNOT_DELIVER_PDU_REPORT */
#define SCAN_STATE_MAX     0x02
#define LINK_STATE_MAX     0x04
#define LINK_CLOSE_SUCCESS 0x00
#define LINK_CLOSE_FAIL    0x02

bool meshrpr_rpr_msg_ad_type_allowed(uint8_t ad_type)
{
    return ad_type != AD_INCOMPLETE_UUID16 && ad_type != AD_INCOMPLETE_UUID32 &&
           ad_type != AD_INCOMPLETE_UUID128 && ad_type != AD_SHORTENED_NAME;
}

int meshrpr_rpr_msg_scan_caps_status_decode(struct net_buf_simple *buf,
                                            struct rpr_scan_caps_status *out)
{
    if (buf->len != 2) {
        return -EINVAL;
    }
    out->max_devs = net_buf_simple_pull_u8(buf);
    uint8_t active = net_buf_simple_pull_u8(buf);
    /* MaxScannedItems is at least 4 (§4.3.4.2); Active Scan is a boolean. */
    if (out->max_devs < 4 || active > 1) {
        return -EINVAL;
    }
    out->active_scan = active == 1;
    return 0;
}

void meshrpr_rpr_msg_scan_caps_status_encode(struct net_buf_simple *buf,
                                             const struct rpr_scan_caps_status *m)
{
    net_buf_simple_add_u8(buf, m->max_devs);
    net_buf_simple_add_u8(buf, m->active_scan ? 1 : 0);
}

int meshrpr_rpr_msg_scan_start_decode(struct net_buf_simple *buf, struct rpr_scan_start *out)
{
    if (buf->len != 2 && buf->len != 18) {
        return -EINVAL;
    }
    out->max_devs = net_buf_simple_pull_u8(buf);
    out->timeout_s = net_buf_simple_pull_u8(buf);
    out->has_uuid = buf->len == 16;
    if (out->has_uuid) {
        net_buf_simple_pull_to(buf, out->uuid, 16);
    }
    /* A Timeout of 0 is prohibited. */
    return out->timeout_s == 0 ? -EINVAL : 0;
}

void meshrpr_rpr_msg_scan_start_encode(struct net_buf_simple *buf, const struct rpr_scan_start *m)
{
    net_buf_simple_add_u8(buf, m->max_devs);
    net_buf_simple_add_u8(buf, m->timeout_s);
    if (m->has_uuid) {
        net_buf_simple_add_mem(buf, m->uuid, 16);
    }
}

int meshrpr_rpr_msg_scan_status_decode(struct net_buf_simple *buf, struct rpr_scan_status *out)
{
    if (buf->len != 4) {
        return -EINVAL;
    }
    out->status = net_buf_simple_pull_u8(buf);
    out->state = net_buf_simple_pull_u8(buf);
    out->max_devs = net_buf_simple_pull_u8(buf);
    out->timeout_s = net_buf_simple_pull_u8(buf);
    return out->status > STATUS_MAX || out->state > SCAN_STATE_MAX ? -EINVAL : 0;
}

void meshrpr_rpr_msg_scan_status_encode(struct net_buf_simple *buf, const struct rpr_scan_status *m)
{
    net_buf_simple_add_u8(buf, m->status);
    net_buf_simple_add_u8(buf, m->state);
    net_buf_simple_add_u8(buf, m->max_devs);
    net_buf_simple_add_u8(buf, m->timeout_s);
}

int meshrpr_rpr_msg_scan_report_decode(struct net_buf_simple *buf, bool oob_big_endian,
                                       struct rpr_scan_report *out)
{
    if (buf->len != 19 && buf->len != 23) {
        return -EINVAL;
    }
    out->rssi = (int8_t)net_buf_simple_pull_u8(buf);
    net_buf_simple_pull_to(buf, out->uuid, 16);
    out->oob = oob_big_endian ? net_buf_simple_pull_be16(buf) : net_buf_simple_pull_le16(buf);
    out->has_hash = buf->len == 4;
    if (out->has_hash) {
        net_buf_simple_pull_to(buf, out->hash, 4);
    }
    return 0;
}

void meshrpr_rpr_msg_scan_report_encode(struct net_buf_simple *buf, const struct rpr_scan_report *m)
{
    net_buf_simple_add_u8(buf, (uint8_t)m->rssi);
    net_buf_simple_add_mem(buf, m->uuid, 16);
    net_buf_simple_add_le16(buf, m->oob);
    if (m->has_hash) {
        net_buf_simple_add_mem(buf, m->hash, 4);
    }
}

int meshrpr_rpr_msg_ext_scan_start_decode(struct net_buf_simple *buf,
                                          struct rpr_ext_scan_start *out)
{
    if (buf->len < 1) {
        return -EINVAL;
    }
    out->ad_count = net_buf_simple_pull_u8(buf);
    if (out->ad_count == 0 || out->ad_count > RPR_AD_TYPES_MAX || buf->len < out->ad_count) {
        return -EINVAL;
    }
    net_buf_simple_pull_to(buf, out->ad_types, out->ad_count);
    for (size_t i = 0; i < out->ad_count; i++) {
        if (!meshrpr_rpr_msg_ad_type_allowed(out->ad_types[i])) {
            return -EINVAL;
        }
        for (size_t j = 0; j < i; j++) {
            if (out->ad_types[j] == out->ad_types[i]) {
                return -EINVAL; /* duplicates are prohibited */
            }
        }
    }
    if (buf->len == 0) {
        out->has_uuid = false;
        out->timeout_s = 0;
        return 0;
    }
    if (buf->len != 17) {
        return -EINVAL;
    }
    out->has_uuid = true;
    net_buf_simple_pull_to(buf, out->uuid, 16);
    out->timeout_s = net_buf_simple_pull_u8(buf);
    return out->timeout_s < 1 || out->timeout_s > 21 ? -EINVAL : 0;
}

void meshrpr_rpr_msg_ext_scan_start_encode(struct net_buf_simple *buf,
                                           const struct rpr_ext_scan_start *m)
{
    net_buf_simple_add_u8(buf, m->ad_count);
    net_buf_simple_add_mem(buf, m->ad_types, m->ad_count);
    if (m->has_uuid) {
        net_buf_simple_add_mem(buf, m->uuid, 16);
        net_buf_simple_add_u8(buf, m->timeout_s);
    }
}

int meshrpr_rpr_msg_ext_scan_report_decode(struct net_buf_simple *buf,
                                           struct rpr_ext_scan_report *out)
{
    if (buf->len < 17) {
        return -EINVAL;
    }
    out->status = net_buf_simple_pull_u8(buf);
    net_buf_simple_pull_to(buf, out->uuid, 16);
    out->has_oob = buf->len >= 2;
    out->oob = out->has_oob ? net_buf_simple_pull_le16(buf) : 0;
    out->adv_data = buf->data;
    out->adv_data_len = buf->len;
    if (buf->len == 1 || out->status > STATUS_MAX) {
        return -EINVAL;
    }
    /* The AD structures must be well formed: Length, Type, Data, back to back. */
    for (size_t pos = 0; pos < out->adv_data_len;) {
        uint8_t ad_len = out->adv_data[pos];
        if (ad_len == 0 || pos + 1 + ad_len > out->adv_data_len) {
            return -EINVAL;
        }
        pos += 1u + ad_len;
    }
    return 0;
}

void meshrpr_rpr_msg_ext_scan_report_encode(struct net_buf_simple *buf,
                                            const struct rpr_ext_scan_report *m)
{
    net_buf_simple_add_u8(buf, m->status);
    net_buf_simple_add_mem(buf, m->uuid, 16);
    if (m->has_oob) {
        net_buf_simple_add_le16(buf, m->oob);
        if (m->adv_data_len > 0) {
            net_buf_simple_add_mem(buf, m->adv_data, m->adv_data_len);
        }
    }
}

int meshrpr_rpr_msg_link_open_decode(struct net_buf_simple *buf, struct rpr_link_open *out)
{
    memset(out, 0, sizeof(*out));
    switch (buf->len) {
    case 1:
        out->nppi = true;
        out->procedure = net_buf_simple_pull_u8(buf);
        return out->procedure > RPR_NPPI_MAX ? -EINVAL : 0;
    case 16:
    case 17:
        net_buf_simple_pull_to(buf, out->uuid, 16);
        out->has_timeout = buf->len == 1;
        if (out->has_timeout) {
            out->timeout_s = net_buf_simple_pull_u8(buf);
            if (out->timeout_s == 0 || out->timeout_s > RPR_LINK_OPEN_TIMEOUT_MAX) {
                return -EINVAL;
            }
        }
        return 0;
    default:
        return -EINVAL;
    }
}

void meshrpr_rpr_msg_link_open_encode(struct net_buf_simple *buf, const struct rpr_link_open *m)
{
    if (m->nppi) {
        net_buf_simple_add_u8(buf, m->procedure);
        return;
    }
    net_buf_simple_add_mem(buf, m->uuid, 16);
    if (m->has_timeout) {
        net_buf_simple_add_u8(buf, m->timeout_s);
    }
}

int meshrpr_rpr_msg_link_close_decode(struct net_buf_simple *buf, uint8_t *reason)
{
    if (buf->len != 1) {
        return -EINVAL;
    }
    *reason = net_buf_simple_pull_u8(buf);
    return *reason == LINK_CLOSE_SUCCESS || *reason == LINK_CLOSE_FAIL ? 0 : -EINVAL;
}

void meshrpr_rpr_msg_link_close_encode(struct net_buf_simple *buf, uint8_t reason)
{
    net_buf_simple_add_u8(buf, reason);
}

int meshrpr_rpr_msg_link_status_decode(struct net_buf_simple *buf, struct rpr_link_status *out)
{
    if (buf->len != 2) {
        return -EINVAL;
    }
    out->status = net_buf_simple_pull_u8(buf);
    out->state = net_buf_simple_pull_u8(buf);
    return out->status > STATUS_MAX || out->state > LINK_STATE_MAX ? -EINVAL : 0;
}

void meshrpr_rpr_msg_link_status_encode(struct net_buf_simple *buf, const struct rpr_link_status *m)
{
    net_buf_simple_add_u8(buf, m->status);
    net_buf_simple_add_u8(buf, m->state);
}

int meshrpr_rpr_msg_link_report_decode(struct net_buf_simple *buf, struct rpr_link_report *out)
{
    if (buf->len != 2 && buf->len != 3) {
        return -EINVAL;
    }
    out->status = net_buf_simple_pull_u8(buf);
    out->state = net_buf_simple_pull_u8(buf);
    out->has_reason = buf->len == 1;
    out->reason = out->has_reason ? net_buf_simple_pull_u8(buf) : 0;
    return out->status > STATUS_MAX || out->state > LINK_STATE_MAX ? -EINVAL : 0;
}

void meshrpr_rpr_msg_link_report_encode(struct net_buf_simple *buf, const struct rpr_link_report *m)
{
    net_buf_simple_add_u8(buf, m->status);
    net_buf_simple_add_u8(buf, m->state);
    if (m->has_reason) {
        net_buf_simple_add_u8(buf, m->reason);
    }
}

int meshrpr_rpr_msg_pdu_decode(struct net_buf_simple *buf, struct rpr_pdu *out)
{
    if (buf->len < 2 || buf->len > 1 + RPR_PROV_PDU_MAX) {
        return -EINVAL;
    }
    out->number = net_buf_simple_pull_u8(buf);
    out->pdu = buf->data;
    out->len = buf->len;
    return 0;
}

void meshrpr_rpr_msg_pdu_encode(struct net_buf_simple *buf, const struct rpr_pdu *m)
{
    net_buf_simple_add_u8(buf, m->number);
    net_buf_simple_add_mem(buf, m->pdu, m->len);
}

int meshrpr_rpr_msg_pdu_outbound_report_decode(struct net_buf_simple *buf, uint8_t *number)
{
    if (buf->len != 1) {
        return -EINVAL;
    }
    *number = net_buf_simple_pull_u8(buf);
    return 0;
}

void meshrpr_rpr_msg_pdu_outbound_report_encode(struct net_buf_simple *buf, uint8_t number)
{
    net_buf_simple_add_u8(buf, number);
}

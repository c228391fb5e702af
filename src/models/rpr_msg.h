/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Remote Provisioning messages (MshPRTv1.1 §4.3.4): opcodes, and one encoder and one decoder
 * per message, shared by the client and the server. Decoders take the parameters (opcode
 * already removed) and return -EINVAL for a wrong length or a prohibited value: such a message
 * is not understood and gets no answer (§3.7.3.4).
 *
 * Byte order: access-layer little-endian. The OOB Information of Scan Report and Extended
 * Scan Report is little-endian too (the working group's reading that Zephyr adopted in 2023);
 * the Unprovisioned Device beacon carries it big-endian, so a server swaps it. The URI Hash is
 * an octet string copied from the beacon.
 */
#ifndef MESHRPR_MODELS_RPR_MSG_H
#define MESHRPR_MODELS_RPR_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <meshrpr/net_buf.h>

#define RPR_OP_SCAN_CAPS_GET        0x804f
#define RPR_OP_SCAN_CAPS_STATUS     0x8050
#define RPR_OP_SCAN_GET             0x8051
#define RPR_OP_SCAN_START           0x8052
#define RPR_OP_SCAN_STOP            0x8053
#define RPR_OP_SCAN_STATUS          0x8054
#define RPR_OP_SCAN_REPORT          0x8055
#define RPR_OP_EXTENDED_SCAN_START  0x8056
#define RPR_OP_EXTENDED_SCAN_REPORT 0x8057
#define RPR_OP_LINK_GET             0x8058
#define RPR_OP_LINK_OPEN            0x8059
#define RPR_OP_LINK_CLOSE           0x805a
#define RPR_OP_LINK_STATUS          0x805b
#define RPR_OP_LINK_REPORT          0x805c
#define RPR_OP_PDU_SEND             0x805d
#define RPR_OP_PDU_OUTBOUND_REPORT  0x805e
#define RPR_OP_PDU_REPORT           0x805f

/* Limits of §4.3.4. */
#define RPR_AD_TYPES_MAX              16 /* ADTypeFilterCount 1..16 */
#define RPR_LINK_OPEN_TIMEOUT_MAX     60 /* LinkOpenTimeout 1..0x3c s */
#define RPR_LINK_OPEN_TIMEOUT_DEFAULT 10
#define RPR_PROV_PDU_MAX              66 /* largest Provisioning PDU: Public Key, type + 64 */
#define RPR_NPPI_MAX                  2  /* Node Composition Refresh */
/* Largest AD structures of an Extended Scan Report: the access message is at most 380 octets
 * with a 2-octet opcode, minus Status, UUID and OOB. */
#define RPR_EXT_SCAN_ADV_DATA_MAX (380 - 2 - 1 - 16 - 2)

struct rpr_scan_caps_status {
    uint8_t max_devs;
    bool active_scan;
};

struct rpr_scan_start {
    uint8_t max_devs; /* ScannedItemsLimit; 0: no limit beyond the server's */
    uint8_t timeout_s;
    bool has_uuid;
    uint8_t uuid[16];
};

struct rpr_scan_status {
    uint8_t status;
    uint8_t state;
    uint8_t max_devs;
    uint8_t timeout_s;
};

struct rpr_scan_report {
    int8_t rssi;
    uint8_t uuid[16];
    uint16_t oob;
    bool has_hash;
    uint8_t hash[4];
};

struct rpr_ext_scan_start {
    uint8_t ad_count;
    uint8_t ad_types[RPR_AD_TYPES_MAX];
    bool has_uuid;
    uint8_t uuid[16];
    uint8_t timeout_s;
};

/* Extended Scan Report: adv_data points into the decoded buffer. */
struct rpr_ext_scan_report {
    uint8_t status;
    uint8_t uuid[16];
    bool has_oob;
    uint16_t oob;
    const uint8_t *adv_data;
    size_t adv_data_len;
};

struct rpr_link_open {
    bool nppi; /* NPPI procedure instead of a UUID */
    uint8_t procedure;
    uint8_t uuid[16];
    bool has_timeout;
    uint8_t timeout_s;
};

struct rpr_link_status {
    uint8_t status;
    uint8_t state;
};

struct rpr_link_report {
    uint8_t status;
    uint8_t state;
    bool has_reason;
    uint8_t reason;
};

/* PDU Send and PDU Report: the number and the Provisioning PDU (pointing into the buffer). */
struct rpr_pdu {
    uint8_t number;
    const uint8_t *pdu;
    size_t len;
};

/* Whether an AD type may appear in an Extended Scan Start filter (§4.3.4.7: not the
 * incomplete UUID lists or the shortened name). */
bool meshrpr_rpr_msg_ad_type_allowed(uint8_t ad_type);

int meshrpr_rpr_msg_scan_caps_status_decode(struct net_buf_simple *buf,
                                            struct rpr_scan_caps_status *out);
void meshrpr_rpr_msg_scan_caps_status_encode(struct net_buf_simple *buf,
                                             const struct rpr_scan_caps_status *m);
int meshrpr_rpr_msg_scan_start_decode(struct net_buf_simple *buf, struct rpr_scan_start *out);
void meshrpr_rpr_msg_scan_start_encode(struct net_buf_simple *buf, const struct rpr_scan_start *m);
int meshrpr_rpr_msg_scan_status_decode(struct net_buf_simple *buf, struct rpr_scan_status *out);
void meshrpr_rpr_msg_scan_status_encode(struct net_buf_simple *buf,
                                        const struct rpr_scan_status *m);
/* oob_big_endian: accept peers (nRF Mesh iOS, BlueZ) that send the beacon's byte order. */
int meshrpr_rpr_msg_scan_report_decode(struct net_buf_simple *buf, bool oob_big_endian,
                                       struct rpr_scan_report *out);
void meshrpr_rpr_msg_scan_report_encode(struct net_buf_simple *buf,
                                        const struct rpr_scan_report *m);
int meshrpr_rpr_msg_ext_scan_start_decode(struct net_buf_simple *buf,
                                          struct rpr_ext_scan_start *out);
void meshrpr_rpr_msg_ext_scan_start_encode(struct net_buf_simple *buf,
                                           const struct rpr_ext_scan_start *m);
int meshrpr_rpr_msg_ext_scan_report_decode(struct net_buf_simple *buf,
                                           struct rpr_ext_scan_report *out);
void meshrpr_rpr_msg_ext_scan_report_encode(struct net_buf_simple *buf,
                                            const struct rpr_ext_scan_report *m);
int meshrpr_rpr_msg_link_open_decode(struct net_buf_simple *buf, struct rpr_link_open *out);
void meshrpr_rpr_msg_link_open_encode(struct net_buf_simple *buf, const struct rpr_link_open *m);
/* Link Close: reason 0x00 Success or 0x02 Fail (others prohibited). */
int meshrpr_rpr_msg_link_close_decode(struct net_buf_simple *buf, uint8_t *reason);
void meshrpr_rpr_msg_link_close_encode(struct net_buf_simple *buf, uint8_t reason);
int meshrpr_rpr_msg_link_status_decode(struct net_buf_simple *buf, struct rpr_link_status *out);
void meshrpr_rpr_msg_link_status_encode(struct net_buf_simple *buf,
                                        const struct rpr_link_status *m);
int meshrpr_rpr_msg_link_report_decode(struct net_buf_simple *buf, struct rpr_link_report *out);
void meshrpr_rpr_msg_link_report_encode(struct net_buf_simple *buf,
                                        const struct rpr_link_report *m);
int meshrpr_rpr_msg_pdu_decode(struct net_buf_simple *buf, struct rpr_pdu *out);
void meshrpr_rpr_msg_pdu_encode(struct net_buf_simple *buf, const struct rpr_pdu *m);
int meshrpr_rpr_msg_pdu_outbound_report_decode(struct net_buf_simple *buf, uint8_t *number);
void meshrpr_rpr_msg_pdu_outbound_report_encode(struct net_buf_simple *buf, uint8_t number);

#endif /* MESHRPR_MODELS_RPR_MSG_H */

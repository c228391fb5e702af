/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Provisioning PDU codec (MshPRTv1.1 §5.4.1): every PDU type with its exact length and the
 * field checks the specification makes, mapped to the Provisioning Failed error codes. Pure
 * functions on bytes: no node, no state, safe on any input.
 */
#ifndef MESHRPR_PROV_PDU_H
#define MESHRPR_PROV_PDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <meshrpr/net_buf.h>
#include <meshrpr/prov.h>

/* Provisioning PDU types (§5.4.1, Table 5.18): bits 5..0 of the first octet. */
enum meshrpr_prov_pdu_type {
    MESHRPR_PROV_INVITE = 0x00,
    MESHRPR_PROV_CAPABILITIES = 0x01,
    MESHRPR_PROV_START = 0x02,
    MESHRPR_PROV_PUB_KEY = 0x03,
    MESHRPR_PROV_INPUT_COMPLETE = 0x04,
    MESHRPR_PROV_CONFIRM = 0x05,
    MESHRPR_PROV_RANDOM = 0x06,
    MESHRPR_PROV_DATA = 0x07,
    MESHRPR_PROV_COMPLETE = 0x08,
    MESHRPR_PROV_FAILED = 0x09,
    MESHRPR_PROV_RECORD_REQUEST = 0x0a,
    MESHRPR_PROV_RECORD_RESPONSE = 0x0b,
    MESHRPR_PROV_RECORDS_GET = 0x0c,
    MESHRPR_PROV_RECORDS_LIST = 0x0d,
};
#define MESHRPR_PROV_PDU_TYPE_COUNT 0x0e

/* Authentication methods of the Start PDU (§5.4.1.3, Table 5.29). */
enum meshrpr_prov_auth_method {
    MESHRPR_PROV_AUTH_NONE = 0x00,
    MESHRPR_PROV_AUTH_STATIC = 0x01,
    MESHRPR_PROV_AUTH_OUTPUT = 0x02,
    MESHRPR_PROV_AUTH_INPUT = 0x03,
};

/* Output OOB actions (Table 5.22) and Input OOB actions (Table 5.24), as action numbers. */
#define MESHRPR_PROV_OUTPUT_ACTION_COUNT 5 /* Blink, Beep, Vibrate, Numeric, Alphanumeric */
#define MESHRPR_PROV_INPUT_ACTION_COUNT  4 /* Push, Twist, Numeric, Alphanumeric */
#define MESHRPR_PROV_OUTPUT_NUMERIC      3
#define MESHRPR_PROV_OUTPUT_ALPHANUMERIC 4
#define MESHRPR_PROV_INPUT_NUMERIC       2
#define MESHRPR_PROV_INPUT_ALPHANUMERIC  3

/* Parameter lengths (type octet excluded). */
#define MESHRPR_PROV_INVITE_LEN       1
#define MESHRPR_PROV_CAPABILITIES_LEN 11
#define MESHRPR_PROV_START_LEN        5
#define MESHRPR_PROV_PUB_KEY_LEN      64
#define MESHRPR_PROV_DATA_PDU_LEN     33 /* 25 encrypted octets and an 8-octet MIC */

/* Capabilities parameters (§5.4.1.2). */
struct meshrpr_prov_caps {
    uint8_t elem_count;
    uint16_t algorithms;
    uint8_t pub_key_type;
    uint8_t oob_type;
    uint8_t output_size;
    uint16_t output_actions;
    uint8_t input_size;
    uint16_t input_actions;
};

/* Start parameters (§5.4.1.3). */
struct meshrpr_prov_start {
    uint8_t algorithm;
    uint8_t pub_key;
    uint8_t auth_method;
    uint8_t auth_action;
    uint8_t auth_size;
};

/* One decoded PDU. Pointers (record data, record IDs) point into the decoded bytes. */
struct meshrpr_prov_pdu {
    uint8_t type;
    union {
        uint8_t attention_s;             /* Invite */
        struct meshrpr_prov_caps caps;   /* Capabilities */
        struct meshrpr_prov_start start; /* Start */
        uint8_t pub_key[64];             /* Public Key: X || Y */
        struct {                         /* Confirmation, Random */
            uint8_t len;                 /* 16 or 32 */
            uint8_t value[32];
        } value;
        struct { /* Data */
            uint8_t encrypted[25];
            uint8_t mic[8];
        } data;
        uint8_t error_code; /* Failed */
        struct {            /* Record Request */
            uint16_t record_id;
            uint16_t offset;
            uint16_t max_size;
        } record_request;
        struct { /* Record Response */
            uint8_t status;
            uint16_t record_id;
            uint16_t offset;
            uint16_t total_len;
            const uint8_t *data;
            size_t data_len;
        } record_response;
        struct { /* Records List */
            uint16_t extensions;
            const uint8_t *ids; /* big-endian 16-bit IDs */
            size_t count;
        } records_list;
    };
};

/*
 * Decode one Provisioning PDU (type octet first).
 * value_len is the Confirmation/Random length the negotiated algorithm requires (16 or 32), or
 * 0 before the algorithm is known (both lengths are then accepted).
 * @return 0; or -EINVAL with *error_code set to MESHRPR_PROV_ERR_INVALID_PDU (unknown type or
 *         non-zero padding: pdu->type is then 0xff) or MESHRPR_PROV_ERR_INVALID_FORMAT (wrong
 *         length, prohibited or RFU field value: pdu->type is the type, so the caller can rank
 *         an unexpected PDU before a malformed one, as §5.4.4 orders the checks).
 */
int meshrpr_prov_pdu_decode(const uint8_t *data, size_t len, size_t value_len,
                            struct meshrpr_prov_pdu *pdu, uint8_t *error_code);

/*
 * Encode a PDU into buf (appended). Confirmation/Random take pdu->value.len octets (16 or 32).
 * Record PDUs are not sent by meshrpr and cannot be encoded.
 * @return 0, -EINVAL (unknown type, bad value length), -ENOBUFS (buf too small).
 */
int meshrpr_prov_pdu_encode(const struct meshrpr_prov_pdu *pdu, struct net_buf_simple *buf);

/* Checks on Start parameters shared by the codec and the device role. */
bool meshrpr_prov_start_is_valid(const struct meshrpr_prov_start *start);

/* The bit number of a one-bit action mask, or -1 when mask has not exactly one bit. */
int meshrpr_prov_action_bit(uint16_t mask);

#endif /* MESHRPR_PROV_PDU_H */

/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target for every Remote Provisioning message decoder: the first octet picks the
 * decoder, the rest are the parameters. A decoded message is encoded again and must decode to
 * the same fields. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "models/rpr_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t copy[512];
    struct net_buf_simple in;
    NET_BUF_SIMPLE_DEFINE(out, 512);

    if (size < 1 || size - 1 > sizeof(copy)) {
        return 0;
    }
    memcpy(copy, data + 1, size - 1);
    net_buf_simple_init_with_data(&in, copy, size - 1);
    switch (data[0] % 12) {
    case 0: {
        struct rpr_scan_start m, n;
        if (meshrpr_rpr_msg_scan_start_decode(&in, &m) == 0) {
            meshrpr_rpr_msg_scan_start_encode(&out, &m);
            if (meshrpr_rpr_msg_scan_start_decode(&out, &n) != 0 || n.timeout_s != m.timeout_s) {
                abort();
            }
        }
        break;
    }
    case 1: {
        struct rpr_scan_report m;
        (void)meshrpr_rpr_msg_scan_report_decode(&in, (data[0] & 0x80) != 0, &m);
        break;
    }
    case 2: {
        struct rpr_ext_scan_start m, n;
        if (meshrpr_rpr_msg_ext_scan_start_decode(&in, &m) == 0) {
            meshrpr_rpr_msg_ext_scan_start_encode(&out, &m);
            if (meshrpr_rpr_msg_ext_scan_start_decode(&out, &n) != 0 || n.ad_count != m.ad_count) {
                abort();
            }
        }
        break;
    }
    case 3: {
        struct rpr_ext_scan_report m, n;
        if (meshrpr_rpr_msg_ext_scan_report_decode(&in, &m) == 0 && m.has_oob) {
            meshrpr_rpr_msg_ext_scan_report_encode(&out, &m);
            if (meshrpr_rpr_msg_ext_scan_report_decode(&out, &n) != 0 ||
                n.adv_data_len != m.adv_data_len) {
                abort();
            }
        }
        break;
    }
    case 4: {
        struct rpr_link_open m, n;
        if (meshrpr_rpr_msg_link_open_decode(&in, &m) == 0) {
            meshrpr_rpr_msg_link_open_encode(&out, &m);
            if (meshrpr_rpr_msg_link_open_decode(&out, &n) != 0 || n.nppi != m.nppi) {
                abort();
            }
        }
        break;
    }
    case 5: {
        uint8_t reason;
        (void)meshrpr_rpr_msg_link_close_decode(&in, &reason);
        break;
    }
    case 6: {
        struct rpr_link_status m;
        (void)meshrpr_rpr_msg_link_status_decode(&in, &m);
        break;
    }
    case 7: {
        struct rpr_link_report m;
        (void)meshrpr_rpr_msg_link_report_decode(&in, &m);
        break;
    }
    case 8: {
        struct rpr_pdu m;
        (void)meshrpr_rpr_msg_pdu_decode(&in, &m);
        break;
    }
    case 9: {
        uint8_t n;
        (void)meshrpr_rpr_msg_pdu_outbound_report_decode(&in, &n);
        break;
    }
    case 10: {
        struct rpr_scan_status m;
        (void)meshrpr_rpr_msg_scan_status_decode(&in, &m);
        break;
    }
    default: {
        struct rpr_scan_caps_status m;
        (void)meshrpr_rpr_msg_scan_caps_status_decode(&in, &m);
        break;
    }
    }
    return 0;
}

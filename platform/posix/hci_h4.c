/* SPDX-License-Identifier: Apache-2.0 */
/*
 * H4 framing (Core Spec Vol 4 Part A §2): each HCI packet is preceded by one packet-type octet.
 * The stream carries no other delimiter, so the receiver must know every header layout to find
 * the next packet: events (code, 1-octet length), ACL (handle, 2-octet length), SCO (handle,
 * 1-octet length), ISO (handle, 14-bit length). Only events are kept; the others are skipped.
 */
#include <meshrpr/hci.h>

#include <errno.h>
#include <string.h>

void meshrpr_hci_h4_rx_init(struct meshrpr_hci_h4_rx *rx)
{
    memset(rx, 0, sizeof(*rx));
}

/* The header is complete: how long the body is. */
static size_t body_len(const struct meshrpr_hci_h4_rx *rx)
{
    switch (rx->type) {
    case MESHRPR_HCI_H4_EVT:
        return rx->hdr[1];
    case MESHRPR_HCI_H4_ACL:
        return (size_t)rx->hdr[2] | (size_t)rx->hdr[3] << 8;
    case MESHRPR_HCI_H4_SCO:
        return rx->hdr[2];
    case MESHRPR_HCI_H4_ISO:
        /* ISO_Data_Load_Length: 14 bits (Vol 4 Part E §5.4.5). */
        return ((size_t)rx->hdr[2] | (size_t)rx->hdr[3] << 8) & 0x3fffu;
    default:
        return 0;
    }
}

static void packet_end(struct meshrpr_hci_h4_rx *rx, meshrpr_hci_h4_event_fn fn, void *ctx)
{
    if (rx->type == MESHRPR_HCI_H4_EVT && fn != NULL) {
        fn(ctx, rx->evt, rx->evt_len);
    }
    rx->type = 0;
    rx->hdr_len = 0;
    rx->evt_len = 0;
}

int meshrpr_hci_h4_rx_feed(struct meshrpr_hci_h4_rx *rx, const uint8_t *data, size_t len,
                           meshrpr_hci_h4_event_fn fn, void *ctx)
{
    size_t i = 0;

    while (i < len) {
        if (rx->type == 0) {
            uint8_t t = data[i++];
            switch (t) {
            case MESHRPR_HCI_H4_EVT:
                rx->hdr_need = 2;
                break;
            case MESHRPR_HCI_H4_ACL:
            case MESHRPR_HCI_H4_ISO:
                rx->hdr_need = 4;
                break;
            case MESHRPR_HCI_H4_SCO:
                rx->hdr_need = 3;
                break;
            default:
                /* A command (0x01) never comes from a controller; anything else means the
                 * stream is out of step. */
                meshrpr_hci_h4_rx_init(rx);
                return -EPROTO;
            }
            rx->type = t;
            rx->hdr_len = 0;
            continue;
        }
        if (rx->hdr_len < rx->hdr_need) {
            rx->hdr[rx->hdr_len++] = data[i++];
            if (rx->hdr_len == rx->hdr_need) {
                rx->body_need = body_len(rx);
                if (rx->type == MESHRPR_HCI_H4_EVT) {
                    rx->evt[0] = rx->hdr[0];
                    rx->evt[1] = rx->hdr[1];
                    rx->evt_len = 2;
                }
                if (rx->body_need == 0) {
                    packet_end(rx, fn, ctx);
                }
            }
            continue;
        }
        size_t n = len - i < rx->body_need ? len - i : rx->body_need;
        if (rx->type == MESHRPR_HCI_H4_EVT) {
            /* body_need <= 255 and evt_len starts at 2: it fits MESHRPR_HCI_EVT_MAX. */
            memcpy(&rx->evt[rx->evt_len], &data[i], n);
            rx->evt_len += n;
        }
        i += n;
        rx->body_need -= n;
        if (rx->body_need == 0) {
            packet_end(rx, fn, ctx);
        }
    }
    return 0;
}

size_t meshrpr_hci_h4_cmd(uint8_t *out, size_t out_size, uint16_t opcode, const uint8_t *params,
                          uint8_t len)
{
    if (out == NULL || out_size < (size_t)len + 4u || (params == NULL && len > 0)) {
        return 0;
    }
    out[0] = MESHRPR_HCI_H4_CMD;
    out[1] = (uint8_t)(opcode & 0xffu);
    out[2] = (uint8_t)(opcode >> 8);
    out[3] = len;
    if (len > 0) {
        memcpy(&out[4], params, len);
    }
    return (size_t)len + 4u;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Parsers of the HCI events meshrpr uses (Core Spec Vol 4 Part E §7.7). Every length comes
 * from the controller, so every read is checked against what the event really holds.
 */
#include <meshrpr/hci.h>

#include <errno.h>
#include <string.h>

int meshrpr_hci_event_parse(const uint8_t *evt, size_t len, struct meshrpr_hci_evt *out)
{
    if (evt == NULL || out == NULL || len < 2 || (size_t)evt[1] + 2u != len) {
        return -EBADMSG;
    }
    out->code = evt[0];
    out->len = evt[1];
    out->params = &evt[2];
    return 0;
}

int meshrpr_hci_event_cmd_done(const struct meshrpr_hci_evt *evt, struct meshrpr_hci_cmd_done *out)
{
    const uint8_t *p = evt->params;

    memset(out, 0, sizeof(*out));
    if (evt->code == MESHRPR_HCI_EVT_CMD_COMPLETE) {
        /* §7.7.14: Num_HCI_Command_Packets, Command_Opcode, Return_Parameters. */
        if (evt->len < 3) {
            return -EBADMSG;
        }
        out->ncmd = p[0];
        out->opcode = (uint16_t)(p[1] | p[2] << 8);
        out->ret = &p[3];
        out->ret_len = evt->len - 3u;
        out->status = out->ret_len > 0 ? p[3] : 0;
        return 0;
    }
    if (evt->code == MESHRPR_HCI_EVT_CMD_STATUS) {
        /* §7.7.15: Status, Num_HCI_Command_Packets, Command_Opcode. */
        if (evt->len < 4) {
            return -EBADMSG;
        }
        out->status = p[0];
        out->ncmd = p[1];
        out->opcode = (uint16_t)(p[2] | p[3] << 8);
        out->is_status = true;
        out->ret = p;
        out->ret_len = 1;
        return 0;
    }
    return -ENOMSG;
}

int meshrpr_hci_event_reports(struct meshrpr_hci_report_iter *it, const struct meshrpr_hci_evt *evt)
{
    if (evt->code != MESHRPR_HCI_EVT_LE_META || evt->len < 1) {
        return -ENOMSG;
    }
    uint8_t sub = evt->params[0];
    if (sub != MESHRPR_HCI_LE_ADV_REPORT && sub != MESHRPR_HCI_LE_EXT_ADV_REPORT) {
        return -ENOMSG;
    }
    if (evt->len < 2) {
        return -EBADMSG;
    }
    it->ext = sub == MESHRPR_HCI_LE_EXT_ADV_REPORT;
    it->remaining = evt->params[1];
    it->p = &evt->params[2];
    it->left = evt->len - 2u;
    return 0;
}

/* Event_Type of an LE Extended Advertising Report (§7.7.65.13) as a legacy report type. Bits:
 * 0 connectable, 1 scannable, 2 directed, 3 scan response, 4 legacy PDU. */
static uint8_t ext_type_legacy(uint16_t t)
{
    if (t & 0x0008u) {
        return MESHRPR_ADV_SCAN_RSP;
    }
    if (t & 0x0004u) {
        return MESHRPR_ADV_DIRECT_IND;
    }
    if (t & 0x0001u) {
        return MESHRPR_ADV_IND;
    }
    if (t & 0x0002u) {
        return MESHRPR_ADV_SCAN_IND;
    }
    return MESHRPR_ADV_NONCONN_IND;
}

int meshrpr_hci_event_report_next(struct meshrpr_hci_report_iter *it,
                                  struct meshrpr_adv_report *out)
{
    for (;;) {
        if (it->remaining == 0) {
            return 0;
        }
        it->remaining--;
        const uint8_t *p = it->p;
        if (!it->ext) {
            /* §7.7.65.2, one report after the other as controllers send them: Event_Type,
             * Address_Type, Address, Data_Length, Data, RSSI. */
            if (it->left < 9 || it->left < 10u + p[8]) {
                it->remaining = 0;
                return -EBADMSG;
            }
            size_t dlen = p[8];
            if (p[0] > MESHRPR_ADV_SCAN_RSP || dlen > 31) {
                it->remaining = 0;
                return -EBADMSG;
            }
            out->adv_type = p[0];
            out->addr_type = p[1] & 0x01u;
            memcpy(out->addr, &p[2], 6);
            out->data = &p[9];
            out->len = dlen;
            out->rssi = (int8_t)p[9 + dlen];
            it->p += 10u + dlen;
            it->left -= 10u + dlen;
            return 1;
        }
        /* §7.7.65.13: Event_Type (2), Address_Type, Address (6), Primary_PHY, Secondary_PHY,
         * Advertising_SID, TX_Power, RSSI, Periodic_Advertising_Interval (2),
         * Direct_Address_Type, Direct_Address (6), Data_Length, Data: 24 octets + data. */
        if (it->left < 24 || it->left < 24u + p[23]) {
            it->remaining = 0;
            return -EBADMSG;
        }
        size_t dlen = p[23];
        uint16_t type = (uint16_t)(p[0] | p[1] << 8);
        it->p += 24u + dlen;
        it->left -= 24u + dlen;
        /* Data_Status (bits 5-6) other than complete: a fragment, or truncated. Mesh PDUs
         * always fit one legacy PDU, so a partial report carries nothing for us. */
        if ((type & 0x0060u) != 0) {
            continue;
        }
        out->adv_type = ext_type_legacy(type);
        out->addr_type = p[2] & 0x01u;
        memcpy(out->addr, &p[3], 6);
        out->rssi = (int8_t)p[13];
        out->data = &p[24];
        out->len = dlen;
        return 1;
    }
}

int meshrpr_hci_event_adv_set_terminated(const struct meshrpr_hci_evt *evt, uint8_t *status,
                                         uint8_t *handle, uint8_t *events)
{
    if (evt->code != MESHRPR_HCI_EVT_LE_META || evt->len < 1 ||
        evt->params[0] != MESHRPR_HCI_LE_ADV_SET_TERMINATED) {
        return -ENOMSG;
    }
    /* Subevent, Status, Advertising_Handle, Connection_Handle (2),
     * Num_Completed_Extended_Advertising_Events. */
    if (evt->len < 6) {
        return -EBADMSG;
    }
    *status = evt->params[1];
    *handle = evt->params[2];
    *events = evt->params[5];
    return 0;
}

const char *meshrpr_hci_event_status_str(uint8_t status)
{
    /* Core Spec Vol 1 Part F §1.3, the codes a controller gives these commands. */
    switch (status) {
    case 0x00:
        return "Success";
    case 0x01:
        return "Unknown HCI Command";
    case 0x03:
        return "Hardware Failure";
    case 0x07:
        return "Memory Capacity Exceeded";
    case 0x0c:
        return "Command Disallowed";
    case 0x11:
        return "Unsupported Feature or Parameter Value";
    case 0x12:
        return "Invalid HCI Command Parameters";
    case 0x1f:
        return "Unspecified Error";
    case 0x3c:
        return "Advertising Timeout";
    case 0x42:
        return "Unknown Advertising Identifier";
    case 0x43:
        return "Limit Reached";
    case 0x45:
        return "Packet Too Long";
    default:
        return "error";
    }
}

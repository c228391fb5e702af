/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HCI controller as a radio backend of the POSIX host (include/meshrpr/hci.h): bring-up,
 * command flow control, advertising one PDU at a time, scanning and reports.
 *
 * Command layouts: Core Spec Vol 4 Part E §7.3 (Controller & Baseband), §7.4 (Informational)
 * and §7.8 (LE Controller). One command is in flight at a time and only while the controller
 * grants one (§4.4): that is always within Num_HCI_Command_Packets, and it makes every Command
 * Complete unambiguous.
 */
#define _GNU_SOURCE
#include <meshrpr/hci.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

/* Opcodes: OGF << 10 | OCF. */
#define OP_SET_EVENT_MASK             0x0c01u
#define OP_RESET                      0x0c03u
#define OP_READ_LOCAL_VERSION         0x1001u
#define OP_READ_LOCAL_COMMANDS        0x1002u
#define OP_LE_SET_EVENT_MASK          0x2001u
#define OP_LE_READ_LOCAL_FEATURES     0x2003u
#define OP_LE_SET_RANDOM_ADDR         0x2005u
#define OP_LE_SET_ADV_PARAMS          0x2006u
#define OP_LE_SET_ADV_DATA            0x2008u
#define OP_LE_SET_SCAN_RSP_DATA       0x2009u
#define OP_LE_SET_ADV_ENABLE          0x200au
#define OP_LE_SET_SCAN_PARAMS         0x200bu
#define OP_LE_SET_SCAN_ENABLE         0x200cu
#define OP_LE_SET_ADV_SET_RANDOM_ADDR 0x2035u
#define OP_LE_SET_EXT_ADV_PARAMS      0x2036u
#define OP_LE_SET_EXT_ADV_DATA        0x2037u
#define OP_LE_SET_EXT_SCAN_RSP_DATA   0x2038u
#define OP_LE_SET_EXT_ADV_ENABLE      0x2039u
#define OP_LE_SET_EXT_SCAN_PARAMS     0x2041u
#define OP_LE_SET_EXT_SCAN_ENABLE     0x2042u

/* What a command's completion means to us. */
enum tag {
    T_NONE,
    T_RESET,
    T_VERSION,
    T_COMMANDS,
    T_LE_FEATURES,
    T_BRINGUP,      /* refusal is fatal */
    T_BRINGUP_LAST, /* the last one: ready */
    T_SCAN,         /* runtime scanning change: refusal is logged */
    T_SCAN_OFF,     /* disabling: "already disabled" is fine */
    T_TX_SETUP,     /* parameters and data of a transmission */
    T_TX_ON,        /* legacy: one transmission enabled */
    T_TX_OFF,       /* legacy: and disabled again */
    T_TX_EXT_ON,    /* extended: the set enabled for count events */
    T_TX_EXT_OFF,   /* extended: disabled after a missing Advertising Set Terminated */
};

/* Transmission phases. */
enum phase {
    PH_IDLE,
    PH_ON_WAIT,
    PH_HOLD,
    PH_OFF_WAIT,
    PH_GAP,
    PH_EXT_WAIT,
    PH_EXT_OFF_WAIT,
};

/* Scanning: continuous, 30 ms windows (0.625 ms units). */
#define SCAN_INTERVAL_UNITS 0x0030u
/* Largest random delay added between the transmissions of one PDU (advDelay, Core Spec Vol 6
 * Part B §4.4.2.2.1). */
#define ADV_DELAY_MAX_MS 10u
/* Slack beyond count × (interval + advDelay) for LE Advertising Set Terminated to arrive. */
#define EXT_ADV_SLACK_MS 2000u

static uint64_t now_ms(const struct meshrpr_hci *hci)
{
    return meshrpr_posix_host_now_ms(hci->host);
}

static void hci_log(struct meshrpr_hci *hci, enum meshrpr_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void hci_log(struct meshrpr_hci *hci, enum meshrpr_log_level level, const char *fmt, ...)
{
    char text[240];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    meshrpr_posix_radio_log(&hci->radio, level, "hci", "%s", text);
}

const char *meshrpr_hci_opcode_str(uint16_t opcode)
{
    switch (opcode) {
    case OP_SET_EVENT_MASK:
        return "Set Event Mask";
    case OP_RESET:
        return "Reset";
    case OP_READ_LOCAL_VERSION:
        return "Read Local Version Information";
    case OP_READ_LOCAL_COMMANDS:
        return "Read Local Supported Commands";
    case OP_LE_SET_EVENT_MASK:
        return "LE Set Event Mask";
    case OP_LE_READ_LOCAL_FEATURES:
        return "LE Read Local Supported Features";
    case OP_LE_SET_RANDOM_ADDR:
        return "LE Set Random Address";
    case OP_LE_SET_ADV_PARAMS:
        return "LE Set Advertising Parameters";
    case OP_LE_SET_ADV_DATA:
        return "LE Set Advertising Data";
    case OP_LE_SET_SCAN_RSP_DATA:
        return "LE Set Scan Response Data";
    case OP_LE_SET_ADV_ENABLE:
        return "LE Set Advertising Enable";
    case OP_LE_SET_SCAN_PARAMS:
        return "LE Set Scan Parameters";
    case OP_LE_SET_SCAN_ENABLE:
        return "LE Set Scan Enable";
    case OP_LE_SET_ADV_SET_RANDOM_ADDR:
        return "LE Set Advertising Set Random Address";
    case OP_LE_SET_EXT_ADV_PARAMS:
        return "LE Set Extended Advertising Parameters";
    case OP_LE_SET_EXT_ADV_DATA:
        return "LE Set Extended Advertising Data";
    case OP_LE_SET_EXT_SCAN_RSP_DATA:
        return "LE Set Extended Scan Response Data";
    case OP_LE_SET_EXT_ADV_ENABLE:
        return "LE Set Extended Advertising Enable";
    case OP_LE_SET_EXT_SCAN_PARAMS:
        return "LE Set Extended Scan Parameters";
    case OP_LE_SET_EXT_SCAN_ENABLE:
        return "LE Set Extended Scan Enable";
    default:
        return "command";
    }
}

/* ---- Failure ------------------------------------------------------------------------------ */

static void tx_finish(struct meshrpr_hci *hci, int err);
static void on_fd(void *ctx, int fd, short revents);

static void hci_fail(struct meshrpr_hci *hci, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void hci_fail(struct meshrpr_hci *hci, int err, const char *fmt, ...)
{
    if (hci->state == MESHRPR_HCI_FAILED) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(hci->err_text, sizeof(hci->err_text), fmt, ap);
    va_end(ap);
    hci->state = MESHRPR_HCI_FAILED;
    hci->err = err < 0 ? err : -EIO;
    hci->q_len = 0;
    hci->cmd_busy = false;
    hci->out_len = 0;
    hci_log(hci, MESHRPR_LOG_LEVEL_ERR, "%s", hci->err_text);
    if (hci->fd >= 0) {
        (void)meshrpr_posix_host_fd_remove(hci->host, hci->fd);
    }
    /* Nothing waits for a controller that is gone: the PDU on air ends with the error. */
    if (hci->tx_busy) {
        tx_finish(hci, hci->err);
    }
    if (hci->pdu_pending) {
        hci->pdu_pending = false;
        hci->stats.pdu_errors++;
        meshrpr_posix_radio_adv_done(&hci->radio, hci->err);
    }
}

/* ---- Commands ----------------------------------------------------------------------------- */

static void out_flush(struct meshrpr_hci *hci)
{
    while (hci->out_len > 0) {
        ssize_t n = send(hci->fd, hci->out, hci->out_len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno == ENOTSOCK) {
            n = write(hci->fd, hci->out, hci->out_len);
        }
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                /* Wait for room (a slow UART, a full socket). */
                (void)meshrpr_posix_host_fd_add(hci->host, hci->fd, POLLIN | POLLOUT, on_fd, hci);
                return;
            }
            int e = errno;
            hci_fail(hci, -e, "writing to the controller failed: %s", strerror(e));
            return;
        }
        memmove(hci->out, hci->out + n, hci->out_len - (size_t)n);
        hci->out_len -= (size_t)n;
    }
    (void)meshrpr_posix_host_fd_add(hci->host, hci->fd, POLLIN, on_fd, hci);
}

static void cmd_pump(struct meshrpr_hci *hci)
{
    if (hci->state == MESHRPR_HCI_FAILED || hci->cmd_busy || hci->credits == 0 || hci->q_len == 0) {
        return;
    }
    const unsigned h = hci->q_head;
    size_t n = meshrpr_hci_h4_cmd(hci->out + hci->out_len, sizeof(hci->out) - hci->out_len,
                                  hci->q[h].opcode, hci->q[h].params, hci->q[h].len);
    if (n == 0) {
        return; /* the write buffer is full: out_flush() makes room */
    }
    hci->out_len += n;
    hci->cmd_busy = true;
    hci->credits--;
    hci->cmd_deadline_ms = now_ms(hci) + hci->cfg.cmd_timeout_ms;
    hci->stats.cmds++;
    out_flush(hci);
}

static void cmd_queue(struct meshrpr_hci *hci, uint16_t opcode, enum tag tag, const uint8_t *params,
                      uint8_t len)
{
    if (hci->state == MESHRPR_HCI_FAILED) {
        return;
    }
    if (hci->q_len == MESHRPR_HCI_CMD_QUEUE_LEN || len > MESHRPR_HCI_CMD_PARAM_MAX) {
        /* The queue holds a bring-up or one transmission and a scan change with room to
         * spare; overflowing it is a bug of ours, not the controller's. */
        hci_fail(hci, -ENOBUFS, "HCI command queue overflow at %s", meshrpr_hci_opcode_str(opcode));
        return;
    }
    unsigned i = (hci->q_head + hci->q_len) % MESHRPR_HCI_CMD_QUEUE_LEN;
    hci->q[i].opcode = opcode;
    hci->q[i].tag = (uint8_t)tag;
    hci->q[i].len = len;
    if (len > 0) {
        memcpy(hci->q[i].params, params, len);
    }
    hci->q_len++;
    cmd_pump(hci);
}

static void put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v & 0xffu);
    p[1] = (uint8_t)(v >> 8);
}

static void put_le24(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v & 0xffu);
    p[1] = (uint8_t)((v >> 8) & 0xffu);
    p[2] = (uint8_t)((v >> 16) & 0xffu);
}

/* ---- Scanning ----------------------------------------------------------------------------- */

/* Scanning parameters and enable, passive or active, never filtering duplicates: a mesh
 * retransmission is a duplicate advertisement the node must see (MshPRTv1.1 §3.3.1). */
static void scan_queue(struct meshrpr_hci *hci, bool active, enum tag last)
{
    uint8_t p[13];

    if (hci->ext_adv) {
        /* §7.8.64: Own_Address_Type, Scanning_Filter_Policy, Scanning_PHYs (LE 1M), then
         * Scan_Type, Scan_Interval, Scan_Window. */
        p[0] = 0x01;
        p[1] = 0x00;
        p[2] = 0x01;
        p[3] = active ? 0x01 : 0x00;
        put_le16(&p[4], SCAN_INTERVAL_UNITS);
        put_le16(&p[6], SCAN_INTERVAL_UNITS);
        cmd_queue(hci, OP_LE_SET_EXT_SCAN_PARAMS, last == T_BRINGUP_LAST ? T_BRINGUP : T_SCAN, p,
                  8);
        /* §7.8.65: Enable, Filter_Duplicates, Duration, Period. */
        memset(p, 0, 6);
        p[0] = 0x01;
        cmd_queue(hci, OP_LE_SET_EXT_SCAN_ENABLE, last, p, 6);
        return;
    }
    /* §7.8.10: LE_Scan_Type, LE_Scan_Interval, LE_Scan_Window, Own_Address_Type,
     * Scanning_Filter_Policy. */
    p[0] = active ? 0x01 : 0x00;
    put_le16(&p[1], SCAN_INTERVAL_UNITS);
    put_le16(&p[3], SCAN_INTERVAL_UNITS);
    p[5] = 0x01;
    p[6] = 0x00;
    cmd_queue(hci, OP_LE_SET_SCAN_PARAMS, last == T_BRINGUP_LAST ? T_BRINGUP : T_SCAN, p, 7);
    /* §7.8.11: LE_Scan_Enable, Filter_Duplicates. */
    p[0] = 0x01;
    p[1] = 0x00;
    cmd_queue(hci, OP_LE_SET_SCAN_ENABLE, last, p, 2);
}

static int op_scan_active_set(void *ctx, bool active)
{
    struct meshrpr_hci *hci = ctx;
    uint8_t p[6] = { 0 };

    if (hci->state != MESHRPR_HCI_READY) {
        return hci->state == MESHRPR_HCI_FAILED ? hci->err : -EAGAIN;
    }
    if (hci->scan_active == active) {
        return 0;
    }
    hci->scan_active = active;
    /* Parameters may change only while scanning is off (§7.8.10). */
    if (hci->ext_adv) {
        cmd_queue(hci, OP_LE_SET_EXT_SCAN_ENABLE, T_SCAN_OFF, p, 6);
    } else {
        cmd_queue(hci, OP_LE_SET_SCAN_ENABLE, T_SCAN_OFF, p, 2);
    }
    scan_queue(hci, active, T_SCAN);
    return hci->state == MESHRPR_HCI_FAILED ? hci->err : 0;
}

/* ---- Transmission ------------------------------------------------------------------------- */

static uint32_t rand_u32(void)
{
    uint32_t r = 0;

    if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
        r = 0;
    }
    return r;
}

/* Legacy advertising interval: Core 5.0 allows 20 ms for non-connectable and scannable
 * advertising; older controllers require 100 ms (Vol 6 Part B §4.4.2.2.1). */
static uint16_t legacy_interval_units(const struct meshrpr_hci *hci)
{
    return hci->hci_version >= 0x09 ? 0x0020u : 0x00a0u;
}

static void tx_setup(struct meshrpr_hci *hci)
{
    const struct meshrpr_posix_adv *adv = &hci->cur;
    const uint8_t type = hci->tx_scannable ? MESHRPR_ADV_SCAN_IND : MESHRPR_ADV_NONCONN_IND;
    uint8_t p[MESHRPR_HCI_CMD_PARAM_MAX];
    uint8_t data[31];
    uint8_t dlen;

    memset(data, 0, sizeof(data));
    if (hci->tx_scannable) {
        memcpy(data, hci->sc_adv, hci->sc_adv_len);
        dlen = hci->sc_adv_len;
    } else {
        /* One AD structure: Length (type + data), AD type, data. */
        data[0] = (uint8_t)(adv->len + 1u);
        data[1] = adv->ad_type;
        memcpy(&data[2], adv->data, adv->len);
        dlen = (uint8_t)(adv->len + 2u);
    }
    if (hci->ext_adv) {
        uint16_t interval_ms = adv->interval_ms < 20 ? 20 : adv->interval_ms;
        if (!hci->adv_params_set || hci->adv_params_type != type ||
            hci->adv_params_interval_ms != interval_ms) {
            /* §7.8.53: Advertising_Handle, Advertising_Event_Properties (legacy PDU,
             * scannable or not), Primary_Advertising_Interval_Min/Max (3 octets each),
             * Primary_Advertising_Channel_Map, Own_Address_Type, Peer_Address_Type,
             * Peer_Address, Advertising_Filter_Policy, Advertising_TX_Power (0x7f: no
             * preference), Primary_Advertising_PHY (LE 1M), Secondary_Advertising_Max_Skip,
             * Secondary_Advertising_PHY, Advertising_SID, Scan_Request_Notification_Enable. */
            uint32_t units = (uint32_t)interval_ms * 8u / 5u;
            memset(p, 0, 25);
            p[0] = 0x00;
            put_le16(&p[1], type == MESHRPR_ADV_SCAN_IND ? 0x0012u : 0x0010u);
            put_le24(&p[3], units);
            put_le24(&p[6], units);
            p[9] = 0x07;
            p[10] = 0x01;
            p[19] = 0x7f;
            p[20] = 0x01;
            p[22] = 0x01;
            cmd_queue(hci, OP_LE_SET_EXT_ADV_PARAMS, T_TX_SETUP, p, 25);
            /* §7.8.52: the set's own random address (the set exists from here on). */
            p[0] = 0x00;
            memcpy(&p[1], hci->addr, 6);
            cmd_queue(hci, OP_LE_SET_ADV_SET_RANDOM_ADDR, T_TX_SETUP, p, 7);
            hci->adv_params_set = true;
            hci->adv_params_type = type;
            hci->adv_params_interval_ms = interval_ms;
        }
        /* §7.8.54: Advertising_Handle, Operation (0x03 complete data), Fragment_Preference
         * (0x01 no fragmentation), Advertising_Data_Length, Advertising_Data. */
        p[0] = 0x00;
        p[1] = 0x03;
        p[2] = 0x01;
        p[3] = dlen;
        memcpy(&p[4], data, dlen);
        cmd_queue(hci, OP_LE_SET_EXT_ADV_DATA, T_TX_SETUP, p, (uint8_t)(4u + dlen));
        if (hci->tx_scannable) {
            p[3] = hci->sc_rsp_len;
            memcpy(&p[4], hci->sc_rsp, hci->sc_rsp_len);
            cmd_queue(hci, OP_LE_SET_EXT_SCAN_RSP_DATA, T_TX_SETUP, p,
                      (uint8_t)(4u + hci->sc_rsp_len));
        }
        /* §7.8.56: Enable, Num_Sets, Advertising_Handle, Duration (none),
         * Max_Extended_Advertising_Events: the node's count, at its interval. */
        p[0] = 0x01;
        p[1] = 0x01;
        p[2] = 0x00;
        put_le16(&p[3], 0);
        p[5] = hci->copies_left;
        cmd_queue(hci, OP_LE_SET_EXT_ADV_ENABLE, T_TX_EXT_ON, p, 6);
        hci->tx_phase = PH_ON_WAIT;
        return;
    }
    if (!hci->adv_params_set || hci->adv_params_type != type) {
        /* §7.8.5: Advertising_Interval_Min/Max, Advertising_Type, Own_Address_Type (random),
         * Peer_Address_Type, Peer_Address, Advertising_Channel_Map (all three),
         * Advertising_Filter_Policy. */
        memset(p, 0, 15);
        put_le16(&p[0], legacy_interval_units(hci));
        put_le16(&p[2], legacy_interval_units(hci));
        p[4] = type;
        p[5] = 0x01;
        p[13] = 0x07;
        cmd_queue(hci, OP_LE_SET_ADV_PARAMS, T_TX_SETUP, p, 15);
        hci->adv_params_set = true;
        hci->adv_params_type = type;
    }
    /* §7.8.7: Advertising_Data_Length, Advertising_Data (31 octets, zero padded). */
    p[0] = dlen;
    memcpy(&p[1], data, 31);
    cmd_queue(hci, OP_LE_SET_ADV_DATA, T_TX_SETUP, p, 32);
    if (hci->tx_scannable) {
        /* §7.8.8: Scan_Response_Data_Length, Scan_Response_Data. */
        memset(p, 0, 32);
        p[0] = hci->sc_rsp_len;
        memcpy(&p[1], hci->sc_rsp, hci->sc_rsp_len);
        cmd_queue(hci, OP_LE_SET_SCAN_RSP_DATA, T_TX_SETUP, p, 32);
    }
    p[0] = 0x01;
    cmd_queue(hci, OP_LE_SET_ADV_ENABLE, T_TX_ON, p, 1);
    hci->tx_phase = PH_ON_WAIT;
}

static void tx_kick(struct meshrpr_hci *hci)
{
    if (hci->tx_busy || hci->state != MESHRPR_HCI_READY) {
        return;
    }
    if (hci->pdu_pending) {
        hci->cur = hci->pdu;
        hci->pdu_pending = false;
        hci->tx_scannable = false;
    } else if (hci->sc_interval_ms > 0 && now_ms(hci) >= hci->sc_next_ms) {
        memset(&hci->cur, 0, sizeof(hci->cur));
        hci->cur.count = 1;
        hci->cur.interval_ms = 20;
        hci->tx_scannable = true;
    } else {
        return;
    }
    hci->tx_busy = true;
    hci->tx_setup_failed = false;
    hci->copies_left = hci->cur.count > 0 ? hci->cur.count : 1;
    hci->copy_start_ms = now_ms(hci);
    hci->tx_timer_ms = UINT64_MAX;
    tx_setup(hci);
}

static void tx_finish(struct meshrpr_hci *hci, int err)
{
    bool scannable = hci->tx_scannable;

    hci->tx_busy = false;
    hci->tx_scannable = false;
    hci->tx_phase = PH_IDLE;
    hci->tx_timer_ms = UINT64_MAX;
    if (scannable) {
        hci->sc_next_ms = now_ms(hci) + hci->sc_interval_ms;
    } else {
        if (err < 0) {
            hci->stats.pdu_errors++;
        } else {
            hci->stats.pdus++;
        }
        meshrpr_posix_radio_adv_done(&hci->radio, err);
    }
    tx_kick(hci);
}

static int op_adv_start(void *ctx, const struct meshrpr_posix_adv *adv)
{
    struct meshrpr_hci *hci = ctx;

    if (hci->state == MESHRPR_HCI_FAILED) {
        return hci->err;
    }
    if (hci->pdu_pending || adv->len > 29) {
        return -EBUSY;
    }
    hci->pdu = *adv;
    hci->pdu_pending = true;
    tx_kick(hci);
    return 0;
}

static void tx_done_cmd(struct meshrpr_hci *hci, enum tag tag, const struct meshrpr_hci_cmd_done *d)
{
    uint64_t now = now_ms(hci);

    if (!hci->tx_busy) {
        return;
    }
    switch (tag) {
    case T_TX_SETUP:
        if (d->status != 0) {
            hci->tx_setup_failed = true;
            hci->adv_params_set = false;
            hci_log(hci, MESHRPR_LOG_LEVEL_WRN, "%s refused: 0x%02x %s",
                    meshrpr_hci_opcode_str(d->opcode), d->status,
                    meshrpr_hci_event_status_str(d->status));
        }
        break;
    case T_TX_ON:
        if (d->status != 0 || hci->tx_setup_failed) {
            if (d->status != 0) {
                hci_log(hci, MESHRPR_LOG_LEVEL_WRN, "advertising refused: 0x%02x %s", d->status,
                        meshrpr_hci_event_status_str(d->status));
                hci->adv_params_set = false;
                tx_finish(hci, -EIO);
                return;
            }
        }
        hci->stats.adv_events++;
        hci->tx_phase = PH_HOLD;
        /* One advertising interval: the controller sends at least one advertising event. */
        hci->tx_timer_ms = now + (uint64_t)legacy_interval_units(hci) * 5u / 8u;
        break;
    case T_TX_OFF:
        /* Command Disallowed: it was already off, which is what we want. */
        hci->copies_left--;
        if (hci->copies_left == 0) {
            tx_finish(hci, hci->tx_setup_failed ? -EIO : 0);
            return;
        }
        hci->tx_phase = PH_GAP;
        {
            uint64_t next = hci->copy_start_ms + hci->cur.interval_ms;
            hci->tx_timer_ms = (next > now ? next : now) + rand_u32() % (ADV_DELAY_MAX_MS + 1u);
        }
        break;
    case T_TX_EXT_ON:
        if (d->status != 0) {
            hci_log(hci, MESHRPR_LOG_LEVEL_WRN, "extended advertising refused: 0x%02x %s",
                    d->status, meshrpr_hci_event_status_str(d->status));
            hci->adv_params_set = false;
            tx_finish(hci, -EIO);
            return;
        }
        hci->tx_phase = PH_EXT_WAIT;
        hci->tx_timer_ms =
            now + (uint64_t)hci->copies_left * (hci->adv_params_interval_ms + ADV_DELAY_MAX_MS) +
            EXT_ADV_SLACK_MS;
        break;
    case T_TX_EXT_OFF:
        tx_finish(hci, 0);
        return;
    default:
        break;
    }
}

static void tx_timer(struct meshrpr_hci *hci)
{
    uint8_t p[2] = { 0, 0 };

    hci->tx_timer_ms = UINT64_MAX;
    switch (hci->tx_phase) {
    case PH_HOLD:
        hci->tx_phase = PH_OFF_WAIT;
        cmd_queue(hci, OP_LE_SET_ADV_ENABLE, T_TX_OFF, p, 1);
        break;
    case PH_GAP:
        hci->tx_phase = PH_ON_WAIT;
        hci->copy_start_ms = now_ms(hci);
        p[0] = 0x01;
        cmd_queue(hci, OP_LE_SET_ADV_ENABLE, T_TX_ON, p, 1);
        break;
    case PH_EXT_WAIT:
        hci_log(hci, MESHRPR_LOG_LEVEL_WRN,
                "no LE Advertising Set Terminated after %u events: disabling the set",
                hci->copies_left);
        hci->tx_phase = PH_EXT_OFF_WAIT;
        /* Enable 0x00 with Num_Sets 0: every set off. */
        cmd_queue(hci, OP_LE_SET_EXT_ADV_ENABLE, T_TX_EXT_OFF, p, 2);
        break;
    default:
        break;
    }
}

/* ---- Bring-up ----------------------------------------------------------------------------- */

static void random_static_addr(struct meshrpr_hci *hci)
{
    if (hci->cfg.static_addr_set) {
        memcpy(hci->addr, hci->cfg.static_addr, 6);
        return;
    }
    /* Vol 6 Part B §1.3.2.1: the two most significant bits 1, the rest random, not all 0 or
     * all 1. */
    do {
        if (getrandom(hci->addr, 6, 0) != 6) {
            uint32_t r = rand_u32();
            memcpy(hci->addr, &r, 4);
            hci->addr[4] = (uint8_t)(r >> 3);
        }
        hci->addr[5] |= 0xc0u;
    } while ((hci->addr[0] & hci->addr[1] & hci->addr[2] & hci->addr[3] & hci->addr[4] &
              (hci->addr[5] | 0xc0u)) == 0xffu ||
             (hci->addr[0] | hci->addr[1] | hci->addr[2] | hci->addr[3] | hci->addr[4] |
              (hci->addr[5] & 0x3fu)) == 0);
}

/* Supported Commands bits (Vol 4 Part E §6.27) meshrpr needs, as (octet, mask). */
static bool has_cmds(const uint8_t *c, unsigned octet, uint8_t mask)
{
    return (c[octet] & mask) == mask;
}

static void bringup_rest(struct meshrpr_hci *hci)
{
    uint8_t p[8];

    hci->ext_adv = !hci->cfg.legacy_only && (hci->le_features[1] & 0x10u) &&
                   has_cmds(hci->commands, 36, 0x3e) && has_cmds(hci->commands, 37, 0x60);
    /* §7.3.1 Set Event Mask: Hardware Error (bit 15) and LE Meta (bit 61); Command Complete
     * and Command Status cannot be masked. */
    memset(p, 0, 8);
    p[1] = 0x80;
    p[7] = 0x20;
    cmd_queue(hci, OP_SET_EVENT_MASK, T_BRINGUP, p, 8);
    /* §7.8.1 LE Set Event Mask: LE Advertising Report (bit 1), LE Extended Advertising Report
     * (bit 12), LE Advertising Set Terminated (bit 17). */
    memset(p, 0, 8);
    p[0] = 0x02;
    p[1] = 0x10;
    p[2] = 0x02;
    cmd_queue(hci, OP_LE_SET_EVENT_MASK, T_BRINGUP, p, 8);
    /* §7.8.4 LE Set Random Address (scanning, and legacy advertising). */
    random_static_addr(hci);
    cmd_queue(hci, OP_LE_SET_RANDOM_ADDR, T_BRINGUP, hci->addr, 6);
    scan_queue(hci, false, T_BRINGUP_LAST);
}

static void bringup_done(struct meshrpr_hci *hci, enum tag tag,
                         const struct meshrpr_hci_cmd_done *d)
{
    if (d->status != 0) {
        hci_fail(hci, -EIO, "the controller refused %s (0x%04x): 0x%02x %s",
                 meshrpr_hci_opcode_str(d->opcode), d->opcode, d->status,
                 meshrpr_hci_event_status_str(d->status));
        return;
    }
    switch (tag) {
    case T_VERSION:
        /* Status, HCI_Version, HCI_Subversion (2), LMP_Version, Company_Identifier (2),
         * LMP_Subversion (2) (§7.4.1). */
        if (d->ret_len < 9) {
            hci_fail(hci, -EBADMSG, "malformed answer to Read Local Version Information");
            return;
        }
        hci->hci_version = d->ret[1];
        hci->manufacturer = (uint16_t)(d->ret[5] | d->ret[6] << 8);
        break;
    case T_COMMANDS:
        if (d->ret_len < 65) {
            hci_fail(hci, -EBADMSG, "malformed answer to Read Local Supported Commands");
            return;
        }
        memcpy(hci->commands, &d->ret[1], 64);
        /* LE Set Event Mask, LE Read Local Supported Features, LE Set Random Address, LE Set
         * Advertising Parameters, LE Set Advertising Data (octet 25); LE Set Scan Response
         * Data, Advertising Enable, Scan Parameters, Scan Enable (octet 26). */
        if (!has_cmds(hci->commands, 25, 0xb5) || !has_cmds(hci->commands, 26, 0x0f)) {
            hci_fail(hci, -ENOTSUP,
                     "the controller has no LE advertising and scanning commands (Supported "
                     "Commands octets 25-26: %02x %02x): not a Bluetooth LE controller",
                     hci->commands[25], hci->commands[26]);
            return;
        }
        break;
    case T_LE_FEATURES:
        if (d->ret_len < 9) {
            hci_fail(hci, -EBADMSG, "malformed answer to LE Read Local Supported Features");
            return;
        }
        memcpy(hci->le_features, &d->ret[1], 8);
        bringup_rest(hci);
        break;
    case T_BRINGUP_LAST:
        hci->state = MESHRPR_HCI_READY;
        hci_log(hci, MESHRPR_LOG_LEVEL_INF,
                "controller ready: HCI version 0x%02x, company 0x%04x, %s advertising, address "
                "%02x:%02x:%02x:%02x:%02x:%02x",
                hci->hci_version, hci->manufacturer, hci->ext_adv ? "extended" : "legacy",
                hci->addr[5], hci->addr[4], hci->addr[3], hci->addr[2], hci->addr[1], hci->addr[0]);
        tx_kick(hci);
        break;
    default:
        break;
    }
}

/* ---- Events ------------------------------------------------------------------------------- */

static void cmd_done(struct meshrpr_hci *hci, const struct meshrpr_hci_cmd_done *d)
{
    hci->credits = d->ncmd;
    if (d->opcode == 0x0000) {
        /* No command: only the controller's credit (e.g. after power-up). */
        cmd_pump(hci);
        return;
    }
    if (!hci->cmd_busy || hci->q[hci->q_head].opcode != d->opcode) {
        hci_log(hci, MESHRPR_LOG_LEVEL_WRN, "unexpected completion of %s (0x%04x)",
                meshrpr_hci_opcode_str(d->opcode), d->opcode);
        cmd_pump(hci);
        return;
    }
    enum tag tag = (enum tag)hci->q[hci->q_head].tag;
    hci->q_head = (hci->q_head + 1) % MESHRPR_HCI_CMD_QUEUE_LEN;
    hci->q_len--;
    hci->cmd_busy = false;
    switch (tag) {
    case T_RESET:
    case T_VERSION:
    case T_COMMANDS:
    case T_LE_FEATURES:
    case T_BRINGUP:
    case T_BRINGUP_LAST:
        bringup_done(hci, tag, d);
        break;
    case T_SCAN:
        if (d->status != 0) {
            hci_log(hci, MESHRPR_LOG_LEVEL_ERR, "%s refused: 0x%02x %s",
                    meshrpr_hci_opcode_str(d->opcode), d->status,
                    meshrpr_hci_event_status_str(d->status));
        }
        break;
    case T_SCAN_OFF:
        break;
    default:
        tx_done_cmd(hci, tag, d);
        break;
    }
    cmd_pump(hci);
}

static void on_event(void *ctx, const uint8_t *raw, size_t len)
{
    struct meshrpr_hci *hci = ctx;
    struct meshrpr_hci_evt evt;
    struct meshrpr_hci_cmd_done d;
    struct meshrpr_hci_report_iter it;
    struct meshrpr_adv_report r;
    uint8_t status, handle, events;

    if (hci->state == MESHRPR_HCI_FAILED) {
        return;
    }
    hci->stats.events++;
    if (meshrpr_hci_event_parse(raw, len, &evt) != 0) {
        hci->stats.bad_events++;
        return;
    }
    int e = meshrpr_hci_event_cmd_done(&evt, &d);
    if (e == 0) {
        cmd_done(hci, &d);
        return;
    }
    if (e == -EBADMSG) {
        hci->stats.bad_events++;
        return;
    }
    if (evt.code == MESHRPR_HCI_EVT_HW_ERROR) {
        hci_fail(hci, -EIO, "the controller reported a Hardware Error (code 0x%02x)",
                 evt.len > 0 ? evt.params[0] : 0);
        return;
    }
    if (meshrpr_hci_event_reports(&it, &evt) == 0) {
        int k;
        while ((k = meshrpr_hci_event_report_next(&it, &r)) == 1) {
            if (hci->state == MESHRPR_HCI_READY) {
                hci->stats.reports++;
                meshrpr_posix_radio_report(&hci->radio, &r);
            }
        }
        if (k < 0) {
            hci->stats.bad_events++;
        }
        return;
    }
    e = meshrpr_hci_event_adv_set_terminated(&evt, &status, &handle, &events);
    if (e == 0) {
        if (hci->tx_busy && hci->tx_phase == PH_EXT_WAIT && handle == 0) {
            hci->stats.adv_events += events;
            /* Limit Reached (0x43): the count of events went out, as asked. */
            tx_finish(hci, status == 0x00 || status == 0x43 ? 0 : -EIO);
        }
    } else if (e == -EBADMSG) {
        hci->stats.bad_events++;
    }
}

static void on_fd(void *ctx, int fd, short revents)
{
    struct meshrpr_hci *hci = ctx;
    uint8_t buf[1024];

    if (revents & POLLOUT) {
        out_flush(hci);
    }
    if (!(revents & (POLLIN | POLLHUP | POLLERR))) {
        return;
    }
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0) {
        if (errno == EAGAIN || errno == EINTR) {
            return;
        }
        int e = errno;
        hci_fail(hci, -e, "reading from the controller failed: %s", strerror(e));
        return;
    }
    if (n == 0) {
        hci_fail(hci, -ECONNRESET, "the controller closed the connection");
        return;
    }
    if (meshrpr_hci_h4_rx_feed(&hci->rx, buf, (size_t)n, on_event, hci) != 0) {
        hci_fail(hci, -EPROTO,
                 "lost the H4 framing (a packet type a controller does not send): wrong baud "
                 "rate, or not an H4 controller?");
    }
}

/* ---- Backend hooks ------------------------------------------------------------------------ */

static uint64_t op_next_deadline_ms(void *ctx)
{
    struct meshrpr_hci *hci = ctx;
    uint64_t next = UINT64_MAX;

    if (hci->state == MESHRPR_HCI_FAILED || hci->state == MESHRPR_HCI_DOWN) {
        return next;
    }
    if (hci->cmd_busy) {
        next = hci->cmd_deadline_ms;
    }
    if (hci->tx_timer_ms < next) {
        next = hci->tx_timer_ms;
    }
    if (!hci->tx_busy && hci->state == MESHRPR_HCI_READY && hci->sc_interval_ms > 0 &&
        hci->sc_next_ms < next) {
        next = hci->sc_next_ms;
    }
    return next;
}

static void op_process(void *ctx)
{
    struct meshrpr_hci *hci = ctx;
    uint64_t now = now_ms(hci);

    if (hci->state == MESHRPR_HCI_FAILED) {
        return;
    }
    if (hci->cmd_busy && now >= hci->cmd_deadline_ms) {
        uint16_t op = hci->q[hci->q_head].opcode;
        hci_fail(hci, -ETIMEDOUT, "the controller did not answer %s (0x%04x) within %u ms%s",
                 meshrpr_hci_opcode_str(op), op, (unsigned)hci->cfg.cmd_timeout_ms,
                 op == OP_RESET ? ": is a controller attached and powered, at the right baud "
                                  "rate?"
                                : ": it stopped answering");
        return;
    }
    if (hci->tx_busy && now >= hci->tx_timer_ms) {
        tx_timer(hci);
    }
    tx_kick(hci);
}

static const struct meshrpr_posix_radio_ops hci_ops = {
    .adv_start = op_adv_start,
    .scan_active_set = op_scan_active_set,
    .next_deadline_ms = op_next_deadline_ms,
    .process = op_process,
};

/* ---- API ---------------------------------------------------------------------------------- */

int meshrpr_hci_start(struct meshrpr_hci *hci, struct meshrpr_posix_host *host, int fd,
                      const struct meshrpr_hci_config *cfg)
{
    if (hci == NULL || host == NULL || fd < 0) {
        return -EINVAL;
    }
    memset(hci, 0, sizeof(*hci));
    hci->host = host;
    hci->fd = fd;
    hci->tx_timer_ms = UINT64_MAX;
    if (cfg != NULL) {
        hci->cfg = *cfg;
    }
    if (hci->cfg.cmd_timeout_ms == 0) {
        hci->cfg.cmd_timeout_ms = MESHRPR_HCI_CMD_TIMEOUT_MS;
    }
    if (hci->cfg.static_addr_set && (hci->cfg.static_addr[5] & 0xc0u) != 0xc0u) {
        return -EINVAL;
    }
    hci->radio.ops = &hci_ops;
    hci->radio.ctx = hci;
    meshrpr_hci_h4_rx_init(&hci->rx);
    int e = meshrpr_posix_host_fd_add(host, fd, POLLIN, on_fd, hci);
    if (e != 0) {
        return e;
    }
    hci->state = MESHRPR_HCI_BRINGUP;
    /* Before the first event the host may send one command (§4.4). */
    hci->credits = 1;
    cmd_queue(hci, OP_RESET, T_RESET, NULL, 0);
    cmd_queue(hci, OP_READ_LOCAL_VERSION, T_VERSION, NULL, 0);
    cmd_queue(hci, OP_READ_LOCAL_COMMANDS, T_COMMANDS, NULL, 0);
    cmd_queue(hci, OP_LE_READ_LOCAL_FEATURES, T_LE_FEATURES, NULL, 0);
    return 0;
}

static bool settled(void *arg)
{
    const struct meshrpr_hci *hci = arg;
    return hci->state == MESHRPR_HCI_READY || hci->state == MESHRPR_HCI_FAILED;
}

int meshrpr_hci_open(struct meshrpr_hci *hci, struct meshrpr_posix_host *host, const char *spec,
                     const struct meshrpr_hci_config *cfg)
{
    char err[200];

    if (hci == NULL || host == NULL) {
        return -EINVAL;
    }
    int fd = meshrpr_hci_transport_open(spec, err, sizeof(err));
    if (fd < 0) {
        memset(hci, 0, sizeof(*hci));
        hci->fd = -1;
        hci->state = MESHRPR_HCI_FAILED;
        hci->err = fd;
        snprintf(hci->err_text, sizeof(hci->err_text), "%s", err);
        return fd;
    }
    int e = meshrpr_hci_start(hci, host, fd, cfg);
    if (e != 0) {
        close(fd);
        hci->fd = -1;
        hci->state = MESHRPR_HCI_FAILED;
        hci->err = e;
        snprintf(hci->err_text, sizeof(hci->err_text), "%s: cannot start: %s", spec, strerror(-e));
        return e;
    }
    hci->own_fd = true;
    /* The radio is not on a node yet, so the host does not run its hooks: the command
     * timeouts are run here, and the loop wakes at each one (a silent controller fails after
     * one command timeout, not after the guard below). The deadline is a second guard. */
    uint64_t deadline = meshrpr_posix_host_now_ms(host) + 16u * (uint64_t)hci->cfg.cmd_timeout_ms;
    e = -ETIMEDOUT;
    while (!settled(hci) && e == -ETIMEDOUT && meshrpr_posix_host_now_ms(host) < deadline) {
        uint64_t next = op_next_deadline_ms(hci);
        e = meshrpr_posix_host_run_until(host, settled, hci, next < deadline ? next : deadline);
        if (!settled(hci)) {
            op_process(hci);
        }
    }
    if (!settled(hci)) {
        hci_fail(hci, e != 0 ? e : -ETIMEDOUT, "the controller's bring-up did not finish: %s",
                 e == -EINTR ? "stopped" : strerror(e != 0 ? -e : ETIMEDOUT));
    }
    if (hci->state == MESHRPR_HCI_FAILED) {
        char text[sizeof(hci->err_text)];
        snprintf(text, sizeof(text), "%s", hci->err_text);
        snprintf(hci->err_text, sizeof(hci->err_text), "%.60s: %.130s", spec, text);
        return hci->err;
    }
    return 0;
}

void meshrpr_hci_close(struct meshrpr_hci *hci)
{
    if (hci == NULL || hci->fd < 0) {
        return;
    }
    if (hci->host != NULL) {
        (void)meshrpr_posix_host_fd_remove(hci->host, hci->fd);
    }
    if (hci->own_fd) {
        close(hci->fd);
    }
    hci->fd = -1;
    if (hci->state != MESHRPR_HCI_FAILED) {
        hci->state = MESHRPR_HCI_DOWN;
    }
}

enum meshrpr_hci_state meshrpr_hci_state(const struct meshrpr_hci *hci)
{
    return hci->state;
}

const char *meshrpr_hci_error(const struct meshrpr_hci *hci)
{
    return hci->state == MESHRPR_HCI_FAILED ? hci->err_text : "";
}

struct meshrpr_posix_radio *meshrpr_hci_radio(struct meshrpr_hci *hci)
{
    return &hci->radio;
}

const uint8_t *meshrpr_hci_addr(const struct meshrpr_hci *hci)
{
    return hci->addr;
}

bool meshrpr_hci_ext_adv(const struct meshrpr_hci *hci)
{
    return hci->ext_adv;
}

const struct meshrpr_hci_stats *meshrpr_hci_stats(const struct meshrpr_hci *hci)
{
    return &hci->stats;
}

int meshrpr_hci_set_scannable(struct meshrpr_hci *hci, const uint8_t *adv_data, size_t adv_len,
                              const uint8_t *rsp_data, size_t rsp_len, uint32_t interval_ms)
{
    if (hci == NULL || adv_len > 31 || rsp_len > 31 || (adv_len > 0 && adv_data == NULL) ||
        (rsp_len > 0 && rsp_data == NULL)) {
        return -EINVAL;
    }
    memset(hci->sc_adv, 0, sizeof(hci->sc_adv));
    memset(hci->sc_rsp, 0, sizeof(hci->sc_rsp));
    if (adv_len > 0) {
        memcpy(hci->sc_adv, adv_data, adv_len);
    }
    if (rsp_len > 0) {
        memcpy(hci->sc_rsp, rsp_data, rsp_len);
    }
    hci->sc_adv_len = (uint8_t)adv_len;
    hci->sc_rsp_len = (uint8_t)rsp_len;
    hci->sc_interval_ms = interval_ms;
    hci->sc_next_ms = hci->host != NULL ? now_ms(hci) : 0;
    return 0;
}

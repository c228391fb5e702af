/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file
 * The HCI radio: meshrpr nodes on a Bluetooth LE controller, through the POSIX host
 * (include/meshrpr/posix_host.h).
 *
 * A @ref meshrpr_hci is a radio backend of the POSIX host that talks the Host Controller
 * Interface (Core Spec Vol 4 Part E) in H4 framing (Vol 4 Part A: one packet-type octet, then
 * the HCI packet) over one of these transports, named by a SPEC string:
 *
 * - `/dev/ttyACM0[@BAUD][,noflow]`: a serial port (a Zephyr `hci_uart` or `hci_usb`
 *   controller, for example), raw mode, BAUD (default 115200) and RTS/CTS flow control unless
 *   `,noflow`;
 * - `unix:PATH`: a UNIX stream socket (BlueZ's controller emulator `btvirt` serves one
 *   emulated LE controller per connection on `/tmp/bt-server-le`);
 * - `tcp:HOST:PORT`: a TCP stream;
 * - `hciN`: the Linux HCI user channel of controller N (exclusive: the kernel's Bluetooth
 *   stack must have it down, and the process needs CAP_NET_ADMIN).
 *
 * Bring-up: Reset, Read Local Version Information, Read Local Supported Commands, LE Read
 * Local Supported Features, Set Event Mask, LE Set Event Mask, a random static address (Core
 * Spec Vol 6 Part B §1.3.2.1), then passive scanning without duplicate filtering.
 *
 * Transmission, one PDU at a time as the host's first-in first-out queue hands them over:
 * - legacy advertising (ADV_NONCONN_IND, MshPRTv1.1 §3.3.1): for each of the PDU's count
 *   transmissions, advertising is enabled for one advertising interval (20 ms, or 100 ms on
 *   controllers older than Core 5.0), so one advertising event goes out, and disabled again;
 *   the transmissions go interval_ms apart plus a random 0..10 ms (advDelay);
 * - extended advertising, when the controller has it (LE feature bit 12 and the commands): one
 *   advertising set sending a legacy ADV_NONCONN_IND with Max_Extended_Advertising_Events equal
 *   to the count at the PDU's interval; the LE Advertising Set Terminated event completes it.
 * The PDU is complete (meshrpr_posix_radio_adv_done(), so the node's timers start from it)
 * when its last transmission has ended.
 *
 * Reception: LE Advertising Reports (legacy) or LE Extended Advertising Reports, scan
 * responses included, go to the node as whole reports. meshrpr_posix_radio's scan_active_set
 * switches to active scanning (the Remote Provisioning Server's Extended Scan).
 *
 * Flow control: one command at a time, and only while the controller allows one
 * (Num_HCI_Command_Packets of the last Command Complete or Command Status, Vol 4 Part E §4.4).
 *
 * Errors: a missing controller fails meshrpr_hci_open() with the transport's reason; a command
 * the controller refuses during bring-up, a controller that does not answer a command within
 * the timeout, a Hardware Error event or a closed connection put the backend in the failed
 * state: meshrpr_hci_error() says why in words, the PDU on air completes with an error and
 * every later one is refused, so nothing waits forever.
 *
 * All state is in the caller's struct; nothing is allocated.
 */
#ifndef MESHRPR_HCI_H
#define MESHRPR_HCI_H

#include <meshrpr/posix_host.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- H4 framing (Core Spec Vol 4 Part A §2) --------------------------------------------- */

#define MESHRPR_HCI_H4_CMD 0x01
#define MESHRPR_HCI_H4_ACL 0x02
#define MESHRPR_HCI_H4_SCO 0x03
#define MESHRPR_HCI_H4_EVT 0x04
#define MESHRPR_HCI_H4_ISO 0x05

/** Longest HCI event: code, length, 255 octets of parameters. */
#define MESHRPR_HCI_EVT_MAX 257

/** Called for every complete HCI event (@p evt: event code, parameter length, parameters). */
typedef void (*meshrpr_hci_h4_event_fn)(void *ctx, const uint8_t *evt, size_t len);

/** H4 reassembly state. ACL, SCO and ISO packets are skipped (mesh uses advertising only). */
struct meshrpr_hci_h4_rx {
    uint8_t type;   /* packet type of the packet being read, 0 between packets */
    uint8_t hdr[4]; /* its header */
    uint8_t hdr_len;
    uint8_t hdr_need;
    size_t body_need; /* octets of the body still to come */
    uint8_t evt[MESHRPR_HCI_EVT_MAX];
    size_t evt_len;
};

/** Start reassembly afresh. */
void meshrpr_hci_h4_rx_init(struct meshrpr_hci_h4_rx *rx);

/**
 * Feed received octets; @p fn gets each complete event.
 * @return 0, or -EPROTO when an octet between packets is no packet type a controller sends
 *         (the framing is lost; the state is reset).
 */
int meshrpr_hci_h4_rx_feed(struct meshrpr_hci_h4_rx *rx, const uint8_t *data, size_t len,
                           meshrpr_hci_h4_event_fn fn, void *ctx);

/**
 * Encode an H4 command packet: 0x01, opcode (little-endian), parameter length, parameters.
 * @return its length (4 + @p len), or 0 when @p out_size is too small.
 */
size_t meshrpr_hci_h4_cmd(uint8_t *out, size_t out_size, uint16_t opcode, const uint8_t *params,
                          uint8_t len);

/* ---- Events (Core Spec Vol 4 Part E §7.7) ------------------------------------------------ */

#define MESHRPR_HCI_EVT_CMD_COMPLETE 0x0e
#define MESHRPR_HCI_EVT_CMD_STATUS   0x0f
#define MESHRPR_HCI_EVT_HW_ERROR     0x10
#define MESHRPR_HCI_EVT_LE_META      0x3e

#define MESHRPR_HCI_LE_ADV_REPORT         0x02
#define MESHRPR_HCI_LE_EXT_ADV_REPORT     0x0d
#define MESHRPR_HCI_LE_ADV_SET_TERMINATED 0x12

/** An event, checked against its length octet. */
struct meshrpr_hci_evt {
    uint8_t code;
    const uint8_t *params;
    uint8_t len;
};

/** Split an event (code, length, parameters). @return 0, or -EBADMSG when the length octet
 *  does not match @p len. */
int meshrpr_hci_event_parse(const uint8_t *evt, size_t len, struct meshrpr_hci_evt *out);

/** Command Complete (§7.7.14) or Command Status (§7.7.15), in one form. */
struct meshrpr_hci_cmd_done {
    uint8_t ncmd;       /**< Num_HCI_Command_Packets */
    uint16_t opcode;    /**< 0x0000: no command (only the credit) */
    uint8_t status;     /**< the first return parameter, or the status; 0 when there is none */
    bool is_status;     /**< Command Status: the command is pending, not complete */
    const uint8_t *ret; /**< return parameters, status included */
    size_t ret_len;
};

/** @return 0, -EBADMSG (too short), -ENOMSG (not one of the two events). */
int meshrpr_hci_event_cmd_done(const struct meshrpr_hci_evt *evt, struct meshrpr_hci_cmd_done *out);

/** Walk the reports of an LE Advertising Report (§7.7.65.2) or LE Extended Advertising Report
 *  (§7.7.65.13) subevent. */
struct meshrpr_hci_report_iter {
    const uint8_t *p;
    size_t left;
    uint8_t remaining;
    bool ext;
};

/**
 * Start walking an LE Meta event's reports. @return 0, -ENOMSG (not an LE Meta event with one
 * of the two report subevents), -EBADMSG (no report count).
 */
int meshrpr_hci_event_reports(struct meshrpr_hci_report_iter *it,
                              const struct meshrpr_hci_evt *evt);

/**
 * The next report. Extended reports carrying a legacy PDU get its legacy type (MESHRPR_ADV_*),
 * other extended PDUs the closest one; incomplete (fragmented or truncated) extended data is
 * skipped. @p out->data points into the event.
 * @return 1 with @p out set, 0 when no report is left, -EBADMSG when the rest is malformed.
 */
int meshrpr_hci_event_report_next(struct meshrpr_hci_report_iter *it,
                                  struct meshrpr_adv_report *out);

/** LE Advertising Set Terminated (§7.7.65.18). @return 0, -ENOMSG, -EBADMSG. */
int meshrpr_hci_event_adv_set_terminated(const struct meshrpr_hci_evt *evt, uint8_t *status,
                                         uint8_t *handle, uint8_t *events);

/** The name of an HCI error code (Core Spec Vol 1 Part F), e.g. "Command Disallowed". */
const char *meshrpr_hci_event_status_str(uint8_t status);

/** The name of a command meshrpr sends, e.g. "LE Set Advertising Enable", or "command". */
const char *meshrpr_hci_opcode_str(uint16_t opcode);

/* ---- Transports -------------------------------------------------------------------------- */

/**
 * Open the transport @p spec names (see the file comment), non-blocking and close-on-exec.
 * @return the file descriptor, or a negative errno with @p err (may be NULL) saying why in
 *         words (what was tried, the reason, a hint).
 */
int meshrpr_hci_transport_open(const char *spec, char *err, size_t err_size);

/* ---- The controller ---------------------------------------------------------------------- */

/** Default time a controller has to answer a command. */
#define MESHRPR_HCI_CMD_TIMEOUT_MS 3000u
/** Commands waiting for the controller. */
#define MESHRPR_HCI_CMD_QUEUE_LEN 24
/** Longest command parameters meshrpr sends (LE Set Advertising Data: 32). */
#define MESHRPR_HCI_CMD_PARAM_MAX 40

/** Options; zero means the default. */
struct meshrpr_hci_config {
    /** Time the controller has to answer each command (default MESHRPR_HCI_CMD_TIMEOUT_MS). */
    uint32_t cmd_timeout_ms;
    /** Use legacy advertising commands even if the controller has extended advertising. */
    bool legacy_only;
    /** Use this random static address (least significant octet first; the two most
     *  significant bits must be 1) instead of a random one. */
    bool static_addr_set;
    uint8_t static_addr[6];
};

enum meshrpr_hci_state {
    MESHRPR_HCI_DOWN = 0,
    MESHRPR_HCI_BRINGUP,
    MESHRPR_HCI_READY,
    MESHRPR_HCI_FAILED,
};

/** Counters. */
struct meshrpr_hci_stats {
    uint64_t cmds;       /**< commands written */
    uint64_t events;     /**< events received */
    uint64_t reports;    /**< advertising reports delivered */
    uint64_t adv_events; /**< transmissions (legacy enables, or completed extended events) */
    uint64_t pdus;       /**< PDUs completed */
    uint64_t pdu_errors; /**< PDUs that failed */
    uint64_t bad_events; /**< malformed events dropped */
};

/** The controller and its state. Fields are private. */
struct meshrpr_hci {
    struct meshrpr_posix_radio radio;
    struct meshrpr_posix_host *host;
    int fd;
    bool own_fd;
    struct meshrpr_hci_config cfg;
    enum meshrpr_hci_state state;
    int err;
    char err_text[200];
    struct meshrpr_hci_h4_rx rx;
    /* Write buffer (the transport may be slower than us). */
    uint8_t out[512];
    size_t out_len;
    /* Command queue; q[q_head] is in flight while cmd_busy. */
    struct {
        uint16_t opcode;
        uint8_t tag;
        uint8_t len;
        uint8_t params[MESHRPR_HCI_CMD_PARAM_MAX];
    } q[MESHRPR_HCI_CMD_QUEUE_LEN];
    unsigned q_head;
    unsigned q_len;
    bool cmd_busy;
    uint8_t credits;
    uint64_t cmd_deadline_ms;
    /* What the controller is. */
    uint8_t hci_version;
    uint16_t manufacturer;
    uint8_t commands[64];
    uint8_t le_features[8];
    bool ext_adv;
    uint8_t addr[6];
    /* Transmission. */
    struct meshrpr_posix_adv cur;
    bool tx_busy;
    bool tx_scannable; /* the current transmission is the scannable advertisement */
    uint8_t tx_phase;
    uint8_t copies_left;
    uint64_t copy_start_ms;
    uint64_t tx_timer_ms; /* UINT64_MAX: none */
    bool adv_params_set;
    uint8_t adv_params_type;
    uint16_t adv_params_interval_ms;
    bool tx_setup_failed;
    /* The PDU the host handed over, waiting for the controller to be ready or free. */
    struct meshrpr_posix_adv pdu;
    bool pdu_pending;
    /* Reception. */
    bool scan_active;
    /* The scannable advertisement (meshrpr_hci_set_scannable()). */
    uint8_t sc_adv[31];
    uint8_t sc_adv_len;
    uint8_t sc_rsp[31];
    uint8_t sc_rsp_len;
    uint32_t sc_interval_ms;
    uint64_t sc_next_ms;
    struct meshrpr_hci_stats stats;
};

/**
 * Open the transport @p spec, bring the controller up and wait (running @p host's loop) until
 * it is ready, at most the command timeout per command. Then give meshrpr_hci_radio() to
 * meshrpr_posix_host_node_add().
 * @return 0, or a negative errno with meshrpr_hci_error() saying why.
 */
int meshrpr_hci_open(struct meshrpr_hci *hci, struct meshrpr_posix_host *host, const char *spec,
                     const struct meshrpr_hci_config *cfg);

/**
 * Start the bring-up on an open transport @p fd (the caller keeps it) without waiting: the
 * host's loop carries it on. meshrpr_hci_state() tells when it is ready or failed.
 * @return 0, -EINVAL, or the error of registering @p fd with the host.
 */
int meshrpr_hci_start(struct meshrpr_hci *hci, struct meshrpr_posix_host *host, int fd,
                      const struct meshrpr_hci_config *cfg);

/** Stop: unregister the transport, close it if meshrpr_hci_open() opened it. */
void meshrpr_hci_close(struct meshrpr_hci *hci);

enum meshrpr_hci_state meshrpr_hci_state(const struct meshrpr_hci *hci);

/** Why the backend failed, in words ("" when it has not). */
const char *meshrpr_hci_error(const struct meshrpr_hci *hci);

/** The radio backend to bind a node to. */
struct meshrpr_posix_radio *meshrpr_hci_radio(struct meshrpr_hci *hci);

/** The controller's random static address (least significant octet first), once ready. */
const uint8_t *meshrpr_hci_addr(const struct meshrpr_hci *hci);

/** Whether the controller is driven with extended advertising commands. */
bool meshrpr_hci_ext_adv(const struct meshrpr_hci *hci);

const struct meshrpr_hci_stats *meshrpr_hci_stats(const struct meshrpr_hci *hci);

/**
 * Besides the node's PDUs, send a scannable advertisement (ADV_SCAN_IND) with @p adv_data
 * and the scan response @p rsp_data (AD structures, up to 31 octets each) every
 * @p interval_ms while no PDU is on air: what an unprovisioned device shows an active
 * scanner, such as a Remote Provisioning Server's Extended Scan (MshPRTv1.1 §4.4.5.5.1.7).
 * @p interval_ms 0 stops it. @return 0 or -EINVAL.
 */
int meshrpr_hci_set_scannable(struct meshrpr_hci *hci, const uint8_t *adv_data, size_t adv_len,
                              const uint8_t *rsp_data, size_t rsp_len, uint32_t interval_ms);

#ifdef __cplusplus
}
#endif

#endif /* MESHRPR_HCI_H */

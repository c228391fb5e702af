/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file
 * Provisioning (MshPRTv1.1 §5.4): the documented Zephyr types and callbacks, and the meshrpr
 * functions that drive them on one node.
 *
 * A node gets its provisioning properties and callbacks from a `struct bt_mesh_prov` given in
 * its configuration (meshrpr_node_config.prov). A device (provisionee) offers itself with
 * meshrpr_prov_enable(); a provisioner node provisions others with meshrpr_provision_adv() (and,
 * later, over PB-Remote), recording them in its node database (meshrpr_node_config.cdb).
 *
 * Zephyr's setters and input functions take no context (bt_mesh_auth_method_set_none(),
 * bt_mesh_input_number()...), but meshrpr keeps no globals, so the core API names the node:
 * meshrpr_prov_auth_method_set_none(node) and so on. Called from inside a provisioning callback
 * of that node, they act on the session that made the callback. The contextless Zephyr names are
 * provided by the separate meshrpr_compat library, which acts on one registered node
 * (meshrpr_compat_node_set()); see docs/decisions/0004-contextless-zephyr-api.md.
 */
#ifndef MESHRPR_PROV_H
#define MESHRPR_PROV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef BIT
/** Zephyr's bit macro, which the documented enums below are written with. */
#define BIT(n) (1UL << (n))
#endif

struct meshrpr_node;
/** One provisioning session of a node, either role (meshrpr extension): a device being
 *  provisioned by this node, or this node being provisioned. Opaque; valid from link_open_ex
 *  (or the first callback naming it) until link_close_ex for it. */
struct meshrpr_prov_session;

/** Provisioning algorithms (the Start PDU's Algorithm field, MshPRTv1.1 §5.4.1.3). */
enum {
    BT_MESH_PROV_AUTH_CMAC_AES128_AES_CCM, /**< BTM_ECDH_P256_CMAC_AES128_AES_CCM */
    BT_MESH_PROV_AUTH_HMAC_SHA256_AES_CCM, /**< BTM_ECDH_P256_HMAC_SHA256_AES_CCM (Mesh 1.1) */
};

/** OOB Type field of the Capabilities PDU (§5.4.1.2). */
enum {
    BT_MESH_STATIC_OOB_AVAILABLE = BIT(0), /**< Static OOB information available */
    BT_MESH_OOB_AUTH_REQUIRED = BIT(1),    /**< Only OOB authenticated provisioning supported */
};

/** Output OOB actions (bit masks, as in the Capabilities PDU). */
typedef enum bt_mesh_output_action {
    BT_MESH_NO_OUTPUT = 0,
    BT_MESH_BLINK = BIT(0),
    BT_MESH_BEEP = BIT(1),
    BT_MESH_VIBRATE = BIT(2),
    BT_MESH_DISPLAY_NUMBER = BIT(3),
    BT_MESH_DISPLAY_STRING = BIT(4),
} bt_mesh_output_action_t;

/** Input OOB actions (bit masks, as in the Capabilities PDU). */
typedef enum bt_mesh_input_action {
    BT_MESH_NO_INPUT = 0,
    BT_MESH_PUSH = BIT(0),
    BT_MESH_TWIST = BIT(1),
    BT_MESH_ENTER_NUMBER = BIT(2),
    BT_MESH_ENTER_STRING = BIT(3),
} bt_mesh_input_action_t;

/** Provisioning bearers. */
typedef enum bt_mesh_prov_bearer {
    BT_MESH_PROV_ADV = BIT(0),
    BT_MESH_PROV_GATT = BIT(1),
    BT_MESH_PROV_REMOTE = BIT(2),
} bt_mesh_prov_bearer_t;

/** OOB Information of the Unprovisioned Device beacon (§3.9.2, Table 3.54). */
typedef enum bt_mesh_prov_oob_info {
    BT_MESH_PROV_OOB_OTHER = BIT(0),
    BT_MESH_PROV_OOB_URI = BIT(1),
    BT_MESH_PROV_OOB_2D_CODE = BIT(2),
    BT_MESH_PROV_OOB_BAR_CODE = BIT(3),
    BT_MESH_PROV_OOB_NFC = BIT(4),
    BT_MESH_PROV_OOB_NUMBER = BIT(5),
    BT_MESH_PROV_OOB_STRING = BIT(6),
    BT_MESH_PROV_OOB_CERTIFICATE = BIT(7),
    BT_MESH_PROV_OOB_RECORDS = BIT(8),
    /* 9 - 10 are reserved */
    BT_MESH_PROV_OOB_ON_BOX = BIT(11),
    BT_MESH_PROV_OOB_IN_BOX = BIT(12),
    BT_MESH_PROV_OOB_ON_PAPER = BIT(13),
    BT_MESH_PROV_OOB_IN_MANUAL = BIT(14),
    BT_MESH_PROV_OOB_ON_DEV = BIT(15),
} bt_mesh_prov_oob_info_t;

/** A device's capabilities, from its Provisioning Capabilities PDU. */
struct bt_mesh_dev_capabilities {
    /** Number of elements supported by the device */
    uint8_t elem_count;
    /** Supported algorithms (BIT(BT_MESH_PROV_AUTH_*)) */
    uint16_t algorithms;
    /** Supported public key types (bit 0: OOB public key available) */
    uint8_t pub_key_type;
    /** Supported OOB types (BT_MESH_STATIC_OOB_AVAILABLE, BT_MESH_OOB_AUTH_REQUIRED) */
    uint8_t oob_type;
    /** Supported Output OOB actions */
    bt_mesh_output_action_t output_actions;
    /** Supported Input OOB actions */
    bt_mesh_input_action_t input_actions;
    /** Maximum size of Output OOB supported */
    uint8_t output_size;
    /** Maximum size in octets of Input OOB supported */
    uint8_t input_size;
};

/**
 * Provisioning properties and callbacks of one node (Zephyr's struct bt_mesh_prov). The device
 * fields describe this node when it is provisioned by someone else; the provisioner callbacks
 * serve this node when it provisions others. Unused callbacks may be NULL.
 */
struct bt_mesh_prov {
    /** The UUID that's used when advertising as unprovisioned */
    const uint8_t *uuid;
    /** Optional URI, advertised separately; the unprovisioned beacon carries its hash */
    const char *uri;
    /** Out of Band information field */
    bt_mesh_prov_oob_info_t oob_info;
    /** Public Key in big-endian (X || Y) for OOB public key support; with private_key_be */
    const uint8_t *public_key_be;
    /** Private Key in big-endian for OOB public key support; with public_key_be */
    const uint8_t *private_key_be;
    /** Static OOB value */
    const uint8_t *static_val;
    /** Static OOB value length (1..32) */
    uint8_t static_val_len;
    /** Maximum size of Output OOB supported (1..8) */
    uint8_t output_size;
    /** Supported Output OOB Actions (bt_mesh_output_action_t bits) */
    uint16_t output_actions;
    /** Maximum size of Input OOB supported (1..8) */
    uint8_t input_size;
    /** Supported Input OOB Actions (bt_mesh_input_action_t bits) */
    uint16_t input_actions;

    /**
     * Provisioner: the device's capabilities arrived. Choose the authentication here with
     * meshrpr_prov_auth_method_set_*() (or the bt_mesh_auth_method_set_*() of meshrpr_compat);
     * the Start PDU is sent when this returns.
     */
    void (*capabilities)(const struct bt_mesh_dev_capabilities *cap);
    /**
     * Output a number with the given action: on a device using Output OOB, the value the user
     * copies to the provisioner; on a provisioner using Input OOB (act BT_MESH_DISPLAY_NUMBER),
     * the value the user enters on the device. @return 0, or a negative error to abandon.
     */
    int (*output_number)(bt_mesh_output_action_t act, uint32_t num);
    /** Output a string (Output/Input Alphanumeric), as output_number. */
    int (*output_string)(const char *str);
    /**
     * Ask the user for input: on a device using Input OOB (act is the action chosen by the
     * provisioner), or on a provisioner using Output OOB (act is BT_MESH_ENTER_NUMBER or
     * BT_MESH_ENTER_STRING for what the device outputs). Answer with
     * meshrpr_prov_input_number() or meshrpr_prov_input_string(), from the callback or later.
     * @return 0, or a negative error to abandon provisioning.
     */
    int (*input)(bt_mesh_input_action_t act, uint8_t size);
    /** The other side finished its OOB input, so stop displaying the value: on a provisioner
     *  using Input OOB (Input Complete received), on a device using Output OOB (the
     *  provisioner's Confirmation received). */
    void (*input_complete)(void);
    /** An Unprovisioned Device beacon was received (uri_hash NULL when absent). */
    void (*unprovisioned_beacon)(uint8_t uuid[16], bt_mesh_prov_oob_info_t oob_info,
                                 uint32_t *uri_hash);
    /** PB-GATT unprovisioned advertising was received (never called: no GATT in meshrpr). */
    void (*unprovisioned_beacon_gatt)(uint8_t uuid[16], bt_mesh_prov_oob_info_t oob_info);
    /** A provisioning link was opened on the given bearer. */
    void (*link_open)(bt_mesh_prov_bearer_t bearer);
    /** A provisioning link was closed on the given bearer. */
    void (*link_close)(bt_mesh_prov_bearer_t bearer);
    /** Device: this node has been provisioned with the NetKey index and primary address. */
    void (*complete)(uint16_t net_idx, uint16_t addr);
    /** Device: this node has been re-provisioned (NPPI) to the new primary address. */
    void (*reprovisioned)(uint16_t addr);
    /** Provisioner: a node was provisioned and added to the node database. */
    void (*node_added)(uint16_t net_idx, uint8_t uuid[16], uint16_t addr, uint8_t num_elem);
    /** Device: the node was reset and must be enabled again to be provisioned. */
    void (*reset)(void);

    /* ---- meshrpr extensions (Zephyr selects these with Kconfig) ---- */

    /**
     * Device: the algorithms offered, BIT(BT_MESH_PROV_AUTH_*); 0 offers both (Zephyr's
     * default). A Mesh 1.1 device offers HMAC; CMAC alone is for legacy interoperability tests.
     */
    uint16_t algorithms;
    /**
     * Device: accept only OOB-authenticated provisioning with the HMAC algorithm (Zephyr's
     * CONFIG_BT_MESH_OOB_AUTH_REQUIRED): sets BT_MESH_OOB_AUTH_REQUIRED in the capabilities.
     */
    bool oob_auth_required;

    /*
     * Session-carrying callbacks (meshrpr extension). Zephyr's callbacks above do not say
     * which device they are about, so with them only one OOB-authenticated provisioning can
     * run at a time. Each *_ex callback, when set, is called instead of its Zephyr twin with
     * the session it is about; answer with meshrpr_prov_session_input_number() or
     * meshrpr_prov_session_input_string() on that session, from the callback or later, and
     * several provisionings can wait for their users at once. The setters
     * (meshrpr_prov_auth_method_set_*()) called from capabilities_ex apply to its session.
     */
    /** As capabilities, for this session's device (meshrpr_prov_session_uuid()). */
    void (*capabilities_ex)(struct meshrpr_prov_session *session,
                            const struct bt_mesh_dev_capabilities *cap);
    /** As output_number. */
    int (*output_number_ex)(struct meshrpr_prov_session *session, bt_mesh_output_action_t act,
                            uint32_t num);
    /** As output_string. */
    int (*output_string_ex)(struct meshrpr_prov_session *session, const char *str);
    /** As input. */
    int (*input_ex)(struct meshrpr_prov_session *session, bt_mesh_input_action_t act, uint8_t size);
    /** As input_complete. */
    void (*input_complete_ex)(struct meshrpr_prov_session *session);
    /** As link_open. */
    void (*link_open_ex)(struct meshrpr_prov_session *session, bt_mesh_prov_bearer_t bearer);
    /** As link_close. The session has ended: use the pointer only to match earlier calls
     *  (meshrpr_prov_last_result() has the outcome). */
    void (*link_close_ex)(struct meshrpr_prov_session *session, bt_mesh_prov_bearer_t bearer);
};

/** Provisioning Failed error codes (MshPRTv1.1 §5.4.1.10, Table 5.41). */
enum meshrpr_prov_err {
    MESHRPR_PROV_ERR_PROHIBITED = 0x00,
    MESHRPR_PROV_ERR_INVALID_PDU = 0x01,
    MESHRPR_PROV_ERR_INVALID_FORMAT = 0x02,
    MESHRPR_PROV_ERR_UNEXPECTED_PDU = 0x03,
    MESHRPR_PROV_ERR_CONFIRMATION_FAILED = 0x04,
    MESHRPR_PROV_ERR_OUT_OF_RESOURCES = 0x05,
    MESHRPR_PROV_ERR_DECRYPTION_FAILED = 0x06,
    MESHRPR_PROV_ERR_UNEXPECTED_ERROR = 0x07,
    MESHRPR_PROV_ERR_CANNOT_ASSIGN_ADDRESSES = 0x08,
    MESHRPR_PROV_ERR_INVALID_DATA = 0x09,
};

/** How a provisioning session ended (meshrpr extension, see meshrpr_prov_last_result()). */
enum meshrpr_prov_status {
    /** Provisioning completed. */
    MESHRPR_PROV_STATUS_SUCCESS = 0,
    /** This side refused the exchange; error_code says why. A device sent it in a
     *  Provisioning Failed PDU; a provisioner closes the link instead (§5.4.4). */
    MESHRPR_PROV_STATUS_REFUSED,
    /** The peer sent Provisioning Failed with error_code. */
    MESHRPR_PROV_STATUS_PEER_FAILED,
    /** A timer expired: the protocol timer (60 s, 120 s with Input/Output OOB, §5.4.4) or
     *  the bearer's (PB-ADV link establishment or transaction timer). */
    MESHRPR_PROV_STATUS_TIMEOUT,
    /** The link closed before completion for another reason (the peer closed it, the bearer
     *  failed). */
    MESHRPR_PROV_STATUS_LINK_CLOSED,
    /** This side could not go on: error_code is Out of Resources (no free address range or
     *  database entry) or Unexpected Error (a callback failed, the chosen authentication does
     *  not fit the device, a local computation failed). */
    MESHRPR_PROV_STATUS_LOCAL_ERROR,
};

/** The outcome of the last provisioning session of a node (either role). */
struct meshrpr_prov_result {
    enum meshrpr_prov_status status;
    /** enum meshrpr_prov_err value for REFUSED, PEER_FAILED and LOCAL_ERROR; else 0. */
    uint8_t error_code;
    /** True when this node was the provisioner. */
    bool provisioner;
    /** The device's UUID (provisioner role; the node's own UUID in the device role). */
    uint8_t uuid[16];
    /** Primary address assigned (0 if none yet). */
    uint16_t addr;
    /** Bearer of the link (bt_mesh_prov_bearer_t). */
    uint8_t bearer;
    /** Which PDU the session was waiting for when it ended (a Provisioning PDU type), or
     *  0xff when it was not waiting for one. */
    uint8_t waiting_for;
    /** How the bearer closed the link (0 success, 1 timeout, 2 fail: the Link Close reasons of
     *  MshPRTv1.1 §5.3.1.4.3). A device that sent Complete but whose link then failed has not
     *  been acknowledged by its provisioner. */
    uint8_t link_status;
};

/** Maximum Static OOB and AuthValue length. */
#define MESHRPR_PROV_STATIC_OOB_MAX 32
/** Maximum Input/Output OOB size (digits or characters). */
#define MESHRPR_PROV_IO_OOB_SIZE_MAX 8

/* ---- Provisioner: authentication choice ------------------------------------------------ */

/**
 * Use no OOB authentication (the default). Called from the capabilities callback it applies to
 * that device; elsewhere it becomes the node's default for later provisioning sessions.
 * A device that requires OOB authentication is then refused.
 * @return 0, or -EINVAL for a NULL node.
 */
int meshrpr_prov_auth_method_set_none(struct meshrpr_node *node);
/** Use Static OOB with the given value (1..32 octets; zero-padded or cut to the AuthValue
 *  length, §5.4.2.4). @return 0, -EINVAL. */
int meshrpr_prov_auth_method_set_static(struct meshrpr_node *node, const uint8_t *static_val,
                                        uint8_t size);
/** Use Output OOB: the device outputs a value with action (one bit), of size 1..8, and the
 *  input callback asks the user to enter it here. @return 0, -EINVAL. */
int meshrpr_prov_auth_method_set_output(struct meshrpr_node *node, bt_mesh_output_action_t action,
                                        uint8_t size);
/** Use Input OOB: this node draws a random value (full entropy for the size), shows it through
 *  output_number/output_string, and the user enters it on the device. @return 0, -EINVAL. */
int meshrpr_prov_auth_method_set_input(struct meshrpr_node *node, bt_mesh_input_action_t action,
                                       uint8_t size);
/**
 * The device's public key obtained out of band (X || Y, big-endian), used when the device
 * offers an OOB public key. From a capabilities callback it applies to that device; elsewhere
 * to the next provisioning session started on this node.
 * @return 0, or -EINVAL for a key that is not a valid P-256 point.
 */
int meshrpr_prov_remote_pub_key_set(struct meshrpr_node *node, const uint8_t public_key[64]);

/* ---- Either role: OOB input ------------------------------------------------------------- */

/**
 * Provide the number the user entered (after an input callback asking for a number, or for
 * Blink/Beep/Vibrate/Push/Twist). From an input callback it answers that session; elsewhere the
 * first session of the node waiting for a number.
 * @return 0, -EINVAL (no session waiting for a number, or out of range for the size).
 */
int meshrpr_prov_input_number(struct meshrpr_node *node, uint32_t num);
/** Provide the string the user entered (Alphanumeric), as meshrpr_prov_input_number().
 *  @return 0, -EINVAL (none waiting, or too long), -ENOTSUP. */
int meshrpr_prov_input_string(struct meshrpr_node *node, const char *str);

/**
 * Provide the number the user entered for this session (meshrpr extension: the session an
 * input or input_ex callback named). @return 0, -EINVAL (NULL, the session is not waiting for
 * a number, or out of range for the size).
 */
int meshrpr_prov_session_input_number(struct meshrpr_prov_session *session, uint32_t num);
/** Provide the string the user entered for this session, as meshrpr_prov_input_string().
 *  @return 0, -EINVAL, -ENOTSUP. */
int meshrpr_prov_session_input_string(struct meshrpr_prov_session *session, const char *str);

/** The node a session belongs to. */
struct meshrpr_node *meshrpr_prov_session_node(const struct meshrpr_prov_session *session);
/** Whether this node is the provisioner in the session (else it is the device). */
bool meshrpr_prov_session_is_provisioner(const struct meshrpr_prov_session *session);
/** Provisioner sessions: the device's UUID (16 octets). */
const uint8_t *meshrpr_prov_session_uuid(const struct meshrpr_prov_session *session);
/** Provisioner sessions: the NetKey index the device gets. */
uint16_t meshrpr_prov_session_net_idx(const struct meshrpr_prov_session *session);
/** Provisioner sessions: the primary address assigned (0 until the Capabilities arrived). */
uint16_t meshrpr_prov_session_addr(const struct meshrpr_prov_session *session);
/** Provisioner sessions: the device's element count (0 until the Capabilities arrived). */
uint8_t meshrpr_prov_session_elem_count(const struct meshrpr_prov_session *session);

/* ---- Device role ------------------------------------------------------------------------ */

/**
 * Offer this node for provisioning on the given bearers (BT_MESH_PROV_ADV: Unprovisioned
 * Device beacon and PB-ADV links; BT_MESH_PROV_REMOTE: NPPI through its own Remote
 * Provisioning Server).
 * @return 0, -EINVAL (no bt_mesh_prov with a UUID in the configuration, or no bearer),
 *         -EALREADY (already provisioned, for PB-ADV), -ENOTSUP (PB-GATT, or BT_MESH_PROV_REMOTE
 *         on a node without a Remote Provisioning Server).
 */
int meshrpr_prov_enable(struct meshrpr_node *node, bt_mesh_prov_bearer_t bearers);
/** Stop offering the node on the given bearers (a link in progress continues).
 *  @return 0, -EINVAL. */
int meshrpr_prov_disable(struct meshrpr_node *node, bt_mesh_prov_bearer_t bearers);
/** The bearers the node is currently offered on (bt_mesh_prov_bearer_t bits). */
uint8_t meshrpr_prov_enabled(const struct meshrpr_node *node);

/* ---- Provisioner role ------------------------------------------------------------------- */

/**
 * Provision the device with this UUID over PB-ADV (Zephyr's bt_mesh_provision_adv()). The node
 * must be provisioned, know the NetKey net_idx and have a node database. The outcome arrives
 * through node_added (success) and link_close, and meshrpr_prov_last_result().
 * @param addr primary address to assign, or 0 for the lowest free range in the database
 * @return 0, -EINVAL (bad address, unknown NetKey, unprovisioned node), -ENOTSUP (no
 *         database or no PB-ADV), -EEXIST (UUID already in the database), -EBUSY (this UUID
 *         is already being provisioned), -ENOMEM (no free session), or a bearer error.
 */
int meshrpr_provision_adv(struct meshrpr_node *node, const uint8_t uuid[16], uint16_t net_idx,
                          uint16_t addr, uint8_t attention_duration);

/**
 * PB-ADV transmission timing of a node (meshrpr extension). MshPRTv1.1 §5.3.2-§5.3.3 leave the
 * retransmission interval and the number of transmissions to the implementation. The defaults
 * are in brackets; meshrpr_pb_adv_timing_get() on a fresh node returns them. Retransmission
 * timers start when the previous copy has left the host's advertiser
 * (include/meshrpr/platform.h, adv_send).
 */
struct meshrpr_pb_adv_timing {
    /** Link Open and unacknowledged transaction retransmission interval, 20..10000 ms [500]. */
    uint16_t retransmit_ms;
    /** Random extra delay, uniform in 0..this, added to every retransmission interval (at most
     *  retransmit_ms): two peers that both retransmit on a fixed period cannot phase-lock
     *  (bluetooth-meshd queues its Link ACK behind its own 500 ms beacon) [50]. */
    uint16_t retransmit_jitter_ms;
    /** Interval between the transmissions of one PDU, 10..1000 ms [20]. */
    uint16_t tx_interval_ms;
    /** Transmissions of every Link Open and transaction segment each time it is sent, 1..8 [2]. */
    uint8_t data_count;
    /** Transmissions of every Link ACK and Transaction Ack, 1..8 [3]. */
    uint8_t ack_count;
    /** Transmissions of each Link Close burst, 3..8 (§5.3.1.4.3 asks for at least three).
     *  The link is gone for its session once the first burst has left; the burst is then
     *  repeated, and repeated to a peer still sending on the link, for 3 s [3]. */
    uint8_t close_count;
};

/**
 * Set the PB-ADV timing of @p node (both roles); links already open use it from their next
 * transmission. NULL restores the defaults.
 * @return 0, or -EINVAL for a value out of range (nothing is changed then).
 */
int meshrpr_pb_adv_timing_set(struct meshrpr_node *node,
                              const struct meshrpr_pb_adv_timing *timing);

/** The PB-ADV timing in use on @p node. */
void meshrpr_pb_adv_timing_get(const struct meshrpr_node *node,
                               struct meshrpr_pb_adv_timing *timing);

/** Whether any provisioning session (either role) is in progress on the node. */
bool meshrpr_prov_is_busy(const struct meshrpr_node *node);

/**
 * The outcome of the node's most recent finished provisioning session (meshrpr extension:
 * Zephyr reports only link_close).
 * @return 0, or -ENOENT when no session has finished yet.
 */
int meshrpr_prov_last_result(const struct meshrpr_node *node, struct meshrpr_prov_result *result);

/* ---- Zephyr's contextless names (library meshrpr_compat, not libmeshrpr) ----------------- */

/**
 * Register the node the contextless Zephyr functions below act on (NULL to clear). They return
 * -ENODEV while no node is registered. meshrpr_compat holds this one pointer; it is the only
 * global state in meshrpr, and it is opt-in.
 */
void meshrpr_compat_node_set(struct meshrpr_node *node);
/** The registered node, or NULL. */
struct meshrpr_node *meshrpr_compat_node_get(void);

int bt_mesh_auth_method_set_none(void);
int bt_mesh_auth_method_set_static(const uint8_t *static_val, uint8_t size);
int bt_mesh_auth_method_set_output(bt_mesh_output_action_t action, uint8_t size);
int bt_mesh_auth_method_set_input(bt_mesh_input_action_t action, uint8_t size);
int bt_mesh_input_number(uint32_t num);
int bt_mesh_input_string(const char *str);
int bt_mesh_prov_remote_pub_key_set(const uint8_t public_key[64]);
int bt_mesh_prov_enable(bt_mesh_prov_bearer_t bearers);
int bt_mesh_prov_disable(bt_mesh_prov_bearer_t bearers);
int bt_mesh_provision_adv(const uint8_t uuid[16], uint16_t net_idx, uint16_t addr,
                          uint8_t attention_duration);

#ifdef __cplusplus
}
#endif

#endif /* MESHRPR_PROV_H */

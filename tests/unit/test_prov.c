/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Provisioning Protocol end to end (MshPRTv1.1 §5.4) between a provisioner node and device
 * nodes over an in-memory bearer (prov_harness.h): the §8.17.1 and §8.17.2 sample exchanges
 * byte for byte with the sample keys and Randoms injected, every OOB method, the attacks of the
 * 2021 advisories (reflected Confirmation and Random, our own public key, an off-curve point),
 * the protocol timers on the fake clock, and the refusals with their error codes. Every test
 * ends with all nodes idle.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#include "net/keys.h"
#include "prov_harness.h"
#include "prov_test_hooks.h"

/* §8.17.1 (spec-vectors.md §2). */
#define S1_CAPS   "010100010000000000000000"
#define S1_START  "020000000000"
#define S1_RAND_P "8b19ac31d58b124c946209b5db1021b9"
#define S1_RAND_D "55a2a2bca04cd32ff6f346bd0a0c1a3a"
#define S1_CONF_P "05b38a114dfdca1fe153bd2c1e0dc46ac2"
#define S1_CONF_D "05eeba521c196b52cc2e37aa40329f554e"
#define S1_DATA   "07d0bd7f4a89a2ff6222af59a90a60ad58acfe3123356f5cec2973e0ec50783b10c7"
#define S1_DEVKEY "0520adad5e0142aa3e325087b4ec16d8"
/* §8.17.2 (spec-vectors.md §3). */
#define S2_CAPS   "010100030001000000000000"
#define S2_START  "020100010000"
#define S2_STATIC "906d73a3c7a7cb3ff730dca68a46b9c18d673f50e078202311473ebbe253669f"
#define S2_RAND_P "36f968b94a13000e64b223576390db6bcc6d62f02617c369ee3f5b3e89df7e1f"
#define S2_RAND_D "5b9b1fc6a64b2de8bece53187ee989c6566db1fc7dc8580a73dafdd6211d56a5"
#define S2_CONF_P "c99b54617ae646f5f32cf7e1ea6fcc49fd69066078eba9580fa6c7031833e6c8"
#define S2_CONF_D "56e3722d291373d38c995d6f942c02928c96abb015c233557d7974b6e2df662b"
#define S2_DATA                                                                                    \
    "f9df98cbb736be1f600659ac4c37821a82db31e410a03de769"                                           \
    "3a2a0428fbdaf321"
#define S2_DEVKEY "2770852a737cf05d8813768f22af3a2d"

static struct harness *H;

/* What the application callbacks saw. The callbacks are contextless (Zephyr's signatures),
 * so the provisioner's and the devices' are separate functions. */
enum choice { CH_NONE, CH_STATIC, CH_OUTPUT, CH_INPUT, CH_NOTHING };
static struct {
    /* provisioner */
    enum choice choice;
    uint8_t choice_action;
    uint8_t choice_size;
    uint8_t static_val[32];
    uint8_t static_len;
    bool set_remote_key;
    uint8_t remote_key[64];
    int caps_calls;
    struct bt_mesh_dev_capabilities caps;
    int prov_input_calls;
    int prov_input_act;
    int prov_out_num_calls;
    uint32_t prov_out_num;
    char prov_out_str[10];
    int prov_input_complete;
    int prov_link_open;
    int prov_link_close;
    int node_added;
    uint16_t added_net_idx;
    uint8_t added_uuid[16];
    uint16_t added_addr;
    uint8_t added_elems;
    /* devices */
    int dev_out_calls;
    int dev_out_act;
    uint32_t dev_out_num;
    char dev_out_str[10];
    int dev_input_calls;
    int dev_input_act;
    uint8_t dev_input_size;
    bool dev_answer_inline; /* answer the input callback from inside it */
    int dev_input_complete;
    int dev_complete;
    uint16_t complete_addr;
    int dev_link_open;
    int dev_link_close;
} R;

/* ---- Callbacks ---------------------------------------------------------------------------- */

static void prov_capabilities(const struct bt_mesh_dev_capabilities *cap)
{
    struct meshrpr_node *node = &H->node[0];

    R.caps_calls++;
    R.caps = *cap;
    switch (R.choice) {
    case CH_NONE:
        assert_int_equal(meshrpr_prov_auth_method_set_none(node), 0);
        break;
    case CH_STATIC:
        assert_int_equal(meshrpr_prov_auth_method_set_static(node, R.static_val, R.static_len), 0);
        break;
    case CH_OUTPUT:
        assert_int_equal(meshrpr_prov_auth_method_set_output(
                             node, (bt_mesh_output_action_t)R.choice_action, R.choice_size),
                         0);
        break;
    case CH_INPUT:
        assert_int_equal(meshrpr_prov_auth_method_set_input(
                             node, (bt_mesh_input_action_t)R.choice_action, R.choice_size),
                         0);
        break;
    case CH_NOTHING:
        break;
    }
    if (R.set_remote_key) {
        assert_int_equal(meshrpr_prov_remote_pub_key_set(node, R.remote_key), 0);
    }
}

static int prov_input(bt_mesh_input_action_t act, uint8_t size)
{
    (void)size;
    R.prov_input_calls++;
    R.prov_input_act = act;
    return 0;
}

static int prov_output_number(bt_mesh_output_action_t act, uint32_t num)
{
    assert_int_equal(act, BT_MESH_DISPLAY_NUMBER);
    R.prov_out_num_calls++;
    R.prov_out_num = num;
    return 0;
}

static int prov_output_string(const char *str)
{
    R.prov_out_num_calls++;
    snprintf(R.prov_out_str, sizeof(R.prov_out_str), "%s", str);
    return 0;
}

static void prov_input_complete(void)
{
    R.prov_input_complete++;
}

static void prov_link_open(bt_mesh_prov_bearer_t bearer)
{
    assert_int_equal(bearer, BT_MESH_PROV_ADV);
    R.prov_link_open++;
}

static void prov_link_close(bt_mesh_prov_bearer_t bearer)
{
    assert_int_equal(bearer, BT_MESH_PROV_ADV);
    R.prov_link_close++;
}

static void prov_node_added(uint16_t net_idx, uint8_t uuid[16], uint16_t addr, uint8_t num_elem)
{
    R.node_added++;
    R.added_net_idx = net_idx;
    memcpy(R.added_uuid, uuid, 16);
    R.added_addr = addr;
    R.added_elems = num_elem;
}

static int dev_output_number(bt_mesh_output_action_t act, uint32_t num)
{
    R.dev_out_calls++;
    R.dev_out_act = act;
    R.dev_out_num = num;
    return 0;
}

static int dev_output_string(const char *str)
{
    R.dev_out_calls++;
    R.dev_out_act = BT_MESH_DISPLAY_STRING;
    snprintf(R.dev_out_str, sizeof(R.dev_out_str), "%s", str);
    return 0;
}

static int dev_input(bt_mesh_input_action_t act, uint8_t size)
{
    R.dev_input_calls++;
    R.dev_input_act = act;
    R.dev_input_size = size;
    if (R.dev_answer_inline) {
        /* The explicit API works from inside the callback: it answers this session. */
        if (act == BT_MESH_ENTER_STRING) {
            assert_int_equal(meshrpr_prov_input_string(&H->node[1], R.prov_out_str), 0);
        } else {
            assert_int_equal(meshrpr_prov_input_number(&H->node[1], R.prov_out_num), 0);
        }
    }
    return 0;
}

static void dev_input_complete(void)
{
    R.dev_input_complete++;
}

static void dev_complete(uint16_t net_idx, uint16_t addr)
{
    (void)net_idx;
    R.dev_complete++;
    R.complete_addr = addr;
}

static void dev_link_open(bt_mesh_prov_bearer_t bearer)
{
    (void)bearer;
    R.dev_link_open++;
}

static void dev_link_close(bt_mesh_prov_bearer_t bearer)
{
    (void)bearer;
    R.dev_link_close++;
}

/* A harness with dev_count devices, all callbacks installed. */
static struct harness *setup(int dev_count, uint8_t dev_elems)
{
    struct harness *h = H;

    memset(&R, 0, sizeof(R));
    h_init(h, dev_count, dev_elems);
    h->prov[0].capabilities = prov_capabilities;
    h->prov[0].input = prov_input;
    h->prov[0].output_number = prov_output_number;
    h->prov[0].output_string = prov_output_string;
    h->prov[0].input_complete = prov_input_complete;
    h->prov[0].link_open = prov_link_open;
    h->prov[0].link_close = prov_link_close;
    h->prov[0].node_added = prov_node_added;
    for (int i = 1; i <= dev_count; i++) {
        h->prov[i].output_number = dev_output_number;
        h->prov[i].output_string = dev_output_string;
        h->prov[i].input = dev_input;
        h->prov[i].input_complete = dev_input_complete;
        h->prov[i].complete = dev_complete;
        h->prov[i].link_open = dev_link_open;
        h->prov[i].link_close = dev_link_close;
    }
    return h;
}

static void inject(struct harness *h, int pair, const char *priv_p, const char *rand_p,
                   const char *priv_d, const char *rand_d)
{
    uint8_t priv[32];
    uint8_t rnd[32];
    size_t len;

    if (priv_p != NULL) {
        test_hex(priv_p, priv, 32);
    }
    len = rand_p != NULL ? test_hex(rand_p, rnd, 32) : 0;
    assert_int_equal(meshrpr_prov_test_inject(h_session(h, pair, H_PROV),
                                              priv_p != NULL ? priv : NULL,
                                              rand_p != NULL ? rnd : NULL, len),
                     0);
    if (priv_d != NULL) {
        test_hex(priv_d, priv, 32);
    }
    len = rand_d != NULL ? test_hex(rand_d, rnd, 32) : 0;
    assert_int_equal(meshrpr_prov_test_inject(h_session(h, pair, H_DEV),
                                              priv_d != NULL ? priv : NULL,
                                              rand_d != NULL ? rnd : NULL, len),
                     0);
}

static void assert_sent(struct harness *h, int pair, int side, size_t index, const char *hex)
{
    assert_true(index < h->sent_n[pair][side]);
    assert_hex_equal(h->sent[pair][side][index], h->sent_len[pair][side][index], hex);
}

static struct meshrpr_prov_result result_of(struct harness *h, int node)
{
    struct meshrpr_prov_result r;

    assert_int_equal(meshrpr_prov_last_result(&h->node[node], &r), 0);
    return r;
}

/* The device of pair ended provisioned at addr with the sample NetKey and IV Index. */
static void assert_device_provisioned(struct harness *h, int pair, uint16_t addr,
                                      const char *dev_key)
{
    struct meshrpr_node *dev = &h->node[1 + pair];
    struct meshrpr_subnet *sub;

    assert_true(meshrpr_node_is_provisioned(dev));
    assert_int_equal(meshrpr_node_addr(dev), addr);
    assert_int_equal(meshrpr_node_iv_index(dev), H_SAMPLE_IV_INDEX);
    sub = meshrpr_keys_subnet_get(dev, H_SAMPLE_NET_IDX);
    assert_non_null(sub);
    assert_hex_equal(sub->net_key, 16, H_SAMPLE_NET_KEY);
    if (dev_key != NULL) {
        assert_hex_equal(dev->dev_key, 16, dev_key);
    }
    /* The provisioner's database holds the same device key. */
    struct meshrpr_cdb_node *entry = meshrpr_cdb_node_get(&h->cdb, addr);
    assert_non_null(entry);
    assert_memory_equal(entry->uuid, h->uuid[1 + pair], 16);
    assert_memory_equal(entry->dev_key, dev->dev_key, 16);
    assert_int_equal(entry->net_idx, H_SAMPLE_NET_IDX);
    assert_int_equal(entry->num_elem, meshrpr_node_elem_count(dev));
    assert_int_equal(result_of(h, 0).status, MESHRPR_PROV_STATUS_SUCCESS);
    assert_int_equal(result_of(h, 1 + pair).status, MESHRPR_PROV_STATUS_SUCCESS);
}

/* The provisioner refused: the link closed with Fail, nothing was provisioned or stored and
 * the NetKey never left (no Provisioning Data sent). */
static void assert_provisioner_refused_data(struct harness *h, enum meshrpr_prov_status status,
                                            uint8_t code, bool data_sent)
{
    struct meshrpr_prov_result r = result_of(h, 0);

    assert_int_equal(r.status, status);
    assert_int_equal(r.error_code, code);
    assert_true(r.provisioner);
    assert_true(h->link[0][H_PROV].closed);
    assert_true(h->link[0][H_DEV].closed);
    assert_int_equal(R.node_added, 0);
    assert_int_equal(meshrpr_cdb_node_count(&h->cdb), 0);
    assert_int_equal(h_sent_count(h, 0, H_PROV, MESHRPR_PROV_DATA), data_sent ? 1 : 0);
    assert_int_equal(h_sent_count(h, 0, H_PROV, MESHRPR_PROV_FAILED), 0); /* §5.4.4 */
    assert_false(meshrpr_node_is_provisioned(&h->node[1]));
    assert_int_equal(R.prov_link_close, R.prov_link_open);
    assert_true(h_idle(h));
}

static void assert_provisioner_refused(struct harness *h, enum meshrpr_prov_status status,
                                       uint8_t code)
{
    assert_provisioner_refused_data(h, status, code, false);
}

/* ---- The specification's sample exchanges --------------------------------------------------- */

static void test_sample_cmac_no_oob(void **state)
{
    struct harness *h = setup(1, 1);

    (void)state;
    h->prov[1].algorithms = BIT(BT_MESH_PROV_AUTH_CMAC_AES128_AES_CCM); /* as in §8.17.1 */
    assert_int_equal(h_start(h, 0, H_SAMPLE_ADDR, 0), 0);
    inject(h, 0, H_PRIV_PROV, S1_RAND_P, H_PRIV_DEV, S1_RAND_D);
    h_pump(h);

    /* Every PDU on the bearer, in order, as in spec-vectors.md §2. */
    assert_int_equal(h->sent_n[0][H_PROV], 6);
    assert_sent(h, 0, H_PROV, 0, "0000");
    assert_sent(h, 0, H_PROV, 1, S1_START);
    assert_sent(h, 0, H_PROV, 2, "03" H_PUB_PROV);
    assert_sent(h, 0, H_PROV, 3, S1_CONF_P);
    assert_sent(h, 0, H_PROV, 4, "06" S1_RAND_P);
    assert_sent(h, 0, H_PROV, 5, S1_DATA);
    assert_int_equal(h->sent_n[0][H_DEV], 5);
    assert_sent(h, 0, H_DEV, 0, S1_CAPS);
    assert_sent(h, 0, H_DEV, 1, "03" H_PUB_DEV);
    assert_sent(h, 0, H_DEV, 2, S1_CONF_D);
    assert_sent(h, 0, H_DEV, 3, "06" S1_RAND_D);
    assert_sent(h, 0, H_DEV, 4, "08");

    assert_device_provisioned(h, 0, H_SAMPLE_ADDR, S1_DEVKEY);
    assert_int_equal(R.node_added, 1);
    assert_int_equal(R.added_net_idx, H_SAMPLE_NET_IDX);
    assert_int_equal(R.added_addr, H_SAMPLE_ADDR);
    assert_int_equal(R.added_elems, 1);
    assert_memory_equal(R.added_uuid, h->uuid[1], 16);
    assert_int_equal(R.dev_complete, 1);
    assert_int_equal(R.complete_addr, H_SAMPLE_ADDR);
    assert_int_equal(R.caps_calls, 1);
    assert_int_equal(R.caps.algorithms, 0x0001);
    assert_int_equal(R.prov_link_open, 1);
    assert_int_equal(R.prov_link_close, 1);
    assert_int_equal(R.dev_link_open, 1);
    assert_int_equal(R.dev_link_close, 1);
    /* The provisioner closed the link with Success after Complete. */
    assert_int_equal(h->link[0][H_PROV].close_reason, MESHRPR_PROV_LINK_SUCCESS);
    assert_true(h_idle(h));
}

static void test_sample_hmac_static_oob(void **state)
{
    struct harness *h = setup(1, 1);
    uint8_t static_val[32];

    (void)state;
    test_hex(S2_STATIC, static_val, 32);
    h->prov[1].static_val = static_val;
    h->prov[1].static_val_len = 32;
    R.choice = CH_STATIC;
    memcpy(R.static_val, static_val, 32);
    R.static_len = 32;
    assert_int_equal(h_start(h, 0, H_SAMPLE_ADDR, 0), 0);
    inject(h, 0, H_PRIV_PROV, S2_RAND_P, H_PRIV_DEV, S2_RAND_D);
    h_pump(h);

    assert_sent(h, 0, H_PROV, 0, "0000");
    assert_sent(h, 0, H_DEV, 0, S2_CAPS);
    assert_sent(h, 0, H_PROV, 1, S2_START); /* HMAC preferred, Static OOB */
    assert_sent(h, 0, H_PROV, 2, "03" H_PUB_PROV);
    assert_sent(h, 0, H_DEV, 1, "03" H_PUB_DEV);
    assert_sent(h, 0, H_PROV, 3, "05" S2_CONF_P);
    assert_sent(h, 0, H_DEV, 2, "05" S2_CONF_D);
    assert_sent(h, 0, H_PROV, 4, "06" S2_RAND_P);
    assert_sent(h, 0, H_DEV, 3, "06" S2_RAND_D);
    assert_sent(h, 0, H_PROV, 5, "07" S2_DATA);
    assert_sent(h, 0, H_DEV, 4, "08");
    assert_device_provisioned(h, 0, H_SAMPLE_ADDR, S2_DEVKEY);
    assert_int_equal(R.node_added, 1);
    assert_true(h_idle(h));
}

/* ---- Every OOB method --------------------------------------------------------------------- */

/* Provision pair 0 at address 0x0b0c with fresh keys and Randoms; the caller has set up the
 * device's capabilities and R.choice. */
static void provision_fresh(struct harness *h)
{
    assert_int_equal(h_start(h, 0, H_SAMPLE_ADDR, 5), 0);
    h_pump(h);
}

static void assert_success(struct harness *h)
{
    assert_device_provisioned(h, 0, H_SAMPLE_ADDR, NULL);
    assert_int_equal(R.node_added, 1);
    assert_int_equal(R.dev_complete, 1);
    assert_true(h_idle(h));
}

static void test_output_numeric(void **state)
{
    struct harness *h = setup(1, 1);

    (void)state;
    h->prov[1].output_size = 8;
    h->prov[1].output_actions = BT_MESH_DISPLAY_NUMBER | BT_MESH_BLINK;
    R.choice = CH_OUTPUT;
    R.choice_action = BT_MESH_DISPLAY_NUMBER;
    R.choice_size = 8;
    provision_fresh(h);
    /* Start: HMAC, Output OOB, action Output Numeric (3), size 8. */
    assert_sent(h, 0, H_PROV, 1, "020100020308");
    assert_int_equal(R.dev_out_calls, 1);
    assert_int_equal(R.dev_out_act, BT_MESH_DISPLAY_NUMBER);
    assert_true(R.dev_out_num <= 99999999u);
    assert_int_equal(R.prov_input_calls, 1);
    assert_int_equal(R.prov_input_act, BT_MESH_ENTER_NUMBER);
    /* Waiting for the user: nothing more until the number is typed. */
    assert_int_equal(h_sent_count(h, 0, H_PROV, MESHRPR_PROV_CONFIRM), 0);
    h_run_for(h, 30000);
    assert_int_equal(meshrpr_prov_input_string(&h->node[0], "12"), -EINVAL);
    assert_int_equal(meshrpr_prov_input_number(&h->node[0], 100000000u), -EINVAL);
    assert_int_equal(meshrpr_prov_input_number(&h->node[0], R.dev_out_num), 0);
    assert_int_equal(meshrpr_prov_input_number(&h->node[0], R.dev_out_num), -EINVAL);
    h_pump(h);
    assert_int_equal(R.dev_input_complete, 1); /* the device stops displaying */
    assert_success(h);
}

static void test_output_alphanumeric(void **state)
{
    struct harness *h = setup(1, 1);

    (void)state;
    h->prov[1].algorithms = BIT(BT_MESH_PROV_AUTH_CMAC_AES128_AES_CCM);
    h->prov[1].output_size = 6;
    h->prov[1].output_actions = BT_MESH_DISPLAY_STRING;
    R.choice = CH_OUTPUT;
    R.choice_action = BT_MESH_DISPLAY_STRING;
    R.choice_size = 6;
    provision_fresh(h);
    assert_sent(h, 0, H_PROV, 1, "020000020406");
    assert_int_equal(R.dev_out_calls, 1);
    assert_int_equal(strlen(R.dev_out_str), 6);
    for (size_t i = 0; i < 6; i++) {
        char c = R.dev_out_str[i];
        assert_true((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'));
    }
    assert_int_equal(R.prov_input_act, BT_MESH_ENTER_STRING);
    assert_int_equal(meshrpr_prov_input_number(&h->node[0], 1), -EINVAL);
    assert_int_equal(meshrpr_prov_input_string(&h->node[0], "1234567"), -ENOTSUP);
    assert_int_equal(meshrpr_prov_input_string(&h->node[0], R.dev_out_str), 0);
    h_pump(h);
    assert_success(h);
}

static void test_output_blink(void **state)
{
    struct harness *h = setup(1, 1);

    (void)state;
    h->prov[1].output_size = 1;
    h->prov[1].output_actions = BT_MESH_BLINK | BT_MESH_BEEP | BT_MESH_VIBRATE;
    R.choice = CH_OUTPUT;
    R.choice_action = BT_MESH_VIBRATE;
    R.choice_size = 1;
    provision_fresh(h);
    assert_sent(h, 0, H_PROV, 1, "020100020201");
    assert_int_equal(R.dev_out_act, BT_MESH_VIBRATE);
    /* Counted outputs are 1..10^size-1 (§5.4.2.4.3). */
    assert_true(R.dev_out_num >= 1 && R.dev_out_num <= 9);
    assert_int_equal(meshrpr_prov_input_number(&h->node[0], R.dev_out_num), 0);
    h_pump(h);
    assert_success(h);
}

static void test_input_numeric(void **state)
{
    struct harness *h = setup(1, 1);

    (void)state;
    h->prov[1].input_size = 8;
    h->prov[1].input_actions = BT_MESH_ENTER_NUMBER;
    R.choice = CH_INPUT;
    R.choice_action = BT_MESH_ENTER_NUMBER;
    R.choice_size = 8;
    provision_fresh(h);
    assert_sent(h, 0, H_PROV, 1, "020100030208");
    assert_int_equal(R.prov_out_num_calls, 1); /* the provisioner shows the value */
    assert_int_equal(R.dev_input_calls, 1);
    assert_int_equal(R.dev_input_act, BT_MESH_ENTER_NUMBER);
    assert_int_equal(R.dev_input_size, 8);
    /* Public keys exchanged, no Input Complete yet, so no Confirmation either. */
    assert_int_equal(h_sent_count(h, 0, H_DEV, MESHRPR_PROV_PUB_KEY), 1);
    assert_int_equal(h_sent_count(h, 0, H_PROV, MESHRPR_PROV_CONFIRM), 0);
    h_run_for(h, 90000); /* the user is slow; 120 s are allowed */
    assert_int_equal(meshrpr_prov_input_number(&h->node[1], R.prov_out_num), 0);
    h_pump(h);
    assert_int_equal(h_sent_count(h, 0, H_DEV, MESHRPR_PROV_INPUT_COMPLETE), 1);
    assert_int_equal(R.prov_input_complete, 1);
    assert_success(h);
}

static void test_input_alphanumeric(void **state)
{
    struct harness *h = setup(1, 1);

    (void)state;
    h->prov[1].input_size = 8;
    h->prov[1].input_actions = BT_MESH_ENTER_STRING | BT_MESH_ENTER_NUMBER;
    R.choice = CH_INPUT;
    R.choice_action = BT_MESH_ENTER_STRING;
    R.choice_size = 8;
    provision_fresh(h);
    assert_sent(h, 0, H_PROV, 1, "020100030308");
    assert_int_equal(strlen(R.prov_out_str), 8);
    assert_int_equal(R.dev_input_act, BT_MESH_ENTER_STRING);
    assert_int_equal(meshrpr_prov_input_string(&h->node[1], R.prov_out_str), 0);
    h_pump(h);
    assert_success(h);
}

static void test_input_push_inline(void **state)
{
    struct harness *h = setup(1, 1);

    (void)state;
    h->prov[1].input_size = 2;
    h->prov[1].input_actions = BT_MESH_PUSH | BT_MESH_TWIST;
    R.choice = CH_INPUT;
    R.choice_action = BT_MESH_PUSH;
    R.choice_size = 2;
    R.dev_answer_inline = true;
    provision_fresh(h);
    assert_sent(h, 0, H_PROV, 1, "020100030002");
    assert_true(R.prov_out_num >= 1 && R.prov_out_num <= 99);
    assert_int_equal(R.dev_input_act, BT_MESH_PUSH);
    assert_success(h);
}

static void test_input_twist(void **state)
{
    struct harness *h = setup(1, 1);

    (void)state;
    h->prov[1].algorithms = BIT(BT_MESH_PROV_AUTH_CMAC_AES128_AES_CCM);
    h->prov[1].input_size = 1;
    h->prov[1].input_actions = BT_MESH_TWIST;
    R.choice = CH_INPUT;
    R.choice_action = BT_MESH_TWIST;
    R.choice_size = 1;
    provision_fresh(h);
    assert_sent(h, 0, H_PROV, 1, "020000030101");
    assert_true(R.prov_out_num >= 1 && R.prov_out_num <= 9);
    assert_int_equal(meshrpr_prov_input_number(&h->node[1], R.prov_out_num), 0);
    h_pump(h);
    assert_success(h);
}

static void static_run(size_t len, uint16_t algorithms)
{
    struct harness *h = setup(1, 1);
    uint8_t val[32];

    for (size_t i = 0; i < sizeof(val); i++) {
        val[i] = (uint8_t)(0xa0 + i);
    }
    h->prov[1].algorithms = algorithms;
    h->prov[1].static_val = val;
    h->prov[1].static_val_len = (uint8_t)len;
    R.choice = CH_STATIC;
    memcpy(R.static_val, val, len);
    R.static_len = (uint8_t)len;
    provision_fresh(h);
    assert_success(h);
}

static void test_static_16_and_32(void **state)
{
    (void)state;
    static_run(16, 0); /* HMAC: zero-padded to 32 on both sides */
    static_run(32, 0);
    static_run(16, BIT(BT_MESH_PROV_AUTH_CMAC_AES128_AES_CCM));
    static_run(32, BIT(BT_MESH_PROV_AUTH_CMAC_AES128_AES_CCM)); /* cut to 16 */
    static_run(5, 0);
}

static void test_oob_public_key(void **state)
{
    struct harness *h = setup(1, 1);
    uint8_t pub[64];
    uint8_t priv[32];

    (void)state;
    test_hex(H_PUB_DEV, pub, 64);
    test_hex(H_PRIV_DEV, priv, 32);
    h->prov[1].public_key_be = pub;
    h->prov[1].private_key_be = priv;
    /* The application learnt the device's key out of band before provisioning. */
    assert_int_equal(meshrpr_prov_remote_pub_key_set(&h->node[0], pub), 0);
    provision_fresh(h);
    assert_int_equal(R.caps.pub_key_type, 1);
    assert_sent(h, 0, H_PROV, 1, "020101000000"); /* Public Key: OOB */
    assert_int_equal(h_sent_count(h, 0, H_DEV, MESHRPR_PROV_PUB_KEY), 0);
    assert_int_equal(h_sent_count(h, 0, H_PROV, MESHRPR_PROV_PUB_KEY), 1);
    assert_success(h);

    /* The same from the capabilities callback, with Input OOB on top. */
    h = setup(1, 1);
    h->prov[1].public_key_be = pub;
    h->prov[1].private_key_be = priv;
    h->prov[1].input_size = 4;
    h->prov[1].input_actions = BT_MESH_ENTER_NUMBER;
    R.set_remote_key = true;
    memcpy(R.remote_key, pub, 64);
    R.choice = CH_INPUT;
    R.choice_action = BT_MESH_ENTER_NUMBER;
    R.choice_size = 4;
    R.dev_answer_inline = true;
    provision_fresh(h);
    assert_sent(h, 0, H_PROV, 1, "020101030204");
    assert_int_equal(h_sent_count(h, 0, H_DEV, MESHRPR_PROV_PUB_KEY), 0);
    assert_success(h);

    /* A device offering an OOB key, without the key given: in band. */
    h = setup(1, 1);
    h->prov[1].public_key_be = pub;
    h->prov[1].private_key_be = priv;
    provision_fresh(h);
    assert_sent(h, 0, H_PROV, 1, "020100000000");
    assert_int_equal(h_sent_count(h, 0, H_DEV, MESHRPR_PROV_PUB_KEY), 1);
    assert_success(h);
}

static void test_concurrent_sessions(void **state)
{
    struct harness *h = setup(3, 2);

    (void)state;
    /* Three devices of two elements at once, addresses from the database (0 = lowest free):
     * the provisioner's own 0x0001 is skipped and no two sessions get the same range. */
    assert_int_equal(h_start(h, 0, 0, 0), 0);
    assert_int_equal(h_start(h, 1, 0, 0), 0);
    assert_int_equal(h_start(h, 2, 0, 0), 0);
    h_pump(h);
    assert_int_equal(R.node_added, 3);
    assert_int_equal(meshrpr_cdb_node_count(&h->cdb), 3);
    assert_int_equal(meshrpr_node_addr(&h->node[1]), 0x0002);
    assert_int_equal(meshrpr_node_addr(&h->node[2]), 0x0004);
    assert_int_equal(meshrpr_node_addr(&h->node[3]), 0x0006);
    for (int i = 1; i <= 3; i++) {
        struct meshrpr_cdb_node *entry =
            meshrpr_cdb_node_get(&h->cdb, meshrpr_node_addr(&h->node[i]));
        assert_non_null(entry);
        assert_memory_equal(entry->dev_key, h->node[i].dev_key, 16);
        assert_int_equal(entry->num_elem, 2);
    }
    assert_true(h_idle(h));

    /* The same UUID twice is refused; a UUID already in the database too. */
    assert_int_equal(h_start(h, 0, 0, 0), -EEXIST);
}

/* ---- Attackers ---------------------------------------------------------------------------- */

/* The fake device answers with what the provisioner sent last of the same type. */
static uint8_t reflect_type;
static bool reflect(struct harness *h, int pair, int from, uint8_t *pdu, size_t *len)
{
    if (from == H_DEV && pdu[0] == reflect_type) {
        const uint8_t *ours = h_sent_type(h, pair, H_PROV, reflect_type, 0, len);
        assert_non_null(ours);
        memcpy(pdu, ours, *len);
    }
    return true;
}

static void test_attacker_reflects_confirmation(void **state)
{
    struct harness *h = setup(1, 1);

    (void)state;
    h->tamper = reflect;
    reflect_type = MESHRPR_PROV_CONFIRM;
    provision_fresh(h);
    /* The provisioner never reveals its Random to a reflected Confirmation. */
    assert_int_equal(h_sent_count(h, 0, H_PROV, MESHRPR_PROV_RANDOM), 0);
    assert_provisioner_refused(h, MESHRPR_PROV_STATUS_REFUSED,
                               MESHRPR_PROV_ERR_CONFIRMATION_FAILED);
}

static void test_attacker_reflects_random(void **state)
{
    struct harness *h = setup(1, 1);

    (void)state;
    h->prov[1].algorithms = BIT(BT_MESH_PROV_AUTH_CMAC_AES128_AES_CCM);
    h->tamper = reflect;
    reflect_type = MESHRPR_PROV_RANDOM;
    provision_fresh(h);
    assert_provisioner_refused(h, MESHRPR_PROV_STATUS_REFUSED,
                               MESHRPR_PROV_ERR_CONFIRMATION_FAILED);
}

static void test_attacker_returns_our_public_key(void **state)
{
    struct harness *h = setup(1, 1);

    (void)state;
    h->tamper = reflect;
    reflect_type = MESHRPR_PROV_PUB_KEY;
    provision_fresh(h);
    assert_int_equal(h_sent_count(h, 0, H_PROV, MESHRPR_PROV_CONFIRM), 0);
    assert_provisioner_refused(h, MESHRPR_PROV_STATUS_REFUSED, MESHRPR_PROV_ERR_INVALID_FORMAT);
}

static bool off_curve(struct harness *h, int pair, int from, uint8_t *pdu, size_t *len)
{
    (void)h;
    (void)pair;
    (void)len;
    if (from == H_DEV && pdu[0] == MESHRPR_PROV_PUB_KEY) {
        pdu[64] ^= 0x01; /* Y + 1: no longer on P-256 */
    }
    return true;
}

static void test_attacker_off_curve_point(void **state)
{
    struct harness *h = setup(1, 1);

    (void)state;
    h->tamper = off_curve;
    provision_fresh(h);
    assert_int_equal(h_sent_count(h, 0, H_PROV, MESHRPR_PROV_CONFIRM), 0);
    assert_provisioner_refused(h, MESHRPR_PROV_STATUS_REFUSED, MESHRPR_PROV_ERR_INVALID_FORMAT);

    /* The device refuses an off-curve key from a provisioner the same way, with Failed. */
    h = setup(1, 1);
    struct meshrpr_prov_link *dev_link = &h->link[0][H_DEV].link;
    uint8_t bad[65];
    size_t len;
    test_hex("03" H_PUB_PROV, bad, sizeof(bad));
    bad[64] ^= 0x01;
    assert_int_equal(meshrpr_prov_device_start(&h->node[1], dev_link), 0);
    dev_link->cb->recv(dev_link, (const uint8_t *)"\x00\x00", 2);
    h_pump(h);
    dev_link->cb->recv(dev_link, (const uint8_t *)"\x02\x01\x00\x00\x00\x00", 6);
    h_pump(h);
    dev_link->cb->recv(dev_link, bad, sizeof(bad));
    h_pump(h);
    const uint8_t *failed = h_sent_type(h, 0, H_DEV, MESHRPR_PROV_FAILED, 0, &len);
    assert_non_null(failed);
    assert_int_equal(failed[1], MESHRPR_PROV_ERR_INVALID_FORMAT);
    assert_int_equal(h_sent_count(h, 0, H_DEV, MESHRPR_PROV_PUB_KEY), 0);
    dev_link->ops->close(dev_link, MESHRPR_PROV_LINK_FAIL);
    h_pump(h);
    assert_int_equal(result_of(h, 1).status, MESHRPR_PROV_STATUS_REFUSED);
    assert_int_equal(result_of(h, 1).error_code, MESHRPR_PROV_ERR_INVALID_FORMAT);
    assert_true(h_idle(h));
}

static void test_device_refuses_equal_public_key(void **state)
{
    struct harness *h = setup(1, 1);
    size_t len;

    (void)state;
    assert_int_equal(h_start(h, 0, H_SAMPLE_ADDR, 0), 0);
    /* Both sides get the same private key, so the provisioner's key equals the device's. */
    inject(h, 0, H_PRIV_DEV, NULL, H_PRIV_DEV, NULL);
    h_pump(h);
    const uint8_t *failed = h_sent_type(h, 0, H_DEV, MESHRPR_PROV_FAILED, 0, &len);
    assert_non_null(failed);
    assert_int_equal(failed[1], MESHRPR_PROV_ERR_INVALID_FORMAT);
    assert_int_equal(h_sent_count(h, 0, H_DEV, MESHRPR_PROV_PUB_KEY), 0);
    assert_int_equal(result_of(h, 0).status, MESHRPR_PROV_STATUS_PEER_FAILED);
    assert_int_equal(result_of(h, 0).error_code, MESHRPR_PROV_ERR_INVALID_FORMAT);
    assert_int_equal(result_of(h, 1).status, MESHRPR_PROV_STATUS_REFUSED);
    assert_int_equal(meshrpr_cdb_node_count(&h->cdb), 0);
    assert_true(h_idle(h));
}

static void test_device_refuses_equal_confirmation(void **state)
{
    struct harness *h = setup(1, 1);
    size_t len;

    (void)state;
    assert_int_equal(h_start(h, 0, H_SAMPLE_ADDR, 0), 0);
    /* Same Random and AuthValue on both sides: the Confirmations coincide, which the device
     * must take as a reflection (§5.4.2.4.2: Invalid Format). */
    inject(h, 0, NULL, S2_RAND_P, NULL, S2_RAND_P);
    h_pump(h);
    const uint8_t *failed = h_sent_type(h, 0, H_DEV, MESHRPR_PROV_FAILED, 0, &len);
    assert_non_null(failed);
    assert_int_equal(failed[1], MESHRPR_PROV_ERR_INVALID_FORMAT);
    assert_int_equal(h_sent_count(h, 0, H_DEV, MESHRPR_PROV_CONFIRM), 0);
    assert_int_equal(result_of(h, 0).status, MESHRPR_PROV_STATUS_PEER_FAILED);
    assert_int_equal(result_of(h, 0).error_code, MESHRPR_PROV_ERR_INVALID_FORMAT);
    assert_int_equal(meshrpr_cdb_node_count(&h->cdb), 0);
    assert_true(h_idle(h));
}

static void test_wrong_static_oob(void **state)
{
    struct harness *h = setup(1, 1);
    static const uint8_t dev_val[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
    size_t len;

    (void)state;
    h->prov[1].static_val = dev_val;
    h->prov[1].static_val_len = 16;
    R.choice = CH_STATIC;
    memcpy(R.static_val, dev_val, 16);
    R.static_val[15] ^= 0x80;
    R.static_len = 16;
    provision_fresh(h);
    /* The device checks the provisioner's Confirmation against its Random first. */
    const uint8_t *failed = h_sent_type(h, 0, H_DEV, MESHRPR_PROV_FAILED, 0, &len);
    assert_non_null(failed);
    assert_int_equal(failed[1], MESHRPR_PROV_ERR_CONFIRMATION_FAILED);
    assert_int_equal(h_sent_count(h, 0, H_DEV, MESHRPR_PROV_RANDOM), 0);
    assert_int_equal(result_of(h, 1).status, MESHRPR_PROV_STATUS_REFUSED);
    assert_int_equal(result_of(h, 1).error_code, MESHRPR_PROV_ERR_CONFIRMATION_FAILED);
    assert_provisioner_refused(h, MESHRPR_PROV_STATUS_PEER_FAILED,
                               MESHRPR_PROV_ERR_CONFIRMATION_FAILED);
}

/* ---- Timers ------------------------------------------------------------------------------- */

static void test_timeout_silent_device(void **state)
{
    struct harness *h = setup(1, 1);
    uint64_t t0;

    (void)state;
    assert_int_equal(h_start(h, 0, H_SAMPLE_ADDR, 0), 0);
    h->silent[0][H_DEV] = true; /* the device stops answering: its Capabilities are lost */
    h_pump(h);
    t0 = h->now_ms;
    h_run_for(h, 59999);
    assert_false(h->link[0][H_PROV].closed);
    h_run_for(h, 1);
    assert_true(h->link[0][H_PROV].closed);
    assert_int_equal(h->now_ms - t0, 60000);
    assert_int_equal(h->link[0][H_PROV].close_reason, MESHRPR_PROV_LINK_TIMEOUT);
    struct meshrpr_prov_result r = result_of(h, 0);
    assert_int_equal(r.status, MESHRPR_PROV_STATUS_TIMEOUT);
    assert_int_equal(r.waiting_for, MESHRPR_PROV_CAPABILITIES);
    assert_int_equal(R.prov_link_close, 1);
    assert_int_equal(meshrpr_cdb_node_count(&h->cdb), 0);
    assert_true(h_idle(h));
}

static void test_timeout_with_oob_is_120s(void **state)
{
    struct harness *h = setup(1, 1);
    uint64_t t0;

    (void)state;
    h->prov[1].output_size = 4;
    h->prov[1].output_actions = BT_MESH_DISPLAY_NUMBER;
    R.choice = CH_OUTPUT;
    R.choice_action = BT_MESH_DISPLAY_NUMBER;
    R.choice_size = 4;
    provision_fresh(h);
    /* Keys exchanged; the user never types the number. */
    t0 = h->now_ms;
    h_run_for(h, 119999);
    assert_false(h->link[0][H_PROV].closed);
    h_run_for(h, 1);
    assert_true(h->link[0][H_PROV].closed);
    assert_int_equal(h->now_ms - t0, 120000);
    assert_int_equal(result_of(h, 0).status, MESHRPR_PROV_STATUS_TIMEOUT);
    assert_int_equal(result_of(h, 0).waiting_for, 0xff); /* waiting for the user */
    /* Too late now. */
    assert_int_equal(meshrpr_prov_input_number(&h->node[0], R.dev_out_num), -EINVAL);
    assert_false(meshrpr_node_is_provisioned(&h->node[1]));
    assert_true(h_idle(h));
}

static void test_timeout_device_side(void **state)
{
    struct harness *h = setup(1, 1);
    struct meshrpr_prov_link *dev_link = &h->link[0][H_DEV].link;
    uint64_t t0;

    (void)state;
    /* A provisioner that goes quiet after Invite: the device closes with Timeout 60 s after
     * its Capabilities (its last PDU). */
    assert_int_equal(meshrpr_prov_device_start(&h->node[1], dev_link), 0);
    dev_link->cb->recv(dev_link, (const uint8_t *)"\x00\x00", 2);
    h_pump(h);
    t0 = h->now_ms;
    h_run_for(h, 59999);
    assert_int_equal(h->link[0][H_DEV].close_calls, 0);
    h_run_for(h, 1);
    assert_int_equal(h->link[0][H_DEV].close_calls, 1);
    assert_int_equal(h->link[0][H_DEV].close_reason, MESHRPR_PROV_LINK_TIMEOUT);
    assert_int_equal(h->now_ms - t0, 60000);
    assert_int_equal(result_of(h, 1).status, MESHRPR_PROV_STATUS_TIMEOUT);
    assert_int_equal(result_of(h, 1).waiting_for, MESHRPR_PROV_START);
    assert_int_equal(h_sent_count(h, 0, H_DEV, MESHRPR_PROV_FAILED), 0);
    assert_int_equal(R.dev_link_open, 1);
    assert_int_equal(R.dev_link_close, 1);
    assert_true(h_idle(h));

    /* With Input OOB the device waits 120 s for the user and the provisioner. */
    h = setup(1, 1);
    dev_link = &h->link[0][H_DEV].link;
    h->prov[1].input_size = 4;
    h->prov[1].input_actions = BT_MESH_ENTER_NUMBER;
    assert_int_equal(meshrpr_prov_device_start(&h->node[1], dev_link), 0);
    dev_link->cb->recv(dev_link, (const uint8_t *)"\x00\x00", 2);
    h_pump(h);
    dev_link->cb->recv(dev_link, (const uint8_t *)"\x02\x01\x00\x03\x02\x04", 6);
    h_pump(h);
    assert_int_equal(R.dev_input_calls, 1);
    t0 = h->now_ms;
    h_run_for(h, 119999);
    assert_int_equal(h->link[0][H_DEV].close_calls, 0);
    h_run_for(h, 1);
    assert_int_equal(h->link[0][H_DEV].close_calls, 1);
    assert_int_equal(result_of(h, 1).status, MESHRPR_PROV_STATUS_TIMEOUT);
    assert_int_equal(result_of(h, 1).waiting_for, MESHRPR_PROV_PUB_KEY);
    assert_int_equal(meshrpr_prov_input_number(&h->node[1], 1234), -EINVAL); /* too late */
    assert_true(h_idle(h));
}

/* ---- Refusals ----------------------------------------------------------------------------- */

static bool start_static(struct harness *h, int pair, int from, uint8_t *pdu, size_t *len)
{
    (void)h;
    (void)pair;
    (void)len;
    if (from == H_PROV && pdu[0] == MESHRPR_PROV_START) {
        pdu[3] = MESHRPR_PROV_AUTH_STATIC; /* not offered by the device */
    }
    return true;
}

static void test_device_refuses_start_not_offered(void **state)
{
    struct harness *h = setup(1, 1);
    size_t len;

    (void)state;
    h->tamper = start_static;
    provision_fresh(h);
    const uint8_t *failed = h_sent_type(h, 0, H_DEV, MESHRPR_PROV_FAILED, 0, &len);
    assert_non_null(failed);
    assert_int_equal(failed[1], MESHRPR_PROV_ERR_INVALID_FORMAT);
    assert_provisioner_refused(h, MESHRPR_PROV_STATUS_PEER_FAILED, MESHRPR_PROV_ERR_INVALID_FORMAT);
}

static void test_oob_auth_required(void **state)
{
    struct harness *h = setup(1, 1);
    static const uint8_t val[16] = { 0x42 };

    (void)state;
    h->prov[1].oob_auth_required = true;
    h->prov[1].static_val = val;
    h->prov[1].static_val_len = 16;
    R.choice = CH_NONE; /* refused before Start: the device requires OOB authentication */
    provision_fresh(h);
    assert_int_equal(R.caps.oob_type, BT_MESH_STATIC_OOB_AVAILABLE | BT_MESH_OOB_AUTH_REQUIRED);
    assert_int_equal(R.caps.algorithms, 0x0002);
    assert_int_equal(h_sent_count(h, 0, H_PROV, MESHRPR_PROV_START), 0);
    assert_provisioner_refused(h, MESHRPR_PROV_STATUS_LOCAL_ERROR,
                               MESHRPR_PROV_ERR_UNEXPECTED_ERROR);

    h = setup(1, 1);
    h->prov[1].oob_auth_required = true;
    h->prov[1].static_val = val;
    h->prov[1].static_val_len = 16;
    R.choice = CH_STATIC;
    memcpy(R.static_val, val, 16);
    R.static_len = 16;
    provision_fresh(h);
    assert_sent(h, 0, H_PROV, 1, "020100010000");
    assert_success(h);
}

static bool caps_to_complete(struct harness *h, int pair, int from, uint8_t *pdu, size_t *len)
{
    (void)h;
    (void)pair;
    if (from == H_DEV && pdu[0] == MESHRPR_PROV_CAPABILITIES) {
        pdu[0] = MESHRPR_PROV_COMPLETE;
        *len = 1;
    }
    return true;
}

static void test_unexpected_and_invalid_pdus(void **state)
{
    struct harness *h = setup(1, 1);
    struct meshrpr_prov_link *dev_link;
    size_t len;

    (void)state;
    /* A device answering Invite with Complete: Unexpected PDU, link closed. */
    h->tamper = caps_to_complete;
    provision_fresh(h);
    assert_provisioner_refused(h, MESHRPR_PROV_STATUS_REFUSED, MESHRPR_PROV_ERR_UNEXPECTED_PDU);

    /* A device sent Records Get before Invite (records unsupported): Invalid PDU. */
    h = setup(1, 1);
    assert_int_equal(h_start(h, 0, H_SAMPLE_ADDR, 0), 0);
    dev_link = &h->link[0][H_DEV].link;
    dev_link->cb->recv(dev_link, (const uint8_t *)"\x0c", 1);
    const uint8_t *failed = h_sent_type(h, 0, H_DEV, MESHRPR_PROV_FAILED, 0, &len);
    assert_non_null(failed);
    assert_int_equal(failed[1], MESHRPR_PROV_ERR_INVALID_PDU);
    /* After Failed the device ignores everything until the link closes. */
    dev_link->cb->recv(dev_link, (const uint8_t *)"\x00\x00", 2);
    assert_int_equal(h_sent_count(h, 0, H_DEV, MESHRPR_PROV_CAPABILITIES), 0);
    h_pump(h); /* the provisioner's Invite meets the Failed; it closes */
    assert_int_equal(result_of(h, 0).status, MESHRPR_PROV_STATUS_PEER_FAILED);
    assert_int_equal(result_of(h, 0).error_code, MESHRPR_PROV_ERR_INVALID_PDU);
    assert_true(h_idle(h));

    /* Out of order and malformed PDUs to a device, one fresh link each. */
    static const struct {
        const char *pdu;
        uint8_t code;
    } cases[] = {
        { "0601020304050607080910111213141516", MESHRPR_PROV_ERR_UNEXPECTED_PDU },
        { "000000", MESHRPR_PROV_ERR_INVALID_FORMAT },
        { "0e", MESHRPR_PROV_ERR_INVALID_PDU },
        { "4000", MESHRPR_PROV_ERR_INVALID_PDU },
        { "0a00010000ff", MESHRPR_PROV_ERR_INVALID_PDU }, /* Record Request: type first */
        { "09", MESHRPR_PROV_ERR_INVALID_FORMAT },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t buf[40];
        size_t n = test_hex(cases[i].pdu, buf, sizeof(buf));

        h = setup(1, 1);
        assert_int_equal(h_start(h, 0, H_SAMPLE_ADDR, 0), 0);
        dev_link = &h->link[0][H_DEV].link;
        dev_link->cb->recv(dev_link, buf, n);
        failed = h_sent_type(h, 0, H_DEV, MESHRPR_PROV_FAILED, 0, &len);
        assert_non_null(failed);
        assert_int_equal(failed[1], cases[i].code);
        h_pump(h);
        assert_true(h_idle(h));
    }
}

/* A provisioner hook that gives a four-element device an address too high for it. */
static int addr_too_high(struct meshrpr_prov_session *s, uint8_t elem_count, uint16_t *addr)
{
    (void)s;
    (void)elem_count;
    *addr = 0x7ffe;
    return 0;
}

/* The database would refuse that range before the data goes out (it keeps the pending node
 * first); this hook keeps nothing, so the device's own check is what is tested. */
static int keep_nothing(struct meshrpr_prov_session *s, const uint8_t dev_key[16])
{
    (void)s;
    (void)dev_key;
    return 0;
}

static const struct meshrpr_prov_hooks too_high_hooks = {
    .addr_assign = addr_too_high,
    .data_sending = keep_nothing,
};

static uint8_t nppi_check(struct meshrpr_prov_session *s, const struct meshrpr_prov_data *data)
{
    (void)s;
    return data->iv_index == H_SAMPLE_IV_INDEX + 1 ? 0 : MESHRPR_PROV_ERR_INVALID_DATA;
}

static const struct meshrpr_prov_hooks nppi_hooks = { .data_check = nppi_check };

static struct meshrpr_prov_result ended_result;
static int ended_calls;
static void ended(void *ctx, const struct meshrpr_prov_result *r)
{
    assert_ptr_equal(ctx, &ended_calls);
    ended_result = *r;
    ended_calls++;
}

static const struct meshrpr_prov_hooks ended_hooks = { .ended = ended };

static void test_data_refusals_and_hooks(void **state)
{
    struct harness *h = setup(1, 4);
    const struct meshrpr_prov_provisioner_params params = {
        .uuid = h->uuid[1],
        .net_idx = H_SAMPLE_NET_IDX,
        .hooks = &too_high_hooks,
    };
    size_t len;

    (void)state;
    /* §5.4.2.5: 0x7ffe + 3 leaves the unicast range: Cannot Assign Addresses. */
    assert_int_equal(
        meshrpr_prov_provisioner_start_ext(&h->node[0], &h->link[0][H_PROV].link, &params), 0);
    assert_int_equal(meshrpr_prov_device_start(&h->node[1], &h->link[0][H_DEV].link), 0);
    h->link[0][H_PROV].link.cb->link_opened(&h->link[0][H_PROV].link);
    h_pump(h);
    const uint8_t *failed = h_sent_type(h, 0, H_DEV, MESHRPR_PROV_FAILED, 0, &len);
    assert_non_null(failed);
    assert_int_equal(failed[1], MESHRPR_PROV_ERR_CANNOT_ASSIGN_ADDRESSES);
    assert_provisioner_refused_data(h, MESHRPR_PROV_STATUS_PEER_FAILED,
                                    MESHRPR_PROV_ERR_CANNOT_ASSIGN_ADDRESSES, true);

    /* The NPPI hook checks the data: the IV Index is not the one it wants: Invalid Data. */
    h = setup(1, 1);
    assert_int_equal(meshrpr_prov_provisioner_start(&h->node[0], &h->link[0][H_PROV].link,
                                                    h->uuid[1], H_SAMPLE_NET_IDX, 0x0100, 0),
                     0);
    assert_int_equal(
        meshrpr_prov_device_start_ext(&h->node[1], &h->link[0][H_DEV].link, &nppi_hooks, NULL), 0);
    h->link[0][H_PROV].link.cb->link_opened(&h->link[0][H_PROV].link);
    h_pump(h);
    failed = h_sent_type(h, 0, H_DEV, MESHRPR_PROV_FAILED, 0, &len);
    assert_non_null(failed);
    assert_int_equal(failed[1], MESHRPR_PROV_ERR_INVALID_DATA);
    assert_false(meshrpr_node_is_provisioned(&h->node[1]));
    assert_true(h_idle(h));

    /* The ended hook reports the result after the link is gone. */
    h = setup(1, 1);
    const struct meshrpr_prov_provisioner_params p2 = {
        .uuid = h->uuid[1],
        .net_idx = H_SAMPLE_NET_IDX,
        .addr = 0x0200,
        .hooks = &ended_hooks,
        .hooks_ctx = &ended_calls,
    };
    ended_calls = 0;
    assert_int_equal(meshrpr_prov_provisioner_start_ext(&h->node[0], &h->link[0][H_PROV].link, &p2),
                     0);
    assert_int_equal(meshrpr_prov_device_start(&h->node[1], &h->link[0][H_DEV].link), 0);
    h->link[0][H_PROV].link.cb->link_opened(&h->link[0][H_PROV].link);
    h_pump(h);
    assert_int_equal(ended_calls, 1);
    assert_int_equal(ended_result.status, MESHRPR_PROV_STATUS_SUCCESS);
    assert_int_equal(ended_result.addr, 0x0200);
    assert_int_equal(R.node_added, 1);
    assert_true(h_idle(h));
}

/* ---- API checks ---------------------------------------------------------------------------- */

static void test_api_arguments(void **state)
{
    struct harness *h = setup(1, 1);
    struct meshrpr_node *pn = &h->node[0];
    uint8_t key[64];
    uint8_t zero[32] = { 0 };

    (void)state;
    assert_int_equal(meshrpr_prov_auth_method_set_none(NULL), -EINVAL);
    assert_int_equal(meshrpr_prov_auth_method_set_static(pn, zero, 0), -EINVAL);
    assert_int_equal(meshrpr_prov_auth_method_set_static(pn, zero, 33), -EINVAL);
    assert_int_equal(meshrpr_prov_auth_method_set_static(pn, NULL, 4), -EINVAL);
    assert_int_equal(meshrpr_prov_auth_method_set_output(pn, BT_MESH_BLINK | BT_MESH_BEEP, 1),
                     -EINVAL);
    assert_int_equal(meshrpr_prov_auth_method_set_output(pn, BT_MESH_BLINK, 0), -EINVAL);
    assert_int_equal(meshrpr_prov_auth_method_set_output(pn, BT_MESH_BLINK, 9), -EINVAL);
    assert_int_equal(meshrpr_prov_auth_method_set_output(pn, (bt_mesh_output_action_t)BIT(5), 1),
                     -EINVAL);
    assert_int_equal(meshrpr_prov_auth_method_set_input(pn, (bt_mesh_input_action_t)BIT(4), 1),
                     -EINVAL);
    assert_int_equal(meshrpr_prov_input_number(pn, 1), -EINVAL); /* nobody waiting */
    assert_int_equal(meshrpr_prov_input_string(pn, "AB"), -EINVAL);
    test_hex(H_PUB_DEV, key, 64);
    key[63] ^= 1;
    assert_int_equal(meshrpr_prov_remote_pub_key_set(pn, key), -EINVAL);
    assert_int_equal(meshrpr_prov_last_result(pn, &(struct meshrpr_prov_result){ 0 }), -ENOENT);

    /* Device enabling: PB-GATT is not there; provisioned nodes only take NPPI. */
    assert_int_equal(meshrpr_prov_enable(&h->node[1], BT_MESH_PROV_GATT), -ENOTSUP);
    assert_int_equal(meshrpr_prov_enable(pn, BT_MESH_PROV_ADV), -EINVAL); /* no UUID */
    /* NPPI runs through the node's own Remote Provisioning Server, which this one lacks. */
    assert_int_equal(meshrpr_prov_enable(&h->node[1], BT_MESH_PROV_REMOTE), -ENOTSUP);
    assert_int_equal(meshrpr_prov_enabled(&h->node[1]), 0);
    assert_false(meshrpr_prov_device_can_start(&h->node[1], BT_MESH_PROV_ADV));
    assert_int_equal(meshrpr_prov_disable(&h->node[1], BT_MESH_PROV_REMOTE), 0);
    assert_int_equal(meshrpr_prov_enabled(&h->node[1]), 0);

    /* A provisioned node is no device, except through NPPI's hooks. */
    h->prov[0].uuid = h->uuid[0];
    assert_int_equal(meshrpr_prov_device_start(pn, &h->link[2][H_DEV].link), -EALREADY);
    h->prov[0].uuid = NULL;

    /* Provisioner starts: an unprovisioned node, an unknown NetKey, a group address. */
    assert_int_equal(meshrpr_prov_provisioner_start(&h->node[1], &h->link[0][H_PROV].link,
                                                    h->uuid[1], H_SAMPLE_NET_IDX, 0, 0),
                     -EINVAL);
    assert_int_equal(
        meshrpr_prov_provisioner_start(pn, &h->link[0][H_PROV].link, h->uuid[1], 0x001, 0, 0),
        -EINVAL);
    assert_int_equal(meshrpr_prov_provisioner_start(pn, &h->link[0][H_PROV].link, h->uuid[1],
                                                    H_SAMPLE_NET_IDX, 0xc000, 0),
                     -EINVAL);
    /* Without a database, an address must be given. */
    h->node[0].cfg.cdb = NULL;
    assert_int_equal(meshrpr_prov_provisioner_start(pn, &h->link[0][H_PROV].link, h->uuid[1],
                                                    H_SAMPLE_NET_IDX, 0, 0),
                     -ENOTSUP);
    h->node[0].cfg.cdb = &h->cdb;

    /* The same UUID twice at once. */
    assert_int_equal(meshrpr_prov_provisioner_start(pn, &h->link[0][H_PROV].link, h->uuid[1],
                                                    H_SAMPLE_NET_IDX, 0, 0),
                     0);
    assert_int_equal(meshrpr_prov_provisioner_start(pn, &h->link[1][H_PROV].link, h->uuid[1],
                                                    H_SAMPLE_NET_IDX, 0, 0),
                     -EBUSY);
    /* Test injection: an invalid private key, then too late. */
    struct meshrpr_prov_session *s = h_session(h, 0, H_PROV);
    assert_int_equal(meshrpr_prov_test_inject(s, zero, NULL, 0), -EINVAL);
    assert_int_equal(meshrpr_prov_test_inject(s, NULL, zero, 20), -EINVAL);
    h->link[0][H_PROV].link.ops->close(&h->link[0][H_PROV].link, MESHRPR_PROV_LINK_FAIL);
    h_pump(h);
    assert_true(h_idle(h));
}

static void test_session_limit(void **state)
{
    struct harness *h = setup(1, 1);
    struct h_link extra[MESHRPR_PROV_SESSION_COUNT + 1];
    uint8_t uuid[16] = { 0x11 };

    (void)state;
    for (int i = 0; i <= MESHRPR_PROV_SESSION_COUNT; i++) {
        extra[i] = h->link[0][H_PROV];
        memset(&extra[i].link, 0, sizeof(extra[i].link));
        extra[i].link.ops = h->link[0][H_PROV].link.ops;
        uuid[0] = (uint8_t)i;
        assert_int_equal(meshrpr_prov_provisioner_start(&h->node[0], &extra[i].link, uuid,
                                                        H_SAMPLE_NET_IDX, 0, 0),
                         i < MESHRPR_PROV_SESSION_COUNT ? 0 : -ENOMEM);
    }
    assert_true(meshrpr_prov_is_busy(&h->node[0]));
    /* Close them all directly (the links were never opened). */
    for (int i = 0; i < MESHRPR_PROV_SESSION_COUNT; i++) {
        extra[i].link.cb->link_closed(&extra[i].link, MESHRPR_PROV_LINK_FAIL);
    }
    assert_int_equal(R.prov_link_close, 0); /* never opened, so never reported closed */
    assert_int_equal(result_of(h, 0).status, MESHRPR_PROV_STATUS_LINK_CLOSED);
    h->ev_count = 0;
    assert_true(h_idle(h));
}

static int group_setup(void **state)
{
    (void)state;
    H = calloc(1, sizeof(*H));
    return H == NULL ? -1 : 0;
}

static int group_teardown(void **state)
{
    (void)state;
    free(H);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample_cmac_no_oob),
        cmocka_unit_test(test_sample_hmac_static_oob),
        cmocka_unit_test(test_output_numeric),
        cmocka_unit_test(test_output_alphanumeric),
        cmocka_unit_test(test_output_blink),
        cmocka_unit_test(test_input_numeric),
        cmocka_unit_test(test_input_alphanumeric),
        cmocka_unit_test(test_input_push_inline),
        cmocka_unit_test(test_input_twist),
        cmocka_unit_test(test_static_16_and_32),
        cmocka_unit_test(test_oob_public_key),
        cmocka_unit_test(test_concurrent_sessions),
        cmocka_unit_test(test_attacker_reflects_confirmation),
        cmocka_unit_test(test_attacker_reflects_random),
        cmocka_unit_test(test_attacker_returns_our_public_key),
        cmocka_unit_test(test_attacker_off_curve_point),
        cmocka_unit_test(test_device_refuses_equal_public_key),
        cmocka_unit_test(test_device_refuses_equal_confirmation),
        cmocka_unit_test(test_wrong_static_oob),
        cmocka_unit_test(test_timeout_silent_device),
        cmocka_unit_test(test_timeout_with_oob_is_120s),
        cmocka_unit_test(test_timeout_device_side),
        cmocka_unit_test(test_device_refuses_start_not_offered),
        cmocka_unit_test(test_oob_auth_required),
        cmocka_unit_test(test_unexpected_and_invalid_pdus),
        cmocka_unit_test(test_data_refusals_and_hooks),
        cmocka_unit_test(test_api_arguments),
        cmocka_unit_test(test_session_limit),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Composition Data encoding (MshPRTv1.1 §4.2.2): the page 0 layout byte for byte (the worked
 * example of mesh-stack-facts §6.3), whole-element truncation, the page a request is answered
 * with, and the node-level pages 0 / 128 with the page-128-differs check.
 */
#include "test_util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <meshrpr/node.h>

#include "access/composition.h"
#include "fake_platform.h"

/* The worked example: one element, Loc 0, SIG models 0x0000, 0x0002, 0x1000 and the vendor
 * model CID 0x0059 ID 0x0001. */
static const struct bt_mesh_model example_models[] = {
    BT_MESH_MODEL(0x0000, NULL, NULL, NULL),
    BT_MESH_MODEL(0x0002, NULL, NULL, NULL),
    BT_MESH_MODEL(0x1000, NULL, NULL, NULL),
};
static const struct bt_mesh_model example_vnd[] = {
    BT_MESH_MODEL_VND(0x0059, 0x0001, NULL, NULL, NULL),
};
static const struct bt_mesh_elem example_elems[] = {
    BT_MESH_ELEM(0x0000, example_models, example_vnd),
};
static const struct bt_mesh_comp example_comp = {
    .cid = 0x0059,
    .pid = 0x0001,
    .vid = 0x0002,
    .elem_count = 1,
    .elem = example_elems,
};

static void worked_example(void **state)
{
    NET_BUF_SIMPLE_DEFINE(buf, 64);

    (void)state;
    assert_int_equal(meshrpr_composition_encode(&example_comp, 10,
                                                BT_MESH_FEAT_RELAY | BT_MESH_FEAT_PROXY, &buf),
                     0);
    /* CID PID VID CRPL Features | Loc NumS NumV | SIG IDs | vendor CID, ID */
    assert_hex_equal(buf.data, buf.len,
                     "59 00 01 00 02 00 0a 00 03 00 00 00 03 01 00 00 02 00 00 10 59 00 01 00");
}

/* Three elements of 8, 6 and 4 octets. */
static const struct bt_mesh_model trunc_a[] = {
    BT_MESH_MODEL(0x1000, NULL, NULL, NULL),
    BT_MESH_MODEL(0x1001, NULL, NULL, NULL),
};
static const struct bt_mesh_model trunc_b[] = {
    BT_MESH_MODEL(0x1002, NULL, NULL, NULL),
};
static const struct bt_mesh_elem trunc_elems[] = {
    BT_MESH_ELEM(0x0101, trunc_a, BT_MESH_MODEL_NONE),
    BT_MESH_ELEM(0x0102, trunc_b, BT_MESH_MODEL_NONE),
    BT_MESH_ELEM(0x0103, BT_MESH_MODEL_NONE, BT_MESH_MODEL_NONE),
};
static const struct bt_mesh_comp trunc_comp = {
    .cid = 0x0001,
    .pid = 0x0002,
    .vid = 0x0003,
    .elem_count = 3,
    .elem = trunc_elems,
};

static void whole_elements_only(void **state)
{
    (void)state;
    /* Room for the header, the first element and 5 of the second's 6 octets: the second is
     * left out, and so is the third although its 4 octets would fit. */
    uint8_t storage[10 + 8 + 5];
    struct net_buf_simple buf = {
        .data = storage, .len = 0, .size = sizeof(storage), .__buf = storage
    };

    assert_int_equal(meshrpr_composition_encode(&trunc_comp, 32, 0, &buf), 0);
    assert_false(buf.error);
    assert_hex_equal(buf.data, buf.len, "01 00 02 00 03 00 20 00 00 00  01 01 02 00 00 10 01 10");

    /* With exactly enough room everything is there. */
    uint8_t full[10 + 8 + 6 + 4];
    net_buf_simple_init_with_data(&buf, full, sizeof(full));
    net_buf_simple_reset(&buf);
    assert_int_equal(meshrpr_composition_encode(&trunc_comp, 32, 0, &buf), 0);
    assert_hex_equal(buf.data, buf.len,
                     "01 00 02 00 03 00 20 00 00 00  01 01 02 00 00 10 01 10  02 01 01 00 02 10"
                     "  03 01 00 00");
}

static void header_must_fit(void **state)
{
    NET_BUF_SIMPLE_DEFINE(buf, 9);

    (void)state;
    assert_int_equal(meshrpr_composition_encode(&trunc_comp, 32, 0, &buf), -ENOBUFS);
    assert_int_equal(buf.len, 0);
    assert_false(buf.error);
    assert_int_equal(meshrpr_composition_encode(NULL, 32, 0, &buf), -EINVAL);
}

static void page_selection(void **state)
{
    (void)state;
    /* The largest supported page at or below the request (§4.2.2). */
    assert_int_equal(meshrpr_composition_page_select(0), 0);
    assert_int_equal(meshrpr_composition_page_select(1), 0);
    assert_int_equal(meshrpr_composition_page_select(2), 0);
    assert_int_equal(meshrpr_composition_page_select(127), 0);
    assert_int_equal(meshrpr_composition_page_select(128), 128);
    assert_int_equal(meshrpr_composition_page_select(129), 128);
    assert_int_equal(meshrpr_composition_page_select(0xff), 128);
}

/* ---- Through a node --------------------------------------------------------------------- */

static const struct bt_mesh_model node_models[] = {
    BT_MESH_MODEL(0x1000, NULL, NULL, NULL),
};
static const struct bt_mesh_elem node_elems[] = {
    BT_MESH_ELEM(0x0001, node_models, BT_MESH_MODEL_NONE),
};
static const struct bt_mesh_comp node_comp = {
    .cid = 0x05f1,
    .pid = 0x0010,
    .vid = 0x0001,
    .elem_count = 1,
    .elem = node_elems,
};

/* The same content as node_comp in other structs: not a change. */
static const struct bt_mesh_model same_models[] = {
    BT_MESH_MODEL(0x1000, NULL, NULL, NULL),
};
static const struct bt_mesh_elem same_elems[] = {
    BT_MESH_ELEM(0x0001, same_models, BT_MESH_MODEL_NONE),
};
static const struct bt_mesh_comp same_comp = {
    .cid = 0x05f1,
    .pid = 0x0010,
    .vid = 0x0001,
    .elem_count = 1,
    .elem = same_elems,
};

/* The next term adds a vendor model and bumps the VID. */
static const struct bt_mesh_model next_models[] = {
    BT_MESH_MODEL(0x1000, NULL, NULL, NULL),
};
static const struct bt_mesh_model next_vnd[] = {
    BT_MESH_MODEL_VND(0x05f1, 0x0042, NULL, NULL, NULL),
};
static const struct bt_mesh_elem next_elems[] = {
    BT_MESH_ELEM(0x0001, next_models, next_vnd),
};
static const struct bt_mesh_comp next_comp = {
    .cid = 0x05f1,
    .pid = 0x0010,
    .vid = 0x0002,
    .elem_count = 1,
    .elem = next_elems,
};

static void init_node(struct meshrpr_node *node, struct fake_platform *fp,
                      const struct bt_mesh_comp *comp_next, uint16_t features)
{
    struct meshrpr_node_config cfg = {
        .platform = &fp->platform,
        .comp = &node_comp,
        .comp_next = comp_next,
        .features = features,
    };

    fake_platform_init(fp, 1);
    assert_int_equal(meshrpr_node_init(node, &cfg), 0);
}

static void node_pages(void **state)
{
    static struct meshrpr_node node;
    struct fake_platform fp;
    NET_BUF_SIMPLE_DEFINE(buf, 64);
    char expected[128];

    (void)state;
    /* Undefined feature bits are not reported. */
    init_node(&node, &fp, &next_comp, BT_MESH_FEAT_RELAY | BT_MESH_FEAT_FRIEND | 0x0100);
    assert_int_equal(meshrpr_composition_features(&node), BT_MESH_FEAT_RELAY | BT_MESH_FEAT_FRIEND);

    assert_int_equal(meshrpr_composition_page_encode(&node, 0, &buf), 0);
    snprintf(expected, sizeof(expected), "f1 05 10 00 01 00 %02x %02x 05 00  01 00 01 00 00 10",
             MESHRPR_RPL_SIZE & 0xff, MESHRPR_RPL_SIZE >> 8);
    assert_hex_equal(buf.data, buf.len, expected);

    net_buf_simple_reset(&buf);
    assert_int_equal(meshrpr_composition_page_encode(&node, 0xff, &buf), 128);
    snprintf(expected, sizeof(expected),
             "f1 05 10 00 02 00 %02x %02x 05 00  01 00 01 01 00 10 f1 05 42 00",
             MESHRPR_RPL_SIZE & 0xff, MESHRPR_RPL_SIZE >> 8);
    assert_hex_equal(buf.data, buf.len, expected);
    assert_true(meshrpr_composition_page128_differs(&node));
    assert_true(meshrpr_node_is_idle(&node));
    meshrpr_node_deinit(&node);

    /* Without comp_next page 128 is page 0, and a Composition Refresh changes nothing. */
    init_node(&node, &fp, NULL, 0);
    assert_false(meshrpr_composition_page128_differs(&node));
    NET_BUF_SIMPLE_DEFINE(p0, 64);
    NET_BUF_SIMPLE_DEFINE(p128, 64);
    assert_int_equal(meshrpr_composition_page_encode(&node, 1, &p0), 0);
    assert_int_equal(meshrpr_composition_page_encode(&node, 128, &p128), 128);
    assert_int_equal(p0.len, p128.len);
    assert_memory_equal(p0.data, p128.data, p0.len);
    meshrpr_node_deinit(&node);

    /* A comp_next with the same content is no change either. */
    init_node(&node, &fp, &same_comp, 0);
    assert_false(meshrpr_composition_page128_differs(&node));
    meshrpr_node_deinit(&node);
}

static void differs(void **state)
{
    (void)state;
    assert_false(meshrpr_composition_differs(&node_comp, &node_comp));
    assert_false(meshrpr_composition_differs(&node_comp, &same_comp));
    assert_true(meshrpr_composition_differs(&node_comp, &next_comp));
    assert_true(meshrpr_composition_differs(&node_comp, &trunc_comp));
    assert_true(meshrpr_composition_differs(&node_comp, NULL));
    assert_false(meshrpr_composition_differs(NULL, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(worked_example),  cmocka_unit_test(whole_elements_only),
        cmocka_unit_test(header_must_fit), cmocka_unit_test(page_selection),
        cmocka_unit_test(node_pages),      cmocka_unit_test(differs),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* Composition Data (MshPRTv1.1 §4.2.2): encoding of pages 0 and 128 from a node's
 * composition, the page a request is answered with, and whether page 128 (the composition
 * after the next Node Composition Refresh) differs from page 0. */
#ifndef MESHRPR_ACCESS_COMPOSITION_H
#define MESHRPR_ACCESS_COMPOSITION_H

#include <meshrpr/node.h>

/* Composition Data pages meshrpr supports (§4.2.2): page 0, and page 128 for the Remote
 * Provisioning Server's Node Composition Refresh. */
#define MESHRPR_COMP_PAGE_0   0
#define MESHRPR_COMP_PAGE_128 128

/* Octets of the page 0 header: CID, PID, VID, CRPL, Features. */
#define MESHRPR_COMP_HEADER_LEN 10

/* Longest page a Composition Data Status carries: the access payload less opcode and Page. */
#define MESHRPR_COMP_PAGE_MAX (BT_MESH_TX_SDU_MAX - 2)

/* Storage key of the page 0 backed up by meshrpr_node_comp_change_prepare(). */
#define MESHRPR_COMP_PREV_KEY "node/comp_prev"

/* The page that answers a request for page: the largest supported page at or below it
 * (§4.2.2: the Composition Data Get answer), so 0xff yields 128 and 1..127 yield 0. */
uint8_t meshrpr_composition_page_select(uint8_t page);

/* The Features field the node reports (§4.2.2): the configured features limited to the
 * defined bits, without Relay when the Relay state says it is not supported. */
uint16_t meshrpr_composition_features(const struct meshrpr_node *node);

/*
 * Encode the page 0 layout of comp into buf (LE: CID, PID, VID, CRPL, Features, then each
 * element's Loc, NumS, NumV, SIG model IDs and vendor model IDs). Only whole elements are
 * written: the first element that does not fit in buf's tailroom and every element after it
 * are left out (§4.2.2).
 * @return 0, -ENOBUFS when not even the header fits (buf unchanged), -EINVAL for a NULL or
 *         malformed composition (more than 255 models on an element).
 */
int meshrpr_composition_encode(const struct bt_mesh_comp *comp, uint16_t crpl, uint16_t features,
                               struct net_buf_simple *buf);

/*
 * Encode the node's Composition Data page for a request of page (selected with
 * meshrpr_composition_page_select()) into buf, without the page number. Page 0 comes from
 * node->cfg.comp, page 128 from node->cfg.comp_next (or comp when that is NULL); CRPL is
 * MESHRPR_RPL_SIZE.
 * @return the page number encoded (0 or 128), or a negative errno of
 *         meshrpr_composition_encode().
 */
int meshrpr_composition_page_encode(const struct meshrpr_node *node, uint8_t page,
                                    struct net_buf_simple *buf);

/* Whether two compositions differ in anything page 0 reports (identifiers, elements, their
 * locations and models). NULL equals NULL only. */
bool meshrpr_composition_differs(const struct bt_mesh_comp *a, const struct bt_mesh_comp *b);

/* Whether the node's page 128 differs from its page 0: a Node Composition Refresh changes
 * something only then (§4.2.2: page 128 is page 0 of the next term). */
bool meshrpr_composition_page128_differs(const struct meshrpr_node *node);

#endif /* MESHRPR_ACCESS_COMPOSITION_H */

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for the HCI receive path (include/meshrpr/hci.h): the input is an H4 byte stream
 * from a controller. It goes through the H4 reassembly (fed whole, then in pieces whose sizes
 * come from the first octet) and every complete event through every event parser, the way the
 * controller backend uses them; the input is also parsed directly as one event. Whatever the
 * bytes, nothing reads outside them and every report stays inside its event.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <meshrpr/hci.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_event(void *ctx, const uint8_t *raw, size_t len)
{
    struct meshrpr_hci_evt evt;
    struct meshrpr_hci_cmd_done d;
    struct meshrpr_hci_report_iter it;
    struct meshrpr_adv_report r;
    uint8_t status, handle, events;
    unsigned *n = ctx;

    (*n)++;
    if (meshrpr_hci_event_parse(raw, len, &evt) != 0) {
        return;
    }
    if (meshrpr_hci_event_cmd_done(&evt, &d) == 0) {
        if (d.ret_len > 0 && (d.ret < evt.params || d.ret + d.ret_len > evt.params + evt.len)) {
            abort();
        }
        (void)meshrpr_hci_event_status_str(d.status);
        (void)meshrpr_hci_opcode_str(d.opcode);
    }
    if (meshrpr_hci_event_reports(&it, &evt) == 0) {
        int k;
        while ((k = meshrpr_hci_event_report_next(&it, &r)) == 1) {
            if (r.data < evt.params || r.data + r.len > evt.params + evt.len || r.len > 255) {
                abort();
            }
            volatile uint8_t sum = 0;
            for (size_t i = 0; i < r.len; i++) {
                sum = (uint8_t)(sum + r.data[i]);
            }
            (void)sum;
        }
    }
    (void)meshrpr_hci_event_adv_set_terminated(&evt, &status, &handle, &events);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct meshrpr_hci_h4_rx rx;
    unsigned n = 0;

    meshrpr_hci_h4_rx_init(&rx);
    (void)meshrpr_hci_h4_rx_feed(&rx, data, size, check_event, &n);
    /* The same stream in pieces must give the same events. */
    unsigned whole = n;
    n = 0;
    meshrpr_hci_h4_rx_init(&rx);
    size_t step = size > 0 ? (size_t)(data[0] % 7u) + 1u : 1u;
    int err = 0;
    for (size_t i = 0; i < size && err == 0; i += step) {
        size_t k = size - i < step ? size - i : step;
        err = meshrpr_hci_h4_rx_feed(&rx, data + i, k, check_event, &n);
    }
    if (err == 0 && n != whole) {
        abort();
    }
    check_event(&n, data, size);
    return 0;
}

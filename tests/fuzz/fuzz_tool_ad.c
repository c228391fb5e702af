/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for the meshrpr tool's printing of what comes from the air through a Remote
 * Provisioning Server: the AD structures of an Extended Scan Report (tools/meshrpr/output.c,
 * out_ad(): names and URIs as text and JSON, other types as hex) and a beacon's OOB
 * Information. Any bytes must give bounded, terminated text and valid JSON.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "output.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char text[256];
    char oob[128];
    cJSON *arr = cJSON_CreateArray();
    char *json;

    (void)out_ad(data, size, text, sizeof(text), arr);
    if (strlen(text) >= sizeof(text)) {
        abort();
    }
    json = cJSON_PrintUnformatted(arr);
    if (arr != NULL && json == NULL) {
        abort();
    }
    free(json);
    cJSON_Delete(arr);
    out_oob_info(size >= 2 ? (uint16_t)(data[0] | data[1] << 8) : 0, oob, sizeof(oob));
    if (strlen(oob) >= sizeof(oob)) {
        abort();
    }
    return 0;
}

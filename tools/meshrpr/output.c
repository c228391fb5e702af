/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Output of the meshrpr tool (see output.h): JSON results, text lines, and the names of the
 * Remote Provisioning status codes (MshPRTv1.1 §4.3.4, Table 4.269), link and scan states,
 * Provisioning Failed error codes (§5.4.1.10) and AD structures.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* open_memstream (also when built for the fuzz target) */
#endif
#include "output.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int out_begin(struct out *o, bool json, const char *name)
{
    memset(o, 0, sizeof(*o)); /* callers may pass an uninitialised struct (nothing held) */
    o->json = json;
    o->root = cJSON_CreateObject();
    if (o->root == NULL) {
        return -ENOMEM;
    }
    out_str(o->root, "command", name);
    return 0;
}

void out_error_default(struct out *o, const char *msg)
{
    if (o->root != NULL && !cJSON_HasObjectItem(o->root, "error") && msg != NULL &&
        msg[0] != '\0') {
        out_str(o->root, "error", msg);
    }
}

void out_hold(struct out *o)
{
    if (o->held == NULL) {
        o->held = open_memstream(&o->held_text, &o->held_len);
    }
}

void out_release(struct out *o)
{
    if (o->held == NULL) {
        return;
    }
    if (fclose(o->held) == 0 && o->held_text != NULL) {
        fwrite(o->held_text, 1, o->held_len, stdout);
    }
    free(o->held_text);
    o->held = NULL;
    o->held_text = NULL;
    o->held_len = 0;
    fflush(stdout);
}

void out_end(struct out *o)
{
    out_release(o);
    if (o->json && o->root != NULL) {
        char *text = cJSON_Print(o->root);
        if (text != NULL) {
            puts(text);
            free(text);
        }
    }
    fflush(stdout);
    cJSON_Delete(o->root);
    o->root = NULL;
}

void out_text(struct out *o, const char *fmt, ...)
{
    va_list ap;

    if (o->json) {
        return;
    }
    va_start(ap, fmt);
    if (o->held != NULL) {
        vfprintf(o->held, fmt, ap);
        fputc('\n', o->held);
    } else {
        vprintf(fmt, ap);
        putchar('\n');
    }
    va_end(ap);
}

void out_str(cJSON *obj, const char *name, const char *value)
{
    if (obj != NULL) {
        (void)cJSON_AddStringToObject(obj, name, value != NULL ? value : "");
    }
}

void out_num(cJSON *obj, const char *name, double value)
{
    if (obj != NULL) {
        (void)cJSON_AddNumberToObject(obj, name, value);
    }
}

void out_bool(cJSON *obj, const char *name, bool value)
{
    if (obj != NULL) {
        (void)cJSON_AddBoolToObject(obj, name, value);
    }
}

void out_hex(cJSON *obj, const char *name, const uint8_t *data, size_t len)
{
    char *hex = malloc(2 * len + 1);

    if (hex != NULL) {
        tool_hex(hex, data, len);
        out_str(obj, name, hex);
        free(hex);
    }
}

cJSON *out_obj(cJSON *obj, const char *name)
{
    return obj != NULL ? cJSON_AddObjectToObject(obj, name) : NULL;
}

cJSON *out_arr(cJSON *obj, const char *name)
{
    return obj != NULL ? cJSON_AddArrayToObject(obj, name) : NULL;
}

cJSON *out_arr_obj(cJSON *arr)
{
    cJSON *o;

    if (arr == NULL) {
        return NULL;
    }
    o = cJSON_CreateObject();
    if (o != NULL && !cJSON_AddItemToArray(arr, o)) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

const char *out_rpr_status(unsigned status)
{
    static const char *const names[] = {
        "success",
        "scanning cannot start",
        "invalid state",
        "limited resources",
        "link cannot open",
        "link open failed",
        "link closed by device",
        "link closed by server",
        "link closed by client",
        "link closed as cannot receive PDU",
        "link closed as cannot send PDU",
        "link closed as cannot deliver PDU report",
    };

    return status < sizeof(names) / sizeof(names[0]) ? names[status] : "unknown status";
}

const char *out_scan_state(unsigned scan)
{
    switch (scan) {
    case BT_MESH_RPR_SCAN_IDLE:
        return "idle";
    case BT_MESH_RPR_SCAN_MULTI:
        return "multiple devices";
    case BT_MESH_RPR_SCAN_SINGLE:
        return "single device";
    default:
        return "unknown";
    }
}

const char *out_link_state(unsigned state)
{
    switch (state) {
    case BT_MESH_RPR_LINK_IDLE:
        return "idle";
    case BT_MESH_RPR_LINK_OPENING:
        return "opening";
    case BT_MESH_RPR_LINK_ACTIVE:
        return "active";
    case BT_MESH_RPR_LINK_SENDING:
        return "outbound packet transfer";
    case BT_MESH_RPR_LINK_CLOSING:
        return "closing";
    default:
        return "unknown";
    }
}

const char *out_prov_error(unsigned code)
{
    static const char *const names[] = {
        "prohibited",        "invalid PDU",         "invalid format",
        "unexpected PDU",    "confirmation failed", "out of resources",
        "decryption failed", "unexpected error",    "cannot assign addresses",
        "invalid data",
    };

    return code < sizeof(names) / sizeof(names[0]) ? names[code] : "unknown error";
}

const char *out_prov_status(unsigned status)
{
    switch (status) {
    case MESHRPR_PROV_STATUS_SUCCESS:
        return "success";
    case MESHRPR_PROV_STATUS_REFUSED:
        return "refused by the provisioner";
    case MESHRPR_PROV_STATUS_PEER_FAILED:
        return "the device sent Provisioning Failed";
    case MESHRPR_PROV_STATUS_TIMEOUT:
        return "timed out";
    case MESHRPR_PROV_STATUS_LINK_CLOSED:
        return "the link closed";
    case MESHRPR_PROV_STATUS_LOCAL_ERROR:
        return "local error";
    default:
        return "unknown";
    }
}

const char *out_procedure(unsigned procedure)
{
    switch (procedure) {
    case BT_MESH_RPR_NODE_REFRESH_DEVKEY:
        return "device key refresh";
    case BT_MESH_RPR_NODE_REFRESH_ADDR:
        return "node address refresh";
    case BT_MESH_RPR_NODE_REFRESH_COMPOSITION:
        return "node composition refresh";
    default:
        return "unknown procedure";
    }
}

static void append(char *text, size_t size, const char *fmt, ...) TOOL_PRINTF(3, 4);

static void append(char *text, size_t size, const char *fmt, ...)
{
    size_t used = strlen(text);
    va_list ap;

    if (used + 1 >= size) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(text + used, size - used, fmt, ap);
    va_end(ap);
}

/* Printable ASCII only, for names and URIs read from the air. */
static void printable(char *out, size_t size, const uint8_t *data, size_t len)
{
    size_t n = 0;

    for (size_t i = 0; i < len && n + 1 < size; i++) {
        out[n++] = (data[i] >= 0x20 && data[i] < 0x7f && data[i] != '"') ? (char)data[i] : '?';
    }
    out[n] = '\0';
}

int out_ad(const uint8_t *ad, size_t len, char *text, size_t text_size, cJSON *arr)
{
    size_t pos = 0;

    text[0] = '\0';
    while (pos < len) {
        size_t ad_len = ad[pos];
        const uint8_t *data;
        uint8_t type;
        char value[80];
        cJSON *o;

        if (ad_len == 0 || pos + 1 + ad_len > len) {
            append(text, text_size, "%s(malformed)", text[0] != '\0' ? ", " : "");
            return -EINVAL;
        }
        type = ad[pos + 1];
        data = &ad[pos + 2];
        ad_len -= 1;
        o = out_arr_obj(arr);
        out_num(o, "type", type);
        out_hex(o, "data", data, ad_len);
        if (text[0] != '\0') {
            append(text, text_size, ", ");
        }
        if (type == 0x08 || type == 0x09) {
            printable(value, sizeof(value), data, ad_len);
            append(text, text_size, "%s \"%s\"", type == 0x09 ? "name" : "short name", value);
            out_str(o, "name", type == 0x09 ? "complete local name" : "shortened local name");
            out_str(o, "text", value);
        } else if (type == 0x24 && ad_len >= 1 && (data[0] == 0x16 || data[0] == 0x17)) {
            /* URI: a scheme code point (0x16 http:, 0x17 https:) then the rest. */
            char rest[72];
            printable(rest, sizeof(rest), data + 1, ad_len - 1);
            snprintf(value, sizeof(value), "%s%s", data[0] == 0x17 ? "https:" : "http:", rest);
            append(text, text_size, "uri \"%s\"", value);
            out_str(o, "name", "uri");
            out_str(o, "text", value);
        } else {
            char hex[2 * 29 + 1];
            tool_hex(hex, data, ad_len < 29 ? ad_len : 29);
            append(text, text_size, "0x%02x %s", type, hex);
        }
        pos += 1 + ad[pos];
    }
    return 0;
}

void out_oob_info(uint16_t oob, char *text, size_t size)
{
    static const char *const names[16] = {
        "other",   "uri", "2d code", "bar code", "nfc",    "number",   "string",    "cert",
        "records", NULL,  NULL,      "on box",   "in box", "on paper", "in manual", "on device",
    };

    text[0] = '\0';
    for (unsigned bit = 0; bit < 16; bit++) {
        if (oob & (1u << bit)) {
            append(text, size, "%s%s", text[0] != '\0' ? ", " : "",
                   names[bit] != NULL ? names[bit] : "rfu");
        }
    }
    if (text[0] == '\0') {
        snprintf(text, size, "none");
    }
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the tool prints: every command fills one JSON object (printed with --json) and writes
 * text lines (printed without it), through these helpers, and the names of the Remote
 * Provisioning and Provisioning codes in both.
 */
#ifndef MESHRPR_TOOL_OUTPUT_H
#define MESHRPR_TOOL_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>
#include <meshrpr/mesh.h>

#include "util.h"

struct out {
    bool json;
    /* The command's result object. */
    cJSON *root;
    /* Text lines held back (out_hold()) until out_release(): NULL when printed at once. */
    FILE *held;
    char *held_text;
    size_t held_len;
};

/* Start a result for command name (root {"command": name}). @return 0 or -ENOMEM. */
int out_begin(struct out *o, bool json, const char *name);

/* Add an "error" member with msg unless the result has one already. */
void out_error_default(struct out *o, const char *msg);

/* Print the result (JSON mode) and free it. */
void out_end(struct out *o);

/* Hold text lines back until out_release(): a command that changes the world says what it
 * did only after the world is saved, so a line the user saw is never lost to a crash in
 * between (issue #11). Falls back to printing at once when memory is short. */
void out_hold(struct out *o);
/* Print the held lines (and flush stdout); nothing when none are held. */
void out_release(struct out *o);

/* A text line on stdout (text mode only). */
void out_text(struct out *o, const char *fmt, ...) TOOL_PRINTF(2, 3);

/* Members of a JSON object (failures leave the member out; the output stays valid JSON). */
void out_str(cJSON *obj, const char *name, const char *value);
void out_num(cJSON *obj, const char *name, double value);
void out_bool(cJSON *obj, const char *name, bool value);
void out_hex(cJSON *obj, const char *name, const uint8_t *data, size_t len);
/* An object or array member (NULL on failure: callers then skip what goes in it). */
cJSON *out_obj(cJSON *obj, const char *name);
cJSON *out_arr(cJSON *obj, const char *name);
/* A new object appended to an array. */
cJSON *out_arr_obj(cJSON *arr);

/* Names of codes. */
const char *out_rpr_status(unsigned status);
const char *out_scan_state(unsigned scan);
const char *out_link_state(unsigned state);
const char *out_prov_error(unsigned code);
const char *out_prov_status(unsigned status);
const char *out_procedure(unsigned procedure);

/*
 * AD structures in text ("name \"dev-1\", uri \"https://x\", 0x16 0a0b") and as a JSON array
 * of {type, name?, text?, data}. @return 0, or -EINVAL when the data is malformed (the part
 * before is described).
 */
int out_ad(const uint8_t *ad, size_t len, char *text, size_t text_size, cJSON *arr);

/* The Unprovisioned Device beacon's OOB Information as words ("number, on box"). */
void out_oob_info(uint16_t oob, char *text, size_t size);

#endif /* MESHRPR_TOOL_OUTPUT_H */

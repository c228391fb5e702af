/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Small helpers of the meshrpr command-line tool: exit codes, error messages, and the parsing
 * and printing of numbers, hex strings and UUIDs the way the Zephyr mesh shell accepts them.
 */
#ifndef MESHRPR_TOOL_UTIL_H
#define MESHRPR_TOOL_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Exit codes of every command (documented in docs/tool.md). */
#define TOOL_EXIT_OK          0 /* done */
#define TOOL_EXIT_FAIL        1 /* the operation ran and failed (timeout, refusal...) */
#define TOOL_EXIT_USAGE       2 /* bad arguments: nothing was run */
#define TOOL_EXIT_WORLD       3 /* the world file could not be read, parsed or written */
#define TOOL_EXIT_UNAVAILABLE 4 /* the feature is not available in this build */

/* printf-style attribute for the message helpers. */
#if defined(__GNUC__)
#define TOOL_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define TOOL_PRINTF(fmt, args)
#endif

/* "meshrpr: <message>" on stderr. */
void tool_error(const char *fmt, ...) TOOL_PRINTF(1, 2);

/* The last message tool_error() printed ("" when none). */
const char *tool_last_error(void);

/* Flush stdout and check it was all written (a full disk, a closed pipe): when not, say so.
 * @return TOOL_EXIT_OK or TOOL_EXIT_FAIL. */
int tool_stdout_close(void);

/* The same at the end of a command that returned rc: rc, or TOOL_EXIT_FAIL when rc is
 * TOOL_EXIT_OK but the output was lost. */
int tool_stdout_close_rc(int rc);

/* snprintf into a caller's message buffer (NULL or size 0: nothing). */
void tool_msg(char *buf, size_t size, const char *fmt, ...) TOOL_PRINTF(3, 4);

/* What a negative errno from the library means, in words (never a bare number). */
const char *tool_errno_text(int err);

/* The symbolic name of a negative errno ("EINVAL"), for --json results. */
const char *tool_errno_name(int err);

/* A seed from the OS random source, 0..10^15-1 (exact in JSON). @return 0 or -EIO. */
int tool_random_seed(uint64_t *seed);

/* Lower-case hex of len octets into out (room for 2 * len + 1). */
void tool_hex(char *out, const uint8_t *data, size_t len);

/* Parse exactly 2 * n hex digits (n <= max) into out. @return 0 or -EINVAL. */
int tool_unhex(const char *hex, uint8_t *out, size_t max, size_t *len);

/* Unsigned integer in decimal or 0x-hex, within min..max. @return 0 or -EINVAL. */
int tool_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* Unicast address 0x0001..0x7fff (0 allowed when allow_zero). @return 0 or -EINVAL. */
int tool_parse_addr(const char *s, bool allow_zero, uint16_t *addr);

/* A decimal number within min..max (finite). @return 0 or -EINVAL. */
int tool_parse_double(const char *s, double min, double max, double *out);

/*
 * A UUID as the Zephyr shell takes it: 1 to 16 octets of hex (dashes ignored), zero-padded
 * on the right to 16 octets. @return 0 or -EINVAL.
 */
int tool_parse_uuid(const char *s, uint8_t uuid[16]);

/* The 32 hex digits of a UUID (out: 33 octets). */
void tool_uuid_str(char out[33], const uint8_t uuid[16]);

/* "0x%04x" of an address (out: 7 octets). */
void tool_addr_str(char out[7], uint16_t addr);

/* Virtual time in ms as "12.345" seconds (out: 24 octets). */
void tool_time_str(char out[24], uint64_t time_ms);

#endif /* MESHRPR_TOOL_UTIL_H */

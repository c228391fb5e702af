/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Command lines of the meshrpr tool: options (--name VALUE or --flag, anywhere on the line) and
 * positional arguments, shared by the program's arguments and the shell's lines.
 */
#ifndef MESHRPR_TOOL_ARGS_H
#define MESHRPR_TOOL_ARGS_H

#include <stdbool.h>
#include <stddef.h>

enum opt_id {
    OPT_WORLD,
    OPT_PCAP,
    OPT_CDB,
    OPT_JSON,
    OPT_LOG,
    OPT_HELP,
    OPT_SERVER,
    OPT_DEVICES,
    OPT_SERVERS,
    OPT_SEED,
    OPT_LOSS,
    OPT_RANGE,
    OPT_STATIC_OOB,
    OPT_MAX_DEVS,
    OPT_TSHARK,
    OPT_FORCE,
    OPT_VERSION,
    OPT_MAN,
    OPT_LOCK_WAIT,
    OPT_PROCEDURE,
    OPT_NEAR,
    OPT_SPEED,
    OPT_UNPROVISIONED,
    OPT_NODE,
    OPT_SAVE,
    OPT_COUNT
};

#define OPT_BIT(id) (1u << (id))
/* Options every command accepts. */
#define OPT_GLOBAL                                                                                 \
    (OPT_BIT(OPT_WORLD) | OPT_BIT(OPT_PCAP) | OPT_BIT(OPT_CDB) | OPT_BIT(OPT_JSON) |               \
     OPT_BIT(OPT_LOG) | OPT_BIT(OPT_HELP) | OPT_BIT(OPT_LOCK_WAIT))

#define ARGS_MAX 64

struct args {
    bool set[OPT_COUNT];
    const char *val[OPT_COUNT];
    int argc;
    char *argv[ARGS_MAX];
};

/* Sort argv into options and positional arguments ("-h" is --help). @return 0, or -EINVAL with err
 * set (unknown option, missing value, repeated option, too many arguments). */
int args_parse(int argc, char **argv, struct args *a, char *err, size_t err_size);

/* The name of an option (without "--"). */
const char *args_opt_name(enum opt_id id);

/* What an option's value is called in usage lines ("FILE", "ADDR"), or NULL for a flag. */
const char *args_opt_value(enum opt_id id);

/* One line saying what an option does (for help and the man page). */
const char *args_opt_help(enum opt_id id);

/* The first option set in a that allowed does not contain, or OPT_COUNT. */
enum opt_id args_first_disallowed(const struct args *a, unsigned allowed);

/* Split a shell line into words (whitespace separated, "double" or 'single' quotes group).
 * The words point into line, which is modified. @return the word count, or -EINVAL (an
 * unterminated quote or too many words). */
int args_split(char *line, char **words, int max_words);

#endif /* MESHRPR_TOOL_ARGS_H */

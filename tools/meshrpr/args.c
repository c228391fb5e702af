/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Option parsing of the meshrpr tool (see args.h). Options may come before or after the
 * command, as "--name VALUE" or "--name=VALUE"; anything else is a positional argument.
 */
#include "args.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "util.h"

struct opt_spec {
    const char *name;
    bool has_value;
};

static const struct opt_spec specs[OPT_COUNT] = {
    [OPT_WORLD] = { "world", true },
    [OPT_PCAP] = { "pcap", true },
    [OPT_CDB] = { "cdb", true },
    [OPT_JSON] = { "json", false },
    [OPT_LOG] = { "log", true },
    [OPT_HELP] = { "help", false },
    [OPT_SERVER] = { "server", true },
    [OPT_DEVICES] = { "devices", true },
    [OPT_SERVERS] = { "servers", true },
    [OPT_SEED] = { "seed", true },
    [OPT_LOSS] = { "loss", true },
    [OPT_RANGE] = { "range", true },
    [OPT_STATIC_OOB] = { "static-oob", true },
    [OPT_MAX_DEVS] = { "max-devs", true },
    [OPT_TSHARK] = { "tshark", false },
    [OPT_FORCE] = { "force", false },
};

const char *args_opt_name(enum opt_id id)
{
    return id < OPT_COUNT ? specs[id].name : "?";
}

int args_parse(int argc, char **argv, struct args *a, char *err, size_t err_size)
{
    memset(a, 0, sizeof(*a));
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        const char *eq;
        size_t name_len;
        int id;

        if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
            if (a->argc == ARGS_MAX) {
                tool_msg(err, err_size, "too many arguments");
                return -EINVAL;
            }
            a->argv[a->argc++] = argv[i];
            continue;
        }
        eq = strchr(arg + 2, '=');
        name_len = eq != NULL ? (size_t)(eq - arg - 2) : strlen(arg + 2);
        for (id = 0; id < OPT_COUNT; id++) {
            if (strlen(specs[id].name) == name_len &&
                strncmp(specs[id].name, arg + 2, name_len) == 0) {
                break;
            }
        }
        if (id == OPT_COUNT) {
            tool_msg(err, err_size, "unknown option %.*s (see meshrpr --help)", (int)(name_len + 2),
                     arg);
            return -EINVAL;
        }
        if (a->set[id]) {
            tool_msg(err, err_size, "option --%s given twice", specs[id].name);
            return -EINVAL;
        }
        a->set[id] = true;
        if (!specs[id].has_value) {
            if (eq != NULL) {
                tool_msg(err, err_size, "option --%s takes no value", specs[id].name);
                return -EINVAL;
            }
            continue;
        }
        if (eq != NULL) {
            a->val[id] = eq + 1;
        } else if (i + 1 < argc) {
            a->val[id] = argv[++i];
        } else {
            tool_msg(err, err_size, "option --%s needs a value", specs[id].name);
            return -EINVAL;
        }
        if (a->val[id][0] == '\0') {
            tool_msg(err, err_size, "option --%s needs a value", specs[id].name);
            return -EINVAL;
        }
    }
    return 0;
}

enum opt_id args_first_disallowed(const struct args *a, unsigned allowed)
{
    for (int id = 0; id < OPT_COUNT; id++) {
        if (a->set[id] && !(allowed & OPT_BIT(id))) {
            return (enum opt_id)id;
        }
    }
    return OPT_COUNT;
}

int args_split(char *line, char **words, int max_words)
{
    int n = 0;
    char *r = line;
    char *w = line;

    for (;;) {
        char quote = 0;

        while (isspace((unsigned char)*r)) {
            r++;
        }
        if (*r == '\0' || *r == '#') {
            break;
        }
        if (n == max_words) {
            return -EINVAL;
        }
        words[n++] = w;
        while (*r != '\0' && (quote != 0 || !isspace((unsigned char)*r))) {
            if (quote == 0 && (*r == '"' || *r == '\'')) {
                quote = *r++;
            } else if (quote != 0 && *r == quote) {
                quote = 0;
                r++;
            } else {
                *w++ = *r++;
            }
        }
        if (quote != 0) {
            return -EINVAL;
        }
        if (*r != '\0') {
            r++;
        }
        *w++ = '\0';
    }
    return n;
}

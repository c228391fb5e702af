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
    /* What the value is called in usage lines; NULL: a flag without a value. */
    const char *value;
    const char *help;
};

static const struct opt_spec specs[OPT_COUNT] = {
    [OPT_WORLD] = { "world", "FILE", "the world file: the simulated network the command runs on" },
    [OPT_PCAP] = { "pcap", "FILE", "write the radio traffic as a pcap capture (BLE link layer)" },
    [OPT_CDB] = { "cdb", "FILE",
                  "write the provisioner's node database afterwards, as Mesh CDB JSON" },
    [OPT_JSON] = { "json", NULL, "print the result as one JSON object on stdout" },
    [OPT_LOG] = { "log", "LEVEL", "the stack's log lines on stderr: none, err, wrn, inf or dbg" },
    [OPT_HELP] = { "help", NULL, "print help (of the command, when one is given) and exit" },
    [OPT_SERVER] = { "server", "ADDR",
                     "the Remote Provisioning Server (a node's primary address, e.g. 0x0002)" },
    [OPT_DEVICES] = { "devices", "N", "unprovisioned devices of a new building" },
    [OPT_SERVERS] = { "servers", "N", "Remote Provisioning Servers of a new building (1..12)" },
    [OPT_SEED] = { "seed", "N",
                   "seed of a new world (keys, UUIDs, radio timing); default: random" },
    [OPT_LOSS] = { "loss", "P", "loss probability of every radio link (0..0.9)" },
    [OPT_RANGE] = { "range", "M", "radio range in metres (default 10)" },
    [OPT_STATIC_OOB] = { "static-oob", "HEX", "the device's Static OOB value (1 to 16 octets)" },
    [OPT_MAX_DEVS] = { "max-devs", "N", "devices the server may report (0: as many as it holds)" },
    [OPT_TSHARK] = { "tshark", NULL, "print the keys as tshark options only" },
    [OPT_FORCE] = { "force", NULL, "replace an existing file" },
    [OPT_VERSION] = { "version", NULL, "print the version and exit" },
    [OPT_MAN] = { "man", NULL, "print the manual page (roff) and exit" },
    [OPT_PROCEDURE] = { "procedure", "NAME",
                        "the NPPI procedure: key (Device Key Refresh), composition (Node "
                        "Composition Refresh) or address (Node Address Refresh)" },
    [OPT_NEAR] = { "near", "N",
                   "devices on the installer's bench, within the provisioner's own range "
                   "(for provision over PB-ADV; 0..4)" },
    [OPT_SPEED] = { "speed", "X",
                    "virtual seconds per real second while the shell waits for input "
                    "(default 1; 0: virtual time stands still)" },
    [OPT_UNPROVISIONED] = { "unprovisioned", NULL,
                            "only devices not in the node database, one line each" },
    [OPT_NODE] = { "node", "ADDR",
                   "the node a Configuration Client request goes to (its primary address)" },
    [OPT_SAVE] = { "save", "FILE",
                   "save the demo's building afterwards as a world file (and as it was before "
                   "the NPPI step in FILE.before-nppi), for commands with --world" },
    [OPT_LOCK_WAIT] = { "lock-wait", "S",
                        "wait up to S seconds for a world another meshrpr uses (default 60; "
                        "0: fail at once)" },
};

const char *args_opt_name(enum opt_id id)
{
    return id < OPT_COUNT ? specs[id].name : "?";
}

const char *args_opt_value(enum opt_id id)
{
    return id < OPT_COUNT ? specs[id].value : NULL;
}

const char *args_opt_help(enum opt_id id)
{
    return id < OPT_COUNT ? specs[id].help : "";
}

int args_parse(int argc, char **argv, struct args *a, char *err, size_t err_size)
{
    memset(a, 0, sizeof(*a));
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        const char *eq;
        size_t name_len;
        int id;

        if (strcmp(arg, "-h") == 0) {
            arg = "--help";
        }
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
        if (specs[id].value == NULL) {
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

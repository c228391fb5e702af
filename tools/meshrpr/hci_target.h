/* SPDX-License-Identifier: Apache-2.0 */
/*
 * meshrpr on a real controller (docs: README "On a real controller"):
 *   meshrpr --hci SPEC --state DIR COMMAND [ARGS] [--server ADDR] [--node ADDR] ...
 * runs the provisioner's commands (scan, scan-ext, provision-remote, provision, reprovision,
 * composition-get, nodes) against the network a Bluetooth controller hears, in real time, on
 * the POSIX host with the HCI radio (include/meshrpr/hci.h); DIR keeps the provisioner's node
 * state and its Mesh Configuration Database (DIR/cdb.json), created on first use.
 *   meshrpr node --hci SPEC --state DIR --role server|device [--uuid HEX] ...
 * runs a long-lived Remote Provisioning Server or unprovisioned device until SIGINT/SIGTERM.
 */
#ifndef MESHRPR_TOOL_HCI_TARGET_H
#define MESHRPR_TOOL_HCI_TARGET_H

#include <stdbool.h>
#include <stdio.h>

/* Whether the command line asks for a real controller (--hci). */
bool hci_target_wanted(int argc, char **argv);

/* The commands on a controller (meshrpr --hci SPEC --help). */
void hci_target_usage(FILE *f);

/* Their section of the manual page (roff). */
void hci_target_man(FILE *f);

/* Run that command line. @return a TOOL_EXIT_* code. */
int hci_target_main(int argc, char **argv);

#endif /* MESHRPR_TOOL_HCI_TARGET_H */

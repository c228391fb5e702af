/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The command table of the meshrpr tool: one row per command (see struct command in
 * commands.h). The dispatch, the shell, --help, help COMMAND and the man page all read these
 * rows, so a command added here is accepted, listed and documented everywhere at once.
 */
#include "cmdtab.h"

#include "args.h"

/* Flags of a Remote Provisioning Client command: a world, its network, a server. */
#define RPR_CMD (CMD_WORLD | CMD_BUILDING | CMD_SERVER)
/* A Configuration Client command: a world, its network, --node. */
#define CFG_CMD  (CMD_WORLD | CMD_BUILDING)
#define CFG_OPTS OPT_BIT(OPT_NODE)
/* A command that changes only the world file (run as the network's commands, so the world is
 * locked and saved). */
#define CFG_WORLD_CMD (CMD_WORLD | CMD_BUILDING)

const struct command tool_commands[] = {
    /* ---- Remote Provisioning Client (MshPRTv1.1 §4.4.5), as Zephyr's mesh models rpr ---- */
    { "scan-caps", "scan-caps", "the server's scanning capabilities",
      "Sends a Remote Provisioning Scan Capabilities Get and prints how many devices the server "
      "can report in one scan and whether it scans actively.",
      0, 0, 0, RPR_CMD, cmd_scan_caps },
    { "scan-get", "scan-get", "the server's scanning state",
      "Sends a Remote Provisioning Scan Get: the scan state (idle, multiple devices, single "
      "device), the device limit and the seconds left.",
      0, 0, 0, RPR_CMD, cmd_scan_get },
    { "scan", "scan TIMEOUT [UUID]",
      "scan for unprovisioned devices for TIMEOUT s (all, or the one with UUID) and list them",
      "Starts a Remote Provisioning Scan of TIMEOUT seconds (1..255) on the server and prints "
      "each Scan Report. With UUID the server looks for that one device and the scan ends when "
      "it is found. What a scan finds is kept in the world (see devices) and picks the server "
      "provision-remote uses by default.",
      1, 2, OPT_BIT(OPT_MAX_DEVS), RPR_CMD, cmd_scan },
    { "scan-ext", "scan-ext TIMEOUT UUID [AD_TYPE...]",
      "extended scan of a device (default AD types: 0x09 name, 0x24 URI)",
      "Starts a Remote Provisioning Extended Scan of TIMEOUT seconds (1..21) for the device "
      "UUID and prints the AD structures of the asked types the server collected. AD types "
      "0x02, 0x04, 0x06 and 0x08 may not be asked for (MshPRTv1.1 §4.3.4.7).",
      2, 18, 0, RPR_CMD, cmd_scan_ext },
    { "scan-srv", "scan-srv [AD_TYPE...]", "extended scan of the server's own information",
      "An Extended Scan without a UUID: the server answers with its own AD structures.", 0, 16, 0,
      RPR_CMD, cmd_scan_srv },
    { "scan-stop", "scan-stop", "stop the server's scan", NULL, 0, 0, 0, RPR_CMD, cmd_scan_stop },
    { "link-get", "link-get", "the state of the server's provisioning link", NULL, 0, 0, 0, RPR_CMD,
      cmd_link_get },
    { "link-close", "link-close", "close the server's provisioning link", NULL, 0, 0, 0, RPR_CMD,
      cmd_link_close },
    { "provision-remote", "provision-remote UUID NET_IDX ADDR",
      "provision a device through a Remote Provisioning Server",
      "Provisions the device UUID on the subnet NET_IDX at the unicast address ADDR (0: the "
      "lowest free one) through the server. --server defaults to the server that heard the "
      "device best in the last scans. The installer's Static OOB value (from the device's box) "
      "is used when there is one; --static-oob HEX overrides it. Output OOB numbers are read "
      "off the device's display by the simulated user.",
      3, 3, OPT_BIT(OPT_SERVER) | OPT_BIT(OPT_STATIC_OOB), CMD_WORLD | CMD_BUILDING,
      cmd_provision_remote },
    { "provision", "provision UUID NET_IDX ADDR",
      "provision a device in the provisioner's own radio range over PB-ADV",
      "Provisions the device UUID over the advertising bearer (MshPRTv1.1 §5.2.1), without a "
      "Remote Provisioning Server: the device must be within the provisioner's range (world "
      "new --near N puts devices there). The same checks and OOB handling as "
      "provision-remote.",
      3, 3, OPT_BIT(OPT_STATIC_OOB), CMD_WORLD | CMD_BUILDING, cmd_provision },
    { "reprovision-remote", "reprovision-remote ADDR [COMP_CHANGED]",
      "NPPI on the node --server: refresh its device key, composition or address",
      "Runs a Node Provisioning Protocol Interface procedure on the node --server (MshPRTv1.1 "
      "§3.11.8): ADDR equal to its address refreshes its device key (COMP_CHANGED 1: makes its "
      "new composition current), another ADDR (0: the lowest free) moves it there.",
      1, 2, OPT_BIT(OPT_PROCEDURE), RPR_CMD, cmd_reprovision_remote },
    { "reprovision", "reprovision NODE [NEW_ADDR]",
      "NPPI on a node, the procedure named: --procedure key|composition|address",
      "Runs the NPPI procedure --procedure on the node NODE through its own Remote "
      "Provisioning Server: key refreshes its device key, composition its device key and "
      "composition (after a firmware update), address moves it to NEW_ADDR (0: the lowest "
      "free; checked free before anything is sent).",
      1, 2, OPT_BIT(OPT_PROCEDURE), CMD_WORLD | CMD_BUILDING, cmd_reprovision },
    /* ---- Configuration Client (MshPRTv1.1 §4.4.2), to the node --node ---- */
    { "composition-get", "composition-get [PAGE]", "the node's Composition Data (page 0)",
      "Composition Data Get: the page (or the largest below it) with the company, product and "
      "version IDs, the replay list size, the features and the elements' models.",
      0, 1, CFG_OPTS, CFG_CMD, cmd_composition_get },
    { "beacon-get", "beacon-get", "the node's Secure Network Beacon state", NULL, 0, 0, CFG_OPTS,
      CFG_CMD, cmd_beacon_get },
    { "beacon-set", "beacon-set on|off", "turn the node's Secure Network Beacon on or off", NULL, 1,
      1, CFG_OPTS, CFG_CMD, cmd_beacon_set },
    { "ttl-get", "ttl-get", "the node's Default TTL", NULL, 0, 0, CFG_OPTS, CFG_CMD, cmd_ttl_get },
    { "ttl-set", "ttl-set TTL", "set the node's Default TTL (0, 2..127)", NULL, 1, 1, CFG_OPTS,
      CFG_CMD, cmd_ttl_set },
    { "friend-get", "friend-get", "the node's Friend state", NULL, 0, 0, CFG_OPTS, CFG_CMD,
      cmd_friend_get },
    { "proxy-get", "proxy-get", "the node's GATT Proxy state", NULL, 0, 0, CFG_OPTS, CFG_CMD,
      cmd_proxy_get },
    { "relay-get", "relay-get", "the node's Relay state and Relay Retransmit", NULL, 0, 0, CFG_OPTS,
      CFG_CMD, cmd_relay_get },
    { "relay-set", "relay-set on|off [COUNT INTERVAL_MS]",
      "turn relaying on or off (retransmissions: 0..7, 10..320 ms apart)", NULL, 1, 3, CFG_OPTS,
      CFG_CMD, cmd_relay_set },
    { "net-transmit-get", "net-transmit-get", "the node's Network Transmit state", NULL, 0, 0,
      CFG_OPTS, CFG_CMD, cmd_net_transmit_get },
    { "net-transmit-set", "net-transmit-set COUNT INTERVAL_MS",
      "set the node's Network Transmit (0..7 retransmissions, 10..320 ms apart)", NULL, 2, 2,
      CFG_OPTS, CFG_CMD, cmd_net_transmit_set },
    { "netkey-get", "netkey-get", "the NetKeys the node has", NULL, 0, 0, CFG_OPTS, CFG_CMD,
      cmd_netkey_get },
    { "appkey-add", "appkey-add APP_IDX", "give the node the database's AppKey APP_IDX", NULL, 1, 1,
      CFG_OPTS, CFG_CMD, cmd_appkey_add },
    { "appkey-del", "appkey-del APP_IDX", "delete the AppKey APP_IDX from the node", NULL, 1, 1,
      CFG_OPTS, CFG_CMD, cmd_appkey_del },
    { "appkey-get", "appkey-get [NET_IDX]", "the AppKeys the node has on a NetKey (default 0)",
      NULL, 0, 1, CFG_OPTS, CFG_CMD, cmd_appkey_get },
    { "krp-get", "krp-get [NET_IDX]", "the node's Key Refresh phase of a NetKey (default 0)", NULL,
      0, 1, CFG_OPTS, CFG_CMD, cmd_krp_get },
    { "bind", "bind ELEM_ADDR APP_IDX MODEL", "bind an AppKey to a model of the node",
      "Model App Bind: MODEL is 0xMMMM for a SIG model (e.g. 0x1000, Generic OnOff Server) or "
      "0xCCCCMMMM for a vendor model (company ID, model ID).",
      3, 3, CFG_OPTS, CFG_CMD, cmd_bind },
    { "unbind", "unbind ELEM_ADDR APP_IDX MODEL", "unbind an AppKey from a model of the node", NULL,
      3, 3, CFG_OPTS, CFG_CMD, cmd_unbind },
    { "mod-appkey-get", "mod-appkey-get ELEM_ADDR MODEL", "the AppKeys bound to a model", NULL, 2,
      2, CFG_OPTS, CFG_CMD, cmd_mod_appkey_get },
    { "sub-add", "sub-add ELEM_ADDR GROUP MODEL", "subscribe a model of the node to a group", NULL,
      3, 3, CFG_OPTS, CFG_CMD, cmd_sub_add },
    { "sub-del", "sub-del ELEM_ADDR GROUP MODEL", "unsubscribe a model of the node from a group",
      NULL, 3, 3, CFG_OPTS, CFG_CMD, cmd_sub_del },
    { "sub-get", "sub-get ELEM_ADDR MODEL", "the groups a model of the node is subscribed to", NULL,
      2, 2, CFG_OPTS, CFG_CMD, cmd_sub_get },
    { "node-reset", "node-reset", "reset the node (it leaves the network) and forget it",
      "Config Node Reset: when the node confirms, it is removed from the node database; when "
      "it does not answer, the database keeps it (node-remove forgets a node that is gone).",
      0, 0, CFG_OPTS, CFG_CMD, cmd_node_reset },
    { "node-remove", "node-remove", "forget the node, sending it nothing",
      "Removes the node --node from the database without telling it: for a node that is "
      "broken or was reset by hand. Its device key is wiped, its address becomes free.",
      0, 0, CFG_OPTS, CFG_WORLD_CMD, cmd_node_remove },
    { "db-export", "db-export FILE", "write the node database as Mesh CDB JSON",
      "The same file --cdb writes: the database of the provisioner (keys included, mode 0600), "
      "as the Mesh Configuration Database Profile describes, for BlueZ or another provisioner.",
      1, 1, 0, CFG_WORLD_CMD, cmd_db_export },
    { "db-import", "db-import FILE", "replace the node database by a Mesh CDB JSON file",
      "Only a database of this network is taken: the same primary NetKey, with this world's "
      "provisioner at 0x0001 (for example one db-export wrote before). Anything else is "
      "refused and the world is unchanged.",
      1, 1, 0, CFG_WORLD_CMD, cmd_db_import },
    /* ---- The tool's own ---- */
    { "nodes", "nodes", "the provisioner's node database", NULL, 0, 0, 0, CMD_WORLD, cmd_nodes },
    { "devices", "devices", "what the last scans found",
      "Every Scan Report and Extended Scan Report kept in the world, per device and server. "
      "--unprovisioned lists each device the node database does not hold yet once, with the "
      "server that hears it best.",
      0, 0, OPT_BIT(OPT_UNPROVISIONED), CMD_WORLD, cmd_devices },
    { "discover", "discover [TIMEOUT]",
      "scan through every Remote Provisioning Server at once (default 10 s)",
      "Starts a Remote Provisioning Scan of TIMEOUT seconds on every server of the database "
      "side by side and lists each device once, with the server that hears it best and how "
      "many servers hear it. In the shell the reports are printed as they arrive.",
      0, 1, 0, CMD_WORLD | CMD_BUILDING, cmd_discover },
    { "keys", "keys [CDB_FILE]", "the network's keys, of the world or of a database file",
      "Prints the NetKeys, AppKeys and device keys of the world (or of a Mesh CDB JSON file); "
      "--tshark prints them as the tshark options that decrypt a capture.",
      0, 1, OPT_BIT(OPT_TSHARK), CMD_WORLD_OPT, cmd_keys },
    { "run", "run SECONDS", "let the network run for SECONDS of virtual time", NULL, 1, 1, 0,
      CMD_WORLD | CMD_BUILDING, cmd_run },
    { "features", "features", "what this build supports (NPPI is probed)", NULL, 0, 0, 0, 0,
      cmd_features },
    { "world", "world new FILE", "create a world file: a simulated building",
      "Lays out a building: a provisioner at the crossing of four corridors, Remote "
      "Provisioning Servers 9 m apart along them (the k-th server of a corridor is k hops "
      "away), unprovisioned devices in rooms beside their server, out of the provisioner's "
      "range. The file is not replaced unless --force is given.",
      1, 2,
      OPT_BIT(OPT_DEVICES) | OPT_BIT(OPT_SERVERS) | OPT_BIT(OPT_SEED) | OPT_BIT(OPT_LOSS) |
          OPT_BIT(OPT_RANGE) | OPT_BIT(OPT_FORCE) | OPT_BIT(OPT_NEAR),
      CMD_NO_SHELL | CMD_NO_PCAP, cmd_world },
    { "demo", "demo", "remote provisioning in a simulated building, start to finish",
      "Scans through every server, provisions every device remotely (several links at once), "
      "runs each NPPI procedure once and checks every node answers with its current device "
      "key. The same options give the same output and capture, byte for byte.",
      0, 0,
      OPT_BIT(OPT_DEVICES) | OPT_BIT(OPT_SERVERS) | OPT_BIT(OPT_SEED) | OPT_BIT(OPT_LOSS) |
          OPT_BIT(OPT_SAVE),
      CMD_NO_SHELL | CMD_NO_PCAP, cmd_demo },
    { "shell", "shell", "run commands typed at a prompt or read from stdin",
      "Runs the world's network and reads commands, one a line, from a terminal (libedit line "
      "editing, history in ~/.meshrpr_history, Tab completes command names) or a pipe (each "
      "line echoed before its output). The network runs while the shell waits for input, "
      "--speed virtual seconds per real second: scan, discover, scan-ext, provision-remote, "
      "provision, reprovision and reprovision-remote return at once and print their reports and "
      "results as they arrive, so scan-get, scan-stop, link-get and link-close see them live. "
      "target sets the server of commands "
      "without --server. The shell holds the world's lock until it ends.",
      0, 0, OPT_BIT(OPT_SPEED), CMD_WORLD | CMD_BUILDING | CMD_NO_SHELL, cmd_shell },
    { "help", "help [COMMAND]", "list the commands, or explain one", NULL, 0, 1, 0, 0, cmd_help },
    /* ---- Shell only ---- */
    { "target", "target [ADDR|none]", "set the server commands use when --server is not given",
      "Without an argument: prints the current target.", 0, 1, 0, CMD_SHELL_ONLY, cmd_target },
    { "quit", "quit", "leave the shell (also: exit, or end of input)", NULL, 0, 0, 0,
      CMD_SHELL_ONLY, cmd_quit },
};

const size_t tool_command_count = sizeof(tool_commands) / sizeof(tool_commands[0]);

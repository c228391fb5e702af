#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Interoperability scenarios between meshrpr and BlueZ bluetooth-meshd 5.66 (issue #10).

This harness owns the D-Bus side: a private session dbus-daemon, Debian's unmodified
bluetooth-meshd with the test-only LD_PRELOAD shim (meshd_shim.so) on its `--io unit:` socket,
and the application objects meshd requires (Application1, Element1, ProvisionAgent1,
Provisioner1). The meshrpr side is the C program meshd_bridge: real meshrpr nodes in real time,
owning the other end of meshd's datagram socket. The bridge reports on its stdout in lines that
start with '@'; this harness reads them and checks meshd's own records (node.json, dev_keys/).

Exit status: 0 pass, 1 fail, 77 skip (missing dependencies, unless MESHRPR_REQUIRE_INTEROP=1,
or a documented defect of meshd 5.66).

Scenarios:
  prov-noob, prov-static   meshrpr provisions meshd over PB-ADV, then Config messages
  prov-output              the same with Output OOB: meshd 5.66 refuses it (known defect)
  dev-noob, dev-static, dev-output
                           meshd provisions a meshrpr device (CMAC), then DevKeySend
                           Composition Data Get
  dev-hmac                 a meshrpr device offering only HMAC: meshd 5.66 refuses it (known)
  rpr-noob, rpr-static     the meshrpr client provisions meshd through a meshrpr Remote
                           Provisioning Server over PB-Remote, then Config messages
"""
import argparse
import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

SKIP = 77
# MESHRPR_MESHD: another bluetooth-meshd binary (or a missing one, to see the skip).
MESHD = os.environ.get("MESHRPR_MESHD", "/usr/libexec/bluetooth/bluetooth-meshd")
DBUS_DAEMON = "/usr/bin/dbus-daemon"

# The application meshd sees (Application1); the bridge checks meshd's Composition Data page 0
# against these.
APP_CID, APP_PID, APP_VID = 0x05F1, 0x0002, 0x0001
# The meshrpr device's composition (meshd_bridge.c uses the same numbers).
DEV_CID, DEV_PID, DEV_VID = 0x05F1, 0x4D52, 0x0001

STATIC_OOB = bytes.fromhex("00112233445566778899aabbccddeeff")
MESHD_UUID = bytes.fromhex("d2a5cf1e5a2f4b6e9f3c2e1d0c0b0a09")  # RFC 4122 v4 (meshd checks)
NET_UUID = bytes.fromhex("0f1e2d3c4b5a4978a695a4b3c2d1e0ff")
DEV_UUID = bytes.fromhex("6d657368727072418000000000000001")
DEV_UNICAST = 0x0100

# What meshd logs (with -d) when it hits the defect: a skip needs this evidence.
KNOWN_DEFECT_LOG = {
    "dev-hmac": "Unsupported Algorithm",
}

# Documented meshd 5.66 defects that make a scenario a skip, not a failure.
KNOWN_DEFECTS = {
    "prov-output": "meshd 5.66 as a device refuses Output OOB with Invalid Format: it reads the "
                   "big-endian Output Action in host order (mesh/prov-acceptor.c; fixed in 5.83)",
    "dev-hmac": "meshd 5.66 supports only BTM_ECDH_P256_CMAC_AES128_AES_CCM; a device offering "
                "only HMAC-SHA256 is refused (Unsupported Algorithm)",
}


def log(msg):
    print("[harness %7.3f] %s" % (time.monotonic() - T0, msg), file=sys.stderr, flush=True)


T0 = time.monotonic()


class Fail(Exception):
    pass


class Skip(Exception):
    pass


def deps_or_skip():
    require = os.environ.get("MESHRPR_REQUIRE_INTEROP") == "1"
    missing = []
    for path in (MESHD, DBUS_DAEMON):
        if not os.access(path, os.X_OK):
            missing.append(path)
    try:
        import dbus  # noqa: F401
        import dbus.mainloop.glib  # noqa: F401
        import dbus.service  # noqa: F401
        from gi.repository import GLib  # noqa: F401
    except ImportError as e:
        missing.append("python3-dbus/python3-gi (%s)" % e)
    if missing:
        msg = "missing: " + ", ".join(missing) + " (apt-get install bluez-meshd dbus " \
              "python3-dbus python3-gi)"
        if require:
            print("FAIL: MESHRPR_REQUIRE_INTEROP=1 but " + msg, file=sys.stderr)
            sys.exit(1)
        print("SKIP: " + msg, file=sys.stderr)
        sys.exit(SKIP)


def pdeathsig(sig=signal.SIGTERM):
    """preexec_fn: the child dies with us even if we are SIGKILLed (a CTest timeout)."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    PR_SET_PDEATHSIG = 1

    def fn():
        libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
        os.setpgrp()  # a Ctrl-C of the harness reaches us, not the children directly
    return fn


class Procs:
    """Every process we start, stopped by pid (never by name) in reverse order."""

    def __init__(self):
        self.procs = []

    def start(self, name, argv, **kw):
        log("start %s: %s" % (name, " ".join(argv)))
        p = subprocess.Popen(argv, preexec_fn=pdeathsig(), **kw)
        self.procs.append((name, p))
        return p

    def stop_all(self):
        for name, p in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=3)
                except subprocess.TimeoutExpired:
                    log("%s (pid %d) ignored SIGTERM: SIGKILL" % (name, p.pid))
                    p.kill()
                    p.wait()
        self.procs = []


def run(args):
    import dbus
    import dbus.mainloop.glib
    import dbus.service
    from gi.repository import GLib

    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
    scen = args.scenario
    role = scen.split("-")[0]
    auth = scen.split("-")[1]
    wd = os.path.abspath(args.workdir)
    shutil.rmtree(wd, ignore_errors=True)
    os.makedirs(os.path.join(wd, "storage"))
    # UNIX socket paths are limited to 107 octets: a deep build tree gets its sockets in a
    # short temporary directory instead (removed at the end).
    sock_dir = wd
    if len(os.path.join(wd, "meshd.sock")) > 100:
        sock_dir = tempfile.mkdtemp(prefix="meshd-")
        log("sockets in %s (the work directory's path is too long for them)" % sock_dir)
    bus_path = os.path.join(sock_dir, "bus")
    peer_sock = os.path.join(sock_dir, "peer.sock")
    meshd_sock = os.path.join(sock_dir, "meshd.sock")
    procs = Procs()
    loop = GLib.MainLoop()
    st = {"error": None, "skip": None, "bridge": {}, "done": False}

    def fail(msg):
        if st["error"] is None and st["skip"] is None:
            log("FAIL: " + msg)
            st["error"] = msg
        loop.quit()

    def skip(msg):
        if st["error"] is None and st["skip"] is None:
            st["skip"] = msg
        loop.quit()

    try:
        # 1. A private session bus.
        procs.start("dbus-daemon", [DBUS_DAEMON, "--session", "--nofork", "--nopidfile",
                                    "--address=unix:path=" + bus_path])
        for _ in range(100):
            if os.path.exists(bus_path):
                break
            time.sleep(0.02)
        else:
            raise Fail("dbus-daemon did not create " + bus_path)
        bus = dbus.bus.BusConnection("unix:path=" + bus_path)

        # 2. The meshrpr side first: meshd's first transmissions must find the peer socket.
        bargv = [args.bridge, "--role", role, "--auth", auth, "--peer", peer_sock,
                 "--meshd", meshd_sock, "--static", STATIC_OOB.hex()]
        if role in ("prov", "rpr"):
            bargv += ["--uuid", MESHD_UUID.hex(), "--expect-comp",
                      "%04x%04x%04x" % (APP_CID, APP_PID, APP_VID)]
        else:
            bargv += ["--uuid", DEV_UUID.hex()]
        if args.verbose:
            bargv.append("--verbose")
        bridge = procs.start("meshd_bridge", bargv, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, bufsize=0)
        bridge_buf = [b""]
        waiters = {}

        def on_bridge_line(line):
            log("bridge: " + line)
            parts = line.split()
            ev = parts[0][1:]
            st["bridge"][ev] = parts[1:]
            if ev in waiters:
                for cb in waiters.pop(ev):
                    cb(parts[1:])

        def on_bridge_out(fd, cond):
            data = os.read(fd, 4096)
            if not data:
                rc = bridge.wait()
                log("bridge exited with %d" % rc)
                st["bridge_rc"] = rc
                if "KNOWN_DEFECT" in st["bridge"] and scen in KNOWN_DEFECTS:
                    skip(KNOWN_DEFECTS[scen] + " -- seen: " + " ".join(
                        st["bridge"]["KNOWN_DEFECT"]))
                elif rc != 0:
                    fail("meshd_bridge failed (exit %d)%s" % (rc, devkey_note()))
                else:
                    loop.quit()
                return False
            bridge_buf[0] += data
            while b"\n" in bridge_buf[0]:
                line, bridge_buf[0] = bridge_buf[0].split(b"\n", 1)
                line = line.decode(errors="replace").strip()
                if line.startswith("@"):
                    on_bridge_line(line)
            return True

        GLib.io_add_watch(bridge.stdout.fileno(), GLib.IO_IN | GLib.IO_HUP, on_bridge_out)

        def when(ev, cb):
            if ev in st["bridge"]:
                cb(st["bridge"][ev])
            else:
                waiters.setdefault(ev, []).append(cb)

        def bridge_cmd(text):
            try:
                bridge.stdin.write((text + "\n").encode())
            except BrokenPipeError:
                pass

        # Wait for the bridge's socket.
        ctx = loop.get_context()
        deadline = time.monotonic() + 10
        while "BOUND" not in st["bridge"] and time.monotonic() < deadline and \
                st["error"] is None:
            ctx.iteration(True)
        if "BOUND" not in st["bridge"]:
            raise Fail(st["error"] or "meshd_bridge did not bind its socket")

        # 3. meshd with the shim.
        env = dict(os.environ)
        env.update({
            "DBUS_SESSION_BUS_ADDRESS": "unix:path=" + bus_path,
            "LD_PRELOAD": args.shim,
            "MESHD_SHIM_UNIT": meshd_sock,
            "MESHD_SHIM_PEER": peer_sock,
        })
        if args.verbose:
            env["MESHD_SHIM_LOG"] = "1"
        meshd_log = open(os.path.join(wd, "meshd.log"), "w")
        meshd = procs.start("bluetooth-meshd", [MESHD, "--io", "unit:" + meshd_sock, "-s",
                                                os.path.join(wd, "storage"), "-n", "-d"],
                            env=env, stdout=meshd_log, stderr=subprocess.STDOUT)
        dbus_iface = dbus.Interface(bus.get_object("org.freedesktop.DBus",
                                                   "/org/freedesktop/DBus"),
                                    "org.freedesktop.DBus")
        deadline = time.monotonic() + 10
        while not dbus_iface.NameHasOwner("org.bluez.mesh"):
            if meshd.poll() is not None or time.monotonic() > deadline:
                raise Fail("bluetooth-meshd did not come up (see %s/meshd.log)" % wd)
            time.sleep(0.02)
        log("meshd owns org.bluez.mesh")
        net = dbus.Interface(bus.get_object("org.bluez.mesh", "/org/bluez/mesh"),
                             "org.bluez.mesh.Network1")

        # 4. The application objects.
        APP = "/mesh/interop"
        ELE = APP + "/ele00"
        AGENT = APP + "/agent"
        MESH = "org.bluez.mesh."

        def agent_caps():
            if auth == "static":
                return ["static-oob"]
            if auth == "output":
                return ["out-numeric"]
            return []

        class Props(dbus.service.Object):
            """meshd reads the agent's properties again with Properties.GetAll."""

            @dbus.service.method("org.freedesktop.DBus.Properties", in_signature="s",
                                 out_signature="a{sv}")
            def GetAll(self, interface):
                return self.props().get(str(interface), {})

            @dbus.service.method("org.freedesktop.DBus.Properties", in_signature="ss",
                                 out_signature="v")
            def Get(self, interface, name):
                return self.props()[str(interface)][str(name)]

        class Element(Props):
            def props(self):
                return {MESH + "Element1": {
                    "Index": dbus.Byte(0),
                    # The Configuration Client, so that meshd hands us device-key responses.
                    "Models": dbus.Array([dbus.Struct((dbus.UInt16(0x0001),
                                                       dbus.Dictionary({}, signature="sv")))],
                                         signature="(qa{sv})"),
                    "VendorModels": dbus.Array([], signature="(qqa{sv})"),
                    "Location": dbus.UInt16(0x0001),
                }}

            @dbus.service.method(MESH + "Element1", in_signature="qqvay", out_signature="")
            def MessageReceived(self, source, key_index, dest, data):
                log("MessageReceived from %04x: %s" % (source, bytes(data).hex()))

            @dbus.service.method(MESH + "Element1", in_signature="qbqay", out_signature="")
            def DevKeyMessageReceived(self, source, remote, net_index, data):
                data = bytes(data)
                log("DevKeyMessageReceived from %04x remote=%s: %s" %
                    (source, bool(remote), data.hex()))
                on_devkey_msg(int(source), data)

            @dbus.service.method(MESH + "Element1", in_signature="qa{sv}", out_signature="")
            def UpdateModelConfiguration(self, model_id, config):
                pass

        class Agent(Props):
            def props(self):
                return {MESH + "ProvisionAgent1": {
                    "Capabilities": dbus.Array(agent_caps(), signature="s"),
                    "OutOfBandInfo": dbus.Array([], signature="s"),
                }}

            @dbus.service.method(MESH + "ProvisionAgent1", in_signature="s", out_signature="ay")
            def PromptStatic(self, kind):
                log("agent: PromptStatic(%s)" % kind)
                st["prompt_static"] = True
                return dbus.ByteArray(STATIC_OOB)

            @dbus.service.method(MESH + "ProvisionAgent1", in_signature="s", out_signature="u",
                                 async_callbacks=("reply", "error"))
            def PromptNumeric(self, kind, reply, error):
                # The user types what the meshrpr device outputs.
                log("agent: PromptNumeric(%s)" % kind)
                st["prompt_numeric"] = True
                when("OUTPUT_NUMBER", lambda a: reply(dbus.UInt32(int(a[0]))))

            @dbus.service.method(MESH + "ProvisionAgent1", in_signature="su", out_signature="")
            def DisplayNumeric(self, kind, number):
                log("agent: DisplayNumeric(%s, %u)" % (kind, number))

            @dbus.service.method(MESH + "ProvisionAgent1", in_signature="s", out_signature="")
            def DisplayString(self, value):
                log("agent: DisplayString(%s)" % value)

            @dbus.service.method(MESH + "ProvisionAgent1", in_signature="", out_signature="")
            def Cancel(self):
                log("agent: Cancel")

        class App(Props):
            def __init__(self, conn, path, children):
                super().__init__(conn, path)
                self.children = children

            def props(self):
                p = {MESH + "Application1": {
                    "CompanyID": dbus.UInt16(APP_CID),
                    "ProductID": dbus.UInt16(APP_PID),
                    "VersionID": dbus.UInt16(APP_VID),
                    "CRPL": dbus.UInt16(0x7FFF),
                }}
                if role == "dev":
                    p[MESH + "Provisioner1"] = {}
                return p

            @dbus.service.method("org.freedesktop.DBus.ObjectManager", out_signature="a{oa{sa{sv}}}")
            def GetManagedObjects(self):
                objs = {dbus.ObjectPath(APP): self.props()}
                for path, obj in self.children:
                    objs[dbus.ObjectPath(path)] = obj.props()
                return objs

            @dbus.service.method(MESH + "Application1", in_signature="t", out_signature="")
            def JoinComplete(self, token):
                log("JoinComplete(%016x)" % token)
                st["token"] = int(token)
                GLib.idle_add(after_join)

            @dbus.service.method(MESH + "Application1", in_signature="s", out_signature="")
            def JoinFailed(self, reason):
                log("JoinFailed(%s)" % reason)
                st["join_failed"] = str(reason)
                if scen in KNOWN_DEFECTS:
                    # Let the bridge report what it saw; it exits soon after.
                    return
                fail("meshd: JoinFailed(%s)" % reason)

            @dbus.service.method(MESH + "Provisioner1", in_signature="naya{sv}", out_signature="")
            def ScanResult(self, rssi, data, options):
                data = bytes(data)
                log("ScanResult(rssi %d, %s)" % (rssi, data.hex()))
                if data[:16] == DEV_UUID and not st.get("adding"):
                    st["adding"] = True
                    GLib.idle_add(add_node)

            @dbus.service.method(MESH + "Provisioner1", in_signature="y", out_signature="qq")
            def RequestProvData(self, count):
                log("RequestProvData(%d)" % count)
                return dbus.UInt16(0), dbus.UInt16(DEV_UNICAST)

            @dbus.service.method(MESH + "Provisioner1", in_signature="ayqy", out_signature="")
            def AddNodeComplete(self, uuid, unicast, count):
                log("AddNodeComplete(%s, %04x, %d)" % (bytes(uuid).hex(), unicast, count))
                st["added"] = (bytes(uuid), int(unicast), int(count))
                GLib.timeout_add(300, send_comp_get)

            @dbus.service.method(MESH + "Provisioner1", in_signature="ays", out_signature="")
            def AddNodeFailed(self, uuid, reason):
                log("AddNodeFailed(%s, %s)" % (bytes(uuid).hex(), reason))
                if scen in KNOWN_DEFECTS and meshd_logged(KNOWN_DEFECT_LOG.get(scen)):
                    skip(KNOWN_DEFECTS[scen] + " -- meshd: AddNodeFailed(%s)" % reason)
                else:
                    fail("meshd: AddNodeFailed(%s)" % reason)

        ele = Element(bus, ELE)
        agent = Agent(bus, AGENT)
        App(bus, APP, [(ELE, ele), (AGENT, agent)])

        def meshd_logged(text):
            meshd_log.flush()
            time.sleep(0.1)
            with open(os.path.join(wd, "meshd.log")) as f:
                return text is None or text in f.read()

        def dbus_error(what):
            return lambda e: fail("%s: %s" % (what, e))

        def node_dir(uuid):
            return os.path.join(wd, "storage", uuid.hex())

        # ---- (a), (c): meshd is the device ----
        def after_join():
            if role == "dev":
                attach()
            return False

        def check_meshd_node():
            """meshd's record of itself must hold the device key meshrpr derived."""
            with open(os.path.join(node_dir(MESHD_UUID), "node.json")) as f:
                node = json.load(f)
            addr_s, key_s = st["bridge"]["PROVISIONED"][:2]
            if node.get("deviceKey", "").lower() != key_s.lower():
                raise Fail("device key mismatch: meshd stores %s, meshrpr derived %s" %
                           (node.get("deviceKey"), key_s))
            if int(node.get("unicastAddress", "0"), 16) != int(addr_s, 16):
                raise Fail("address mismatch: meshd %s, meshrpr %s" %
                           (node.get("unicastAddress"), addr_s))
            log("meshd node.json: unicast %s, deviceKey %s = meshrpr's" %
                (node["unicastAddress"], node["deviceKey"]))

        # ---- (b): meshd is the provisioner ----
        def attach():
            def ok(node_path, config):
                st["node_path"] = node_path
                log("Attach -> %s" % node_path)
                mgmt = dbus.Interface(bus.get_object("org.bluez.mesh", node_path),
                                      MESH + "Management1")
                st["mgmt"] = mgmt
                mgmt.UnprovisionedScan(dbus.Dictionary({"Seconds": dbus.UInt16(20)},
                                                       signature="sv"),
                                       reply_handler=lambda: log("UnprovisionedScan started"),
                                       error_handler=dbus_error("UnprovisionedScan"))
            net.Attach(dbus.ObjectPath(APP), dbus.UInt64(st["token"]), reply_handler=ok,
                       error_handler=dbus_error("Attach"))

        def add_node():
            mgmt = st["mgmt"]
            mgmt.UnprovisionedScanCancel(reply_handler=lambda: None,
                                         error_handler=lambda e: None)
            log("AddNode(%s)" % DEV_UUID.hex())
            mgmt.AddNode(dbus.ByteArray(DEV_UUID), dbus.Dictionary({}, signature="sv"),
                         reply_handler=lambda: None, error_handler=dbus_error("AddNode"))
            return False

        def send_comp_get():
            node = dbus.Interface(bus.get_object("org.bluez.mesh", st["node_path"]),
                                  MESH + "Node1")
            st["comp_sent"] = st.get("comp_sent", 0) + 1
            log("DevKeySend Composition Data Get p0 to %04x (try %d)" %
                (DEV_UNICAST, st["comp_sent"]))
            node.DevKeySend(dbus.ObjectPath(ELE), dbus.UInt16(DEV_UNICAST), True,
                            dbus.UInt16(0), dbus.Dictionary({}, signature="sv"),
                            dbus.ByteArray(bytes([0x80, 0x08, 0x00])),
                            reply_handler=lambda: None, error_handler=dbus_error("DevKeySend"))
            # Retries: meshd sends each Network PDU once (Network Transmit count 1).
            def again():
                if st.get("comp_ok"):
                    return False
                if st["comp_sent"] < 3:
                    send_comp_get()
                else:
                    fail("the meshrpr device never answered meshd's Composition Data Get "
                         "(3 tries, 3 s apart)" + devkey_note())
                return False
            GLib.timeout_add(3000, again)
            return False

        def devkey_note():
            """Why a device-key message may go unanswered: compare the two keys now."""
            try:
                key_s = st["bridge"]["PROVISIONED"][1]
                if role == "dev":
                    with open(os.path.join(node_dir(NET_UUID), "dev_keys",
                                           "%04x" % DEV_UNICAST), "rb") as f:
                        stored = f.read().hex()
                else:
                    with open(os.path.join(node_dir(MESHD_UUID), "node.json")) as f:
                        stored = json.load(f).get("deviceKey", "").lower()
            except (KeyError, IndexError, OSError, ValueError):
                return ""
            if stored == key_s.lower():
                return "; the device keys agree (%s)" % stored
            return "; DEVICE KEY MISMATCH: meshd stores %s, meshrpr derived %s" % (stored, key_s)

        def on_devkey_msg(source, data):
            if role != "dev" or st.get("comp_ok") or data[:1] != b"\x02":
                return
            # Composition Data Status, page 0: CID, PID, VID (little-endian).
            if len(data) < 8 or data[1] != 0:
                fail("bad Composition Data Status: " + data.hex())
                return
            cid, pid, vid = (int.from_bytes(data[i:i + 2], "little") for i in (2, 4, 6))
            if (cid, pid, vid) != (DEV_CID, DEV_PID, DEV_VID) or source != DEV_UNICAST:
                fail("Composition Data from %04x: CID %04x PID %04x VID %04x, expected "
                     "%04x %04x %04x" % (source, cid, pid, vid, DEV_CID, DEV_PID, DEV_VID))
                return
            st["comp_ok"] = True
            log("meshrpr device answered Composition Data Get: %s" % data.hex())
            when("PROVISIONED", check_dev_key)

        def check_dev_key(a):
            try:
                addr_s, key_s = a[:2]
                path = os.path.join(node_dir(NET_UUID), "dev_keys", "%04x" % DEV_UNICAST)
                with open(path, "rb") as f:
                    stored = f.read()
                if int(addr_s, 16) != DEV_UNICAST:
                    raise Fail("meshrpr device got address %s, meshd assigned %04x" %
                               (addr_s, DEV_UNICAST))
                if stored.hex() != key_s.lower():
                    raise Fail("device key mismatch: meshd stores %s, meshrpr derived %s" %
                               (stored.hex(), key_s))
                log("meshd dev_keys/%04x = %s = meshrpr's device key" % (DEV_UNICAST, key_s))
                st["dev_ok"] = True
                bridge_cmd("quit")
            except (Fail, OSError) as e:
                fail(str(e))

        # 5. Go.
        if role in ("prov", "rpr"):
            log("Join(%s, caps %s)" % (MESHD_UUID.hex(), agent_caps()))
            net.Join(dbus.ObjectPath(APP), dbus.ByteArray(MESHD_UUID),
                     reply_handler=lambda: log("Join accepted"),
                     error_handler=dbus_error("Join"))
        else:
            log("CreateNetwork(%s)" % NET_UUID.hex())
            net.CreateNetwork(dbus.ObjectPath(APP), dbus.ByteArray(NET_UUID),
                              reply_handler=lambda: log("CreateNetwork accepted"),
                              error_handler=dbus_error("CreateNetwork"))

        GLib.timeout_add_seconds(args.timeout, lambda: fail("timeout after %d s" %
                                                            args.timeout) and False)
        loop.run()

        if st["skip"]:
            raise Skip(st["skip"])
        if st["error"]:
            raise Fail(st["error"])
        # The bridge exited 0: check meshd's side of the story.
        if role in ("prov", "rpr"):
            if "token" not in st:
                raise Fail("meshd never called JoinComplete")
            if auth == "static" and not st.get("prompt_static"):
                raise Fail("meshd never asked its agent for the static OOB value")
            check_meshd_node()
        else:
            if not st.get("dev_ok"):
                raise Fail("scenario ended before the device key was checked")
            if auth == "static" and not st.get("prompt_static"):
                raise Fail("meshd never asked its agent for the static OOB value")
            if auth == "output" and not st.get("prompt_numeric"):
                raise Fail("meshd never asked its agent for the number")
        if scen in KNOWN_DEFECTS:
            log("note: %s passed although meshd 5.66 is known to fail it" % scen)
        return 0
    finally:
        procs.stop_all()
        if sock_dir != wd:
            shutil.rmtree(sock_dir, ignore_errors=True)
        if args.verbose or st.get("error"):
            try:
                with open(os.path.join(wd, "meshd.log")) as f:
                    tail = f.readlines()[-40:]
                sys.stderr.write("---- last lines of meshd.log ----\n" + "".join(tail))
            except OSError:
                pass


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scenario", required=True,
                    choices=["prov-noob", "prov-static", "prov-output", "dev-noob", "dev-static",
                             "dev-output", "dev-hmac", "rpr-noob", "rpr-static"])
    ap.add_argument("--shim", required=True, help="meshd_shim.so")
    ap.add_argument("--bridge", required=True, help="the meshd_bridge program")
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--timeout", type=int, default=50)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    deps_or_skip()
    for f in (args.shim, args.bridge):
        if not os.path.exists(f):
            print("FAIL: %s does not exist" % f, file=sys.stderr)
            return 1
    try:
        run(args)
        log("PASS %s" % args.scenario)
        return 0
    except Skip as e:
        log("SKIP %s: %s" % (args.scenario, e))
        return SKIP
    except Fail as e:
        log("FAIL %s: %s" % (args.scenario, e))
        return 1


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(1))  # run the finally: clauses
    sys.exit(main())

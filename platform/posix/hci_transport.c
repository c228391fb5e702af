/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The byte streams an HCI controller sits behind (include/meshrpr/hci.h): a serial port in raw
 * mode (termios: baud rate, 8N1, RTS/CTS), a UNIX or TCP stream socket, and the Linux HCI user
 * channel. All of them carry H4 packets; the user channel delivers one whole packet per read.
 */
#define _GNU_SOURCE
#include <meshrpr/hci.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

/* The Linux Bluetooth socket ABI (linux/include/net/bluetooth/hci_sock.h), so that no BlueZ
 * headers are needed: AF_BLUETOOTH, BTPROTO_HCI, HCI_CHANNEL_USER and struct sockaddr_hci. */
#define HCI_AF_BLUETOOTH 31
#define HCI_BTPROTO_HCI  1
#define HCI_CHANNEL_USER 1
struct hci_sockaddr {
    sa_family_t family;
    unsigned short dev;
    unsigned short channel;
};

static int fail(char *err, size_t err_size, int e, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t err_size, int e, const char *fmt, ...)
{
    if (err != NULL && err_size > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, err_size, fmt, ap);
        va_end(ap);
    }
    return e < 0 ? e : -EINVAL;
}

static int nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ? -errno : 0;
}

static int open_unix(const char *path, char *err, size_t err_size)
{
    struct sockaddr_un sa;

    if (strlen(path) >= sizeof(sa.sun_path) || path[0] == '\0') {
        return fail(err, err_size, -ENAMETOOLONG, "unix:%s: the path is empty or longer than %zu",
                    path, sizeof(sa.sun_path) - 1);
    }
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, path, strlen(path));
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return fail(err, err_size, -errno, "unix:%s: socket: %s", path, strerror(errno));
    }
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        int e = errno;
        close(fd);
        return fail(err, err_size, -e, "unix:%s: %s%s", path, strerror(e),
                    e == ENOENT || e == ECONNREFUSED
                        ? " (no controller there: is the emulator, e.g. btvirt -L, running?)"
                        : "");
    }
    int e = nonblock(fd);
    if (e < 0) {
        close(fd);
        return fail(err, err_size, e, "unix:%s: %s", path, strerror(-e));
    }
    return fd;
}

static int open_tcp(const char *hostport, char *err, size_t err_size)
{
    char host[256];
    const char *colon = strrchr(hostport, ':');

    if (colon == NULL || colon == hostport || colon[1] == '\0' ||
        (size_t)(colon - hostport) >= sizeof(host)) {
        return fail(err, err_size, -EINVAL, "tcp:%s: expected tcp:HOST:PORT", hostport);
    }
    memcpy(host, hostport, (size_t)(colon - hostport));
    host[colon - hostport] = '\0';
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    int gai = getaddrinfo(host, colon + 1, &hints, &res);
    if (gai != 0) {
        return fail(err, err_size, -EHOSTUNREACH, "tcp:%s: cannot resolve the host: %s", hostport,
                    gai_strerror(gai));
    }
    int fd = -1, e = ECONNREFUSED;
    for (struct addrinfo *ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            e = errno;
            continue;
        }
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
            e = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0) {
        return fail(err, err_size, -e, "tcp:%s: %s%s", hostport, strerror(e),
                    e == ECONNREFUSED ? " (no controller there: nothing listens on that port)"
                                      : "");
    }
    e = nonblock(fd);
    if (e < 0) {
        close(fd);
        return fail(err, err_size, e, "tcp:%s: %s", hostport, strerror(-e));
    }
    return fd;
}

static int open_user_channel(const char *spec, char *err, size_t err_size)
{
    char *end = NULL;
    long dev = strtol(spec + 3, &end, 10);

    if (end == spec + 3 || *end != '\0' || dev < 0 || dev > 0xfffe) {
        return fail(err, err_size, -EINVAL, "%s: expected hciN (N a controller index)", spec);
    }
    int fd = socket(HCI_AF_BLUETOOTH, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, HCI_BTPROTO_HCI);
    if (fd < 0) {
        int e = errno;
        return fail(err, err_size, -e, "%s: no Bluetooth sockets here: %s%s", spec, strerror(e),
                    e == EAFNOSUPPORT ? " (a kernel without Bluetooth support)" : "");
    }
    struct hci_sockaddr sa = { .family = HCI_AF_BLUETOOTH,
                               .dev = (unsigned short)dev,
                               .channel = HCI_CHANNEL_USER };
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        int e = errno;
        close(fd);
        const char *hint = "";
        if (e == EBUSY || e == EALREADY) {
            hint = " (the kernel's stack is using it: power it off first, e.g. "
                   "`btmgmt --index N power off` or `hciconfig hciN down`)";
        } else if (e == EPERM || e == EACCES) {
            hint = " (the HCI user channel needs CAP_NET_ADMIN)";
        } else if (e == ENODEV) {
            hint = " (no such controller: see `btmgmt info`)";
        }
        return fail(err, err_size, -e, "%s: cannot open the HCI user channel: %s%s", spec,
                    strerror(e), hint);
    }
    return fd;
}

struct baud {
    unsigned long rate;
    speed_t speed;
};

static const struct baud bauds[] = {
    { 9600, B9600 },       { 19200, B19200 },     { 38400, B38400 },     { 57600, B57600 },
    { 115200, B115200 },   { 230400, B230400 },   { 460800, B460800 },   { 500000, B500000 },
    { 576000, B576000 },   { 921600, B921600 },   { 1000000, B1000000 }, { 1500000, B1500000 },
    { 2000000, B2000000 }, { 3000000, B3000000 }, { 4000000, B4000000 },
};

static int open_serial(const char *spec, char *err, size_t err_size)
{
    char path[256];
    unsigned long rate = 115200;
    bool flow = true;
    size_t plen = strcspn(spec, "@,");

    if (plen >= sizeof(path)) {
        return fail(err, err_size, -ENAMETOOLONG, "%s: path too long", spec);
    }
    memcpy(path, spec, plen);
    path[plen] = '\0';
    const char *rest = spec + plen;
    if (*rest == '@') {
        char *end = NULL;
        rate = strtoul(rest + 1, &end, 10);
        if (end == rest + 1) {
            return fail(err, err_size, -EINVAL, "%s: expected PATH@BAUD", spec);
        }
        rest = end;
    }
    if (strcmp(rest, ",noflow") == 0) {
        flow = false;
    } else if (*rest != '\0') {
        return fail(err, err_size, -EINVAL, "%s: expected PATH[@BAUD][,noflow]", spec);
    }
    speed_t speed = 0;
    bool found = false;
    for (size_t i = 0; i < sizeof(bauds) / sizeof(bauds[0]); i++) {
        if (bauds[i].rate == rate) {
            speed = bauds[i].speed;
            found = true;
        }
    }
    if (!found) {
        return fail(err, err_size, -EINVAL,
                    "%s: unsupported baud rate %lu (9600..4000000, the standard ones)", spec, rate);
    }
    int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        return fail(err, err_size, -e, "%s: %s%s", path, strerror(e),
                    e == ENOENT ? " (is the controller plugged in?)"
                                : (e == EACCES ? " (add yourself to the dialout group)" : ""));
    }
    struct termios tio;
    if (tcgetattr(fd, &tio) < 0) {
        int e = errno;
        close(fd);
        return fail(err, err_size, -e, "%s: not a serial port: %s", path, strerror(e));
    }
    /* Raw 8N1: H4 is binary, nothing may be translated or echoed. */
    cfmakeraw(&tio);
    tio.c_cflag |= CLOCAL | CREAD;
    tio.c_cflag &= ~(tcflag_t)CSTOPB;
    if (flow) {
        tio.c_cflag |= CRTSCTS;
    } else {
        tio.c_cflag &= ~(tcflag_t)CRTSCTS;
    }
    tio.c_cc[VMIN] = 1;
    tio.c_cc[VTIME] = 0;
    if (cfsetispeed(&tio, speed) < 0 || cfsetospeed(&tio, speed) < 0 ||
        tcsetattr(fd, TCSANOW, &tio) < 0) {
        int e = errno;
        close(fd);
        return fail(err, err_size, -e, "%s: cannot set %lu baud%s: %s", path, rate,
                    flow ? " with RTS/CTS" : "", strerror(e));
    }
    (void)tcflush(fd, TCIOFLUSH);
    return fd;
}

int meshrpr_hci_transport_open(const char *spec, char *err, size_t err_size)
{
    if (err != NULL && err_size > 0) {
        err[0] = '\0';
    }
    if (spec == NULL || spec[0] == '\0') {
        return fail(err, err_size, -EINVAL, "no HCI controller given");
    }
    if (strncmp(spec, "unix:", 5) == 0) {
        return open_unix(spec + 5, err, err_size);
    }
    if (strncmp(spec, "tcp:", 4) == 0) {
        return open_tcp(spec + 4, err, err_size);
    }
    if (strncmp(spec, "hci", 3) == 0) {
        return open_user_channel(spec, err, err_size);
    }
    if (spec[0] == '/') {
        return open_serial(spec, err, err_size);
    }
    return fail(err, err_size, -EINVAL,
                "%s: not an HCI controller (expected /dev/ttyX[@BAUD][,noflow], unix:PATH, "
                "tcp:HOST:PORT or hciN)",
                spec);
}

/*
 * Linux TUN primitives: /dev/net/tun with IFF_TUN | IFF_NO_PI (raw IP packets, no 4-byte
 * packet-info header), fd non-blocking and close-on-exec. Configuration uses classic ioctls on a
 * throwaway AF_INET datagram socket; routes are left to the caller (`ip route`).
 * Needs CAP_NET_ADMIN. The N-API glue is in tun.c.
 */
#ifdef __linux__
#include "qe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

/* Offload (IFF_VNET_HDR + TSO/checksum offload): every read and write carries a 10-byte
 * virtio-net header, reads may be TCP super-packets to segment, writes may be merged segments
 * (offload.c). Asked for with *offload = 1; on any failure to set it up the device is reopened
 * plain and *offload = 0 (old kernels, or a TUN without the feature). */
static int open_plain(const char *name, char *actual, int *fd_out, char *what, int vnet);

int qe_tun_open(const char *name, char *actual, int *fd_out, char *what, int *offload) {
  if (*offload) {
    int err = open_plain(name, actual, fd_out, what, 1);
    if (err) return err;
    int sz = 10;
    unsigned off = TUN_F_CSUM | TUN_F_TSO4;
    if (ioctl(*fd_out, TUNSETVNETHDRSZ, &sz) == 0 && ioctl(*fd_out, TUNSETOFFLOAD, off) == 0) return 0;
    close(*fd_out);
    *fd_out = -1;
    *offload = 0;
  }
  return open_plain(name, actual, fd_out, what, 0);
}

static int open_plain(const char *name, char *actual, int *fd_out, char *what, int vnet) {
  if (strlen(name) >= IFNAMSIZ) {
    snprintf(what, QE_WHAT_CAP, "TUNSETIFF %.40s (name longer than %d bytes)", name, IFNAMSIZ - 1);
    return EINVAL;
  }
  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    snprintf(what, QE_WHAT_CAP, "open /dev/net/tun");
    return errno;
  }
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI | (vnet ? IFF_VNET_HDR : 0);
  /* An empty name lets the kernel pick tunN. */
  strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
    int err = errno;
    close(fd);
    snprintf(what, QE_WHAT_CAP, "TUNSETIFF %s", name[0] ? name : "(auto)");
    return err;
  }
  snprintf(actual, QE_IFNAME_CAP, "%s", ifr.ifr_name);
  *fd_out = fd;
  return 0;
}

static void set_sin(struct sockaddr *sa, uint32_t host_order) {
  struct sockaddr_in sin;
  memset(&sin, 0, sizeof sin);
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(host_order);
  memcpy(sa, &sin, sizeof sin);
}

int qe_tun_configure(const char *name, const qe_tun_config *cfg, char *what) {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) {
    snprintf(what, QE_WHAT_CAP, "socket for ioctl on %s", name);
    return errno;
  }
  struct ifreq ifr;
  int err = 0;
#define IFR_RESET()                              \
  do {                                           \
    memset(&ifr, 0, sizeof ifr);                 \
    strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);   \
  } while (0)
#define TRY(req, label)                                            \
  if (ioctl(s, req, &ifr) < 0) {                                   \
    err = errno;                                                   \
    snprintf(what, QE_WHAT_CAP, "%s %s", label, name);             \
    goto out;                                                      \
  }
  if (cfg->mtu) {
    IFR_RESET();
    ifr.ifr_mtu = (int)cfg->mtu;
    TRY(SIOCSIFMTU, "SIOCSIFMTU");
  }
  if (cfg->has_addr) {
    IFR_RESET();
    set_sin(&ifr.ifr_addr, cfg->addr);
    TRY(SIOCSIFADDR, "SIOCSIFADDR");
    IFR_RESET();
    uint32_t mask = cfg->prefix == 0 ? 0 : 0xffffffffu << (32 - cfg->prefix);
    set_sin(&ifr.ifr_netmask, mask);
    TRY(SIOCSIFNETMASK, "SIOCSIFNETMASK");
  }
  if (cfg->txqueuelen) {
    IFR_RESET();
    ifr.ifr_qlen = (int)cfg->txqueuelen;
    TRY(SIOCSIFTXQLEN, "SIOCSIFTXQLEN");
  }
  if (cfg->up) {
    IFR_RESET();
    TRY(SIOCGIFFLAGS, "SIOCGIFFLAGS");
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    TRY(SIOCSIFFLAGS, "SIOCSIFFLAGS up");
  }
#undef TRY
#undef IFR_RESET
out:
  close(s);
  return err;
}

long qe_tun_read(int fd, uint8_t *buf, size_t cap) {
  for (;;) {
    ssize_t n = read(fd, buf, cap);
    if (n >= 0) return (long)n;
    if (errno != EINTR) return -errno;
  }
}

long qe_tun_writev2(int fd, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen) {
  struct iovec iov[2] = {{(void *)a, alen}, {(void *)b, blen}};
  for (;;) {
    ssize_t n = writev(fd, iov, 2);
    if (n >= 0) return (long)n;
    if (errno != EINTR) return -errno;
  }
}

long qe_tun_write(int fd, const uint8_t *buf, size_t len) {
  for (;;) {
    ssize_t n = write(fd, buf, len);
    if (n >= 0) return (long)n;
    if (errno != EINTR) return -errno;
  }
}
#endif

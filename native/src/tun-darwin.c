/*
 * macOS TUN primitives over the kernel's utun control socket (PF_SYSTEM / SYSPROTO_CONTROL,
 * "com.apple.net.utun_control"). Not built or tested on Linux; binding.gyp selects it on macOS.
 *
 * Differences from Linux that the glue does not see:
 *  - Interface names are always utunN. A requested name "utunN" asks for that unit; any other name
 *    (e.g. "quicether0") lets the kernel pick a free unit. The real name is returned in `actual`.
 *  - Each packet on the fd carries a 4-byte address-family header (AF_INET/AF_INET6, network
 *    order). qe_tun_read strips it with readv; qe_tun_write adds it with writev, choosing the
 *    family from the IP version nibble. Byte counts returned exclude the header.
 *  - utun is point-to-point: the address is set with SIOCAIFADDR, destination = the address itself;
 *    the subnet route is then the caller's job (`route add -net ... -interface utunN`).
 */
#ifdef __APPLE__
#include "qe.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/if_utun.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/kern_control.h>
#include <sys/socket.h>
#include <sys/sys_domain.h>
#include <sys/uio.h>
#include <unistd.h>

int qe_tun_open(const char *name, char *actual, int *fd_out, char *what, int *offload) {
  *offload = 0; /* utun has no offload */
  if (strlen(name) >= IFNAMSIZ) {
    snprintf(what, QE_WHAT_CAP, "utun open %.40s (name longer than %d bytes)", name, IFNAMSIZ - 1);
    return EINVAL;
  }
  unsigned unit = 0; /* 0 = kernel picks */
  if (strncmp(name, "utun", 4) == 0 && name[4] >= '0' && name[4] <= '9') unit = (unsigned)atoi(name + 4) + 1;
  int fd = socket(PF_SYSTEM, SOCK_DGRAM, SYSPROTO_CONTROL);
  if (fd < 0) {
    snprintf(what, QE_WHAT_CAP, "socket PF_SYSTEM");
    return errno;
  }
  struct ctl_info info;
  memset(&info, 0, sizeof info);
  strlcpy(info.ctl_name, UTUN_CONTROL_NAME, sizeof info.ctl_name);
  int err = 0;
  if (ioctl(fd, CTLIOCGINFO, &info) < 0) {
    err = errno;
    snprintf(what, QE_WHAT_CAP, "CTLIOCGINFO utun_control");
    goto fail;
  }
  struct sockaddr_ctl sc;
  memset(&sc, 0, sizeof sc);
  sc.sc_len = sizeof sc;
  sc.sc_family = AF_SYSTEM;
  sc.ss_sysaddr = AF_SYS_CONTROL;
  sc.sc_id = info.ctl_id;
  sc.sc_unit = unit;
  if (connect(fd, (struct sockaddr *)&sc, sizeof sc) < 0) {
    err = errno;
    snprintf(what, QE_WHAT_CAP, "connect utun %s", name);
    goto fail;
  }
  socklen_t len = QE_IFNAME_CAP;
  if (getsockopt(fd, SYSPROTO_CONTROL, UTUN_OPT_IFNAME, actual, &len) < 0) {
    err = errno;
    snprintf(what, QE_WHAT_CAP, "UTUN_OPT_IFNAME");
    goto fail;
  }
  if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
    err = errno;
    snprintf(what, QE_WHAT_CAP, "fcntl utun");
    goto fail;
  }
  *fd_out = fd;
  return 0;
fail:
  close(fd);
  return err;
}

static void set_sin(struct sockaddr_in *sin, uint32_t host_order) {
  memset(sin, 0, sizeof *sin);
  sin->sin_len = sizeof *sin;
  sin->sin_family = AF_INET;
  sin->sin_addr.s_addr = htonl(host_order);
}

int qe_tun_configure(const char *name, const qe_tun_config *cfg, char *what) {
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  if (s < 0) {
    snprintf(what, QE_WHAT_CAP, "socket for ioctl on %s", name);
    return errno;
  }
  int err = 0;
  if (cfg->mtu) {
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strlcpy(ifr.ifr_name, name, sizeof ifr.ifr_name);
    ifr.ifr_mtu = (int)cfg->mtu;
    if (ioctl(s, SIOCSIFMTU, &ifr) < 0) {
      err = errno;
      snprintf(what, QE_WHAT_CAP, "SIOCSIFMTU %s", name);
      goto out;
    }
  }
  if (cfg->has_addr) {
    struct ifaliasreq ifra;
    memset(&ifra, 0, sizeof ifra);
    strlcpy(ifra.ifra_name, name, sizeof ifra.ifra_name);
    set_sin((struct sockaddr_in *)&ifra.ifra_addr, cfg->addr);
    set_sin((struct sockaddr_in *)&ifra.ifra_broadaddr, cfg->addr); /* p2p destination */
    set_sin((struct sockaddr_in *)&ifra.ifra_mask, cfg->prefix == 0 ? 0 : 0xffffffffu << (32 - cfg->prefix));
    if (ioctl(s, SIOCAIFADDR, &ifra) < 0) {
      err = errno;
      snprintf(what, QE_WHAT_CAP, "SIOCAIFADDR %s", name);
      goto out;
    }
  }
  if (cfg->up) {
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strlcpy(ifr.ifr_name, name, sizeof ifr.ifr_name);
    if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0 || (ifr.ifr_flags |= IFF_UP, ioctl(s, SIOCSIFFLAGS, &ifr) < 0)) {
      err = errno;
      snprintf(what, QE_WHAT_CAP, "SIOCSIFFLAGS up %s", name);
      goto out;
    }
  }
out:
  close(s);
  return err;
}

long qe_tun_read(int fd, uint8_t *buf, size_t cap) {
  uint32_t af;
  struct iovec iov[2] = {{&af, sizeof af}, {buf, cap}};
  for (;;) {
    ssize_t n = readv(fd, iov, 2);
    if (n >= (ssize_t)sizeof af) return (long)(n - (ssize_t)sizeof af);
    if (n >= 0) return 0;
    if (errno != EINTR) return -errno;
  }
}

long qe_tun_write(int fd, const uint8_t *buf, size_t len) {
  if (len == 0) return -EINVAL;
  uint32_t af = htonl((buf[0] >> 4) == 6 ? AF_INET6 : AF_INET);
  struct iovec iov[2] = {{&af, sizeof af}, {(void *)buf, len}};
  for (;;) {
    ssize_t n = writev(fd, iov, 2);
    if (n >= (ssize_t)sizeof af) return (long)(n - (ssize_t)sizeof af);
    if (n >= 0) return 0;
    if (errno != EINTR) return -errno;
  }
}
long qe_tun_writev2(int fd, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen) {
  (void)fd, (void)a, (void)alen, (void)b, (void)blen;
  return -ENOTSUP; /* never called: offload is off on macOS */
}
#endif

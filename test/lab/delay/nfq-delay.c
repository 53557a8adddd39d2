// nfq-delay: holds every packet of one NFQUEUE queue for a fixed delay (plus optional jitter),
// then accepts it. The lab's substitute for `tc netem delay`, which this kernel lacks.
//
// Speaks nfnetlink_queue directly over a NETLINK_NETFILTER socket with only the kernel's uapi
// headers, so building it needs nothing but a C compiler (no libnetfilter_queue / libmnl).
//
//   nfq-delay --netns NAME --queue N --delay-us D [--jitter-us J] [--maxlen M] [--reorder]
//             [--seed S]
//
// Contract with the driver (test/lab/delay/delay.ts):
//   * it enters /run/netns/NAME itself (so the driver is its direct parent: PR_SET_PDEATHSIG);
//   * it prints "ready" on stdout once the queue is bound; only then may the driver add the
//     iptables NFQUEUE rule (with no listener and no --queue-bypass the kernel drops);
//   * SIGTERM / SIGINT / parent death: every held packet is accepted at once (in-flight packets
//     arrive early rather than vanish), one JSON stats line is printed, exit 0;
//   * it exits by itself when /run/netns/NAME stops naming the namespace it is in (`ip netns del`),
//     so it never keeps a deleted lab's namespace (and its veths) alive;
//   * it asks for SCHED_FIFO priority 1 (best effort) so busy neighbours don't skew release times.
//
// Order: with no jitter, due times are monotonic, so packets leave in arrival (FIFO) order. With
// jitter each packet gets D + uniform(-J, +J) (floored at 0); by default a packet is never released
// before an earlier packet of the same flow (IP addresses, protocol, ports, hashed into buckets),
// so flows are not reordered but their delay skews upward under load; --reorder drops that rule.
//
// Bound: the kernel holds at most --maxlen packets for this queue (default 10000) and drops (and
// counts in /proc/net/netfilter/nfnetlink_queue) beyond that: no fail-open, which would silently
// remove the delay.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FLOW_BUCKETS 4096u
#define NETNS_CHECK_NS 200000000ull /* how often to look for `ip netns del`: fast enough for teardown */
#define RECV_BATCH 512              /* packets read per wake-up before releasing due ones */
#define VERDICT_BUF (64 * 1024)     /* verdicts concatenated into one sendmsg */
#define COPY_RANGE 64               /* bytes of payload needed for the flow key (jitter only) */

typedef struct {
  uint64_t due;
  uint64_t seq;
  uint32_t id;
} entry_t;

static entry_t *heap;
static size_t heap_len, heap_cap;
static int nl_fd = -1;
static uint16_t queue_num;
static uint32_t nl_seq = 1;
static char vbuf[VERDICT_BUF] __attribute__((aligned(8)));
static size_t vlen;
static volatile sig_atomic_t stop_flag;
static struct {
  uint64_t received, released, dropped_full, nl_errors, enobufs;
  size_t max_held;
} st;

static void die(const char *what) {
  fprintf(stderr, "nfq-delay: %s: %s\n", what, strerror(errno));
  exit(1);
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

// ---- min-heap on (due, seq) -------------------------------------------------------------------
static int before(const entry_t *a, const entry_t *b) {
  return a->due < b->due || (a->due == b->due && a->seq < b->seq);
}
static void heap_push(entry_t e) {
  size_t i = heap_len++;
  while (i > 0) {
    size_t p = (i - 1) / 2;
    if (!before(&e, &heap[p])) break;
    heap[i] = heap[p];
    i = p;
  }
  heap[i] = e;
}
static entry_t heap_pop(void) {
  entry_t top = heap[0], last = heap[--heap_len];
  size_t i = 0;
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, m = i;
    const entry_t *mv = &last;
    if (l < heap_len && before(&heap[l], mv)) m = l, mv = &heap[l];
    if (r < heap_len && before(&heap[r], mv)) m = r;
    if (m == i) break;
    heap[i] = heap[m];
    i = m;
  }
  if (heap_len > 0) heap[i] = last;
  return top;
}

// ---- netlink ----------------------------------------------------------------------------------
static struct nlmsghdr *put_hdr(char *buf, uint16_t type, uint16_t flags) {
  struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
  memset(buf, 0, NLMSG_SPACE(sizeof(struct nfgenmsg)));
  nlh->nlmsg_len = NLMSG_LENGTH(sizeof(struct nfgenmsg));
  nlh->nlmsg_type = (NFNL_SUBSYS_QUEUE << 8) | type;
  nlh->nlmsg_flags = NLM_F_REQUEST | flags;
  nlh->nlmsg_seq = nl_seq++;
  struct nfgenmsg *g = NLMSG_DATA(nlh);
  g->nfgen_family = AF_UNSPEC;
  g->version = NFNETLINK_V0;
  g->res_id = htons(queue_num);
  return nlh;
}

static void put_attr(struct nlmsghdr *nlh, uint16_t type, const void *data, uint16_t len) {
  struct nlattr *a = (struct nlattr *)((char *)nlh + NLMSG_ALIGN(nlh->nlmsg_len));
  a->nla_type = type;
  a->nla_len = (uint16_t)(NLA_HDRLEN + len);
  memcpy((char *)a + NLA_HDRLEN, data, len);
  memset((char *)a + NLA_HDRLEN + len, 0, NLA_ALIGN(len) - len);
  nlh->nlmsg_len = NLMSG_ALIGN(nlh->nlmsg_len) + NLA_ALIGN(a->nla_len);
}

// Sends one config message and waits for its ACK; exits on a kernel error (e.g. queue taken).
static void config(struct nlmsghdr *nlh, const char *what) {
  if (send(nl_fd, nlh, nlh->nlmsg_len, 0) < 0) die(what);
  char buf[8192];
  for (;;) {
    ssize_t n = recv(nl_fd, buf, sizeof buf, 0);
    if (n < 0) die(what);
    // NLMSG_OK/NEXT on a signed int: the last message's length may be unaligned, so the remainder
    // can go negative, which an unsigned length would turn into "plenty left".
    int left = (int)n;
    for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
      if (h->nlmsg_type != NLMSG_ERROR || h->nlmsg_seq != nlh->nlmsg_seq) continue;
      int err = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
      if (err == 0) return;
      errno = -err;
      die(what);
    }
  }
}

static void bind_queue(uint32_t maxlen, int want_payload) {
  char buf[256] __attribute__((aligned(8)));
  struct nlmsghdr *nlh = put_hdr(buf, NFQNL_MSG_CONFIG, NLM_F_ACK);
  struct nfqnl_msg_config_cmd cmd = {.command = NFQNL_CFG_CMD_BIND, .pf = htons(AF_INET)};
  put_attr(nlh, NFQA_CFG_CMD, &cmd, sizeof cmd);
  config(nlh, "bind queue (is it already bound by another process?)");

  nlh = put_hdr(buf, NFQNL_MSG_CONFIG, NLM_F_ACK);
  struct nfqnl_msg_config_params params = {
      .copy_range = htonl(want_payload ? COPY_RANGE : 0),
      .copy_mode = want_payload ? NFQNL_COPY_PACKET : NFQNL_COPY_META,
  };
  put_attr(nlh, NFQA_CFG_PARAMS, &params, sizeof params);
  uint32_t ml = htonl(maxlen);
  put_attr(nlh, NFQA_CFG_QUEUE_MAXLEN, &ml, sizeof ml);
  // GSO: hand over unsegmented skbs (we never touch the payload). FAIL_OPEN deliberately off.
  uint32_t mask = htonl(NFQA_CFG_F_GSO | NFQA_CFG_F_FAIL_OPEN), flags = htonl(NFQA_CFG_F_GSO);
  put_attr(nlh, NFQA_CFG_MASK, &mask, sizeof mask);
  put_attr(nlh, NFQA_CFG_FLAGS, &flags, sizeof flags);
  config(nlh, "configure queue");
}

static void flush_verdicts(void) {
  if (vlen == 0) return;
  while (send(nl_fd, vbuf, vlen, 0) < 0) {
    if (errno == EINTR) continue;
    if (errno == ENOBUFS || errno == EAGAIN) { // transient; retry shortly, verdicts must get through
      struct timespec ts = {0, 100000};
      nanosleep(&ts, NULL);
      continue;
    }
    die("send verdicts");
  }
  vlen = 0;
}

static void verdict(uint32_t id, uint32_t v) {
  size_t need = NLMSG_SPACE(sizeof(struct nfgenmsg)) + NLA_ALIGN(NLA_HDRLEN + sizeof(struct nfqnl_msg_verdict_hdr));
  if (vlen + need > sizeof vbuf) flush_verdicts();
  struct nlmsghdr *nlh = put_hdr(vbuf + vlen, NFQNL_MSG_VERDICT, 0);
  struct nfqnl_msg_verdict_hdr vh = {.verdict = htonl(v), .id = htonl(id)};
  put_attr(nlh, NFQA_VERDICT_HDR, &vh, sizeof vh);
  vlen += NLMSG_ALIGN(nlh->nlmsg_len);
}

// ---- flow key (jitter only) -------------------------------------------------------------------
static uint32_t mix(uint32_t h, uint32_t v) {
  h ^= v;
  h *= 0x01000193u; // FNV-1a step on 32-bit words: cheap, good enough to spread buckets
  return h ^ (h >> 15);
}
static uint32_t flow_bucket(const uint8_t *p, size_t len) {
  uint32_t h = 0x811c9dc5u, w;
  if (len >= 20 && (p[0] >> 4) == 4) {
    size_t ihl = (size_t)(p[0] & 15) * 4;
    for (int i = 12; i < 20; i += 4) memcpy(&w, p + i, 4), h = mix(h, w);
    h = mix(h, p[9]);
    int first_frag = (((p[6] & 0x1f) << 8) | p[7]) == 0;
    if ((p[9] == 6 || p[9] == 17) && first_frag && len >= ihl + 4) memcpy(&w, p + ihl, 4), h = mix(h, w);
  } else if (len >= 40 && (p[0] >> 4) == 6) {
    for (int i = 8; i < 40; i += 4) memcpy(&w, p + i, 4), h = mix(h, w);
    h = mix(h, p[6]);
    if ((p[6] == 6 || p[6] == 17) && len >= 44) memcpy(&w, p + 40, 4), h = mix(h, w);
  }
  return h % FLOW_BUCKETS;
}

static uint64_t rng_state;
static uint64_t rng(void) { // xorshift64*
  rng_state ^= rng_state >> 12, rng_state ^= rng_state << 25, rng_state ^= rng_state >> 27;
  return rng_state * 0x2545F4914F6CDD1Dull;
}

// ---- main loop --------------------------------------------------------------------------------
static void on_signal(int sig) {
  (void)sig;
  stop_flag = 1;
}

static int netns_still_named(const char *path, const struct stat *mine) {
  struct stat s;
  return stat(path, &s) == 0 && s.st_dev == mine->st_dev && s.st_ino == mine->st_ino;
}

static void usage(void) {
  fprintf(stderr, "usage: nfq-delay --netns NAME --queue N --delay-us D [--jitter-us J] [--maxlen M] [--reorder] [--seed S]\n");
  exit(2);
}

int main(int argc, char **argv) {
  const char *netns = NULL;
  long long queue = -1, delay_us = -1, jitter_us = 0, maxlen = 10000;
  int reorder = 0;
  uint64_t seed = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--reorder")) reorder = 1;
    else if (!v) usage();
    else if (!strcmp(a, "--netns")) netns = v, i++;
    else if (!strcmp(a, "--queue")) queue = atoll(v), i++;
    else if (!strcmp(a, "--delay-us")) delay_us = atoll(v), i++;
    else if (!strcmp(a, "--jitter-us")) jitter_us = atoll(v), i++;
    else if (!strcmp(a, "--maxlen")) maxlen = atoll(v), i++;
    else if (!strcmp(a, "--seed")) seed = strtoull(v, NULL, 10), i++;
    else usage();
  }
  if (!netns || queue < 0 || queue > 65535 || delay_us < 0 || jitter_us < 0 || maxlen < 1 || maxlen > 10000000) usage();
  queue_num = (uint16_t)queue;

  // Block the stop signals except inside ppoll, so a signal can never slip between check and wait.
  sigset_t block, waitmask;
  sigemptyset(&block);
  sigaddset(&block, SIGTERM);
  sigaddset(&block, SIGINT);
  sigprocmask(SIG_BLOCK, &block, &waitmask);
  sigdelset(&waitmask, SIGTERM);
  sigdelset(&waitmask, SIGINT);
  struct sigaction sa = {.sa_handler = on_signal};
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
  pid_t parent = getppid();
  if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0) die("prctl");
  if (getppid() != parent) return 0; // parent already gone

  // Real-time priority (lowest FIFO level) so release times don't slip behind busy CPU-bound
  // neighbours (benchmarks run both tunnel ends on 2 cores). Each wake-up does a bounded batch and
  // goes back to ppoll; the kernel's RT throttling caps it anyway. Best effort: ignore failure.
  struct sched_param sp = {.sched_priority = 1};
  sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp);

  char path[512];
  snprintf(path, sizeof path, "/run/netns/%s", netns);
  int nsfd = open(path, O_RDONLY | O_CLOEXEC);
  if (nsfd < 0) die(path);
  if (setns(nsfd, CLONE_NEWNET) < 0) die("setns");
  close(nsfd);
  struct stat mine;
  if (stat("/proc/self/ns/net", &mine) < 0) die("stat /proc/self/ns/net");

  nl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
  if (nl_fd < 0) die("socket");
  int one = 1, rcvbuf = 8 << 20;
  // Big receive buffer (FORCE: rmem_max can't be raised in a namespace); a lost notification is
  // a dropped packet, counted by the kernel as user_dropped, so don't make it an error here.
  if (setsockopt(nl_fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0)
    setsockopt(nl_fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  setsockopt(nl_fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof one);
  struct sockaddr_nl sn = {.nl_family = AF_NETLINK};
  if (bind(nl_fd, (struct sockaddr *)&sn, sizeof sn) < 0) die("bind");

  heap_cap = (size_t)maxlen + 1024;
  heap = malloc(heap_cap * sizeof *heap);
  uint64_t *flow_due = calloc(FLOW_BUCKETS, sizeof *flow_due);
  if (!heap || !flow_due) die("malloc");
  rng_state = seed ? seed : (now_ns() ^ ((uint64_t)getpid() << 32)) | 1;
  const int jitter = jitter_us > 0;
  bind_queue((uint32_t)maxlen, jitter && !reorder);
  if (fcntl(nl_fd, F_SETFL, O_NONBLOCK) < 0) die("fcntl");

  printf("ready\n");
  fflush(stdout);

  const uint64_t delay_ns = (uint64_t)delay_us * 1000, jitter_ns = (uint64_t)jitter_us * 1000;
  static char rbuf[256 * 1024] __attribute__((aligned(8)));
  uint64_t seq = 0, next_ns_check = now_ns() + NETNS_CHECK_NS;
  while (!stop_flag) {
    uint64_t now = now_ns();
    if (now >= next_ns_check) {
      if (!netns_still_named(path, &mine)) break;
      next_ns_check = now + NETNS_CHECK_NS;
    }
    uint64_t wake = next_ns_check;
    if (heap_len > 0 && heap[0].due < wake) wake = heap[0].due;
    struct timespec to = {0, 0};
    if (wake > now) to.tv_sec = (time_t)((wake - now) / 1000000000ull), to.tv_nsec = (long)((wake - now) % 1000000000ull);
    struct pollfd pfd = {.fd = nl_fd, .events = POLLIN};
    int pr = ppoll(&pfd, 1, &to, &waitmask);
    if (pr < 0 && errno != EINTR) die("ppoll");

    // Read what arrived (bounded, so a flood can't starve releases).
    for (int k = 0; pr > 0 && k < RECV_BATCH; k++) {
      ssize_t n = recv(nl_fd, rbuf, sizeof rbuf, MSG_DONTWAIT);
      if (n < 0) {
        if (errno == ENOBUFS) { st.enobufs++; continue; }
        if (errno != EAGAIN && errno != EINTR) die("recv");
        break;
      }
      uint64_t arrived = now_ns();
      int left = (int)n; // signed: see config()
      for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
        if (h->nlmsg_type == NLMSG_ERROR) { st.nl_errors++; continue; }
        if ((h->nlmsg_type & 0xff) != NFQNL_MSG_PACKET) continue;
        const struct nfqnl_msg_packet_hdr *ph = NULL;
        const uint8_t *payload = NULL;
        size_t plen = 0;
        int alen = (int)h->nlmsg_len - NLMSG_LENGTH(sizeof(struct nfgenmsg));
        struct nlattr *a = (struct nlattr *)((char *)NLMSG_DATA(h) + NLMSG_ALIGN(sizeof(struct nfgenmsg)));
        while (alen >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= alen) {
          int t = a->nla_type & NLA_TYPE_MASK;
          if (t == NFQA_PACKET_HDR) ph = (const void *)((char *)a + NLA_HDRLEN);
          else if (t == NFQA_PAYLOAD) payload = (const uint8_t *)a + NLA_HDRLEN, plen = a->nla_len - NLA_HDRLEN;
          alen -= NLA_ALIGN(a->nla_len);
          a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len));
        }
        if (!ph) continue;
        uint32_t id = ntohl(ph->packet_id);
        st.received++;
        if (heap_len >= heap_cap) { // cannot happen while the kernel enforces maxlen; be safe
          st.dropped_full++;
          verdict(id, NF_DROP);
          continue;
        }
        uint64_t due = arrived + delay_ns;
        if (jitter) {
          uint64_t r = rng() % (2 * jitter_ns + 1);
          due = (delay_ns + r >= jitter_ns) ? arrived + delay_ns + r - jitter_ns : arrived;
          if (!reorder && payload) {
            uint32_t b = flow_bucket(payload, plen);
            if (due < flow_due[b]) due = flow_due[b];
            flow_due[b] = due;
          }
        }
        heap_push((entry_t){.due = due, .seq = seq++, .id = id});
        if (heap_len > st.max_held) st.max_held = heap_len;
      }
    }

    now = now_ns();
    while (heap_len > 0 && heap[0].due <= now) {
      verdict(heap_pop().id, NF_ACCEPT);
      st.released++;
    }
    flush_verdicts();
  }

  // Stopping: let everything still held go now rather than have the kernel drop it on unbind.
  while (heap_len > 0) {
    verdict(heap_pop().id, NF_ACCEPT);
    st.released++;
  }
  flush_verdicts();
  printf("{\"received\":%llu,\"released\":%llu,\"droppedFull\":%llu,\"netlinkErrors\":%llu,\"enobufs\":%llu,\"maxHeld\":%zu}\n",
         (unsigned long long)st.received, (unsigned long long)st.released, (unsigned long long)st.dropped_full,
         (unsigned long long)st.nl_errors, (unsigned long long)st.enobufs, st.max_held);
  fflush(stdout);
  free(flow_due);
  free(heap);
  return 0;
}

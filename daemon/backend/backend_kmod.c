// SPDX-License-Identifier: GPL-2.0-only
/*
 * backend_kmod.c - client of lrugen.ko over generic netlink (libnl-genl-3):
 * the family is resolved by name (once, when connecting), replies are
 * parsed with nla_parse against a policy, the HARVEST dump is consumed as a
 * stream (regions are handed to the caller as they arrive, never
 * collected).
 *
 * HARVEST is the hot path (every mm, every aging pass): its replies are
 * read with recv() into one buffer kept for the connection and parsed in
 * place, without libnl's per-message allocation, copy and MSG_PEEK round
 * trip; INFO and BUMP go through nl_recvmsgs().
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <linux/netlink.h>

#include <netlink/netlink.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>

#include "backend_kmod.h"
#include "clock.h"
#include "lrg_log.h"
#include "pidfd.h"
#include "procfs.h"
#include "util.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/*
 * The receive buffer of HARVEST: what the kernel's dump skbs can hold at
 * most (32 KiB). It reads each skb with a buffer of just its length, so the
 * kernel, which sizes later skbs after the largest recvmsg() buffer it has
 * seen, keeps allocating page-sized ones.
 */
#define LRG_KMOD_RBUF (32u << 10)
/*
 * A HARVEST request: header, a few attributes and up to LRG_KMOD_SEND_RANGES
 * ranges (more than the module takes: it answers E2BIG and says why).
 */
#define LRG_KMOD_SEND_RANGES 2048
#define LRG_KMOD_SBUF (512 + LRG_KMOD_SEND_RANGES * sizeof(struct lrugen_range))

/* pidfds of harvest targets, by (pid, start time); see lrg_kmod_target() */
#define LRG_KMOD_PIDFDS 256

struct lrg_kmod_pidfd {
	pid_t pid;			/* 0: free */
	uint64_t start_time;
	int fd;
};

struct lrg_kmod {
	struct lrg_backend base;	/* first: the backend view */
	struct nl_sock *sk;
	int family;
	struct lrg_kmod_info info;
	char errmsg[256];
	char *rbuf;			/* LRG_KMOD_RBUF bytes */
	char *sbuf;			/* LRG_KMOD_SBUF bytes: a HARVEST request */
	size_t recv_size;		/* one recv() per dump skb with this, or 0: peek first */
	/*
	 * The module refused a pidfd (-EBADF) although it has
	 * LRUGEN_CAP_PIDFD (a module older than the kernel's pidfds): targets
	 * are named by pid and start time from then on.
	 */
	bool pidfd_refused;
	/* harvests failed in a row for lrugen.ko's sake, and what the last one said */
	unsigned int failures;
	char fail_msg[256];
	struct lrg_kmod_pidfd pidfds[LRG_KMOD_PIDFDS];
};

static struct nla_policy lrg_kmod_policy[LRUGEN_A_MAX + 1] = {
	[LRUGEN_A_ABI_VERSION] = { .type = NLA_U32 },
	[LRUGEN_A_RELEASE] = { .type = NLA_STRING },
	[LRUGEN_A_CAPS] = { .type = NLA_U32 },
	[LRUGEN_A_MAX_RANGES] = { .type = NLA_U32 },
	[LRUGEN_A_MAX_REGIONS] = { .type = NLA_U32 },
	[LRUGEN_A_REGION] = { .type = NLA_NESTED },
	[LRUGEN_A_STATUS] = { .type = NLA_U32 },
	[LRUGEN_A_STATS] = { .type = NLA_NESTED },
	[LRUGEN_A_NEXT_ADDR] = { .type = NLA_U64 },
	[LRUGEN_A_MAX_PTES] = { .type = NLA_U64 },
	[LRUGEN_A_COUNTERS] = { .type = NLA_NESTED },
	[LRUGEN_A_DUMP_SIZE] = { .type = NLA_U32 },
};

static struct nla_policy lrg_kmod_region_policy[LRUGEN_R_MAX + 1] = {
	[LRUGEN_R_ADDR] = { .type = NLA_U64 },
	[LRUGEN_R_PRESENT] = { .minlen = LRUGEN_BITMAP_BYTES, .maxlen = LRUGEN_BITMAP_BYTES },
	[LRUGEN_R_YOUNG] = { .minlen = LRUGEN_BITMAP_BYTES, .maxlen = LRUGEN_BITMAP_BYTES },
	[LRUGEN_R_ANON] = { .minlen = LRUGEN_BITMAP_BYTES, .maxlen = LRUGEN_BITMAP_BYTES },
	[LRUGEN_R_HUGE] = { .type = NLA_FLAG },
	[LRUGEN_R_ALL] = { .type = NLA_U32 },
};

static struct nla_policy lrg_kmod_u64_policy[LRUGEN_C_MAX + 1] = {
	[1 ... LRUGEN_C_MAX] = { .type = NLA_U64 },
};

/* What one request collects while its replies stream in. */
struct lrg_kmod_req {
	struct lrg_kmod *kmod;
	bool done;
	int err;			/* kernel errno, negative */
	int fn_err;			/* first error of the region callback */
	lrg_region_fn fn;
	void *ctx;
	struct lrg_walk_stats stats;
	bool got_status;
	uint64_t next;
	struct lrg_kmod_info *info;
	uint8_t cmd;			/* HARVEST or HARVEST_ONE: what the replies carry */
};

static void lrg_kmod_set_err(struct lrg_kmod *kmod, const char *msg)
{
	snprintf(kmod->errmsg, sizeof(kmod->errmsg), "%s", msg);
}

/* Bit i of a region is bit i % 32 of the i / 32-th host-endian u32. */
static void lrg_kmod_bitmap(uint64_t *dst, const struct nlattr *nla)
{
	uint32_t w[LRUGEN_BITMAP_BYTES / 4];
	size_t i;

	memcpy(w, nla_data(nla), sizeof(w));
	for (i = 0; i < LRG_REGION_WORDS; i++)
		dst[i] = (uint64_t)w[2 * i] | (uint64_t)w[2 * i + 1] << 32;
}

/*
 * A region's bitmap: sent in full, or (LRUGEN_F_COMPACT, where
 * LRUGEN_R_ALL is there) left out because it is all ones (its LRUGEN_RA_*
 * bit) or all zeros. Without LRUGEN_R_ALL every bitmap must be there.
 */
static int lrg_kmod_region_bitmap(uint64_t *dst, struct nlattr **tb, int type,
				  const struct nlattr *all, unsigned int bit)
{
	if (tb[type]) {
		lrg_kmod_bitmap(dst, tb[type]);
		return 0;
	}
	if (!all)
		return -EPROTO;
	memset(dst, (nla_get_u32((struct nlattr *)all) & bit) ? 0xff : 0,
	       LRG_REGION_WORDS * sizeof(*dst));
	return 0;
}

static int lrg_kmod_parse_region(struct lrg_kmod_req *req, struct nlattr *nla)
{
	struct nlattr *tb[LRUGEN_R_MAX + 1];
	struct lrg_region reg;
	const struct nlattr *all;
	uint32_t count = 1, i;

	if (nla_parse_nested(tb, LRUGEN_R_MAX, nla, lrg_kmod_region_policy) < 0 ||
	    !tb[LRUGEN_R_ADDR])
		return -EPROTO;

	all = tb[LRUGEN_R_ALL];
	reg.addr = nla_get_u64(tb[LRUGEN_R_ADDR]);
	if (lrg_kmod_region_bitmap(reg.present, tb, LRUGEN_R_PRESENT, all, LRUGEN_RA_PRESENT) ||
	    lrg_kmod_region_bitmap(reg.young, tb, LRUGEN_R_YOUNG, all, LRUGEN_RA_YOUNG) ||
	    lrg_kmod_region_bitmap(reg.anon, tb, LRUGEN_R_ANON, all, LRUGEN_RA_ANON))
		return -EPROTO;
	reg.huge = tb[LRUGEN_R_HUGE] != NULL;

	/* a run of alike regions (compact): only in compact form, and within the address space */
	if (tb[LRUGEN_R_COUNT]) {
		count = nla_get_u32(tb[LRUGEN_R_COUNT]);
		if (!all || count < 2 || reg.addr % LRUGEN_REGION_SIZE ||
		    count > (UINT64_MAX - reg.addr) / LRUGEN_REGION_SIZE)
			return -EPROTO;
	}

	for (i = 0; i < count; i++, reg.addr += LRUGEN_REGION_SIZE) {
		if (req->fn && !req->fn_err)
			req->fn_err = req->fn(req->ctx, &reg);
		if (req->fn_err > 0)
			req->fn_err = 0;
	}
	return 0;
}

static int lrg_kmod_parse_stats(struct lrg_kmod_req *req, struct nlattr *nla)
{
	struct nlattr *tb[LRUGEN_C_MAX + 1];
	uint64_t v[LRUGEN_S_MAX + 1] = { 0 };
	int i;

	if (nla_parse_nested(tb, LRUGEN_S_MAX, nla, lrg_kmod_u64_policy) < 0)
		return -EPROTO;
	for (i = 1; i <= LRUGEN_S_MAX; i++)
		if (tb[i] && i != LRUGEN_S_PAD)
			v[i] = nla_get_u64(tb[i]);
	req->stats.pte_total = v[LRUGEN_S_PTE_TOTAL];
	req->stats.pte_old = v[LRUGEN_S_PTE_OLD];
	req->stats.pte_young = v[LRUGEN_S_PTE_YOUNG];
	req->stats.pmd_total = v[LRUGEN_S_PMD_TOTAL];
	/* the seeds' "found": PTE tables the MMU marked as walked */
	req->stats.pmd_found = v[LRUGEN_S_PMD_YOUNG];
	return 0;
}

static int lrg_kmod_parse_info(struct lrg_kmod_info *info, struct nlattr **tb)
{
	struct nlattr *ctb[LRUGEN_C_MAX + 1];
	int i;

	if (!tb[LRUGEN_A_ABI_VERSION] || !tb[LRUGEN_A_CAPS])
		return -EPROTO;
	memset(info, 0, sizeof(*info));
	info->abi_version = nla_get_u32(tb[LRUGEN_A_ABI_VERSION]);
	info->caps = nla_get_u32(tb[LRUGEN_A_CAPS]);
	if (tb[LRUGEN_A_MAX_RANGES])
		info->max_ranges = nla_get_u32(tb[LRUGEN_A_MAX_RANGES]);
	if (tb[LRUGEN_A_MAX_REGIONS])
		info->max_regions = nla_get_u32(tb[LRUGEN_A_MAX_REGIONS]);
	if (tb[LRUGEN_A_MAX_PTES])
		info->max_ptes = nla_get_u64(tb[LRUGEN_A_MAX_PTES]);
	if (tb[LRUGEN_A_DUMP_SIZE])
		info->dump_size = nla_get_u32(tb[LRUGEN_A_DUMP_SIZE]);
	if (tb[LRUGEN_A_RELEASE])
		snprintf(info->release, sizeof(info->release), "%s",
			 (const char *)nla_data(tb[LRUGEN_A_RELEASE]));
	if (tb[LRUGEN_A_COUNTERS] &&
	    nla_parse_nested(ctb, LRUGEN_C_MAX, tb[LRUGEN_A_COUNTERS], lrg_kmod_u64_policy) == 0)
		for (i = 1; i <= LRUGEN_C_MAX; i++)
			if (ctb[i] && i != LRUGEN_C_PAD)
				info->counters[i] = nla_get_u64(ctb[i]);
	return 0;
}

static int lrg_kmod_on_valid(struct nl_msg *msg, void *arg)
{
	struct lrg_kmod_req *req = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *gh = nlmsg_data(nlh);
	struct nlattr *tb[LRUGEN_A_MAX + 1];
	struct nlattr *nla;
	int rem, ret;

	ret = genlmsg_parse(nlh, 0, tb, LRUGEN_A_MAX, lrg_kmod_policy);
	if (ret < 0)
		goto proto;

	if (gh->cmd == LRUGEN_CMD_INFO) {
		if (!req->info || lrg_kmod_parse_info(req->info, tb))
			goto proto;
		req->done = true;
		return NL_OK;
	}

	/* every region attribute, not only the last one tb[] holds */
	nla_for_each_attr(nla, genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0), rem) {
		if (nla_type(nla) == LRUGEN_A_REGION && lrg_kmod_parse_region(req, nla))
			goto proto;
	}

	if (tb[LRUGEN_A_STATUS]) {
		req->got_status = true;
		req->stats.status = nla_get_u32(tb[LRUGEN_A_STATUS]);
		if (tb[LRUGEN_A_STATS] && lrg_kmod_parse_stats(req, tb[LRUGEN_A_STATS]))
			goto proto;
		if (tb[LRUGEN_A_NEXT_ADDR])
			req->next = nla_get_u64(tb[LRUGEN_A_NEXT_ADDR]);
		if (gh->cmd == LRUGEN_CMD_BUMP)
			req->done = true;
	}
	return NL_OK;
proto:
	if (!req->err)
		req->err = -EPROTO;
	lrg_kmod_set_err(req->kmod, "malformed reply from lrugen.ko");
	return NL_OK;
}

/* The extack message of an error, from the attributes that follow it. */
static void lrg_kmod_extack(struct lrg_kmod *kmod, int error, const struct nlmsghdr *nlh,
			    const void *tlvs, int len)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];

	snprintf(kmod->errmsg, sizeof(kmod->errmsg), "%s", strerror(-error));
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && len > 0 &&
	    nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)tlvs, len, NULL) == 0 &&
	    tb[NLMSGERR_ATTR_MSG])
		snprintf(kmod->errmsg, sizeof(kmod->errmsg), "%s: %s", strerror(-error),
			 (const char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
}

/* NLMSG_DONE ends a dump; it carries the dump's errno (and extack) if it failed. */
static void lrg_kmod_done(struct lrg_kmod_req *req, struct nlmsghdr *nlh)
{
	int err = 0;

	req->done = true;
	if (nlh->nlmsg_type == NLMSG_DONE && nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(int))
		memcpy(&err, nlmsg_data(nlh), sizeof(err));
	if (err < 0) {
		req->err = err;
		lrg_kmod_extack(req->kmod, err, nlh, (char *)nlmsg_data(nlh) + sizeof(int),
				(int)(nlh->nlmsg_len - NLMSG_HDRLEN - sizeof(int)));
	}
}

static int lrg_kmod_on_finish(struct nl_msg *msg, void *arg)
{
	lrg_kmod_done(arg, nlmsg_hdr(msg));
	return NL_STOP;
}

static int lrg_kmod_on_ack(struct nl_msg *msg, void *arg)
{
	struct lrg_kmod_req *req = arg;

	req->done = true;
	return NL_STOP;
}

static int lrg_kmod_on_error(struct sockaddr_nl *sa, struct nlmsgerr *e, void *arg)
{
	struct lrg_kmod_req *req = arg;
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);

	req->done = true;
	req->err = e->error ? e->error : req->err;
	if (!e->error)
		return NL_STOP;

	/* NETLINK_CAP_ACK: the extack attributes follow the error header */
	lrg_kmod_extack(req->kmod, e->error, nlh, e + 1,
			(int)nlh->nlmsg_len - NLMSG_HDRLEN - (int)sizeof(*e));
	return NL_STOP;
}

/* Send msg (consumed) and read replies until the request is answered. */
static int lrg_kmod_transact(struct lrg_kmod *kmod, struct nl_msg *msg, struct lrg_kmod_req *req)
{
	struct nl_cb *cb;
	int ret;

	req->kmod = kmod;
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, lrg_kmod_on_valid, req);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, lrg_kmod_on_finish, req);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, lrg_kmod_on_ack, req);
	nl_cb_err(cb, NL_CB_CUSTOM, lrg_kmod_on_error, req);

	ret = nl_send_auto(kmod->sk, msg);
	nlmsg_free(msg);
	if (ret < 0) {
		nl_cb_put(cb);
		lrg_kmod_set_err(kmod, nl_geterror(ret));
		return ret == -NLE_PERM ? -EPERM : -EIO;
	}

	while (!req->done) {
		ret = nl_recvmsgs(kmod->sk, cb);
		if (ret < 0 && !req->done) {
			nl_cb_put(cb);
			lrg_kmod_set_err(kmod, nl_geterror(ret));
			return req->err ? req->err : -EIO;
		}
	}
	nl_cb_put(cb);
	return req->err;
}

static struct nl_msg *lrg_kmod_msg(struct lrg_kmod *kmod, int cmd, int flags, size_t size)
{
	struct nl_msg *msg = nlmsg_alloc_size(size);

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, kmod->family, 0, flags, cmd,
			 LRUGEN_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

int lrg_kmod_info(struct lrg_kmod *kmod, struct lrg_kmod_info *ret_info)
{
	struct lrg_kmod_info info;
	struct lrg_kmod_req req = { .info = &info };
	struct nl_msg *msg;
	int ret;

	msg = lrg_kmod_msg(kmod, LRUGEN_CMD_INFO, 0, 256);
	if (!msg)
		return -ENOMEM;
	ret = lrg_kmod_transact(kmod, msg, &req);
	if (ret)
		return ret;
	*ret_info = info;
	return 0;
}

/* The memcg filter and the flags of a request. */
static int lrg_kmod_put_target(struct nl_msg *msg, uint64_t cgroup_id, int cgroup_fd,
			       unsigned int flags)
{
	if (cgroup_fd >= 0) {
		if (nla_put_u32(msg, LRUGEN_A_CGROUP_FD, (uint32_t)cgroup_fd) < 0)
			return -EMSGSIZE;
	} else if (cgroup_id && nla_put_u64(msg, LRUGEN_A_CGROUP_ID, cgroup_id) < 0) {
		return -EMSGSIZE;
	}
	if (flags && nla_put_u32(msg, LRUGEN_A_FLAGS, flags) < 0)
		return -EMSGSIZE;
	return 0;
}

/* One message of a HARVEST dump (not an error or NLMSG_DONE). */
static void lrg_kmod_harvest_msg(struct lrg_kmod_req *req, struct nlmsghdr *nlh)
{
	struct genlmsghdr *gh = nlmsg_data(nlh);
	struct nlattr *nla;
	int rem;

	if (nlh->nlmsg_type != req->kmod->family ||
	    !nlmsg_valid_hdr(nlh, GENL_HDRLEN) || gh->cmd != req->cmd)
		goto proto;

	nla_for_each_attr(nla, genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0), rem) {
		switch (nla_type(nla)) {
		case LRUGEN_A_REGION:
			if (lrg_kmod_parse_region(req, nla))
				goto proto;
			break;
		case LRUGEN_A_STATUS:
			if (nla_len(nla) != sizeof(uint32_t))
				goto proto;
			req->got_status = true;
			req->stats.status = nla_get_u32(nla);
			break;
		case LRUGEN_A_STATS:
			if (lrg_kmod_parse_stats(req, nla))
				goto proto;
			break;
		case LRUGEN_A_NEXT_ADDR:
			if (nla_len(nla) != sizeof(uint64_t))
				goto proto;
			req->next = nla_get_u64(nla);
			break;
		default:
			break;	/* attributes a newer module may add */
		}
	}
	/* HARVEST_ONE: the one message is the whole answer, and has the status */
	if (req->cmd == LRUGEN_CMD_HARVEST_ONE) {
		req->done = true;
		if (!req->got_status)
			goto proto;
	}
	return;
proto:
	if (!req->err)
		req->err = -EPROTO;
	lrg_kmod_set_err(req->kmod, "malformed reply from lrugen.ko");
}

/* Append one attribute to a request being built by hand in kmod->sbuf. */
static void lrg_kmod_put(char *buf, size_t *off, uint16_t type, const void *data, size_t len)
{
	struct nlattr *nla = (struct nlattr *)(buf + *off);

	nla->nla_type = type;
	nla->nla_len = (uint16_t)(NLA_HDRLEN + len);
	memcpy(buf + *off + NLA_HDRLEN, data, len);
	memset(buf + *off + NLA_HDRLEN + len, 0, NLA_ALIGN(len) - len);
	*off += NLA_HDRLEN + NLA_ALIGN(len);
}

/*
 * Send a HARVEST or HARVEST_ONE request (len bytes in kmod->sbuf, sequence
 * number seq) and read its replies with recv() into kmod->rbuf until
 * NLMSG_DONE (HARVEST), the one reply (HARVEST_ONE) or an error. Messages
 * of other sequence numbers (what an earlier request left unread) are
 * skipped.
 */
static int lrg_kmod_harvest_transact(struct lrg_kmod *kmod, size_t len, uint32_t seq,
				     struct lrg_kmod_req *req)
{
	int fd = nl_socket_get_fd(kmod->sk);
	int ret;

	req->kmod = kmod;
	while (send(fd, kmod->sbuf, len, 0) < 0) {
		if (errno == EINTR)
			continue;
		ret = -errno;
		lrg_kmod_set_err(kmod, strerror(errno));
		return ret;
	}

	while (!req->done) {
		struct nlmsghdr *nlh;
		ssize_t n;
		int rem;

		/*
		 * One recv() per skb with a buffer of INFO's LRUGEN_A_DUMP_SIZE
		 * (ABI 3): no skb of the dump is larger, and the kernel keeps
		 * its dump skbs page-sized (it sizes them after the largest
		 * buffer recvmsg() was given; a 16 KiB skb costs much more to
		 * allocate and zero, and a peek for the length one more
		 * system call per harvest). From an older module: the length
		 * first, with a peek, then exactly that. MSG_TRUNC returns an
		 * skb's real length: one larger than the buffer is refused,
		 * never parsed half.
		 */
		if (kmod->recv_size) {
			n = recv(fd, kmod->rbuf, kmod->recv_size, MSG_TRUNC);
			if (n > (ssize_t)kmod->recv_size) {
				lrg_kmod_set_err(kmod, "reply larger than LRUGEN_A_DUMP_SIZE");
				return -EMSGSIZE;
			}
		} else {
			n = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC);
			if (n > (ssize_t)LRG_KMOD_RBUF) {
				lrg_kmod_set_err(kmod, "reply larger than the receive buffer");
				return -EMSGSIZE;
			}
			if (n >= 0)
				n = recv(fd, kmod->rbuf, (size_t)n, 0);
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			lrg_kmod_set_err(kmod, strerror(errno));
			return ret;
		}
		rem = (int)n;
		for (nlh = (struct nlmsghdr *)kmod->rbuf; nlmsg_ok(nlh, rem);
		     nlh = nlmsg_next(nlh, &rem)) {
			if (nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_DONE) {
				lrg_kmod_done(req, nlh);
				break;
			}
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = nlmsg_data(nlh);

				if (!nlmsg_valid_hdr(nlh, sizeof(*e))) {
					req->err = -EPROTO;
					req->done = true;
					break;
				}
				lrg_kmod_on_error(NULL, e, req);
				break;
			}
			if (nlh->nlmsg_type == NLMSG_NOOP || nlh->nlmsg_type == NLMSG_OVERRUN)
				continue;
			lrg_kmod_harvest_msg(req, nlh);
		}
	}
	return req->err;
}

/*
 * One request: HARVEST_ONE (one) or a HARVEST dump, of args but from
 * resume with the work bound max_ptes (0: none sent). Fills req.
 */
static int lrg_kmod_harvest_req(struct lrg_kmod *kmod, const struct lrg_kmod_harvest_args *args,
				bool one, uint64_t resume, uint64_t max_ptes,
				struct lrg_kmod_req *req)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)kmod->sbuf;
	struct genlmsghdr *gh;
	size_t off = NLMSG_HDRLEN + GENL_HDRLEN;
	uint32_t flags = args->flags, v;

	if (!args->full_bitmaps && kmod->info.abi_version >= 2)
		flags |= LRUGEN_F_COMPACT;
	if (args->nr_ranges > LRG_KMOD_SEND_RANGES) {
		lrg_kmod_set_err(kmod, "request too large");
		return -EMSGSIZE;
	}

	/*
	 * Built by hand in a buffer kept for the connection: a few attributes
	 * and the ranges (the hot path; libnl's message allocation and send
	 * path cost more than the harvest of a small mm under emulation).
	 */
	memset(kmod->sbuf, 0, off);
	if (args->use_pidfd) {
		v = (uint32_t)args->pidfd;
		lrg_kmod_put(kmod->sbuf, &off, LRUGEN_A_PIDFD, &v, sizeof(v));
	}
	if (!args->use_pidfd || args->pid) {
		v = (uint32_t)args->pid;
		lrg_kmod_put(kmod->sbuf, &off, LRUGEN_A_PID, &v, sizeof(v));
	}
	if (args->cgroup_fd >= 0) {
		v = (uint32_t)args->cgroup_fd;
		lrg_kmod_put(kmod->sbuf, &off, LRUGEN_A_CGROUP_FD, &v, sizeof(v));
	} else if (args->cgroup_id) {
		lrg_kmod_put(kmod->sbuf, &off, LRUGEN_A_CGROUP_ID, &args->cgroup_id,
			     sizeof(args->cgroup_id));
	}
	if (flags)
		lrg_kmod_put(kmod->sbuf, &off, LRUGEN_A_FLAGS, &flags, sizeof(flags));
	if (args->nr_ranges)
		lrg_kmod_put(kmod->sbuf, &off, LRUGEN_A_RANGES, args->ranges,
			     args->nr_ranges * sizeof(*args->ranges));
	if (max_ptes)
		lrg_kmod_put(kmod->sbuf, &off, LRUGEN_A_MAX_PTES, &max_ptes, sizeof(max_ptes));
	if (resume)
		lrg_kmod_put(kmod->sbuf, &off, LRUGEN_A_RESUME_ADDR, &resume, sizeof(resume));

	nlh->nlmsg_len = (uint32_t)off;
	nlh->nlmsg_type = (uint16_t)kmod->family;
	nlh->nlmsg_flags = NLM_F_REQUEST | (one ? 0 : NLM_F_DUMP);
	nlh->nlmsg_seq = nl_socket_use_seq(kmod->sk);
	nlh->nlmsg_pid = nl_socket_get_local_port(kmod->sk);
	gh = (struct genlmsghdr *)NLMSG_DATA(nlh);
	gh->cmd = one ? LRUGEN_CMD_HARVEST_ONE : LRUGEN_CMD_HARVEST;
	gh->version = LRUGEN_GENL_VERSION;
	req->cmd = gh->cmd;

	return lrg_kmod_harvest_transact(kmod, off, nlh->nlmsg_seq, req);
}

/* Add the page and PMD counts of one request to those of the ones before. */
static void lrg_walk_counts_add(struct lrg_walk_stats *to, const struct lrg_walk_stats *from)
{
	to->pte_total += from->pte_total;
	to->pte_old += from->pte_old;
	to->pte_young += from->pte_young;
	to->pmd_total += from->pmd_total;
	to->pmd_found += from->pmd_found;
}

/*
 * netlink_dump_start() refuses a dump with EPROTONOSUPPORT when it cannot
 * take a reference on the module that serves it: lrugen.ko is unloading.
 * For the caller that is the family gone (ENOENT), as a moment later.
 */
static int lrg_kmod_unloading_is_gone(struct lrg_kmod *kmod, int ret)
{
	if (ret != -EPROTONOSUPPORT)
		return ret;
	lrg_kmod_set_err(kmod, "lrugen.ko is unloading (its dumps are refused)");
	return -ENOENT;
}

/*
 * With a module of ABI 4 (and a receive buffer of LRUGEN_A_DUMP_SIZE, which
 * holds its one reply), HARVEST_ONE first: one message, no dump machinery.
 * If its reply was full (LRUGEN_STATUS_MORE), a HARVEST dump does the rest,
 * from where it stopped and with what is left of the work bound: the caller
 * sees one harvest (each region once, the counts added up), as from the dump
 * alone.
 */
int lrg_kmod_harvest(struct lrg_kmod *kmod, const struct lrg_kmod_harvest_args *args,
		     lrg_region_fn fn, void *ctx, struct lrg_walk_stats *ret_stats,
		     uint64_t *ret_next)
{
	struct lrg_kmod_req req = { .fn = fn, .ctx = ctx };
	bool one = !args->dump && kmod->info.abi_version >= 4 && kmod->recv_size;
	uint64_t max_ptes = args->max_ptes;
	struct lrg_walk_stats first = { 0 };
	int ret;

	ret = lrg_kmod_harvest_req(kmod, args, one, args->resume, max_ptes, &req);
	ret = lrg_kmod_unloading_is_gone(kmod, ret);
	if (!ret && req.got_status && !req.fn_err && one && req.stats.status == LRUGEN_STATUS_MORE) {
		uint64_t bound = max_ptes ? max_ptes :
				 kmod->info.max_ptes ? kmod->info.max_ptes : LRUGEN_MAX_PTES;
		uint64_t resume;

		/* MORE comes before the bound is reached: something is left of it */
		if (!req.next || req.stats.pte_total >= bound) {
			lrg_kmod_set_err(kmod, "HARVEST_ONE: MORE without a place or work left");
			return -EPROTO;
		}
		first = req.stats;
		resume = req.next;
		req.got_status = false;
		req.done = false;
		req.next = 0;
		memset(&req.stats, 0, sizeof(req.stats));
		ret = lrg_kmod_harvest_req(kmod, args, false, resume, bound - first.pte_total, &req);
		ret = lrg_kmod_unloading_is_gone(kmod, ret);
		lrg_walk_counts_add(&req.stats, &first);
	}
	if (ret)
		return ret;
	if (!req.got_status) {
		lrg_kmod_set_err(kmod, "harvest ended without a status");
		return -EPROTO;
	}
	if (req.fn_err)
		return req.fn_err;
	if (ret_stats)
		*ret_stats = req.stats;
	if (ret_next)
		*ret_next = req.next;
	return 0;
}

int lrg_kmod_bump(struct lrg_kmod *kmod, pid_t pid, uint64_t cgroup_id, unsigned int flags,
		  const struct lrugen_range *ranges, size_t nr_ranges,
		  const struct lrg_region *regions, size_t nr_regions,
		  struct lrg_walk_stats *ret_stats)
{
	struct lrg_kmod_req req = { 0 };
	struct nl_msg *msg;
	size_t i;
	int ret;

	/* room for LRUGEN_MAX_RANGES ranges or as many BUMP regions */
	msg = lrg_kmod_msg(kmod, LRUGEN_CMD_BUMP, 0, 32768);
	if (!msg)
		return -ENOMEM;
	ret = nla_put_u32(msg, LRUGEN_A_PID, (uint32_t)pid) < 0 ? -EMSGSIZE : 0;
	if (!ret)
		ret = lrg_kmod_put_target(msg, cgroup_id, -1, flags);
	if (!ret && nr_ranges &&
	    nla_put(msg, LRUGEN_A_RANGES, (int)(nr_ranges * sizeof(*ranges)), ranges) < 0)
		ret = -EMSGSIZE;
	for (i = 0; !ret && i < nr_regions; i++) {
		uint32_t w[LRUGEN_BITMAP_BYTES / 4];
		struct nlattr *nest = nla_nest_start(msg, LRUGEN_A_REGION);
		size_t j;

		for (j = 0; j < LRG_REGION_WORDS; j++) {
			w[2 * j] = (uint32_t)regions[i].young[j];
			w[2 * j + 1] = (uint32_t)(regions[i].young[j] >> 32);
		}
		if (!nest || nla_put_u64(msg, LRUGEN_R_ADDR, regions[i].addr) < 0 ||
		    nla_put(msg, LRUGEN_R_YOUNG, sizeof(w), w) < 0)
			ret = -EMSGSIZE;
		else
			nla_nest_end(msg, nest);
	}
	if (ret) {
		nlmsg_free(msg);
		lrg_kmod_set_err(kmod, "request too large");
		return ret;
	}

	ret = lrg_kmod_transact(kmod, msg, &req);
	if (ret)
		return ret;
	if (ret_stats)
		*ret_stats = req.stats;
	return 0;
}

const char *lrg_kmod_errmsg(const struct lrg_kmod *kmod)
{
	return kmod->errmsg;
}

int lrg_kmod_family(const struct lrg_kmod *kmod)
{
	return kmod->family;
}

const struct lrg_kmod_info *lrg_kmod_get_info(const struct lrg_kmod *kmod)
{
	return &kmod->info;
}

void lrg_kmod_close(struct lrg_kmod *kmod)
{
	size_t i;

	if (!kmod)
		return;
	for (i = 0; i < LRG_KMOD_PIDFDS; i++)
		if (kmod->pidfds[i].pid)
			close(kmod->pidfds[i].fd);
	nl_socket_free(kmod->sk);
	free(kmod->rbuf);
	free(kmod->sbuf);
	free(kmod);
}

/* Read INFO and take what it says for the connection: at open, and after a reload. */
static int lrg_kmod_take_info(struct lrg_kmod *kmod)
{
	struct lrg_kmod_info info;
	char msg[sizeof(kmod->errmsg)];
	int ret;

	ret = lrg_kmod_info(kmod, &info);
	if (ret) {
		snprintf(msg, sizeof(msg), "lrugen.ko INFO failed: %.200s", kmod->errmsg);
		lrg_kmod_set_err(kmod, msg);
		return ret;
	}
	if (info.abi_version < LRG_KMOD_MIN_ABI) {
		snprintf(msg, sizeof(msg), "lrugen.ko ABI %u is older than %u: update the module",
			 info.abi_version, LRG_KMOD_MIN_ABI);
		lrg_kmod_set_err(kmod, msg);
		return -EPROTO;
	}
	kmod->info = info;
	/* a module's own figure, if it is a sane one (it is a page less the skb overhead) */
	kmod->recv_size = info.dump_size >= 1024 && info.dump_size <= LRG_KMOD_RBUF ?
			  info.dump_size : 0;
	/* a new module may know the kernel's pidfds */
	kmod->pidfd_refused = false;
	return 0;
}

/*
 * After -ENOENT from a request: lrugen.ko was unloaded (its family is
 * gone: -ENOENT), or reloaded (the family is back, maybe under another id
 * and with another ABI: taken anew, 0, and the caller tries once more). An
 * ENOENT that comes again is the request's own (its memory cgroup is gone).
 */
static int lrg_kmod_reresolve(struct lrg_kmod *kmod)
{
	int family = genl_ctrl_resolve(kmod->sk, LRUGEN_GENL_NAME);

	if (family < 0) {
		lrg_kmod_set_err(kmod, "lrugen.ko is not loaded (its generic netlink family is gone)");
		return -ENOENT;
	}
	if (family != kmod->family)
		log_info("lrugen.ko: generic netlink family \"%s\" is back as %d (was %d)",
			 LRUGEN_GENL_NAME, family, kmod->family);
	kmod->family = family;
	return lrg_kmod_take_info(kmod);
}

static void lrg_kmod_closep(struct lrg_kmod **kmod)
{
	if (*kmod)
		lrg_kmod_close(*kmod);
}

int lrg_kmod_open(struct lrg_kmod **ret_kmod, char *errbuf, size_t errlen)
{
	_cleanup_(lrg_kmod_closep) struct lrg_kmod *kmod = NULL;
	int one = 1;
	int ret;

	kmod = calloc(1, sizeof(*kmod));
	if (!kmod)
		return -ENOMEM;
	kmod->rbuf = malloc(LRG_KMOD_RBUF);
	kmod->sbuf = malloc(LRG_KMOD_SBUF);
	kmod->sk = nl_socket_alloc();
	if (!kmod->sk || !kmod->rbuf || !kmod->sbuf)
		return -ENOMEM;
	ret = genl_connect(kmod->sk);
	if (ret < 0) {
		snprintf(errbuf, errlen, "cannot open a generic netlink socket: %s", nl_geterror(ret));
		return -EIO;
	}
	/* errors come back with the kernel's explanation, without our request */
	if (setsockopt(nl_socket_get_fd(kmod->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    setsockopt(nl_socket_get_fd(kmod->sk), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)))
		snprintf(kmod->errmsg, sizeof(kmod->errmsg), "no extended acks: %s", strerror(errno));
	nl_socket_disable_auto_ack(kmod->sk);
	nl_socket_enable_msg_peek(kmod->sk);
	/* libnl peeks with this much, then reads what is there: see lrg_kmod_harvest_transact() */
	nl_socket_set_msg_buf_size(kmod->sk, 256);
	nl_socket_set_buffer_size(kmod->sk, 1 << 20, 1 << 20);

	kmod->family = genl_ctrl_resolve(kmod->sk, LRUGEN_GENL_NAME);
	if (kmod->family < 0) {
		snprintf(errbuf, errlen,
			 "generic netlink family \"%s\" not found: is lrugen.ko loaded? (modprobe lrugen)",
			 LRUGEN_GENL_NAME);
		return -ENOENT;
	}

	ret = lrg_kmod_take_info(kmod);
	if (ret) {
		snprintf(errbuf, errlen, "%s", kmod->errmsg);
		return ret;
	}
	*ret_kmod = TAKE_PTR(kmod);
	return 0;
}

/* ---- the backend ---- */

static unsigned int lrg_kmod_flags(unsigned int harvest_flags)
{
	unsigned int flags = 0;

	if (harvest_flags & LRG_HARVEST_NONLEAF)
		flags |= LRUGEN_F_NONLEAF;
	if (harvest_flags & LRG_HARVEST_NO_ANON)
		flags |= LRUGEN_F_NO_ANON;
	if (harvest_flags & LRG_HARVEST_NO_BUMP)
		flags |= LRUGEN_F_NO_BUMP;
	return flags;
}


static void lrg_kmod_pidfd_drop(struct lrg_kmod_pidfd *e)
{
	if (e->pid)
		close(e->fd);
	e->pid = 0;
}

/*
 * How to name the owner of mm to the module. The pid alone may name another
 * process by now: it is used only after a check that the process's start
 * time is still the one lrugend recorded (-ESRCH otherwise). With
 * LRUGEN_CAP_PIDFD the check is done once, right after pidfd_open(): the
 * pidfd then pins that very process (a later harvest through it finds it
 * gone, never a process that reused the pid), and is kept, by (pid, start
 * time), for the next harvests. Returns the cache slot, NULL for pid only.
 */
static int lrg_kmod_target(struct lrg_kmod *kmod, const struct lrg_mm_info *mm,
			   struct lrg_kmod_pidfd **ret_slot)
{
	struct lrg_kmod_pidfd *e = &kmod->pidfds[(unsigned int)mm->pid % LRG_KMOD_PIDFDS];
	uint64_t st;
	int fd, ret;

	*ret_slot = NULL;
	if ((kmod->info.caps & LRUGEN_CAP_PIDFD) && !kmod->pidfd_refused) {
		if (e->pid == mm->pid && e->start_time == mm->start_time) {
			*ret_slot = e;
			return 0;
		}
		fd = lrg_pidfd_open(mm->pid);
		if (fd == -ESRCH)
			return -ESRCH;
	} else {
		fd = -1;
	}
	if (fd < 0) {
		/* no pidfd (no capability, no pidfd_open, no fd left): pid only */
		if (!mm->start_time)
			return 0;
		ret = lrg_procfs_read_start_time("/proc", mm->pid, &st);
		return ret ? ret : st == mm->start_time ? 0 : -ESRCH;
	}
	if (mm->start_time) {
		ret = lrg_procfs_read_start_time("/proc", mm->pid, &st);
		if (!ret && st != mm->start_time)
			ret = -ESRCH;	/* the pid was reused */
		if (ret) {
			close(fd);
			return ret;
		}
	}
	lrg_kmod_pidfd_drop(e);
	e->pid = mm->pid;
	e->start_time = mm->start_time;
	e->fd = fd;
	*ret_slot = e;
	return 0;
}

/*
 * A CONTENDED harvest that got somewhere (the walk let go of the mmap lock
 * for a writer and could not take it back) is resumed from its NEXT_ADDR
 * at most this many times; one that got nowhere is not.
 */
#define LRG_KMOD_RESUMES 4

/*
 * Harvest by args, on from where a PARTIAL harvest (work bound) or a
 * CONTENDED one with progress stopped, until done; the counts of every
 * request added up in *ret_total.
 */
static int lrg_kmod_harvest_all(struct lrg_kmod *kmod, struct lrg_kmod_harvest_args *args,
				lrg_region_fn fn, void *ctx, struct lrg_walk_stats *ret_total)
{
	struct lrg_walk_stats total = { 0 }, stats;
	unsigned int resumes = 0;
	uint64_t next = 0;
	bool again;
	int ret;

	do {
		args->resume = next;
		ret = lrg_kmod_harvest(kmod, args, fn, ctx, &stats, &next);
		if (ret == -ESRCH) {
			stats = (struct lrg_walk_stats){ .status = LRG_HARVEST_GONE };
			ret = 0;
		}
		if (ret)
			return ret;
		lrg_walk_counts_add(&total, &stats);
		total.status = stats.status;
		again = next && (stats.status == LRUGEN_STATUS_PARTIAL ||
				 (stats.status == LRUGEN_STATUS_CONTENDED && stats.pte_total &&
				  resumes++ < LRG_KMOD_RESUMES));
	} while (again);

	*ret_total = total;
	return 0;
}

/* Name the target of args: its cached pidfd (returned), or its pid. */
static int lrg_kmod_set_target(struct lrg_kmod *kmod, const struct lrg_mm_info *mm,
			       struct lrg_kmod_harvest_args *args, struct lrg_kmod_pidfd **ret_slot)
{
	int ret = lrg_kmod_target(kmod, mm, ret_slot);

	if (ret)
		return ret;
	args->use_pidfd = *ret_slot != NULL;
	args->pidfd = *ret_slot ? (*ret_slot)->fd : -1;
	args->pid = *ret_slot ? 0 : mm->pid;
	return 0;
}

/*
 * The module refused a pidfd: it does not know the kernel's pidfds (pidfs
 * from 6.9, for a module older than that), whatever its LRUGEN_CAP_PIDFD
 * says. Say so once, and name targets by pid and start time from now on.
 */
static void lrg_kmod_refuse_pidfds(struct lrg_kmod *kmod)
{
	size_t i;

	log_warning("lrugen.ko refused a pidfd (%s): harvests name their process by pid and "
		    "start time from now on (update lrugen.ko)", kmod->errmsg);
	kmod->pidfd_refused = true;
	for (i = 0; i < LRG_KMOD_PIDFDS; i++)
		lrg_kmod_pidfd_drop(&kmod->pidfds[i]);
}

/*
 * After a harvest by pid alone: whether the pid still names the process
 * lrugend knows (same start time). If it does not, what the harvest
 * reported may be another process's.
 */
static bool lrg_kmod_still_there(const struct lrg_mm_info *mm)
{
	uint64_t st;

	return !mm->start_time || (lrg_procfs_read_start_time("/proc", mm->pid, &st) == 0 && st == mm->start_time);
}

static int lrg_kmod_harvest_mm(struct lrg_kmod *kmod, const struct lrg_harvest_req *hreq,
			       lrg_region_fn fn, void *ctx, struct lrg_walk_stats *ret_stats)
{
	struct lrg_kmod_harvest_args args = {
		.cgroup_id = hreq->memcg_id == LRG_ROOT_MEMCG ? 0 : hreq->memcg_id,
		.cgroup_fd = -1,
		.flags = lrg_kmod_flags(hreq->flags),
		.ranges = (const struct lrugen_range *)hreq->ranges,
		.nr_ranges = hreq->nr_ranges,
	};
	struct lrg_walk_stats total;
	struct lrg_kmod_pidfd *slot;
	int ret;

	_Static_assert(sizeof(struct lrg_range) == sizeof(struct lrugen_range),
		       "lrg_range and lrugen_range must match");
	if (hreq->nr_ranges > kmod->info.max_ranges)
		return -E2BIG;

	/*
	 * Ranges given but none of them, with NONLEAF: only the PTE tables
	 * whose non-leaf PMD entry is young (lrg_harvest_req: NULL ranges is
	 * the whole address space). The module says so with YOUNG_TABLES.
	 */
	if (hreq->ranges && !hreq->nr_ranges && (hreq->flags & LRG_HARVEST_NONLEAF) &&
	    kmod->info.abi_version >= 2 && (kmod->info.caps & LRUGEN_CAP_NONLEAF_YOUNG))
		args.flags |= LRUGEN_F_YOUNG_TABLES;

	ret = lrg_kmod_set_target(kmod, hreq->mm, &args, &slot);
	if (!ret)
		ret = lrg_kmod_harvest_all(kmod, &args, fn, ctx, &total);
	/* refused before anything was walked: again, by pid */
	if (ret == -EBADF && slot) {
		lrg_kmod_refuse_pidfds(kmod);
		ret = lrg_kmod_set_target(kmod, hreq->mm, &args, &slot);
		if (!ret)
			ret = lrg_kmod_harvest_all(kmod, &args, fn, ctx, &total);
	}
	if (ret == -ESRCH) {
		*ret_stats = (struct lrg_walk_stats){ .status = LRG_HARVEST_GONE };
		return 0;
	}
	if (ret)
		return ret;

	/* the pid was reused during the harvest: what it found is not this mm's */
	if (!slot && total.status != LRG_HARVEST_GONE && !lrg_kmod_still_there(hreq->mm))
		total = (struct lrg_walk_stats){ .status = LRG_HARVEST_GONE };
	/* the process is gone: so is the use of its pidfd */
	if (slot && total.status == LRG_HARVEST_GONE)
		lrg_kmod_pidfd_drop(slot);
	if (total.status == LRUGEN_STATUS_CONTENDED)
		total.contended = 1;
	*ret_stats = total;
	return 0;
}

/* A harvest failed for lrugen.ko's sake (not its target's): counted, and logged once. */
static void lrg_kmod_failed(struct lrg_kmod *kmod, pid_t pid, int err)
{
	snprintf(kmod->fail_msg, sizeof(kmod->fail_msg), "%s", kmod->errmsg[0] ? kmod->errmsg :
		 strerror(-err));
	if (!kmod->failures++)
		log_warning("lrugen.ko: harvest of pid %d failed: %s", (int)pid, kmod->fail_msg);
	else
		log_debug("lrugen.ko: harvest of pid %d failed (%u in a row): %s", (int)pid,
			  kmod->failures, kmod->fail_msg);
}

static int lrg_kmod_backend_harvest(struct lrg_backend *b, const struct lrg_harvest_req *hreq,
				    lrg_region_fn fn, void *ctx, struct lrg_walk_stats *ret_stats)
{
	struct lrg_kmod *kmod = (struct lrg_kmod *)b;
	int ret;

	kmod->errmsg[0] = '\0';
	ret = lrg_kmod_harvest_mm(kmod, hreq, fn, ctx, ret_stats);
	/* the family gone, or back after a reload: nothing was walked, once more */
	if (ret == -ENOENT) {
		ret = lrg_kmod_reresolve(kmod);
		if (!ret) {
			ret = lrg_kmod_harvest_mm(kmod, hreq, fn, ctx, ret_stats);
			/* the family is there: this ENOENT is the request's (a memcg gone) */
			if (ret == -ENOENT)
				return ret;
		}
	}
	if (ret) {
		lrg_kmod_failed(kmod, hreq->mm->pid, ret);
		return ret;
	}
	if (kmod->failures)
		log_notice("lrugen.ko: harvests work again, after %u failed", kmod->failures);
	kmod->failures = 0;
	return 0;
}

unsigned int lrg_kmod_backend_failures(const struct lrg_backend *b, char *why, size_t len)
{
	const struct lrg_kmod *kmod = (const struct lrg_kmod *)b;

	if (why && len)
		snprintf(why, len, "%s", kmod->failures ? kmod->fail_msg : "");
	return kmod->failures;
}

static uint64_t lrg_kmod_now_ms(struct lrg_backend *b)
{
	return lrg_mono_ms();
}

static void lrg_kmod_destroy(struct lrg_backend *b)
{
	lrg_kmod_close((struct lrg_kmod *)b);
}

static const struct lrg_backend_ops lrg_kmod_ops = {
	.name = "kmod",
	.accuracy = "exact: per-page accessed bits from the page tables, per memcg",
	.harvest = lrg_kmod_backend_harvest,
	.now_ms = lrg_kmod_now_ms,
	.destroy = lrg_kmod_destroy,
};

int lrg_kmod_backend_new(struct lrg_backend **ret_backend, char *errbuf, size_t errlen)
{
	struct lrg_kmod *kmod;
	int ret;

	ret = lrg_kmod_open(&kmod, errbuf, errlen);
	if (ret)
		return ret;
	kmod->base.ops = &lrg_kmod_ops;
	kmod->base.caps = LRG_CAP_HARVEST | LRG_CAP_MEMCG;
	if (kmod->info.caps & LRUGEN_CAP_NONLEAF_YOUNG)
		kmod->base.caps |= LRG_CAP_NONLEAF_YOUNG;
	*ret_backend = &kmod->base;
	return 0;
}

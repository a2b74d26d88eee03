// SPDX-License-Identifier: GPL-2.0-only
/*
 * procfs.c - shared /proc readers (see procfs.h).
 *
 * Key/value files (status, meminfo, vmstat, memory.stat) are parsed through
 * tables of { key, offset, scale }: one loop, no per-field code, and an
 * unknown key is simply skipped so new kernels do not break us.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "procfs.h"
#include "util.h"

static int parse_u64(const char *s, char **end, uint64_t *ret)
{
	unsigned long long v;
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &e, 10);
	if (errno)
		return -errno;
	*ret = v;
	if (end)
		*end = e;
	return 0;
}

int lrg_parse_u64_max(const char *s, uint64_t *ret)
{
	uint64_t v;
	char *e;
	int r;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!strncmp(s, "max", 3) && (s[3] == '\0' || isspace((unsigned char)s[3]))) {
		*ret = UINT64_MAX;
		return 0;
	}
	r = parse_u64(s, &e, &v);
	if (r < 0)
		return r;
	while (isspace((unsigned char)*e))
		e++;
	if (*e)
		return -EINVAL;
	*ret = v;
	return 0;
}

static int proc_path(char *buf, size_t size, const char *proc_root, pid_t pid, const char *file)
{
	int n;

	if (pid > 0)
		n = snprintf(buf, size, "%s/%d/%s", proc_root, (int)pid, file);
	else
		n = snprintf(buf, size, "%s/%s", proc_root, file);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* ---- key/value tables ---------------------------------------------------- */

enum kv_how {
	KV_SET,  /* value * scale */
	KV_ADD,  /* += value * scale: several keys feed one field */
};

struct kv_field {
	const char *key;
	size_t klen;         /* strlen(key) */
	size_t off;          /* offset of a uint64_t in the output struct */
	uint64_t scale;
	enum kv_how how;
	unsigned int group;  /* bit set in *seen when parsed */
};

/* The first entry of tab whose key is k[0, klen), from index from; n if none. */
static size_t kv_find(const struct kv_field *tab, size_t n, size_t from, const char *k,
		      size_t klen)
{
	for (size_t i = from; i < n; i++)
		if (tab[i].klen == klen && !memcmp(tab[i].key, k, klen))
			return i;
	return n;
}

/*
 * Lines "key[:] value [kB]". A key may appear in several entries; every
 * matching entry applies. Only a line whose key is in tab has its value
 * parsed (/proc/vmstat has some 170 lines, and few of them count). Returns
 * the OR of the groups seen.
 */
static unsigned int parse_kv(const char *text, const struct kv_field *tab, size_t n, void *out)
{
	unsigned int seen = 0;
	const char *line = text;

	while (*line) {
		const char *eol = strchr(line, '\n');
		const char *k = line, *ke;
		size_t klen, i;
		uint64_t v;
		char *e;

		if (!eol)
			eol = line + strlen(line);
		ke = k;
		while (ke < eol && *ke != ':' && *ke != ' ' && *ke != '\t')
			ke++;
		klen = ke - k;
		i = klen ? kv_find(tab, n, 0, k, klen) : n;
		if (i < n && ke < eol && parse_u64(*ke == ':' ? ke + 1 : ke, &e, &v) == 0 &&
		    e <= eol) {
			for (; i < n; i = kv_find(tab, n, i + 1, k, klen)) {
				uint64_t *f = (uint64_t *)((char *)out + tab[i].off);

				if (tab[i].how == KV_ADD)
					*f += v * tab[i].scale;
				else
					*f = v * tab[i].scale;
				seen |= tab[i].group;
			}
		}
		line = *eol ? eol + 1 : eol;
	}
	return seen;
}

/* ---- /proc/PID/stat ------------------------------------------------------ */

int lrg_parse_proc_stat(const char *text, struct lrg_proc_stat *ret)
{
	struct lrg_proc_stat st = { 0 };
	const char *open, *close, *p;
	unsigned long long f[49] = { 0 };
	long pid;
	char *e;
	size_t len;
	int i;

	/* comm may hold spaces and parentheses: it runs from the first '('
	 * to the last ')' of the line. */
	errno = 0;
	pid = strtol(text, &e, 10);
	if (errno || e == text || pid <= 0)
		return -EINVAL;
	open = strchr(text, '(');
	close = strrchr(text, ')');
	if (!open || !close || close < open || open != e + 1)
		return -EINVAL;
	len = close - open - 1;
	if (len >= sizeof(st.comm))
		len = sizeof(st.comm) - 1;
	memcpy(st.comm, open + 1, len);
	st.comm[len] = '\0';

	p = close + 1;
	if (p[0] != ' ' || !p[1] || p[2] != ' ')
		return -EINVAL;
	st.state = p[1];
	p += 3;
	/* fields 4 (ppid) .. 22 (starttime) are required; up to 47
	 * (start_brk, 3.3+) are taken when present. */
	for (i = 0; i < 44; i++) {
		while (*p == ' ')
			p++;
		if ((*p == '\n' || !*p) && i >= 19)
			break;
		errno = 0;
		/* tty_nr, tpgid, priority, nice may be negative */
		if (*p == '-') {
			long long sv = strtoll(p, &e, 10);

			f[i] = (unsigned long long)sv;
		} else {
			f[i] = strtoull(p, &e, 10);
		}
		if (errno || e == p)
			return -EINVAL;
		p = e;
	}
	st.pid = (pid_t)pid;
	st.ppid = (pid_t)f[0];
	st.flags = (unsigned int)f[5];
	st.utime = f[10];
	st.stime = f[11];
	st.num_threads = (int64_t)f[16];
	st.starttime = f[18];
	st.rss = f[20];
	st.start_code = f[22];
	st.end_code = f[23];
	st.start_stack = f[24];
	st.start_brk = f[43];
	*ret = st;
	return 0;
}

int lrg_procfs_read_stat(const char *proc_root, pid_t pid, struct lrg_proc_stat *ret)
{
	char path[PATH_MAX], buf[1024];
	int r;

	r = proc_path(path, sizeof(path), proc_root, pid, "stat");
	if (r < 0)
		return r;
	r = lrg_read_file_buf(path, buf, sizeof(buf), NULL);
	if (r < 0)
		return r == -ENOENT ? -ESRCH : r;
	return lrg_parse_proc_stat(buf, ret);
}

int lrg_procfs_read_start_time(const char *proc_root, pid_t pid, uint64_t *ret)
{
	struct lrg_proc_stat st;
	int r;

	r = lrg_procfs_read_stat(proc_root, pid, &st);
	if (r < 0)
		return r;
	*ret = st.starttime;
	return 0;
}

/* ---- /proc/PID/status ---------------------------------------------------- */

#define ST(k, field, g) { k, sizeof(k) - 1, offsetof(struct lrg_proc_status, field), 1024, KV_SET, g }
static const struct kv_field status_tab[] = {
	ST("VmSize", vm_size, 2),
	ST("VmRSS", vm_rss, 2),
	ST("RssAnon", rss_anon, 2),
	ST("RssFile", rss_file, 2),
	ST("RssShmem", rss_shmem, 2),
	ST("VmSwap", vm_swap, 2),
};
#undef ST

int lrg_parse_proc_status(const char *text, struct lrg_proc_status *ret)
{
	struct lrg_proc_status st = { 0 };
	const char *t;
	unsigned int seen;
	uint64_t tgid;

	t = strstr(text, "\nTgid:");
	if (!t || parse_u64(t + 6, NULL, &tgid) < 0 || tgid == 0 || tgid > INT_MAX)
		return -EINVAL;
	st.tgid = (pid_t)tgid;
	st.uid = st.euid = (uid_t)-1;
	t = strstr(text, "\nUid:");
	if (t) {
		unsigned int uid, euid;

		if (sscanf(t + 5, "%u %u", &uid, &euid) == 2) {
			st.uid = (uid_t)uid;
			st.euid = (uid_t)euid;
		}
	}
	seen = parse_kv(text, status_tab, sizeof(status_tab) / sizeof(status_tab[0]), &st);
	st.has_mm = seen & 2;
	*ret = st;
	return 0;
}

/*
 * Read PROC_ROOT[/PID]/NAME whole into *ret_buf (free it). For a process
 * file, ENOENT means the process is gone: -ESRCH, as everywhere else.
 */
static int read_proc_text(const char *proc_root, pid_t pid, const char *name, char **ret_buf)
{
	char path[PATH_MAX];
	int r;

	r = proc_path(path, sizeof(path), proc_root, pid, name);
	if (r < 0)
		return r;
	r = lrg_read_file(path, ret_buf, NULL);
	if (r == -ENOENT && pid > 0)
		return -ESRCH;
	return r;
}

int lrg_procfs_read_status(const char *proc_root, pid_t pid, struct lrg_proc_status *ret)
{
	_cleanup_free_ char *buf = NULL;
	int r = read_proc_text(proc_root, pid, "status", &buf);

	if (r < 0)
		return r;
	return lrg_parse_proc_status(buf, ret);
}

/* The stat and status of thread tid of pid, if it has not exited and has
 * the mm. */
static int read_thread(const char *proc_root, pid_t pid, long tid, struct lrg_proc_stat *ret_stat,
		       struct lrg_proc_status *ret_status)
{
	char path[PATH_MAX], name[64], buf[1024];
	_cleanup_free_ char *text = NULL;
	int r;

	snprintf(name, sizeof(name), "task/%ld/stat", tid);
	r = proc_path(path, sizeof(path), proc_root, pid, name);
	if (r < 0 || (r = lrg_read_file_buf(path, buf, sizeof(buf), NULL)) < 0 ||
	    (r = lrg_parse_proc_stat(buf, ret_stat)) < 0)
		return r;
	if (ret_stat->state == 'Z' || ret_stat->state == 'X')
		return -ESRCH;
	snprintf(name, sizeof(name), "task/%ld/status", tid);
	r = read_proc_text(proc_root, pid, name, &text);
	if (r < 0 || (r = lrg_parse_proc_status(text, ret_status)) < 0)
		return r;
	return ret_status->has_mm && ret_status->tgid == pid ? 0 : -ESRCH;
}

int lrg_procfs_read_live_thread(const char *proc_root, pid_t pid, pid_t *ret_tid,
				struct lrg_proc_stat *ret_stat, struct lrg_proc_status *ret_status)
{
	_cleanup_closedir_ DIR *d = NULL;
	char path[PATH_MAX];
	struct dirent *de;
	int r;

	r = proc_path(path, sizeof(path), proc_root, pid, "task");
	if (r < 0)
		return r;
	d = opendir(path);
	if (!d)
		return errno == ENOENT ? -ESRCH : -errno;
	while ((de = readdir(d))) {
		char *e;
		long tid = strtol(de->d_name, &e, 10);

		if (tid <= 0 || tid > INT_MAX || *e || tid == pid)
			continue;
		if (read_thread(proc_root, pid, tid, ret_stat, ret_status) == 0) {
			*ret_tid = (pid_t)tid;
			return 0;
		}
	}
	return -ESRCH;
}

/* ---- /proc/PID/exe ------------------------------------------------------- */

int lrg_procfs_read_exe(const char *proc_root, pid_t pid, char *buf, size_t size,
			bool *ret_trusted)
{
	char link[PATH_MAX];
	struct stat exe, named;
	ssize_t n;
	int r;

	r = proc_path(link, sizeof(link), proc_root, pid, "exe");
	if (r < 0)
		return r;
	n = readlink(link, buf, size);
	if (n < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	if ((size_t)n >= size)
		return -ENAMETOOLONG;
	buf[n] = '\0';
	*ret_trusted = buf[0] == '/' && !stat(link, &exe) && !stat(buf, &named) &&
		       exe.st_dev == named.st_dev && exe.st_ino == named.st_ino &&
		       S_ISREG(exe.st_mode) && exe.st_uid == 0 &&
		       !(exe.st_mode & (S_IWGRP | S_IWOTH));
	return 0;
}

/* ---- /proc/PID/cgroup ---------------------------------------------------- */

static bool has_controller(const char *list, size_t len, const char *name)
{
	size_t nlen = strlen(name);
	const char *p = list, *end = list + len;

	while (p < end) {
		const char *c = memchr(p, ',', end - p);

		if (!c)
			c = end;
		if ((size_t)(c - p) == nlen && !memcmp(p, name, nlen))
			return true;
		p = c + 1;
	}
	return false;
}

int lrg_parse_proc_cgroup(const char *text, struct lrg_proc_cgroup *ret)
{
	struct lrg_proc_cgroup cg = { 0 };
	const char *line = text;

	while (*line) {
		const char *eol = strchr(line, '\n');
		const char *c1, *c2;
		size_t plen;

		if (!eol)
			eol = line + strlen(line);
		/* "hierarchy-ID:controller-list:cgroup-path"; the path may
		 * contain ':' itself, so split on the first two only. */
		c1 = memchr(line, ':', eol - line);
		c2 = c1 ? memchr(c1 + 1, ':', eol - c1 - 1) : NULL;
		if (!c2) {
			if (eol != line)
				return -EINVAL;
		} else {
			plen = eol - c2 - 1;
			if (c1 - line == 1 && line[0] == '0' && c2 == c1 + 1) {
				if (plen >= sizeof(cg.v2))
					return -ENAMETOOLONG;
				memcpy(cg.v2, c2 + 1, plen);
				cg.v2[plen] = '\0';
				cg.has_v2 = true;
			} else if (has_controller(c1 + 1, c2 - c1 - 1, "memory")) {
				if (plen >= sizeof(cg.memory_v1))
					return -ENAMETOOLONG;
				memcpy(cg.memory_v1, c2 + 1, plen);
				cg.memory_v1[plen] = '\0';
				cg.has_memory_v1 = true;
			}
		}
		line = *eol ? eol + 1 : eol;
	}
	if (!cg.has_v2 && !cg.has_memory_v1)
		return -ENODATA;
	*ret = cg;
	return 0;
}

int lrg_procfs_read_cgroup(const char *proc_root, pid_t pid, struct lrg_proc_cgroup *ret)
{
	_cleanup_free_ char *buf = NULL;
	int r = read_proc_text(proc_root, pid, "cgroup", &buf);

	if (r < 0)
		return r;
	return lrg_parse_proc_cgroup(buf, ret);
}

int lrg_parse_loadavg_last_pid(const char *text, pid_t *ret)
{
	const char *sp = strrchr(text, ' ');
	long v;
	char *e;

	if (!sp || !strchr(text, '/'))
		return -EINVAL;
	errno = 0;
	v = strtol(sp + 1, &e, 10);
	if (errno || e == sp + 1 || (*e && *e != '\n') || v < 0 || v > INT_MAX)
		return -EINVAL;
	*ret = (pid_t)v;
	return 0;
}

int lrg_procfs_read_last_pid(const char *proc_root, pid_t *ret)
{
	char path[PATH_MAX], buf[128];
	int r;

	r = proc_path(path, sizeof(path), proc_root, 0, "loadavg");
	if (r < 0)
		return r;
	r = lrg_read_file_buf(path, buf, sizeof(buf), NULL);
	if (r < 0)
		return r;
	return lrg_parse_loadavg_last_pid(buf, ret);
}

int lrg_procfs_read_oom_score_adj(const char *proc_root, pid_t pid, int *ret)
{
	char path[PATH_MAX], buf[32];
	long v;
	char *e;
	int r;

	r = proc_path(path, sizeof(path), proc_root, pid, "oom_score_adj");
	if (r < 0)
		return r;
	r = lrg_read_file_buf(path, buf, sizeof(buf), NULL);
	if (r < 0)
		return r == -ENOENT ? -ESRCH : r;
	errno = 0;
	v = strtol(buf, &e, 10);
	if (errno || e == buf || v < -1000 || v > 1000)
		return -EINVAL;
	*ret = (int)v;
	return 0;
}

uint64_t lrg_procfs_run_stamp(const char *proc_root, pid_t pid, const struct lrg_proc_stat *st,
			      long clk_tck)
{
	uint64_t stamp = (st->utime + st->stime) * (1000000000ULL / (uint64_t)clk_tck);
	char path[PATH_MAX], buf[96];
	unsigned long long ns;

	if (proc_path(path, sizeof(path), proc_root, pid, "schedstat") == 0 &&
	    lrg_read_file_buf(path, buf, sizeof(buf), NULL) >= 0 && sscanf(buf, "%llu", &ns) == 1)
		stamp += ns;
	return stamp;
}

/* ---- /proc/meminfo ------------------------------------------------------- */

#define MI(k, field, g) { k, sizeof(k) - 1, offsetof(struct lrg_meminfo, field), 1024, KV_SET, g }
static const struct kv_field meminfo_tab[] = {
	MI("MemTotal", mem_total, 1),
	MI("MemFree", mem_free, 2),
	MI("MemAvailable", mem_available, 4),
	MI("Cached", cached, 0),
	MI("Buffers", buffers, 0),
	MI("Shmem", shmem, 0),
	MI("Active(anon)", active_anon, 0),
	MI("Inactive(anon)", inactive_anon, 0),
	MI("Active(file)", active_file, 0),
	MI("Inactive(file)", inactive_file, 0),
	MI("SwapTotal", swap_total, 0),
	MI("SwapFree", swap_free, 0),
};
#undef MI

int lrg_parse_meminfo(const char *text, struct lrg_meminfo *ret)
{
	struct lrg_meminfo mi = { 0 };
	unsigned int seen;

	seen = parse_kv(text, meminfo_tab, sizeof(meminfo_tab) / sizeof(meminfo_tab[0]), &mi);
	if ((seen & 3) != 3)
		return -EINVAL;
	/* MemAvailable appeared in 3.14; before, free + page cache is the
	 * usual estimate. */
	if (!(seen & 4))
		mi.mem_available = mi.mem_free + mi.cached + mi.buffers;
	*ret = mi;
	return 0;
}

int lrg_procfs_read_meminfo(const char *proc_root, struct lrg_meminfo *ret)
{
	_cleanup_free_ char *buf = NULL;
	int r = read_proc_text(proc_root, 0, "meminfo", &buf);

	if (r < 0)
		return r;
	return lrg_parse_meminfo(buf, ret);
}

/* ---- PSI ----------------------------------------------------------------- */

/* "some avg10=0.00 avg60=0.00 avg300=0.00 total=0" */
static int parse_psi_line(const char *p, const char *eol, double avg[3], uint64_t *total)
{
	static const char *const keys[] = { "avg10=", "avg60=", "avg300=", "total=" };
	char *e;

	for (int i = 0; i < 4; i++) {
		size_t kl = strlen(keys[i]);

		while (p < eol && *p == ' ')
			p++;
		if ((size_t)(eol - p) < kl || memcmp(p, keys[i], kl))
			return -EINVAL;
		p += kl;
		errno = 0;
		if (i < 3) {
			avg[i] = strtod(p, &e);
		} else {
			if (!isdigit((unsigned char)*p))
				return -EINVAL;
			*total = strtoull(p, &e, 10);
		}
		if (errno || e == p || e > eol)
			return -EINVAL;
		p = e;
	}
	return 0;
}

int lrg_parse_psi(const char *text, struct lrg_psi *ret)
{
	struct lrg_psi psi = { 0 };
	const char *line = text;
	bool some = false;

	while (*line) {
		const char *eol = strchr(line, '\n');
		double avg[3];
		uint64_t total;

		if (!eol)
			eol = line + strlen(line);
		if (!strncmp(line, "some ", 5)) {
			if (parse_psi_line(line + 5, eol, avg, &total) < 0)
				return -EINVAL;
			psi.some_avg10 = avg[0];
			psi.some_avg60 = avg[1];
			psi.some_avg300 = avg[2];
			psi.some_total_us = total;
			some = true;
		} else if (!strncmp(line, "full ", 5)) {
			if (parse_psi_line(line + 5, eol, avg, &total) < 0)
				return -EINVAL;
			psi.full_avg10 = avg[0];
			psi.full_avg60 = avg[1];
			psi.full_avg300 = avg[2];
			psi.full_total_us = total;
			psi.has_full = true;
		} else if (eol != line) {
			return -EINVAL;
		}
		line = *eol ? eol + 1 : eol;
	}
	if (!some)
		return -EINVAL;
	*ret = psi;
	return 0;
}

int lrg_read_psi(const char *path, struct lrg_psi *ret)
{
	char buf[512];
	int r;

	r = lrg_read_file_buf(path, buf, sizeof(buf), NULL);
	if (r < 0)
		return r;
	return lrg_parse_psi(buf, ret);
}

/* ---- vmstat / memory.stat ------------------------------------------------ */

#define VS(k, field, how, scale, g) { k, sizeof(k) - 1, offsetof(struct lrg_vmstat, field), scale, how, g }
static const struct kv_field vmstat_tab[] = {
	/*
	 * Per reclaim context; pgscan_anon/pgscan_file (5.8+) split the same
	 * pages by type, so they must not be added as well. pgscan_direct_
	 * throttle counts throttling events, not pages.
	 */
	VS("pgscan_kswapd", pgscan, KV_ADD, 1, 1),
	VS("pgscan_direct", pgscan, KV_ADD, 1, 1),
	VS("pgscan_khugepaged", pgscan, KV_ADD, 1, 1),
	VS("pgscan_proactive", pgscan, KV_ADD, 1, 1),
	VS("pgsteal_kswapd", pgsteal, KV_ADD, 1, 1),
	VS("pgsteal_direct", pgsteal, KV_ADD, 1, 1),
	VS("pgsteal_khugepaged", pgsteal, KV_ADD, 1, 1),
	VS("pgsteal_proactive", pgsteal, KV_ADD, 1, 1),
	/* workingset_refault (4.x .. 5.8) became _anon and _file. */
	VS("workingset_refault", refaults, KV_ADD, 1, 2),
	VS("workingset_refault_anon", refaults, KV_ADD, 1, 2),
	VS("workingset_refault_file", refaults, KV_ADD, 1, 2),
	VS("oom_kill", oom_kill, KV_SET, 1, 4),
	/* memory.stat: sizes already in bytes */
	VS("anon", anon, KV_SET, 1, 8),
	VS("file", file, KV_SET, 1, 8),
	VS("shmem", shmem, KV_SET, 1, 8),
};
#undef VS

int lrg_parse_vmstat(const char *text, struct lrg_vmstat *ret)
{
	struct lrg_vmstat vs = { 0 };
	unsigned int seen;

	seen = parse_kv(text, vmstat_tab, sizeof(vmstat_tab) / sizeof(vmstat_tab[0]), &vs);
	if (!seen)
		return -EINVAL;
	*ret = vs;
	return 0;
}

int lrg_procfs_read_vmstat(const char *proc_root, struct lrg_vmstat *ret)
{
	_cleanup_free_ char *buf = NULL;
	int r = read_proc_text(proc_root, 0, "vmstat", &buf);

	if (r < 0)
		return r;
	return lrg_parse_vmstat(buf, ret);
}

/* ---- /proc/zoneinfo ------------------------------------------------------ */

int lrg_parse_zoneinfo(const char *text, struct lrg_watermarks *ret)
{
	struct lrg_watermarks wm = { 0 };
	const char *line = text;

	/*
	 * Per zone: "Node 0, zone   Normal" then "        min      47",
	 * "        low      58", "        high     69". The per-CPU pageset
	 * lines "high:  0" carry a colon and are not watermarks.
	 */
	while (*line) {
		const char *eol = strchr(line, '\n');
		const char *p = line;
		uint64_t v, *dst = NULL;
		char *e;

		if (!eol)
			eol = line + strlen(line);
		if (!strncmp(p, "Node ", 5) && strstr(p, ", zone") && strstr(p, ", zone") < eol)
			wm.nr_zones++;
		while (p < eol && *p == ' ')
			p++;
		if (!strncmp(p, "min ", 4))
			dst = &wm.min_pages;
		else if (!strncmp(p, "low ", 4))
			dst = &wm.low_pages;
		else if (!strncmp(p, "high ", 5))
			dst = &wm.high_pages;
		if (dst && p != line && parse_u64(p + 4, &e, &v) == 0 && e <= eol)
			*dst += v;
		line = *eol ? eol + 1 : eol;
	}
	if (!wm.nr_zones)
		return -EINVAL;
	*ret = wm;
	return 0;
}

int lrg_procfs_read_zoneinfo(const char *proc_root, struct lrg_watermarks *ret)
{
	_cleanup_free_ char *buf = NULL;
	int r = read_proc_text(proc_root, 0, "zoneinfo", &buf);

	if (r < 0)
		return r;
	return lrg_parse_zoneinfo(buf, ret);
}

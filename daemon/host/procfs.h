/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * procfs.h - readers for the /proc files the host backends (proc, mglru)
 * and the process tracker share.
 *
 * Every reader takes the procfs root ("/proc" on a real system) so unit
 * tests feed fixture trees; every parser takes the file's text so it can be
 * tested on strings. Parsers never log. Sizes are in bytes unless a name
 * says pages or ticks; outputs ret_* are left untouched on failure.
 */
#ifndef LRG_PROCFS_H
#define LRG_PROCFS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* task_struct->flags bit of kernel threads (include/linux/sched.h). */
#define LRG_PF_KTHREAD 0x00200000U

/* Parse a decimal u64 with an optional "max" meaning UINT64_MAX. */
int lrg_parse_u64_max(const char *s, uint64_t *ret);

/* /proc/PID/stat */
struct lrg_proc_stat {
	pid_t pid;
	char comm[16];
	char state;              /* R S D Z T t X I ... */
	pid_t ppid;
	unsigned int flags;      /* PF_* */
	uint64_t utime, stime;   /* clock ticks */
	int64_t num_threads;
	uint64_t starttime;      /* clock ticks since boot */
	uint64_t rss;            /* resident pages: anon, file and shmem */
	/* The mm's layout (0 for kernel threads, or without ptrace access):
	 * equal in every process sharing one mm, randomized per exec. */
	uint64_t start_code, end_code, start_stack, start_brk;
};

int lrg_parse_proc_stat(const char *text, struct lrg_proc_stat *ret);
int lrg_procfs_read_stat(const char *proc_root, pid_t pid, struct lrg_proc_stat *ret);
/* The start time alone (clock ticks since boot): with the pid, the identity
 * of a process that survives pid reuse. -ESRCH when pid is gone. */
int lrg_procfs_read_start_time(const char *proc_root, pid_t pid, uint64_t *ret);

static inline bool lrg_proc_stat_is_kthread(const struct lrg_proc_stat *st)
{
	return st->flags & LRG_PF_KTHREAD;
}

/* /proc/PID/status; has_mm is false for kernel threads and zombies, whose
 * status carries no Vm and Rss lines. */
struct lrg_proc_status {
	pid_t tgid;
	uid_t uid, euid;         /* real and effective; (uid_t)-1 without a Uid line */
	bool has_mm;
	uint64_t vm_size, vm_rss;
	uint64_t rss_anon, rss_file, rss_shmem, vm_swap;
};

int lrg_parse_proc_status(const char *text, struct lrg_proc_status *ret);
int lrg_procfs_read_status(const char *proc_root, pid_t pid, struct lrg_proc_status *ret);

/* A status's resident pages of page_size bytes, split as the LRU splits
 * them: shared memory is swap-backed, so it counts as anonymous. */
static inline void lrg_proc_status_split(const struct lrg_proc_status *s, uint64_t page_size,
					 uint64_t *ret_anon, uint64_t *ret_file)
{
	*ret_anon = (s->rss_anon + s->rss_shmem) / page_size;
	*ret_file = s->rss_file / page_size;
}

/*
 * A thread of pid other than pid itself that has not exited, with the mm:
 * its tid, stat and status. A leader that left by pthread_exit is a zombie
 * while its threads run on, and its own stat and status show no mm; the
 * process is still there, and so is its memory. -ESRCH if none.
 */
int lrg_procfs_read_live_thread(const char *proc_root, pid_t pid, pid_t *ret_tid,
				struct lrg_proc_stat *ret_stat, struct lrg_proc_status *ret_status);

/* /proc/PID/cgroup: the v2 line "0::/path" and, on hybrid or v1 machines,
 * the line of the v1 hierarchy that has the memory controller. */
struct lrg_proc_cgroup {
	bool has_v2, has_memory_v1;
	/* PATH_MAX: the kernel prints no longer path there */
	char v2[PATH_MAX];
	char memory_v1[PATH_MAX];
};

int lrg_parse_proc_cgroup(const char *text, struct lrg_proc_cgroup *ret);
int lrg_procfs_read_cgroup(const char *proc_root, pid_t pid, struct lrg_proc_cgroup *ret);

int lrg_procfs_read_oom_score_adj(const char *proc_root, pid_t pid, int *ret);

/* The pid the kernel handed out last (/proc/loadavg's last field, the
 * pid namespace's cursor): pids are handed out upward from it. */
int lrg_parse_loadavg_last_pid(const char *text, pid_t *ret);
int lrg_procfs_read_last_pid(const char *proc_root, pid_t *ret);

/*
 * A counter that advances whenever the process has run: its CPU time from
 * st (utime + stime, whole clock ticks of the thread group) plus its main
 * thread's run time in nanoseconds from /proc/PID/schedstat, when the
 * kernel has it. The ticks alone miss a process that runs a few
 * milliseconds a second (an application redrawing once a second) for
 * seconds at a time, and the aging, which walks only what has run, then
 * lets its pages fall to the oldest generation although they are in use.
 * Only its changes mean anything.
 */
uint64_t lrg_procfs_run_stamp(const char *proc_root, pid_t pid, const struct lrg_proc_stat *st,
			      long clk_tck);

/* /proc/PID/exe: the executable's absolute path into buf (size bytes),
 * and whether a rule may believe it (*ret_trusted): the file is root's, no
 * one else may write it, and the path looked up here is that very file,
 * not a deleted one nor one of the same name in another mount namespace.
 * -ESRCH if the process is gone, -ENAMETOOLONG if the path does not fit. */
int lrg_procfs_read_exe(const char *proc_root, pid_t pid, char *buf, size_t size,
			bool *ret_trusted);

/* /proc/meminfo, in bytes. */
struct lrg_meminfo {
	uint64_t mem_total, mem_free, mem_available;
	uint64_t cached, buffers, shmem;
	uint64_t active_anon, inactive_anon, active_file, inactive_file;
	uint64_t swap_total, swap_free;
};

int lrg_parse_meminfo(const char *text, struct lrg_meminfo *ret);
int lrg_procfs_read_meminfo(const char *proc_root, struct lrg_meminfo *ret);

/* PSI: /proc/pressure/memory and a cgroup's memory.pressure. The "full"
 * line is absent on old kernels (and for the CPU resource). */
struct lrg_psi {
	double some_avg10, some_avg60, some_avg300;
	double full_avg10, full_avg60, full_avg300;
	uint64_t some_total_us, full_total_us;
	bool has_full;
};

int lrg_parse_psi(const char *text, struct lrg_psi *ret);
int lrg_read_psi(const char *path, struct lrg_psi *ret);

/*
 * /proc/vmstat and a cgroup's memory.stat share the counter names. pgscan
 * and pgsteal are the sums over the reclaim contexts (kswapd, direct,
 * khugepaged, proactive), refaults the sum over anon and file.
 */
struct lrg_vmstat {
	uint64_t pgscan, pgsteal;
	uint64_t refaults;
	uint64_t oom_kill;
	/* memory.stat only (bytes); 0 from /proc/vmstat */
	uint64_t anon, file, shmem;
};

int lrg_parse_vmstat(const char *text, struct lrg_vmstat *ret);
int lrg_procfs_read_vmstat(const char *proc_root, struct lrg_vmstat *ret);

/* /proc/zoneinfo: the low and high watermarks summed over all zones. */
struct lrg_watermarks {
	uint64_t min_pages, low_pages, high_pages;
	int nr_zones;
};

int lrg_parse_zoneinfo(const char *text, struct lrg_watermarks *ret);
int lrg_procfs_read_zoneinfo(const char *proc_root, struct lrg_watermarks *ret);

#endif /* LRG_PROCFS_H */

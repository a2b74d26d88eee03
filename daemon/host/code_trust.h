/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * code_trust.h - whether every program file a process runs is root's.
 *
 * An exe rule believes /proc/PID/exe when that file is root's and no one
 * else may write it (procfs.h). A user can still run such a program with
 * code of their own in it (LD_PRELOAD, dlopen): the runaway is then the
 * user's code under a name the profile protects. So a process of another
 * uid than root that grows is believed only when each executable file
 * mapping in /proc/PID/maps is as trustworthy as its exe: the file mapped
 * (through /proc/PID/map_files, so a library replaced or deleted since by
 * an upgrade is judged as the file it was) is a regular file, root's and
 * not writable by group or others, and not on a FUSE mount, whose server
 * may be the user's and may claim any owner. Executable memory with no
 * file (a JIT) and the kernel's [vdso] say nothing either way; code a
 * user copies into anonymous memory or injects with ptrace is not seen
 * here at all (ptrace needs the same uid, and the rule is then the
 * user's own process's).
 */
#ifndef LRG_CODE_TRUST_H
#define LRG_CODE_TRUST_H

#include <sys/types.h>

/* 1 when every executable file mapping of pid is trusted, 0 when one is
 * not, -errno when the maps cannot be read (-ESRCH: gone). */
int lrg_procfs_code_trusted(const char *proc_root, pid_t pid);

#endif /* LRG_CODE_TRUST_H */

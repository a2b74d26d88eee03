/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * code_trust.h - whether every program file a process runs is root's.
 *
 * An exe rule believes /proc/PID/exe when that file is root's and no one
 * else may write it (procfs.h). A user can still run such a program with
 * code of their own in it (LD_PRELOAD, dlopen): the runaway is then the
 * user's code under a name the profile protects. So a process of another
 * uid than root that grows is believed only when each executable file
 * mapping in /proc/PID/maps is as trustworthy as its exe: a regular file,
 * root's, not writable by group or others, and the very file the mapping
 * names (device and inode as mapped), not a deleted one. Executable
 * memory with no file (a JIT) and the kernel's [vdso] say nothing either
 * way.
 */
#ifndef LRG_CODE_TRUST_H
#define LRG_CODE_TRUST_H

#include <sys/types.h>

/* 1 when every executable file mapping of pid is trusted, 0 when one is
 * not, -errno when the maps cannot be read (-ESRCH: gone). */
int lrg_procfs_code_trusted(const char *proc_root, pid_t pid);

#endif /* LRG_CODE_TRUST_H */

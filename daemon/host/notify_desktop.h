/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * notify_desktop.h - tell the user, on their desktop, which application
 * lrugend killed and why (org.freedesktop.Notifications over D-Bus).
 *
 * The notification is best effort and never delays anything: it is sent
 * by a detached grandchild that drops to the victim's user before it
 * connects to that user's session bus, so a hung notification server, a
 * slow NSS lookup or the bus's own allocation cannot touch the daemon,
 * which after a kill goes straight back to watching pressure.
 */
#ifndef LRG_NOTIFY_DESKTOP_H
#define LRG_NOTIFY_DESKTOP_H

#include <stdint.h>
#include <sys/types.h>

/* What the notification says. */
struct lrg_kill_note {
	pid_t pid;
	char comm[16];
	uint64_t rss_kb;
	const char *reason;     /* why this victim, e.g. "grew most during the episode" */
	const char *domain;     /* "machine" or the slice */
	int whole_cgroup;       /* the victim's whole cgroup went */
};

/*
 * The uid of the session a cgroup belongs to: systemd puts every user's
 * sessions and apps under .../user-UID.slice/. Returns -1 (no session)
 * for system services, the root cgroup, NULL, or a malformed component.
 */
long lrg_session_uid_of_cgroup(const char *cgroup_path);

/*
 * Send the notification to uid's session bus at RUN_USER_DIR/UID/bus
 * ("/run/user" on a real machine). Returns 0 once the sender is on its
 * way (not when the notification is shown), -ENOENT when uid has no
 * session bus, -EPERM for uid 0 (root's processes have no desktop
 * session to notify; a root bus there would be a system service's), or
 * another negative errno if fork failed.
 */
int lrg_notify_desktop_kill(const char *run_user_dir, long uid, const struct lrg_kill_note *n);

#endif /* LRG_NOTIFY_DESKTOP_H */

// SPDX-License-Identifier: GPL-2.0-only
/*
 * manager_stall.c - the machine's PSI trigger wakes the engine's tick.
 *
 * One trigger on /proc/pressure/memory is enough: the root's "some"
 * counts a stall of any task, whichever slice or cgroup it runs in, so it
 * fires at least as soon as a trigger on any slice's memory.pressure with
 * the same threshold would. Its threshold is the stall a calm machine
 * tolerates (LRG_CALM_PSI_SOME, 1% of a second): the first stall beyond
 * it ends calm and brings the tick forward with a full read of the
 * machine, and the tick's own measure decides the rest.
 */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "clock.h"
#include "lrg_log.h"
#include "manager_int.h"
#include "psi_trigger.h"

#define MACHINE_PRESSURE "/proc/pressure/memory"

static int on_stall(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct manager *m = userdata;
	uint64_t at;

	if (revents & EPOLLERR) {
		log_warning("the PSI trigger on " MACHINE_PRESSURE " failed: memory is polled");
		manager_stall_stop(m);
		return 0;
	}
	lrg_policy_note_stall(m->policy);
	/* a tick due sooner stays; one due later comes now */
	if (sd_event_source_get_time(m->tick_source, &at) < 0 || at > lrg_mono_us()) {
		sd_event_source_set_time(m->tick_source, lrg_mono_us());
		sd_event_source_set_enabled(m->tick_source, SD_EVENT_ONESHOT);
		m->stall_wakes++;
	}
	return 0;
}

int manager_stall_start(struct manager *m)
{
	int fd = lrg_psi_trigger_open(MACHINE_PRESSURE, LRG_STALL_WAKE_US, LRG_STALL_WINDOW_US);
	int r;

	if (fd < 0) {
		log_info("no PSI trigger on " MACHINE_PRESSURE " (%s%s): memory is polled every %u ms",
			 strerror(-fd),
			 fd == -EPERM || fd == -EINVAL ? "; it needs CAP_SYS_RESOURCE" : "",
			 m->cfg->daemon.poll_interval_ms);
		return fd;
	}
	r = sd_event_add_io(m->event, &m->stall_source, fd, EPOLLPRI, on_stall, m);
	if (r < 0 || (r = sd_event_source_set_io_fd_own(m->stall_source, true)) < 0) {
		m->stall_source = sd_event_source_unref(m->stall_source);
		close(fd);
		lrg_log_errno(LOG_WARNING, r, "watching the PSI trigger");
		return r;
	}
	lrg_policy_set_stall_wakes(m->policy, true);
	log_info("PSI trigger: a memory stall of %u ms in %u ms wakes lrugend",
		 LRG_STALL_WAKE_US / 1000, LRG_STALL_WINDOW_US / 1000);
	return 0;
}

void manager_stall_stop(struct manager *m)
{
	if (!m->stall_source)
		return;
	lrg_policy_set_stall_wakes(m->policy, false);
	m->stall_source = sd_event_source_disable_unref(m->stall_source);
}

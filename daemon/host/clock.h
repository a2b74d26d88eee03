/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * clock.h - the monotonic clock of the daemon's timers and measurements.
 *
 * CLOCK_MONOTONIC, the clock sd-event's timers run on, so a time read here
 * can be handed to sd_event_source_set_time() as it is. The core never
 * reads it: time comes into the policy as an argument (the backend's
 * now_ms()).
 */
#ifndef LRG_CLOCK_H
#define LRG_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t lrg_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static inline uint64_t lrg_mono_us(void)
{
	return lrg_mono_ns() / 1000;
}

static inline uint64_t lrg_mono_ms(void)
{
	return lrg_mono_ns() / 1000000;
}

#endif /* LRG_CLOCK_H */

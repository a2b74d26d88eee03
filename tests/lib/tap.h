/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tap.h - minimal TAP output for C unit tests (automake's tap-driver reads
 * it, so every check counts on its own in the CI summary).
 *
 *   ok(cond, "what must hold, %d", x);   -- one test point
 *   skip("why");                          -- one skipped point, with reason
 *   return tap_done();                    -- plan line and exit status
 */
#ifndef LRG_TAP_H
#define LRG_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_n, tap_failed;

__attribute__((format(printf, 2, 3))) static inline int ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!cond)
		tap_failed++;
	return cond;
}

static inline void skip(const char *why)
{
	printf("ok %d # SKIP %s\n", ++tap_n, why);
}

/* Diagnostic line, shown by the harness. */
#define diag(...) (printf("# "), printf(__VA_ARGS__), putchar('\n'))

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif /* LRG_TAP_H */

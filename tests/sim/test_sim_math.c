// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_sim_math.c - the simulator's exp, log and pow against libm's,
 * over the whole range each is used on, and at the edges.
 */
#include <math.h>
#include <stdio.h>

#include "sim_math.h"
#include "tap.h"

static double rel(double a, double b)
{
	double d = fabs(b) > 1 ? fabs(b) : 1;

	return fabs(a - b) / d;
}

static void test_exp(void)
{
	double worst = 0, at = 0;

	for (double x = -745; x < 709.7; x += 0.0137) {
		double b = exp(x), e;

		if (b < 1e-300)
			continue;
		e = fabs(lrg_sim_exp(x) - b) / b;
		if (e > worst) {
			worst = e;
			at = x;
		}
	}
	ok(worst < 1e-15, "exp within 1e-15 of libm over [-745, 709.7] (worst %.3g at %g)", worst,
	   at);
	ok(lrg_sim_exp(0) == 1, "exp(0) is exactly 1");
	ok(isinf(lrg_sim_exp(710)) && lrg_sim_exp(710) > 0, "exp(710) overflows to +inf");
	ok(lrg_sim_exp(-746) == 0, "exp(-746) underflows to 0");
	ok(lrg_sim_exp(-745.0) == exp(-745.0) && lrg_sim_exp(-745.0) > 0,
	   "exp(-745) is the smallest subnormal, as libm's (%g)", lrg_sim_exp(-745.0));
	ok(fabs(lrg_sim_exp(-740) - exp(-740)) <= 4.95e-324,
	   "exp(-740), a subnormal, within one step of libm's");
	ok(!isinf(lrg_sim_exp(709.7827)) && fabs(lrg_sim_exp(709.7827) - exp(709.7827)) /
	   exp(709.7827) < 1e-15, "exp(709.7827) is finite, as libm's");
	ok(isnan(lrg_sim_exp(NAN)), "exp(NaN) is NaN");
}

static void test_log(void)
{
	double worst = 0, at = 0;

	for (double x = 1e-300; x < 1e300; x *= 1.37) {
		double e = rel(lrg_sim_log(x), log(x));

		if (e > worst) {
			worst = e;
			at = x;
		}
	}
	for (double x = 0.5; x < 3; x += 0.0001) {
		double e = fabs(lrg_sim_log(x) - log(x)) / fmax(fabs(log(x)), 1e-3);

		if (e > worst) {
			worst = e;
			at = x;
		}
	}
	ok(worst < 1e-15, "log within 1e-15 of libm over [1e-300, 1e300] (worst %.3g at %g)",
	   worst, at);
	ok(lrg_sim_log(1) == 0, "log(1) is exactly 0");
	ok(isinf(lrg_sim_log(0)) && lrg_sim_log(0) < 0, "log(0) is -inf");
	ok(isnan(lrg_sim_log(-1)), "log(-1) is NaN");
	ok(rel(lrg_sim_log(4e-310), log(4e-310)) < 1e-15, "log of a subnormal");
}

/* The Zipf weights of sim_model.c: (i + 1)^s for up to 2 million pages. */
static void test_pow(void)
{
	double worst = 0;

	for (int i = 1; i < 2000000; i += 7)
		for (double s = 0.5; s <= 2; s += 0.25) {
			double b = pow(i, s), e = fabs(lrg_sim_pow(i, s) - b) / b;

			if (e > worst)
				worst = e;
		}
	ok(worst < 1e-14, "pow((i + 1), s) within 1e-14 of libm for i < 2e6, s in [0.5, 2] "
	   "(worst %.3g)", worst);
	ok(lrg_sim_pow(7, 0) == 1, "x^0 is exactly 1");
}

int main(void)
{
	test_exp();
	test_log();
	test_pow();
	return tap_done();
}

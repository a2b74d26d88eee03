// SPDX-License-Identifier: GPL-2.0-only
/*
 * sim_math.c - see sim_math.h. Classic argument reductions: e^x as
 * 2^k e^r with |r| <= ln2/2, ln x as k ln2 + 2 atanh((m-1)/(m+1)) with m
 * in [sqrt(1/2), sqrt(2)); the series are summed far enough that the
 * first term left out is below 1e-18 of the result.
 */
#include <float.h>
#include <stdint.h>
#include <string.h>

#include "sim_math.h"

/* ln 2 split so that k * LN2_HI is exact for |k| < 2^11 */
#define LN2_HI 6.93147180369123816490e-01
#define LN2_LO 1.90821492927058770002e-10
#define LN2 0.69314718055994530942

/* 2^k for a normal or subnormal result, built in the exponent bits. */
static double two_to(int k)
{
	uint64_t bits;
	double d;

	if (k < -1022)
		return two_to(k + 60) * two_to(-60);
	bits = (uint64_t)(k + 1023) << 52;
	memcpy(&d, &bits, sizeof(d));
	return d;
}

double lrg_sim_exp(double x)
{
	double r, term = 1, sum = 1;
	int k;

	if (x != x)
		return x;
	if (x > 709.782712893384)
		return DBL_MAX * 2;
	if (x < -745.2)
		return 0;
	k = (int)(x / LN2 + (x < 0 ? -0.5 : 0.5));
	r = (x - k * LN2_HI) - k * LN2_LO;
	for (int n = 1; n <= 15; n++) {
		term *= r / n;
		sum += term;
	}
	if (k > 1023)
		return sum * two_to(1023) * two_to(k - 1023);
	if (k < -1021)     /* subnormal: one rounding, at the last step */
		return sum * two_to(k + 64) * two_to(-64);
	return sum * two_to(k);
}

double lrg_sim_log(double x)
{
	uint64_t bits;
	double m, s, s2, term, sum;
	int k;

	if (x != x || x < 0)
		return (x - x) / (x - x);
	if (x == 0)
		return -DBL_MAX * 2;
	if (x > DBL_MAX)
		return x;
	k = 0;
	if (x < DBL_MIN) {
		x *= two_to(60);
		k = -60;
	}
	memcpy(&bits, &x, sizeof(bits));
	k += (int)((bits >> 52) & 0x7ff) - 1023;
	bits = (bits & ~(0x7ffULL << 52)) | (1023ULL << 52);
	memcpy(&m, &bits, sizeof(m));               /* x = m 2^k, m in [1, 2) */
	if (m > 1.41421356237309504880) {
		m /= 2;
		k++;
	}
	s = (m - 1) / (m + 1);                      /* |s| <= 0.1716 */
	s2 = s * s;
	term = s;
	sum = 0;
	for (int n = 1; n <= 23; n += 2) {
		sum += term / n;
		term *= s2;
	}
	return k * LN2_HI + (k * LN2_LO + 2 * sum);
}

double lrg_sim_pow(double x, double y)
{
	return lrg_sim_exp(y * lrg_sim_log(x));
}

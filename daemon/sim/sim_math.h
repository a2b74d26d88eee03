/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef LRG_SIM_MATH_H
#define LRG_SIM_MATH_H

/*
 * The two transcendental functions the simulated machine needs (a Zipf
 * distribution's weights, PSI's exponential averages), here so that the
 * daemon, which carries the simulator for --sim, does not link libm: the
 * loader runs libm's IFUNC resolvers at every start, which faults in and
 * keeps about 300 KiB of libm's code in a daemon whose RSS is budgeted.
 * Against libm: relative error below 1e-15 for exp and log; pow's grows
 * with |y ln x| (4e-15 for the Zipf weights of 2 million pages).
 */

/* e^x; 0 below -745.14, +inf above 709.7827. */
double lrg_sim_exp(double x);

/* The natural logarithm of x > 0; -inf for 0, NaN below 0. */
double lrg_sim_log(double x);

/* x^y for x > 0, as e^(y ln x). */
double lrg_sim_pow(double x, double y);

#endif /* LRG_SIM_MATH_H */

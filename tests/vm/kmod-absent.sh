#!/bin/sh
# Host test: without lrugen.ko the client says so (-ENOENT and a message).
exec "${top_builddir:-.}/tests/vm/lrg-kmod-test" absent

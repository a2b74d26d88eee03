// SPDX-License-Identifier: GPL-2.0-only
/*
 * scale-sleepers.c - lrg-scale-sleepers CGROUP_DIR N KIB: move into the
 * cgroup, then be N processes (this one and N-1 children), each with KIB
 * of its own anonymous memory touched once, all asleep until killed (the
 * scale benchmark kills them with cgroup.kill). CGROUP_DIR "-" stays in
 * the caller's cgroup (the benchmark's native-host variant, which kills the
 * process group). Prints "ready" once every process has touched its memory,
 * so the caller knows the population is complete.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static void touch(size_t bytes)
{
	char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		_exit(1);
	for (size_t i = 0; i < bytes; i += 4096)
		p[i] = (char)i | 1;
}

int main(int argc, char **argv)
{
	char path[4096], buf[32];
	int fd, n, ready[2];
	size_t kib;

	if (argc != 4) {
		fprintf(stderr, "usage: lrg-scale-sleepers CGROUP_DIR N KIB\n");
		return 2;
	}
	n = atoi(argv[2]);
	kib = strtoul(argv[3], NULL, 10);
	if (strcmp(argv[1], "-") != 0) {
		snprintf(path, sizeof(path), "%s/cgroup.procs", argv[1]);
		fd = open(path, O_WRONLY);
		snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
		if (fd < 0 || write(fd, buf, strlen(buf)) < 0) {
			perror(path);
			return 1;
		}
		close(fd);
	}
	if (pipe(ready) < 0)
		return 1;
	for (int i = 1; i < n; i++) {
		pid_t p = fork();

		if (p < 0) {
			perror("fork");
			return 1;
		}
		if (p == 0) {
			close(ready[0]);
			touch(kib << 10);
			if (write(ready[1], "x", 1) < 0)
				_exit(1);
			close(ready[1]);
			for (;;)
				pause();
		}
	}
	close(ready[1]);
	touch(kib << 10);
	for (int i = 1; i < n; i++) {
		char c;

		while (read(ready[0], &c, 1) < 0 && errno == EINTR)
			;
	}
	close(ready[0]);
	printf("ready\n");
	fflush(stdout);
	/* stdout closed: the caller's $(...) returns while we sleep on */
	fclose(stdout);
	for (;;)
		pause();
}

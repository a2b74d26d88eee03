// SPDX-License-Identifier: GPL-2.0-only
/*
 * lrg-notify-sink: a notification server for the system test
 * (tests/system/guest.sh). It owns org.freedesktop.Notifications on the
 * session bus of the user who runs it, as a desktop's notification daemon
 * does, and appends "app<TAB>summary<TAB>body" of each Notify call to
 * FILE, so the test can see what lrugend told the user after a kill.
 *
 *   lrg-notify-sink FILE
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <systemd/sd-bus.h>

static int on_notify(sd_bus_message *m, void *file, sd_bus_error *err)
{
	const char *app, *icon, *summary, *body;
	uint32_t replaces;
	FILE *f;
	int r;

	(void)err;
	r = sd_bus_message_read(m, "susss", &app, &replaces, &icon, &summary, &body);
	if (r < 0)
		return r;
	f = fopen(file, "a");
	if (!f)
		return -errno;
	fprintf(f, "%s\t%s\t%s\n", app, summary, body);
	fclose(f);
	return sd_bus_reply_method_return(m, "u", (uint32_t)1);
}

static const sd_bus_vtable notifications[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("Notify", "susssasa{sv}i", "u", on_notify, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END
};

int main(int argc, char **argv)
{
	sd_bus *bus = NULL;
	int r;

	if (argc != 2) {
		fprintf(stderr, "usage: lrg-notify-sink FILE\n");
		return 2;
	}
	r = sd_bus_open_user(&bus);
	if (r >= 0)
		r = sd_bus_add_object_vtable(bus, NULL, "/org/freedesktop/Notifications",
					     "org.freedesktop.Notifications", notifications, argv[1]);
	if (r >= 0)
		r = sd_bus_request_name(bus, "org.freedesktop.Notifications", 0);
	if (r < 0) {
		fprintf(stderr, "lrg-notify-sink: %s\n", strerror(-r));
		return 1;
	}
	printf("lrg-notify-sink ready\n");
	fflush(stdout);
	for (;;) {
		r = sd_bus_process(bus, NULL);
		if (r < 0)
			return 1;
		if (r == 0 && sd_bus_wait(bus, (uint64_t)-1) < 0)
			return 1;
	}
}

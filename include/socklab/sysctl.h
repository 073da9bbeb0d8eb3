/* sysctl.h — read the kernel settings a claim depends on.
 *
 * Names are written as sysctl(8) writes them ("net.ipv4.tcp_fin_timeout") and
 * read from /proc/sys. Settings of the network stack belong to the network
 * namespace the process runs in. */
#ifndef SOCKLAB_SYSCTL_H
#define SOCKLAB_SYSCTL_H

/* Read up to `room` whole numbers from the setting `name` into values.
 * Returns how many were read, or -errno (-ENOENT: not on this kernel). */
int sl_sysctl_read(const char *name, long *values, int room);

/* The first value of `name`, or `otherwise` when it cannot be read. */
long sl_sysctl_long(const char *name, long otherwise);

#endif

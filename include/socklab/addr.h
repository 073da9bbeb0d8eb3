/* addr.h — "ip:port" for IPv4 and IPv6, written the way ss writes it.
 *
 *   127.0.0.1:8080     [::1]:8080     0.0.0.0:*     [::ffff:127.0.0.1]:443
 *
 * Port 0 is written "*", as ss does for a listener's peer. */
#ifndef SOCKLAB_ADDR_H
#define SOCKLAB_ADDR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

/* Room for "[" + the longest IPv6 text + "]:" + 5 digits + NUL. */
#define SL_ADDR_STRLEN 56

/* Format a socket address (AF_INET or AF_INET6); returns buf. */
char *sl_addr_format(const struct sockaddr *sa, char *buf, size_t len);

/* Format raw parts: family, address bytes in network order, port in host order. */
char *sl_addr_format_raw(int family, const void *addr, uint16_t port,
                         char *buf, size_t len);

/* Parse "1.2.3.4:80" or "[::1]:80" (a port "*" is 0). On failure returns false and sets *why to
 * a short reason ("missing port", "port out of range 1-65535", ...). */
bool sl_addr_parse(const char *text, struct sockaddr_storage *out,
                   socklen_t *out_len, const char **why);

/* Parse a bare address ("127.0.0.1", "::1") and attach a port (host order). */
bool sl_addr_parse_ip(const char *text, uint16_t port, struct sockaddr_storage *out,
                      socklen_t *out_len, const char **why);

/* Parse a port number 0..65535 written in decimal, nothing else on the line. */
bool sl_port_parse(const char *text, uint16_t *port, const char **why);

/* The port of a socket address, in host order. */
uint16_t sl_addr_port(const struct sockaddr *sa);

#endif

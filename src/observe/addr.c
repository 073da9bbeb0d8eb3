/* addr.c — format and parse "ip:port" (see addr.h). */
#include "socklab/addr.h"

#include "socklab/i18n.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *sl_addr_format_raw(int family, const void *addr, uint16_t port,
                         char *buf, size_t len)
{
    char ip[INET6_ADDRSTRLEN];
    char port_text[8] = "*";
    if (port)
        snprintf(port_text, sizeof port_text, "%u", port);
    if (!inet_ntop(family, addr, ip, sizeof ip)) {
        snprintf(buf, len, "?:%s", port_text);
        return buf;
    }
    snprintf(buf, len, family == AF_INET6 ? "[%s]:%s" : "%s:%s", ip, port_text);
    return buf;
}

char *sl_addr_format(const struct sockaddr *sa, char *buf, size_t len)
{
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        return sl_addr_format_raw(AF_INET, &in->sin_addr, ntohs(in->sin_port), buf, len);
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        return sl_addr_format_raw(AF_INET6, &in6->sin6_addr, ntohs(in6->sin6_port),
                                  buf, len);
    }
    snprintf(buf, len, "(family %d)", sa->sa_family);
    return buf;
}

uint16_t sl_addr_port(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return ntohs(((const struct sockaddr_in *)sa)->sin_port);
    if (sa->sa_family == AF_INET6)
        return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
    return 0;
}

bool sl_port_parse(const char *text, uint16_t *port, const char **why)
{
    if (!text || !*text || strspn(text, "0123456789") != strlen(text)) {
        *why = _("a port is a number from 0 to 65535");
        return false;
    }
    errno = 0;
    unsigned long value = strtoul(text, NULL, 10);
    if (errno || value > 65535) {
        *why = _("port out of range 0-65535");
        return false;
    }
    *port = (uint16_t)value;
    return true;
}

bool sl_addr_parse_ip(const char *text, uint16_t port, struct sockaddr_storage *out,
                      socklen_t *out_len, const char **why)
{
    memset(out, 0, sizeof *out);
    struct sockaddr_in *in = (struct sockaddr_in *)out;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)out;
    if (inet_pton(AF_INET, text, &in->sin_addr) == 1) {
        in->sin_family = AF_INET;
        in->sin_port = htons(port);
        *out_len = sizeof *in;
        return true;
    }
    if (inet_pton(AF_INET6, text, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        *out_len = sizeof *in6;
        return true;
    }
    *why = _("not an IP address (write it as digits, such as 127.0.0.1)");
    return false;
}

bool sl_addr_parse(const char *text, struct sockaddr_storage *out,
                   socklen_t *out_len, const char **why)
{
    char host[INET6_ADDRSTRLEN + 2];
    const char *port_text;
    size_t host_len;
    bool bracketed = text[0] == '[';

    if (bracketed) {                       /* [v6]:port */
        const char *close = strchr(text, ']');
        if (!close) {
            *why = _("an IPv6 address needs its closing ']'");
            return false;
        }
        if (close[1] != ':') {
            *why = _("missing port (write [::1]:8080)");
            return false;
        }
        host_len = (size_t)(close - text - 1);
        text++;
        port_text = close + 2;
    } else {                                    /* v4:port */
        const char *colon = strrchr(text, ':');
        if (!colon) {
            *why = _("missing port (write 127.0.0.1:8080)");
            return false;
        }
        if (strchr(text, ':') != colon) {
            *why = _("an IPv6 address with a port needs brackets ([::1]:8080)");
            return false;
        }
        host_len = (size_t)(colon - text);
        port_text = colon + 1;
    }
    if (host_len == 0 || host_len >= sizeof host) {
        *why = _("missing or overlong address");
        return false;
    }
    memcpy(host, text, host_len);
    host[host_len] = '\0';

    uint16_t port = 0;                          /* "*": no port, as ss writes it */
    if (strcmp(port_text, "*") && !sl_port_parse(port_text, &port, why))
        return false;
    if (!sl_addr_parse_ip(host, port, out, out_len, why))
        return false;
    /* "[1.2.3.4]:80" is not a thing: brackets are for IPv6 only. */
    if (bracketed != (out->ss_family == AF_INET6)) {
        *why = _("brackets go around IPv6 addresses only");
        return false;
    }
    return true;
}

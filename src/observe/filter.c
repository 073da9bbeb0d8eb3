/* filter.c — states and port ranges to look at (see filter.h). */
#include "socklab/filter.h"

#include "socklab/addr.h"
#include "socklab/diag.h"
#include "socklab/i18n.h"

#include <stdio.h>
#include <string.h>

void sl_filter_init(struct sl_filter *f)
{
    memset(f, 0, sizeof *f);
    f->states = SL_STATES_ALL;
}

bool sl_filter_add_range(struct sl_filter *f, uint16_t low, uint16_t high)
{
    if (f->range_count == SL_FILTER_MAX_RANGES)
        return false;
    f->ranges[f->range_count++] = (struct sl_port_range){ low, high };
    return true;
}

bool sl_filter_add_ports(struct sl_filter *f, const char *text, char *why, size_t why_len)
{
    char copy[256];
    if (!*text || strlen(text) >= sizeof copy) {
        snprintf(why, why_len, "%s", _("give ports as 8080, 8000-8100 or 80,443"));
        return false;
    }
    if (text[0] == ',' || text[strlen(text) - 1] == ',' || strstr(text, ",,")) {
        snprintf(why, why_len, "%s", _("an empty item in the list (write 80,443)"));
        return false;
    }
    strcpy(copy, text);
    char *save = NULL;
    for (char *part = strtok_r(copy, ",", &save); part; part = strtok_r(NULL, ",", &save)) {
        char *dash = strchr(part, '-');
        const char *reason;
        uint16_t low, high;
        if (dash)
            *dash = '\0';
        if (!sl_port_parse(part, &low, &reason) ||
            !sl_port_parse(dash ? dash + 1 : part, &high, &reason)) {
            snprintf(why, why_len, _("'%s%s%s' is not a port or range (1-65535, e.g. 8000-8100)"),
                     part, dash ? "-" : "", dash ? dash + 1 : "");
            return false;
        }
        if (low == 0) {             /* it would match every listener's peer, *:0 */
            snprintf(why, why_len, "%s", _("port 0 is no port a connection uses (give 1-65535)"));
            return false;
        }
        if (low > high) {
            snprintf(why, why_len, _("the range %u-%u runs backwards (write %u-%u)"),
                     low, high, high, low);
            return false;
        }
        if (!sl_filter_add_range(f, low, high)) {
            snprintf(why, why_len, _("too many port ranges (at most %d)"), SL_FILTER_MAX_RANGES);
            return false;
        }
    }
    return true;
}

bool sl_filter_set_states(struct sl_filter *f, const char *text, char *why, size_t why_len)
{
    return sl_state_parse_list(text, &f->states, why, why_len);
}

bool sl_filter_port_match(const struct sl_filter *f, uint16_t port)
{
    if (f->range_count == 0)
        return true;
    for (int i = 0; i < f->range_count; i++)
        if (port >= f->ranges[i].low && port <= f->ranges[i].high)
            return true;
    return false;
}

bool sl_filter_match(const struct sl_filter *f, const struct sl_socket *s)
{
    /* A time-wait entry shows its sub-state but is filed as TIME-WAIT, as the
     * kernel's own state filter files it. */
    int filed_as = s->timer == SL_TIMER_TIMEWAIT ? SL_TCP_TIME_WAIT : s->state;
    if (!(f->states & SL_STATE_BIT(filed_as)))
        return false;
    return sl_filter_port_match(f, s->tuple.local_port) ||
           sl_filter_port_match(f, s->tuple.peer_port);
}

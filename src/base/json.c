/* json.c — JSON lines with escaping of arbitrary bytes, and reading a line
 * back through jansson (see json.h). */
#include "socklab/json.h"

#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

/* Length of the valid UTF-8 sequence starting at s (1..4), or 0 if the bytes
 * there are not one: overlong forms, surrogates and values past U+10FFFF are
 * rejected, as RFC 3629 asks. */
static size_t utf8_sequence_length(const unsigned char *s, size_t left)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t min, cp;
    if (c < 0x80)
        return 1;
    else if ((c & 0xE0) == 0xC0)
        len = 2, min = 0x80, cp = c & 0x1F;
    else if ((c & 0xF0) == 0xE0)
        len = 3, min = 0x800, cp = c & 0x0F;
    else if ((c & 0xF8) == 0xF0)
        len = 4, min = 0x10000, cp = c & 0x07;
    else
        return 0;
    if (len > left)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

void sl_json_write_escaped(FILE *out, const char *value, size_t len)
{
    const unsigned char *s = (const unsigned char *)value;
    fputc('"', out);
    for (size_t i = 0; i < len;) {
        unsigned char c = s[i];
        if (c == '"' || c == '\\') {
            fputc('\\', out);
            fputc(c, out);
            i++;
        } else if (c == '\n') {
            fputs("\\n", out), i++;
        } else if (c == '\t') {
            fputs("\\t", out), i++;
        } else if (c == '\r') {
            fputs("\\r", out), i++;
        } else if (c < 0x20 || c == 0x7F) {
            fprintf(out, "\\u%04x", c), i++;
        } else {
            size_t n = utf8_sequence_length(s + i, len - i);
            if (n == 0) {
                fputs("\\ufffd", out);      /* not UTF-8: the replacement character */
                i++;
            } else {
                fwrite(s + i, 1, n, out);
                i += n;
            }
        }
    }
    fputc('"', out);
}

static void key(struct sl_json *j, const char *name)
{
    if (j->need_comma)
        fputc(',', j->out);
    j->need_comma = true;
    if (name) {
        sl_json_write_escaped(j->out, name, strlen(name));
        fputc(':', j->out);
    }
}

void sl_json_begin(struct sl_json *j, FILE *out)
{
    j->out = out;
    j->need_comma = false;
    fputc('{', out);
}

void sl_json_end(struct sl_json *j)
{
    fputs("}\n", j->out);
    fflush(j->out);
}

void sl_json_string_n(struct sl_json *j, const char *name, const char *value, size_t len)
{
    key(j, name);
    sl_json_write_escaped(j->out, value, len);
}

void sl_json_string(struct sl_json *j, const char *name, const char *value)
{
    if (!value) {
        key(j, name);
        fputs("null", j->out);
        return;
    }
    sl_json_string_n(j, name, value, strlen(value));
}

void sl_json_int(struct sl_json *j, const char *name, long long value)
{
    key(j, name);
    fprintf(j->out, "%lld", value);
}

void sl_json_uint(struct sl_json *j, const char *name, unsigned long long value)
{
    key(j, name);
    fprintf(j->out, "%llu", value);
}

void sl_json_double(struct sl_json *j, const char *name, double value)
{
    key(j, name);
    if (isfinite(value))
        fprintf(j->out, "%.3f", value);
    else
        fputs("null", j->out);          /* JSON has no NaN or infinity */
}

void sl_json_bool(struct sl_json *j, const char *name, bool value)
{
    key(j, name);
    fputs(value ? "true" : "false", j->out);
}

void sl_json_open_array(struct sl_json *j, const char *name)
{
    key(j, name);
    fputc('[', j->out);
    j->need_comma = false;
}

void sl_json_close_array(struct sl_json *j)
{
    fputc(']', j->out);
    j->need_comma = true;
}

void sl_json_open_object(struct sl_json *j, const char *name)
{
    key(j, name);
    fputc('{', j->out);
    j->need_comma = false;
}

void sl_json_close_object(struct sl_json *j)
{
    fputc('}', j->out);
    j->need_comma = true;
}

bool sl_json_flat_get(const char *json, const char *key, char *out, size_t len)
{
    json_t *object = json_loads(json, JSON_REJECT_DUPLICATES, NULL);
    json_t *value = json_object_get(object, key);       /* NULL unless an object has it */
    int n = -1;
    if (json_is_string(value))
        n = snprintf(out, len, "%s", json_string_value(value));
    else if (json_is_integer(value))
        n = snprintf(out, len, "%" JSON_INTEGER_FORMAT, json_integer_value(value));
    else if (json_is_real(value))
        n = snprintf(out, len, "%.17g", json_real_value(value));
    else if (json_is_boolean(value) || json_is_null(value))
        n = snprintf(out, len, "%s", json_is_true(value) ? "true" : json_is_false(value)
                                                          ? "false" : "null");
    json_decref(object);
    return n >= 0 && (size_t)n < len;
}

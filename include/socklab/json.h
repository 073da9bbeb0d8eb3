/* json.h — JSON lines, one object per line, for tests and tools.
 *
 * Written by hand, streaming straight to the FILE: at 50,000 sockets
 * `sockdash --once --json` spent 10-16% more CPU when each line was built and
 * dumped by jansson (docs/performance.md). Read with jansson.
 *
 *     struct sl_json j;
 *     sl_json_begin(&j, stdout);
 *     sl_json_string(&j, "event", "expect");
 *     sl_json_bool(&j, "ok", true);
 *     sl_json_end(&j);                       -> {"event":"expect","ok":true}\n
 *
 * Strings may hold any bytes: the output is always valid JSON in UTF-8.
 * Quotes, backslashes and control characters are escaped; a byte that is not
 * part of valid UTF-8 becomes U+FFFD, so a reader never chokes on it. */
#ifndef SOCKLAB_JSON_H
#define SOCKLAB_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct sl_json {
    FILE *out;
    bool need_comma;
};

void sl_json_begin(struct sl_json *j, FILE *out);     /* "{" */
void sl_json_end(struct sl_json *j);                   /* "}\n", flushed */

void sl_json_string(struct sl_json *j, const char *key, const char *value); /* NULL: null */
void sl_json_string_n(struct sl_json *j, const char *key, const char *value, size_t len);
void sl_json_int(struct sl_json *j, const char *key, long long value);
void sl_json_uint(struct sl_json *j, const char *key, unsigned long long value);
void sl_json_double(struct sl_json *j, const char *key, double value);
void sl_json_bool(struct sl_json *j, const char *key, bool value);

/* Nested values: key is NULL for an element inside an array. */
void sl_json_open_array(struct sl_json *j, const char *key);
void sl_json_close_array(struct sl_json *j);
void sl_json_open_object(struct sl_json *j, const char *key);
void sl_json_close_object(struct sl_json *j);

/* Write value as a quoted JSON string (the escaping rules above). */
void sl_json_write_escaped(FILE *out, const char *value, size_t len);

/* Reading back one line such as a lab's --describe: copy the value of `key`
 * (a string, unescaped; a number, true, false or null as text) into out. The
 * line is parsed whole and strictly by jansson (recordings are read with it
 * too). False when the line is not a JSON object, the key is missing, the
 * value is an array or object, or it does not fit. */
bool sl_json_flat_get(const char *json, const char *key, char *out, size_t len);

#endif

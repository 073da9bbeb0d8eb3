/* markdown.h — the notes (Markdown, as GitHub writes it) rendered for a
 * terminal: what `socklab notes N` pages and the labs' --tui shows on `n`.
 *
 * md4c parses (CommonMark with GitHub's tables); this module only lays the
 * result out in columns (text.h), never wider than asked:
 *   - headings on a line of their own, the top two underlined (= and -);
 *   - paragraphs and list items wrapped between words, items with a hanging
 *     indent; code blocks indented, their long lines wrapped after a space;
 *   - a table that fits is aligned in columns; one that does not becomes a
 *     list, a row an item: its first cell, then "heading: cell" for the rest;
 *   - an exercise's answer (<details><summary>Answer</summary>...</details>)
 *     is folded: the question says "[answer N at the end]" and the answers
 *     follow the notes under "Answers", so a student reads the question first;
 *   - emphasis and code spans lose their marks, a link keeps its text (and an
 *     absolute address, in <>); raw HTML is left out.
 * Under a locale that is not UTF-8 (SL_MARKDOWN_ASCII) every character beyond
 * ASCII becomes its stand-in (charset.h) before anything is measured. */
#ifndef SOCKLAB_MARKDOWN_H
#define SOCKLAB_MARKDOWN_H

#include <stddef.h>

enum {
    SL_MARKDOWN_ASCII = 1 << 0,   /* ASCII output, for a locale that is not UTF-8 */
};

/* The Markdown text (len bytes) laid out for a terminal `columns` wide (at
 * least 20 are used): lines ending in '\n', in a string the caller frees.
 * NULL when out of memory or when the parser gave up. */
char *sl_markdown_render(const char *text, size_t len, int columns, unsigned flags);

#endif

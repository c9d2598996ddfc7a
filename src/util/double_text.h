/*
 * double_text.h — the shortest decimal text of a double that reads back as it
 * (Python's repr digits), in printf's %g form: what "%.{p}g" writes with the
 * smallest p for which strtod gives the double back.
 */
#ifndef UTIL_DOUBLE_TEXT_H
#define UTIL_DOUBLE_TEXT_H

/* "-1.7976931348623157e+308" and its NUL, with room to spare. */
#define DOUBLE_TEXT_LEN 32

/* d must be finite. */
void double_text_shortest(double d, char out[DOUBLE_TEXT_LEN]);

#endif

/*
 * log.h — one line per event: "2026-05-18 11:19:43,894 ERROR stats.api post: …".
 *
 * Thread-safe; writes to LOG_PATH or stderr.  SIGHUP makes the server call
 * log_reopen() so logrotate can move the file.  Never log a token or a body.
 */
#ifndef UTIL_LOG_H
#define UTIL_LOG_H

#include <stdbool.h>

/* LOG_LEVEL: messages below the level are dropped. */
enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARNING, LOG_ERROR };

/* path NULL or "" → stderr. Returns false (errno set) if the file can't be opened. */
bool log_open(const char *path, enum log_level level);
bool log_reopen(void);
void log_close(void);
bool log_enabled(enum log_level level);
/* module: "stats.api", "stats.http", "stats.store" … */
void log_msg(enum log_level level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_debug(mod, ...) log_msg(LOG_DEBUG, mod, __VA_ARGS__)
#define log_info(mod, ...) log_msg(LOG_INFO, mod, __VA_ARGS__)
#define log_warning(mod, ...) log_msg(LOG_WARNING, mod, __VA_ARGS__)
#define log_error(mod, ...) log_msg(LOG_ERROR, mod, __VA_ARGS__)

#endif

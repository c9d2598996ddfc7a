/*
 * log.c — the service's log: one line per event, to LOG_PATH or stderr.
 *
 * Each line is built whole and written with a single write() on a descriptor
 * opened with O_APPEND, so lines from several threads (or processes sharing
 * the file) never interleave.  A mutex only guards the descriptor itself
 * against log_reopen() swapping it underneath a writer.
 */
#include "util/log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/buf.h"

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
/* Before log_open(), and with no LOG_PATH, events go to stderr. */
static int log_fd = STDERR_FILENO;
static char *log_path;
static enum log_level min_level = LOG_INFO;

static const char *const level_names[] = {"DEBUG", "INFO", "WARNING", "ERROR"};

/* mkdir -p of the folder holding path ("./var/stats.log" → "./var"). */
static bool make_parent_dirs(const char *path)
{
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    bool ok = true;
    if (slash && slash != dir) {
        *slash = '\0';
        for (char *p = dir + 1; ok; p++) {
            if (*p != '/' && *p != '\0')
                continue;
            char saved = *p;
            *p = '\0';
            ok = mkdir(dir, 0755) == 0 || errno == EEXIST;
            *p = saved;
            if (saved == '\0')
                break;
        }
    }
    int saved_errno = errno;
    free(dir);
    errno = saved_errno;
    return ok;
}

static int open_log_file(const char *path)
{
    if (!make_parent_dirs(path))
        return -1;
    return open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
}

/* Installs fd as the log descriptor and closes the previous one (never stderr). */
static void swap_fd(int fd)
{
    pthread_mutex_lock(&log_lock);
    int old = log_fd;
    log_fd = fd;
    pthread_mutex_unlock(&log_lock);
    if (old != STDERR_FILENO)
        close(old);
}

bool log_open(const char *path, enum log_level level)
{
    int fd = STDERR_FILENO;
    if (path && *path) {
        fd = open_log_file(path);
        if (fd < 0)
            return false;
    }
    free(log_path);
    log_path = path && *path ? xstrdup(path) : NULL;
    min_level = level;
    swap_fd(fd);
    return true;
}

/* Opens the path anew (logrotate has moved the old file away); on failure
 * the old descriptor stays in use, so no event is lost. */
bool log_reopen(void)
{
    if (!log_path)
        return true;
    int fd = open_log_file(log_path);
    if (fd < 0)
        return false;
    swap_fd(fd);
    return true;
}

/* Back to the state before log_open(): stderr, level info. */
void log_close(void)
{
    swap_fd(STDERR_FILENO);
    free(log_path);
    log_path = NULL;
    min_level = LOG_INFO;
}

bool log_enabled(enum log_level level)
{
    return level >= min_level;
}

/* "2026-05-18 11:19:43,894 " in local time, like Python's logging. */
static void put_timestamp(buf *b)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm tm;
    localtime_r(&now.tv_sec, &tm);
    char date[32];
    strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &tm);
    buf_printf(b, "%s,%03ld ", date, now.tv_nsec / 1000000);
}

/* Length of the UTF-8 sequence at s[0..left) when its shape is valid, else 0. */
static size_t utf8_len(const unsigned char *s, size_t left)
{
    size_t n = s[0] >= 0xC2 && s[0] <= 0xDF ? 2 : s[0] >= 0xE0 && s[0] <= 0xEF ? 3
             : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : 0;
    if (n == 0 || n > left)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return n;
}

/* One event, one line of text: messages carry what clients sent (paths, names),
 * so control characters (newlines that would forge entries, terminal escapes)
 * become spaces and bytes that are not UTF-8 become '?'. */
static void neutralise(buf *line, size_t from)
{
    unsigned char *s = (unsigned char *)line->data;
    for (size_t i = from; i < line->len;) {
        if (s[i] < 0x20 || s[i] == 0x7F) {
            s[i++] = ' ';
        } else if (s[i] < 0x80) {
            i++;
        } else {
            size_t n = utf8_len(s + i, line->len - i);
            if (n == 0)
                s[i++] = '?';
            else
                i += n;
        }
    }
}

void log_msg(enum log_level level, const char *module, const char *fmt, ...)
{
    if (!log_enabled(level))
        return;
    buf line = BUF_INIT;
    put_timestamp(&line);
    buf_printf(&line, "%s %s ", level_names[level], module);
    size_t message_start = line.len;
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&line, fmt, ap);
    va_end(ap);
    neutralise(&line, message_start);
    buf_putc(&line, '\n');
    pthread_mutex_lock(&log_lock);
    /* Nowhere left to report a failed log write; the event is dropped. */
    ssize_t written = write(log_fd, line.data, line.len);
    pthread_mutex_unlock(&log_lock);
    (void)written;
    buf_free(&line);
}

/*
 * progress.c — the progress bar of long commands (see cli.h): one line on
 * stderr, redrawn in place with "\r", only on a terminal.
 */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"

#define BAR_WIDTH 30
#define REDRAW_EVERY_S 0.2

static double monotonic_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define MAX_SHOWN_S (100 * 3600 - 1) /* an ETA beyond 99:59:59 is shown as that */

/* "1:05" or "1:02:05". */
static void format_duration(double seconds, char out[16])
{
    unsigned s = seconds <= 0 ? 0 : seconds >= MAX_SHOWN_S ? MAX_SHOWN_S : (unsigned)(seconds + 0.5);
    if (s >= 3600)
        snprintf(out, 16, "%u:%02u:%02u", s / 3600 % 100, s / 60 % 60, s % 60);
    else
        snprintf(out, 16, "%u:%02u", s / 60 % 60, s % 60);
}

static void draw(struct cli_progress *p, double now)
{
    double elapsed = now - p->started;
    double rate = elapsed > 0 ? (double)p->done / elapsed : 0;
    if (p->total > 0) {
        int filled = (int)(BAR_WIDTH * (p->done > p->total ? 1.0 : (double)p->done / (double)p->total));
        char bar[BAR_WIDTH + 1];
        for (int i = 0; i < BAR_WIDTH; i++)
            bar[i] = i < filled ? '#' : '.';
        bar[BAR_WIDTH] = '\0';
        char eta[16] = "?";
        if (rate > 0)
            format_duration((double)(p->total - p->done) / rate, eta);
        fprintf(stderr, "\r%s [%s] %lld/%lld  %.0f/s  ETA %s\033[K", p->label, bar,
                (long long)p->done, (long long)p->total, rate, eta);
    } else {
        fprintf(stderr, "\r%s %lld  %.0f/s\033[K", p->label, (long long)p->done, rate);
    }
    fflush(stderr);
    p->drawn = now;
}

void cli_progress_start(struct cli_progress *p, const char *label, int64_t total)
{
    *p = (struct cli_progress){
        .enabled = isatty(STDERR_FILENO) == 1,
        .label = label,
        .total = total,
        .started = monotonic_s(),
    };
    if (p->enabled)
        draw(p, p->started);
}

void cli_progress_add(struct cli_progress *p, int64_t n)
{
    p->done += n;
    if (!p->enabled)
        return;
    double now = monotonic_s();
    if (now - p->drawn >= REDRAW_EVERY_S || (p->total > 0 && p->done >= p->total))
        draw(p, now);
}

void cli_progress_end(struct cli_progress *p)
{
    if (!p->enabled)
        return;
    fputs("\r\033[K", stderr);
    fflush(stderr);
}

/*
 * replay.c — runs a fuzz target's LLVMFuzzerTestOneInput() over files, without
 * libFuzzer, so that every build (gcc, ASan, valgrind) replays the seed inputs
 * and every crash the fuzzers ever found (fuzz/regressions/<target>/).
 *
 *   replay_<target> FILE|DIR…   runs each file (a directory: each file in it)
 * A crash, a sanitizer report or an abort() of the target fails the test.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool run_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        fprintf(stderr, "cannot read %s\n", path);
        return false;
    }
    buf content = BUF_INIT;
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        buf_append(&content, chunk, n);
    fclose(fp);
    /* Copied to an exact-size block so that ASan sees any read past the end. */
    uint8_t *data = xmalloc(content.len ? content.len : 1);
    if (content.len)
        memcpy(data, content.data, content.len);
    LLVMFuzzerTestOneInput(data, content.len);
    free(data);
    buf_free(&content);
    return true;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every regular file of dir, in name order; returns how many. */
static int run_dir(const char *dir, bool *ok)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "cannot open %s\n", dir);
        *ok = false;
        return 0;
    }
    char **names = NULL;
    size_t count = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.')
            continue;
        names = xrealloc(names, (count + 1) * sizeof *names);
        buf path = BUF_INIT;
        buf_printf(&path, "%s/%s", dir, e->d_name);
        names[count++] = buf_detach(&path, NULL);
    }
    closedir(d);
    if (count) /* qsort() must not be given NULL, even for nothing */
        qsort(names, count, sizeof *names, by_name);
    int done = 0;
    for (size_t i = 0; i < count; i++) {
        struct stat st;
        if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
            *ok = run_file(names[i]) && *ok;
            done++;
        }
        free(names[i]);
    }
    free(names);
    return done;
}

int main(int argc, char **argv)
{
    bool ok = true;
    int done = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
            done += run_dir(argv[i], &ok);
        else if (run_file(argv[i]))
            done++;
        else
            ok = false;
    }
    printf("%d inputs replayed%s\n", done, ok ? "" : ", some could not be read");
    return ok ? 0 : 1;
}

/*
 * fuzz_config.c — libFuzzer target: config_load() on any file content.
 *
 * The input becomes the configuration file, kept in memory (memfd) and read
 * through its /proc/self/fd path, so the loader runs exactly as `--config`
 * makes it run.  The environment is emptied of the service's variables once,
 * so that only the file speaks.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void clear_environment(void)
{
    static const char *const names[] = {
        "STATS_CONFIG", "HOST", "PORT", "INSTANCE_URL", "FIX_PROXY", "DATABASE_URI",
        "SQLALCHEMY_DATABASE_URI", "DB_HOSTNAME", "DB_PORT", "DB_NAME", "DB_USERNAME",
        "DB_PASSWORD", "ADMIN_TOKEN", "ACTIVE_BLUEPRINTS", "LOG_PATH", "LOG_LEVEL",
        "THREADS", "MAX_BODY_SIZE", "TIMEZONE", "MAX_PAGE_SIZE", "METRICS_ALLOW",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        unsetenv(names[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int fd = -1;
    if (fd < 0) {
        clear_environment();
        fd = memfd_create("fuzz-config", 0);
        if (fd < 0)
            abort();
    }
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        abort();
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);

    struct config cfg;
    config_defaults(&cfg);
    char *err = NULL, *warnings = NULL;
    if (config_load(&cfg, path, &err, &warnings))
        config_finish(&cfg);
    else if (!err)
        abort(); /* a refusal always says why */
    free(err);
    free(warnings);
    config_free(&cfg);
    return 0;
}

/*
 * store_fixture.c — the database test_store and test_processors run on (store_fixture.h).
 */
#include "store_fixture.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "util/buf.h"

char *fixture_db_uri;
char fixture_tmp_dir[64];

bool fixture_on_sqlite(void)
{
    return strncmp(fixture_db_uri, "sqlite:", 7) == 0;
}

int fixture_group_setup(void **state)
{
    (void)state;
    const char *env = getenv("STATS_TEST_DATABASE_URI");
    buf uri = BUF_INIT;
    if (env && *env) {
        buf_puts(&uri, env);
    } else {
        snprintf(fixture_tmp_dir, sizeof fixture_tmp_dir, "/tmp/stats-unit.XXXXXX");
        if (!mkdtemp(fixture_tmp_dir))
            return -1;
        buf_printf(&uri, "sqlite:///%s/stats.db", fixture_tmp_dir);
    }
    fixture_db_uri = buf_detach(&uri, NULL);
    return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

int fixture_group_teardown(void **state)
{
    (void)state;
    if (fixture_tmp_dir[0])
        nftw(fixture_tmp_dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
    free(fixture_db_uri);
    return 0;
}

int fixture_store_setup(void **state)
{
    struct store *s;
    char *err = NULL;
    if (store_open(fixture_db_uri, &s, &err) != STORE_OK) {
        fprintf(stderr, "# cannot open %s: %s\n", fixture_db_uri, err);
        free(err);
        return -1;
    }
    if (store_drop_all(s) != STORE_OK || store_migrate(s) != STORE_OK) {
        fprintf(stderr, "# cannot reset the schema: %s\n", store_errmsg(s));
        store_close(s);
        return -1;
    }
    *state = s;
    return 0;
}

int fixture_store_teardown(void **state)
{
    store_close(*state);
    return 0;
}

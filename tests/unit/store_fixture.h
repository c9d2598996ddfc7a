/*
 * store_fixture.h — the database test_store and test_processors run on.
 *
 * $STATS_TEST_DATABASE_URI when set (scripts/test.sh points it at a throwaway
 * PostgreSQL), else a SQLite file in a new temporary folder.  Each test gets a
 * connection to an empty, freshly migrated schema.
 */
#ifndef TESTS_STORE_FIXTURE_H
#define TESTS_STORE_FIXTURE_H

#include <stdbool.h>

extern char *fixture_db_uri;
extern char fixture_tmp_dir[64]; /* SQLite: the temporary folder; "" on PostgreSQL */

bool fixture_on_sqlite(void);

/* cmocka group setup/teardown: chooses the database; removes the folder and
 * all the tests left in it. */
int fixture_group_setup(void **state);
int fixture_group_teardown(void **state);
/* cmocka test setup/teardown: *state is a struct store * on a reset schema. */
int fixture_store_setup(void **state);
int fixture_store_teardown(void **state);
/* A test of the tests[] array run with the two above. */
#define STORE_TEST(f) cmocka_unit_test_setup_teardown(f, fixture_store_setup, fixture_store_teardown)

#endif

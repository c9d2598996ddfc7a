/*
 * test_config.c — configuration: defaults, the file, the environment,
 * command-line overrides and derived values (docs/configuration.md); and the log
 * that LOG_PATH and LOG_LEVEL configure (util/log.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <pthread.h>

#include "build_config.h"
#include "config/config.h"
#include "util/buf.h"
#include "util/log.h"

/* Every variable config_load() reads, cleared before each test. */
static const char *const env_names[] = {
    "STATS_CONFIG", "HOST", "PORT", "INSTANCE_URL", "FIX_PROXY", "DATABASE_URI",
    "SQLALCHEMY_DATABASE_URI", "DB_HOSTNAME", "DB_PORT", "DB_NAME", "DB_USERNAME", "DB_PASSWORD",
    "ADMIN_EMAIL", "ADMIN_URL", "DATA_LICENSE", "ADMIN_TOKEN", "ACTIVE_BLUEPRINTS", "CLIENT_REGISTRATION_OPEN",
    "REMOTE_STATS_SERVER", "REMOTE_STATS_TOKEN", "MOSP_URL", "LOG_PATH", "LOG_LEVEL", "SECRET_KEY",
    "THREADS", "MAX_BODY_SIZE", "TIMEZONE", "UPDATE_COMMAND", "SECURITY_CONTACT",
    "SECURITY_TXT_EXPIRES", "MAX_PAGE_SIZE", "METRICS_ALLOW", "MAP_TILES_URL", "REMOTE_TIMEOUT",
    "REMOTE_RETRIES", "REMOTE_CA_FILE", "AUTH_FAILURES_PER_MINUTE", "TESTING", "DEBUG",
    "SQLALCHEMY_TRACK_MODIFICATIONS", "MIN_ORGANISATIONS", "EVOLUTION_WINDOW",
    "DB_CONFIG_DICT", "DATABASE_NAME", "SERVER_NAME",
};

/* One test's state: a config and what loading it said. */
struct fixture {
    struct config cfg;
    char *err;
    char *warnings;
    char path[64];   /* the configuration file written by write_file(), if any */
};

static int setup(void **state)
{
    for (size_t i = 0; i < sizeof env_names / sizeof env_names[0]; i++)
        unsetenv(env_names[i]);
    struct fixture *f = calloc(1, sizeof *f);
    config_defaults(&f->cfg);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    config_free(&f->cfg);
    free(f->err);
    free(f->warnings);
    if (f->path[0])
        unlink(f->path);
    free(f);
    return 0;
}

/* text[0..len): the file may hold NUL bytes. */
static void write_bytes(struct fixture *f, const char *text, size_t len)
{
    strcpy(f->path, "/tmp/test_config_XXXXXX");
    int fd = mkstemp(f->path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
}

static void write_file(struct fixture *f, const char *text)
{
    write_bytes(f, text, strlen(text));
}

/* Loads the fixture's file (or none) and the environment. */
static bool load(struct fixture *f)
{
    free(f->err);
    free(f->warnings);
    return config_load(&f->cfg, f->path[0] ? f->path : NULL, &f->err, &f->warnings);
}

static bool load_text(struct fixture *f, const char *text)
{
    write_file(f, text);
    return load(f);
}

/* Asserts that loading failed with a message containing `part`. */
static void assert_error_contains(struct fixture *f, const char *part)
{
    assert_non_null(f->err);
    if (!strstr(f->err, part))
        fail_msg("error '%s' does not contain '%s'", f->err, part);
}

static void test_defaults(void **state)
{
    struct fixture *f = *state;
    assert_true(load(f));
    assert_null(f->err);
    assert_null(f->warnings);
    config_finish(&f->cfg);
    struct config *c = &f->cfg;
    assert_string_equal(c->host, "127.0.0.1");
    assert_int_equal(c->port, 5000);
    assert_string_equal(c->instance_url, "http://127.0.0.1:5000");
    assert_false(c->fix_proxy);
    assert_string_equal(c->database_uri, "sqlite:///./var/stats.db");
    assert_string_equal(c->admin_email, "opensource@nc3.lu");
    assert_string_equal(c->admin_url, "https://www.nc3.lu");
    assert_string_equal(c->data_license, "CC BY 4.0");
    assert_null(c->admin_token);
    assert_true(c->bp_stats && c->bp_admin && c->bp_root && c->bp_map);
    assert_false(c->client_registration_open);
    assert_string_equal(c->remote_stats_server, "https://dashboard.monarc.lu");
    assert_null(c->remote_stats_token);
    assert_string_equal(c->mosp_url, "https://objects.monarc.lu");
    assert_string_equal(c->log_path, "./var/stats.log");
    assert_int_equal(c->log_level, LOG_INFO);
    assert_true(c->threads >= 1 && c->threads <= 256);
    assert_int_equal(c->max_body_size, 64 * 1024 * 1024);
    assert_null(c->timezone);
    assert_null(c->update_command);
    assert_string_equal(c->security_contact, "mailto:opensource@nc3.lu");
    assert_int_equal(c->max_page_size, 100000);
    assert_int_equal(c->metrics_allow, METRICS_ALL);
    assert_null(c->map_tiles_url);
    assert_int_equal(c->remote_timeout, 30);
    assert_int_equal(c->remote_retries, 5);
    assert_null(c->remote_ca_file);
    assert_int_equal(c->auth_failures_per_minute, 30);
    /* A random secret, different on every start. */
    assert_true(strlen(c->secret_key) >= 32);
    struct config other;
    config_defaults(&other);
    config_finish(&other);
    assert_string_not_equal(c->secret_key, other.secret_key);
    config_free(&other);
}

static void test_security_txt_expires_is_build_date_plus_one_year(void **state)
{
    struct fixture *f = *state;
    config_finish(&f->cfg);
    int y = atoi(STATS_BUILD_DATE);
    char expected[32];
    snprintf(expected, sizeof expected, "%04d%s", y + 1, STATS_BUILD_DATE + 4);
    if (strcmp(STATS_BUILD_DATE + 4, "-02-29") == 0)
        snprintf(expected, sizeof expected, "%04d-02-28", y + 1);
    assert_memory_equal(f->cfg.security_txt_expires, expected, 10);
    assert_string_equal(f->cfg.security_txt_expires + 10, "T00:00:00Z");
}

static void test_file_syntax(void **state)
{
    struct fixture *f = *state;
    char long_value[400];
    memset(long_value, 'x', sizeof long_value - 1);
    long_value[sizeof long_value - 1] = '\0';
    char text[2048];
    snprintf(text, sizeof text,
             "# Webserver\n"
             "; also a comment\n"
             "[server]\n"
             "HOST = \"0.0.0.0\"\n"
             "PORT = 8080   # inline comment\n"
             "\n"
             "ADMIN_EMAIL = 'info@cases.lu'\n"
             "[secrets]\n"
             "SECRET_KEY = \"with # and ; inside\"  # comment after quotes\n"
             "UPDATE_COMMAND = cd /srv/stats && git pull ; make\n"
             "ADMIN_URL = https://example.org/#anchor\n"
             "DATA_LICENSE = ODbL 1.0\n"
             "  LOG_PATH = /tmp/stats-indented.log\n"
             "MAP_TILES_URL = https://tiles.example.org/%s/{z}/{x}/{y}.png\n"
             "REMOTE_STATS_TOKEN: colon-form\n",
             long_value);
    assert_true(load_text(f, text));
    struct config *c = &f->cfg;
    assert_string_equal(c->host, "0.0.0.0");
    assert_int_equal(c->port, 8080);
    assert_string_equal(c->admin_email, "info@cases.lu");
    assert_string_equal(c->secret_key, "with # and ; inside");
    assert_string_equal(c->update_command, "cd /srv/stats && git pull ; make");
    assert_string_equal(c->admin_url, "https://example.org/#anchor");
    assert_string_equal(c->data_license, "ODbL 1.0");
    assert_string_equal(c->log_path, "/tmp/stats-indented.log");
    assert_int_equal(strlen(c->map_tiles_url), strlen(long_value) + 42);
    assert_string_equal(c->remote_stats_token, "colon-form");
}

static void test_file_unknown_key_names_key_and_line(void **state)
{
    struct fixture *f = *state;
    assert_false(load_text(f, "# comment\n[section]\nHOST = ::\n\nPROT = 5000\nPORT = 1\n"));
    char expected[128];
    snprintf(expected, sizeof expected, "%s:5: unknown key 'PROT'", f->path);
    assert_string_equal(f->err, expected);
}

static void test_file_bad_value_names_key_and_line(void **state)
{
    struct fixture *f = *state;
    assert_false(load_text(f, "HOST = x\nPORT = abc\n"));
    char expected[160];
    snprintf(expected, sizeof expected,
             "%s:2: invalid value for PORT: 'abc' (expected an integer from 0 to 65535)", f->path);
    assert_string_equal(f->err, expected);
}

static void test_file_syntax_error(void **state)
{
    struct fixture *f = *state;
    assert_false(load_text(f, "HOST = x\nDB_CONFIG_DICT = {\n}\n"));
    char expected[128];
    snprintf(expected, sizeof expected, "%s:3: syntax error", f->path);
    assert_error_contains(f, expected);
}

static void test_file_python_expression_is_refused(void **state)
{
    struct fixture *f = *state;
    assert_false(load_text(f, "SQLALCHEMY_DATABASE_URI = \"postgresql://{user}@{host}\".format(\n"));
    assert_error_contains(f, ":1: invalid value for SQLALCHEMY_DATABASE_URI");
}

/* Messages quote what the file holds: control bytes and bytes that are no
 * UTF-8 come out as \xNN, letters of other alphabets as they are. */
static void test_file_messages_escape_unprintable_bytes(void **state)
{
    struct fixture *f = *state;
    char expected[256];
    assert_false(load_text(f, "HOST = x\nPR\x01OT\x1b[2J = 5000\n"));
    snprintf(expected, sizeof expected, "%s:2: unknown key 'PR\\x01OT\\x1b[2J'", f->path);
    assert_string_equal(f->err, expected);
    unlink(f->path);
    assert_false(load_text(f, "LOG_LEVEL = caf\xc3\xa9\x7f\xff\xc2\x85\n"));
    snprintf(expected, sizeof expected,
             "%s:1: invalid value for LOG_LEVEL: 'caf\xc3\xa9\\x7f\\xff\\xc2\\x85' "
             "(expected debug, info, warning or error)", f->path);
    assert_string_equal(f->err, expected);
    unlink(f->path);
    assert_false(load_text(f, "ACTIVE_BLUEPRINTS = stats_bp, \x02map\n"));
    assert_error_contains(f, "unknown blueprint '\\x02map'");
}

static void test_environment_messages_escape_unprintable_bytes(void **state)
{
    struct fixture *f = *state;
    setenv("PORT", "50\r\n00", 1);
    assert_false(load(f));
    assert_string_equal(f->err, "invalid value for environment variable PORT: '50\\x0d\\x0a00' "
                                "(expected an integer from 0 to 65535)");
}

/* A NUL byte is no text: an error at its line, not the end of the file
 * there (which fgets made it: PORT read as 50, the lines after it lost). */
static void test_file_nul_byte_is_an_error(void **state)
{
    struct fixture *f = *state;
    static const char text[] = "HOST = ::1\nPORT = 50\00000\nLOG_LEVEL = nonsense\n";
    write_bytes(f, text, sizeof text - 1);
    assert_false(load(f));
    char expected[160];
    snprintf(expected, sizeof expected, "%s:2: NUL byte (\\x00): a configuration file is text",
             f->path);
    assert_string_equal(f->err, expected);
    unlink(f->path);
    /* An error on an earlier line is the one told. */
    static const char earlier[] = "PORT = abc\n\0\n";
    write_bytes(f, earlier, sizeof earlier - 1);
    assert_false(load(f));
    assert_error_contains(f, ":1: invalid value for PORT: 'abc'");
    unlink(f->path);
    static const char first[] = "\0PORT = 1\n";
    write_bytes(f, first, sizeof first - 1);
    assert_false(load(f));
    assert_error_contains(f, ":1: NUL byte");
}

/* inih reads a long line in pieces; a NUL byte in a later piece still ends the
 * file there, and leaves inih's buffer a string (ASan watches). */
static void test_file_nul_byte_in_a_long_line(void **state)
{
    struct fixture *f = *state;
    char text[512];
    size_t n = 0;
    text[n++] = '#';
    while (n < 300)
        text[n++] = 'a';
    memcpy(text + n, "\0tail\nPORT = 1\n", 15);
    n += 15;
    write_bytes(f, text, n);
    assert_false(load(f));
    assert_error_contains(f, ":1: NUL byte");
}

static void test_file_missing(void **state)
{
    struct fixture *f = *state;
    char *err = NULL, *warnings = NULL;
    assert_false(config_load(&f->cfg, "/nonexistent/stats.cfg", &err, &warnings));
    assert_string_equal(err, "cannot read configuration file /nonexistent/stats.cfg: "
                             "No such file or directory");
    free(err);
    assert_false(config_load(&f->cfg, "/tmp", &err, &warnings));
    assert_non_null(strstr(err, "Is a directory"));
    free(err);
}

static void test_stats_config_variable_names_the_file(void **state)
{
    struct fixture *f = *state;
    write_file(f, "PORT = 6001\n");
    setenv("STATS_CONFIG", f->path, 1);
    char *err = NULL, *warnings = NULL;
    assert_true(config_load(&f->cfg, NULL, &err, &warnings));
    assert_int_equal(f->cfg.port, 6001);
}

/* Each typed key with values it must refuse, through config_set(). */
static void test_bad_values(void **state)
{
    struct fixture *f = *state;
    static const struct {
        const char *key, *value;
    } cases[] = {
        {"PORT", "65536"}, {"PORT", "abc"}, {"PORT", "80x"}, {"PORT", ""},
        {"PORT", "-1"}, {"PORT", "99999999999999999999"},
        {"THREADS", "0"}, {"THREADS", "257"}, {"THREADS", "four"},
        {"MAX_PAGE_SIZE", "0"}, {"MAX_PAGE_SIZE", "-5"}, {"MAX_PAGE_SIZE", "1e6"},
        {"REMOTE_TIMEOUT", "0"}, {"REMOTE_TIMEOUT", "30s"},
        {"REMOTE_RETRIES", "0"}, {"REMOTE_RETRIES", "many"},
        {"AUTH_FAILURES_PER_MINUTE", "-1"}, {"AUTH_FAILURES_PER_MINUTE", "100001"},
        {"AUTH_FAILURES_PER_MINUTE", "ten"}, {"AUTH_FAILURES_PER_MINUTE", ""},
        {"FIX_PROXY", "maybe"}, {"FIX_PROXY", ""}, {"CLIENT_REGISTRATION_OPEN", "2"},
        {"MAX_BODY_SIZE", "0"}, {"MAX_BODY_SIZE", "-1"}, {"MAX_BODY_SIZE", "10MB"},
        {"MAX_BODY_SIZE", "MiB"}, {"MAX_BODY_SIZE", "99999999999999MiB"},
        {"LOG_LEVEL", "verbose"}, {"LOG_LEVEL", ""},
        {"METRICS_ALLOW", "none"},
        {"ACTIVE_BLUEPRINTS", "stats_bp,api_bp"}, {"ACTIVE_BLUEPRINTS", "[\"nope\"]"},
        {"TIMEZONE", "Mars/Olympus_Mons"}, {"TIMEZONE", "../../etc/passwd"}, {"TIMEZONE", "Europe"},
        {"DATABASE_URI", "mysql://x"}, {"DATABASE_URI", "sqlite:///"}, {"DATABASE_URI", ""},
        {"SQLALCHEMY_DATABASE_URI", "stats.db"},
        {"INSTANCE_URL", "ftp://example.org"}, {"REMOTE_STATS_SERVER", "dashboard.monarc.lu"},
        {"MOSP_URL", ""}, {"SECURITY_TXT_EXPIRES", "2026-13-01"}, {"HOST", ""}, {"HOST", "[]"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *err = NULL;
        if (config_set(&f->cfg, cases[i].key, cases[i].value, &err))
            fail_msg("%s = '%s' was accepted", cases[i].key, cases[i].value);
        char expected[64];
        snprintf(expected, sizeof expected, "invalid value for %s", cases[i].key);
        if (strncmp(err, expected, strlen(expected)) != 0)
            fail_msg("%s = '%s': message '%s'", cases[i].key, cases[i].value, err);
        free(err);
    }
    /* Nothing refused was stored. */
    assert_int_equal(f->cfg.port, 5000);
    assert_true(f->cfg.bp_stats);
    assert_null(f->cfg.timezone);
}

static void test_secrets_stay_out_of_messages(void **state)
{
    struct fixture *f = *state;
    char *err = NULL;
    assert_false(config_set(&f->cfg, "DATABASE_URI", "mysql://root:hunter2@db/x", &err));
    assert_null(strstr(err, "hunter2"));
    free(err);
}

static void test_good_values(void **state)
{
    struct fixture *f = *state;
    struct config *c = &f->cfg;
    char *err = NULL;
    static const char *const truths[] = {"1", "true", "True", "TRUE", "yes", "on", "On"};
    static const char *const lies[] = {"0", "false", "False", "no", "off", "OFF"};
    for (size_t i = 0; i < sizeof truths / sizeof truths[0]; i++) {
        c->fix_proxy = false;
        assert_true(config_set(c, "FIX_PROXY", truths[i], &err));
        assert_true(c->fix_proxy);
    }
    for (size_t i = 0; i < sizeof lies / sizeof lies[0]; i++) {
        c->fix_proxy = true;
        assert_true(config_set(c, "FIX_PROXY", lies[i], &err));
        assert_false(c->fix_proxy);
    }
    assert_true(config_set(c, "MAX_BODY_SIZE", "512KiB", &err));
    assert_int_equal(c->max_body_size, 512 * 1024);
    assert_true(config_set(c, "MAX_BODY_SIZE", "2 MiB", &err));
    assert_int_equal(c->max_body_size, 2 * 1024 * 1024);
    assert_true(config_set(c, "MAX_BODY_SIZE", "1000", &err));
    assert_int_equal(c->max_body_size, 1000);
    assert_true(config_set(c, "LOG_LEVEL", "DEBUG", &err));
    assert_int_equal(c->log_level, LOG_DEBUG);
    assert_true(config_set(c, "LOG_LEVEL", "warning", &err));
    assert_int_equal(c->log_level, LOG_WARNING);
    assert_true(config_set(c, "LOG_LEVEL", "Error", &err));
    assert_int_equal(c->log_level, LOG_ERROR);
    assert_true(config_set(c, "METRICS_ALLOW", "loopback", &err));
    assert_int_equal(c->metrics_allow, METRICS_LOOPBACK);
    assert_true(config_set(c, "METRICS_ALLOW", "admin", &err));
    assert_int_equal(c->metrics_allow, METRICS_ADMIN);
    assert_true(config_set(c, "PORT", "65535", &err));
    assert_int_equal(c->port, 65535);
    assert_true(config_set(c, "PORT", "0", &err));
    assert_int_equal(c->port, 0);
    assert_true(config_set(c, "THREADS", "256", &err));
    assert_int_equal(c->threads, 256);
    assert_true(config_set(c, "MAX_PAGE_SIZE", "5000000000", &err));
    assert_int_equal(c->max_page_size, 5000000000LL);
    assert_true(config_set(c, "REMOTE_TIMEOUT", "1", &err));
    assert_true(config_set(c, "REMOTE_RETRIES", "1", &err));
    assert_int_equal(c->remote_timeout + c->remote_retries, 2);
    assert_true(config_set(c, "AUTH_FAILURES_PER_MINUTE", "0", &err)); /* no limit */
    assert_int_equal(c->auth_failures_per_minute, 0);
    assert_true(config_set(c, "AUTH_FAILURES_PER_MINUTE", "100000", &err));
    assert_int_equal(c->auth_failures_per_minute, 100000);
    assert_true(config_set(c, "TIMEZONE", "UTC", &err));
    assert_string_equal(c->timezone, "UTC");
    if (access("/usr/share/zoneinfo/Europe/Luxembourg", F_OK) == 0) {
        assert_true(config_set(c, "TIMEZONE", "Europe/Luxembourg", &err));
        assert_string_equal(c->timezone, "Europe/Luxembourg");
    }
    assert_true(config_set(c, "TIMEZONE", "", &err));
    assert_null(c->timezone);
    assert_true(config_set(c, "DATABASE_URI", "postgres://u:p@h/db", &err));
    assert_string_equal(c->database_uri, "postgres://u:p@h/db");
    assert_true(config_set(c, "REMOTE_STATS_SERVER", "https://stats.example.org/", &err));
    assert_string_equal(c->remote_stats_server, "https://stats.example.org");
    assert_true(config_set(c, "SECURITY_TXT_EXPIRES", "2030-01-01T00:00:00Z", &err));
    assert_string_equal(c->security_txt_expires, "2030-01-01T00:00:00Z");
    assert_true(config_set(c, "HOST", "[::1]", &err));
    assert_string_equal(c->host, "::1");
    assert_true(config_set(c, "ADMIN_TOKEN", "secret", &err));
    assert_string_equal(c->admin_token, "secret");
    assert_true(config_set(c, "ADMIN_TOKEN", "", &err));
    assert_null(c->admin_token);
}

static void test_unknown_setting_on_command_line(void **state)
{
    struct fixture *f = *state;
    char *err = NULL;
    assert_false(config_set(&f->cfg, "PROT", "1", &err));
    assert_string_equal(err, "unknown setting 'PROT'");
    free(err);
    assert_false(config_set(&f->cfg, "DEBUG", "1", &err));
    free(err);
}

static void test_environment_overrides_file(void **state)
{
    struct fixture *f = *state;
    setenv("PORT", "7000", 1);
    setenv("LOG_PATH", "", 1);
    setenv("ADMIN_EMAIL", "\"quoted@example.org\"", 1);
    assert_true(load_text(f, "PORT = 6000\nHOST = 10.0.0.1\nLOG_PATH = /tmp/x.log\n"));
    assert_int_equal(f->cfg.port, 7000);
    assert_string_equal(f->cfg.host, "10.0.0.1");
    assert_string_equal(f->cfg.log_path, "");
    assert_string_equal(f->cfg.admin_email, "quoted@example.org");
}

static void test_environment_bad_value_names_variable(void **state)
{
    struct fixture *f = *state;
    setenv("THREADS", "lots", 1);
    assert_false(load(f));
    assert_string_equal(f->err, "invalid value for environment variable THREADS: 'lots' "
                                "(expected an integer from 1 to 256)");
}

static void test_legacy_keys_warn(void **state)
{
    struct fixture *f = *state;
    assert_true(load_text(f, "TESTING = False\nDEBUG = True\nSQLALCHEMY_TRACK_MODIFICATIONS = False\n"
                             "DB_CONFIG_DICT = {}\nDATABASE_NAME = \"statsservice\"\n"
                             "SERVER_NAME = \"http://127.0.0.1:5000\"\nPORT = 5001\n"));
    assert_int_equal(f->cfg.port, 5001);
    assert_non_null(f->warnings);
    static const char *const legacy[] = {"TESTING", "DEBUG", "SQLALCHEMY_TRACK_MODIFICATIONS",
                                         "DB_CONFIG_DICT", "DATABASE_NAME", "SERVER_NAME"};
    for (int i = 0; i < 6; i++) {
        char expected[128];
        snprintf(expected, sizeof expected, "%s:%d: %s is not used", f->path, i + 1, legacy[i]);
        if (!strstr(f->warnings, expected))
            fail_msg("no warning '%s' in '%s'", expected, f->warnings);
    }
}

/* A file repeating an unused key keeps some 64 KiB of warnings, then one line for the rest. */
static void test_legacy_key_warnings_are_bounded(void **state)
{
    struct fixture *f = *state;
    buf text = BUF_INIT;
    for (int i = 0; i < 20000; i++)
        buf_puts(&text, "DEBUG = True\n");
    buf_puts(&text, "PORT = 5002\n");
    assert_true(load_text(f, text.data));
    buf_free(&text);
    assert_int_equal(f->cfg.port, 5002);
    assert_non_null(f->warnings);
    size_t len = strlen(f->warnings);
    assert_true(len > 60 * 1024 && len < 65 * 1024);
    char first[128], last[256];
    snprintf(first, sizeof first, "%s:1: DEBUG is not used by this service; ignored\n", f->path);
    snprintf(last, sizeof last, "\n%s: more keys not used by this service were ignored; their "
             "warnings are left out\n", f->path);
    assert_memory_equal(f->warnings, first, strlen(first));
    assert_string_equal(f->warnings + len - strlen(last), last);
}

static void test_legacy_environment_variables_are_silent(void **state)
{
    struct fixture *f = *state;
    setenv("DEBUG", "1", 1);
    setenv("TESTING", "yes", 1);
    assert_true(load(f));
    assert_null(f->warnings);
}

static void test_db_parts_build_uri(void **state)
{
    struct fixture *f = *state;
    setenv("DB_HOSTNAME", "db", 1);
    setenv("DB_PORT", "5433", 1);
    setenv("DB_NAME", "stats", 1);
    setenv("DB_USERNAME", "monarc", 1);
    setenv("DB_PASSWORD", "p@ss:w/rd", 1);
    assert_true(load(f));
    assert_string_equal(f->cfg.database_uri, "postgresql://monarc:p%40ss%3Aw%2Frd@db:5433/stats");
}

static void test_db_parts_minimal_and_ipv6(void **state)
{
    struct fixture *f = *state;
    assert_true(load_text(f, "DB_HOSTNAME = fd00::5\n"));
    assert_string_equal(f->cfg.database_uri, "postgresql://[fd00::5]/statsservice");
}

static void test_database_uri_wins_over_db_parts(void **state)
{
    struct fixture *f = *state;
    setenv("DB_HOSTNAME", "db", 1);
    assert_true(load_text(f, "SQLALCHEMY_DATABASE_URI = 'sqlite:////srv/stats.db'\n"));
    assert_string_equal(f->cfg.database_uri, "sqlite:////srv/stats.db");
}

static void test_database_uri_environment_beats_alias(void **state)
{
    struct fixture *f = *state;
    setenv("SQLALCHEMY_DATABASE_URI", "sqlite:///a.db", 1);
    setenv("DATABASE_URI", "sqlite:///b.db", 1);
    assert_true(load(f));
    assert_string_equal(f->cfg.database_uri, "sqlite:///b.db");
}

static void test_db_port_checked(void **state)
{
    struct fixture *f = *state;
    setenv("DB_HOSTNAME", "db", 1);
    setenv("DB_PORT", "postgres", 1);
    assert_false(load(f));
    assert_error_contains(f, "DB_PORT");
}

static void test_blueprints_comma_list(void **state)
{
    struct fixture *f = *state;
    setenv("ACTIVE_BLUEPRINTS", "stats_bp, map_bp", 1);
    assert_true(load(f));
    assert_true(f->cfg.bp_stats);
    assert_true(f->cfg.bp_map);
    assert_false(f->cfg.bp_admin);
    assert_false(f->cfg.bp_root);
}

static void test_blueprints_python_list(void **state)
{
    struct fixture *f = *state;
    assert_true(load_text(f, "ACTIVE_BLUEPRINTS = [\"root_bp\", 'admin_bp',]\n"));
    assert_false(f->cfg.bp_stats);
    assert_false(f->cfg.bp_map);
    assert_true(f->cfg.bp_admin);
    assert_true(f->cfg.bp_root);
    char *err = NULL;
    assert_true(config_set(&f->cfg, "ACTIVE_BLUEPRINTS", "[]", &err));
    assert_false(f->cfg.bp_admin || f->cfg.bp_root || f->cfg.bp_stats || f->cfg.bp_map);
}

static void test_instance_url_derived(void **state)
{
    struct fixture *f = *state;
    setenv("HOST", "::", 1);
    setenv("PORT", "8000", 1);
    assert_true(load(f));
    config_finish(&f->cfg);
    assert_string_equal(f->cfg.instance_url, "http://[::]:8000");
    /* serve --port after config_finish(): the derived URL follows. */
    char *err = NULL;
    assert_true(config_set(&f->cfg, "PORT", "8001", &err));
    assert_string_equal(f->cfg.instance_url, "http://[::]:8001");
    assert_true(config_set(&f->cfg, "ADMIN_EMAIL", "sec@example.org", &err));
    assert_string_equal(f->cfg.security_contact, "mailto:sec@example.org");
}

static void test_explicit_values_are_not_derived(void **state)
{
    struct fixture *f = *state;
    assert_true(load_text(f, "INSTANCE_URL = https://stats.example.org/prefix/\n"
                             "SECURITY_CONTACT = https://example.org/security\n"));
    config_finish(&f->cfg);
    char *err = NULL;
    assert_true(config_set(&f->cfg, "PORT", "9000", &err));
    assert_true(config_set(&f->cfg, "ADMIN_EMAIL", "x@example.org", &err));
    assert_string_equal(f->cfg.instance_url, "https://stats.example.org/prefix");
    assert_string_equal(f->cfg.security_contact, "https://example.org/security");
}

/* --- log.c ------------------------------------------------------------------ */

/* A scratch folder for log files, removed with what is in it. */
struct log_dir {
    char dir[64];
    char path[128];   /* dir/sub/stats.log: the sub folder is log_open()'s to create */
};

static int log_setup(void **state)
{
    struct log_dir *d = calloc(1, sizeof *d);
    strcpy(d->dir, "/tmp/test_log_XXXXXX");
    assert_non_null(mkdtemp(d->dir));
    snprintf(d->path, sizeof d->path, "%s/sub/stats.log", d->dir);
    *state = d;
    return 0;
}

static int log_teardown(void **state)
{
    struct log_dir *d = *state;
    log_close();
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d->dir);
    assert_int_equal(system(cmd), 0);
    free(d);
    return 0;
}

/* The whole file; caller frees. */
static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    rewind(fp);
    char *text = calloc(1, (size_t)n + 1);
    assert_int_equal(fread(text, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    return text;
}

/* "2026-05-18 11:19:43,894 " — checks the shape, returns what follows it. */
static const char *after_timestamp(const char *line)
{
    int y, mo, d, h, mi, sec, ms, n = 0;
    if (sscanf(line, "%4d-%2d-%2d %2d:%2d:%2d,%3d %n", &y, &mo, &d, &h, &mi, &sec, &ms, &n) != 7 ||
        n != 24)
        fail_msg("bad timestamp in '%s'", line);
    return line + n;
}

static void test_log_line_format_and_level(void **state)
{
    struct log_dir *d = *state;
    assert_true(log_open(d->path, LOG_WARNING));
    assert_false(log_enabled(LOG_INFO));
    assert_true(log_enabled(LOG_ERROR));
    log_debug("stats.test", "hidden %d", 1);
    log_info("stats.test", "hidden %d", 2);
    log_warning("stats.api", "post: Duplicate stats: %s", "abc");
    log_error("stats.store", "forged\nINFO line\r");
    char *text = slurp(d->path);
    char *second = strchr(text, '\n') + 1;
    second[-1] = '\0'; /* text: the first line alone */
    assert_string_equal(after_timestamp(text), "WARNING stats.api post: Duplicate stats: abc");
    assert_string_equal(after_timestamp(second), "ERROR stats.store forged INFO line \n");
    free(text);
}

/* What clients send ends up in messages: the line stays one line of UTF-8 text. */
static void test_log_neutralises_control_and_invalid_bytes(void **state)
{
    struct log_dir *d = *state;
    assert_true(log_open(d->path, LOG_INFO));
    log_info("stats.http", "GET /a\x1b[2J\tb\x7f \xff\xfe\xc3 caf\xc3\xa9 \xf0\x9d\x94\xb8 end");
    char *text = slurp(d->path);
    assert_string_equal(after_timestamp(text),
                        "INFO stats.http GET /a [2J b  ??? caf\xc3\xa9 \xf0\x9d\x94\xb8 end\n");
    free(text);
}

static void test_log_open_failure(void **state)
{
    assert_false(log_open("/dev/null/cannot/stats.log", LOG_INFO));
    /* Still usable: events go where they went before. */
    assert_true(log_enabled(LOG_INFO));
}

static void test_log_reopen_after_rotation(void **state)
{
    struct log_dir *d = *state;
    assert_true(log_open(d->path, LOG_INFO));
    log_info("stats.test", "before rotation");
    char rotated[140];
    snprintf(rotated, sizeof rotated, "%s.1", d->path);
    assert_int_equal(rename(d->path, rotated), 0);
    log_info("stats.test", "still to the moved file");
    assert_true(log_reopen());
    log_info("stats.test", "after rotation");
    char *old = slurp(rotated), *fresh = slurp(d->path);
    assert_non_null(strstr(old, "before rotation"));
    assert_non_null(strstr(old, "still to the moved file"));
    assert_null(strstr(old, "after rotation"));
    assert_string_equal(after_timestamp(fresh), "INFO stats.test after rotation\n");
    free(old);
    free(fresh);
}

#define LOG_THREADS 4
#define LOG_LINES_PER_THREAD 2000

static void *log_many(void *arg)
{
    char message[301];
    memset(message, 'a' + (int)(intptr_t)arg, 300);
    message[300] = '\0';
    for (int i = 0; i < LOG_LINES_PER_THREAD; i++)
        log_info("stats.test", "%s %04d", message, i);
    return NULL;
}

/* Lines written at once from several threads never interleave. */
static void test_log_lines_are_whole_under_threads(void **state)
{
    struct log_dir *d = *state;
    assert_true(log_open(d->path, LOG_INFO));
    pthread_t threads[LOG_THREADS];
    for (intptr_t t = 0; t < LOG_THREADS; t++)
        assert_int_equal(pthread_create(&threads[t], NULL, log_many, (void *)t), 0);
    for (int t = 0; t < LOG_THREADS; t++)
        pthread_join(threads[t], NULL);
    char *text = slurp(d->path);
    int lines = 0;
    for (char *line = text, *end; (end = strchr(line, '\n')); line = end + 1, lines++) {
        const char *body = after_timestamp(line);
        assert_memory_equal(body, "INFO stats.test ", 16);
        char c = body[16];
        assert_true(c >= 'a' && c < 'a' + LOG_THREADS);
        assert_int_equal(strspn(body + 16, (char[]){c, '\0'}), 300);
        assert_int_equal(end - body, 16 + 300 + 5);
    }
    assert_int_equal(lines, LOG_THREADS * LOG_LINES_PER_THREAD);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_security_txt_expires_is_build_date_plus_one_year, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_file_syntax, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_unknown_key_names_key_and_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_bad_value_names_key_and_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_syntax_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_python_expression_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_messages_escape_unprintable_bytes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_environment_messages_escape_unprintable_bytes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_file_nul_byte_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_nul_byte_in_a_long_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stats_config_variable_names_the_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_secrets_stay_out_of_messages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_good_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_setting_on_command_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_environment_overrides_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_environment_bad_value_names_variable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_legacy_keys_warn, setup, teardown),
        cmocka_unit_test_setup_teardown(test_legacy_key_warnings_are_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_legacy_environment_variables_are_silent, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_db_parts_build_uri, setup, teardown),
        cmocka_unit_test_setup_teardown(test_db_parts_minimal_and_ipv6, setup, teardown),
        cmocka_unit_test_setup_teardown(test_database_uri_wins_over_db_parts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_database_uri_environment_beats_alias, setup, teardown),
        cmocka_unit_test_setup_teardown(test_db_port_checked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blueprints_comma_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blueprints_python_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_instance_url_derived, setup, teardown),
        cmocka_unit_test_setup_teardown(test_explicit_values_are_not_derived, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log_line_format_and_level, log_setup, log_teardown),
        cmocka_unit_test_setup_teardown(test_log_neutralises_control_and_invalid_bytes, log_setup,
                                        log_teardown),
        cmocka_unit_test_setup_teardown(test_log_open_failure, log_setup, log_teardown),
        cmocka_unit_test_setup_teardown(test_log_reopen_after_rotation, log_setup, log_teardown),
        cmocka_unit_test_setup_teardown(test_log_lines_are_whole_under_threads, log_setup,
                                        log_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

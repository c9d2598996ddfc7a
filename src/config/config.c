/*
 * config.c — built-in defaults, the configuration file, the environment and
 * command-line overrides, checked key by key (docs/configuration.md).
 *
 * Every key is described once in a table (name, kind, where it lands in
 * struct config); the file, the environment and config_set() all go through
 * the same apply_value(), so a value means the same thing wherever it comes
 * from.  The file is read with libinih, whose line splitting we reuse; the
 * value syntax (quotes, "#" comments) is ours, so that a Python config
 * rewritten as KEY = value lines reads the way it did in Python.
 */
#include "config/config.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build_config.h"
#include "util/buf.h"
#include "util/date.h"
#include "util/ids.h"
#include "util/json.h"

#define DEFAULT_DATABASE_URI "sqlite:///./var/stats.db"
#define DEFAULT_DB_NAME "statsservice" /* the original's DATABASE_NAME */
#define ZONEINFO_DIR "/usr/share/zoneinfo/"

enum key_kind {
    KIND_TEXT,       /* any string */
    KIND_URL,        /* http:// or https://, trailing '/' dropped */
    KIND_HOST,       /* listen address; "[::1]" is stored as "::1" */
    KIND_BOOL,
    KIND_INT,        /* int field, within [min, max] */
    KIND_INT64,      /* int64_t field, within [min, max] */
    KIND_SIZE,       /* int64_t bytes, with an optional KiB / MiB suffix */
    KIND_LOG_LEVEL,
    KIND_METRICS,
    KIND_BLUEPRINTS,
    KIND_TIMEZONE,
    KIND_DB_URI,
    KIND_DATETIME,   /* ISO 8601 date or date-time */
    KIND_DB_PART,    /* DB_HOSTNAME …: collected while loading, see db_parts */
    KIND_LEGACY,     /* a key of the original that means nothing here */
};

/* An empty value leaves the setting unset (NULL) instead of being refused. */
#define EMPTY_UNSETS 1u
/* Another name for a setting that an earlier key of the table already names. */
#define ALIAS 2u

struct key {
    const char *name;
    enum key_kind kind;
    size_t offset;     /* into struct config, or into struct db_parts for KIND_DB_PART */
    unsigned flags;
    int64_t min, max;  /* numeric kinds */
};

/* The Docker image's DB_* variables, turned into a URI once everything is read. */
struct db_parts {
    char *hostname, *port, *name, *username, *password;
};

#define CFG(field) offsetof(struct config, field)
#define DBP(field) offsetof(struct db_parts, field)

static const struct key keys[] = {
    {"HOST", KIND_HOST, CFG(host), 0, 0, 0},
    {"PORT", KIND_INT, CFG(port), 0, 0, 65535},   /* 0: any free port (serve prints it) */
    {"INSTANCE_URL", KIND_URL, CFG(instance_url), EMPTY_UNSETS, 0, 0},
    {"FIX_PROXY", KIND_BOOL, CFG(fix_proxy), 0, 0, 0},
    /* The alias comes first so that DATABASE_URI wins when both are in the environment. */
    {"SQLALCHEMY_DATABASE_URI", KIND_DB_URI, CFG(database_uri), 0, 0, 0},
    {"DATABASE_URI", KIND_DB_URI, CFG(database_uri), ALIAS, 0, 0},
    {"DB_HOSTNAME", KIND_DB_PART, DBP(hostname), 0, 0, 0},
    {"DB_PORT", KIND_DB_PART, DBP(port), 0, 0, 0},
    {"DB_NAME", KIND_DB_PART, DBP(name), 0, 0, 0},
    {"DB_USERNAME", KIND_DB_PART, DBP(username), 0, 0, 0},
    {"DB_PASSWORD", KIND_DB_PART, DBP(password), 0, 0, 0},
    {"ADMIN_EMAIL", KIND_TEXT, CFG(admin_email), 0, 0, 0},
    {"ADMIN_URL", KIND_TEXT, CFG(admin_url), 0, 0, 0},
    {"DATA_LICENSE", KIND_TEXT, CFG(data_license), 0, 0, 0},
    {"ADMIN_TOKEN", KIND_TEXT, CFG(admin_token), EMPTY_UNSETS, 0, 0},
    {"ACTIVE_BLUEPRINTS", KIND_BLUEPRINTS, 0, 0, 0, 0},
    {"CLIENT_REGISTRATION_OPEN", KIND_BOOL, CFG(client_registration_open), 0, 0, 0},
    {"REMOTE_STATS_SERVER", KIND_URL, CFG(remote_stats_server), 0, 0, 0},
    {"REMOTE_STATS_TOKEN", KIND_TEXT, CFG(remote_stats_token), EMPTY_UNSETS, 0, 0},
    {"MOSP_URL", KIND_URL, CFG(mosp_url), 0, 0, 0},
    {"LOG_PATH", KIND_TEXT, CFG(log_path), 0, 0, 0},
    {"LOG_LEVEL", KIND_LOG_LEVEL, CFG(log_level), 0, 0, 0},
    {"SECRET_KEY", KIND_TEXT, CFG(secret_key), EMPTY_UNSETS, 0, 0},
    {"THREADS", KIND_INT, CFG(threads), 0, 1, 256},
    {"MAX_BODY_SIZE", KIND_SIZE, CFG(max_body_size), 0, 1, INT64_MAX},
    {"TIMEZONE", KIND_TIMEZONE, CFG(timezone), EMPTY_UNSETS, 0, 0},
    {"UPDATE_COMMAND", KIND_TEXT, CFG(update_command), EMPTY_UNSETS, 0, 0},
    {"SECURITY_CONTACT", KIND_TEXT, CFG(security_contact), EMPTY_UNSETS, 0, 0},
    {"SECURITY_TXT_EXPIRES", KIND_DATETIME, CFG(security_txt_expires), EMPTY_UNSETS, 0, 0},
    {"MAX_PAGE_SIZE", KIND_INT64, CFG(max_page_size), 0, 1, INT64_MAX},
    {"METRICS_ALLOW", KIND_METRICS, CFG(metrics_allow), 0, 0, 0},
    {"MIN_ORGANISATIONS", KIND_INT, CFG(min_organisations), 0, 1, 1000000},
    {"EVOLUTION_WINDOW", KIND_INT, CFG(evolution_window), 0, 1, 3650},
    {"MAP_TILES_URL", KIND_URL, CFG(map_tiles_url), EMPTY_UNSETS, 0, 0},
    {"REMOTE_TIMEOUT", KIND_INT, CFG(remote_timeout), 0, 1, INT_MAX},
    {"REMOTE_RETRIES", KIND_INT, CFG(remote_retries), 0, 1, INT_MAX},
    {"REMOTE_CA_FILE", KIND_TEXT, CFG(remote_ca_file), EMPTY_UNSETS, 0, 0},
    /* Ours (docs/reliability.md): brute-forcing tokens is slowed to this many guesses a minute. */
    {"AUTH_FAILURES_PER_MINUTE", KIND_INT, CFG(auth_failures_per_minute), 0, 0, 100000},
    {"TESTING", KIND_LEGACY, 0, 0, 0, 0},
    {"DEBUG", KIND_LEGACY, 0, 0, 0, 0},
    {"SQLALCHEMY_TRACK_MODIFICATIONS", KIND_LEGACY, 0, 0, 0, 0},
    {"DB_CONFIG_DICT", KIND_LEGACY, 0, 0, 0, 0},
    {"DATABASE_NAME", KIND_LEGACY, 0, 0, 0, 0},
    {"SERVER_NAME", KIND_LEGACY, 0, 0, 0, 0},
};

#define N_KEYS (sizeof keys / sizeof keys[0])

/* The warnings kept from one file (some 800 lines); a file repeating an unused
 * key a million times gets the rest summed up in one line. */
#define WARNINGS_MAX ((size_t)64 * 1024)

/* State of one config_load(): where values come from, and what they left behind. */
struct loader {
    struct config *c;
    const char *file;
    char *file_shown;        /* file as messages show it (see put_printable) */
    FILE *fp;
    int line, next_line;     /* line being parsed by inih, see read_line() */
    int nul_line;            /* line holding a NUL byte, where reading stopped; 0 = none */
    int err_line;            /* line of the first error, 0 = none */
    char *err;               /* its message, without the location */
    buf warnings;
    struct db_parts db;
    bool uri_given;          /* DATABASE_URI or its alias was set */
};

/*
 * Appends s[0..n) to a message with every byte that is not printable written
 * \xNN: messages quote what a file or a variable holds, and a control
 * character would garble the terminal or hide what is wrong.  Letters of
 * other alphabets (valid UTF-8, C1 controls excepted) stay as they are.
 */
static void put_printable(buf *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t len = p[i] < 0x20 || p[i] == 0x7F ? 0 : utf8_sequence_len(p + i, n - i);
        if (len == 2 && p[i] == 0xC2 && p[i + 1] < 0xA0)
            len = 0; /* U+0080..U+009F: controls too */
        if (len == 0) {
            buf_printf(b, "\\x%02x", p[i++]);
        } else {
            buf_append(b, p + i, len);
            i += len;
        }
    }
    buf_append(b, "", 0);
}

/* "<prefix>'<s, printable>'<suffix>" as a new message. */
static char *quoting_msg(const char *prefix, const char *s, const char *suffix)
{
    buf b = BUF_INIT;
    buf_printf(&b, "%s'", prefix);
    put_printable(&b, s, strlen(s));
    buf_printf(&b, "'%s", suffix);
    return buf_detach(&b, NULL);
}

static const struct key *find_key(const char *name)
{
    for (size_t i = 0; i < N_KEYS; i++)
        if (strcmp(keys[i].name, name) == 0)
            return &keys[i];
    return NULL;
}

static char **text_field(struct config *c, const struct key *k)
{
    return (char **)((char *)c + k->offset);
}

static void replace_text(char **field, const char *value)
{
    free(*field);
    *field = value ? xstrdup(value) : NULL;
}

/* --- value parsers: each returns false with what was expected in *why --- */

static bool parse_bool(const char *v, bool *out, const char **why)
{
    static const char *const truths[] = {"1", "true", "yes", "on"};
    static const char *const lies[] = {"0", "false", "no", "off"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(v, truths[i]) == 0) {
            *out = true;
            return true;
        }
        if (strcasecmp(v, lies[i]) == 0) {
            *out = false;
            return true;
        }
    }
    *why = "expected 1/0, true/false, yes/no or on/off";
    return false;
}

/* A decimal integer without sign tricks or trailing text, within [min, max]. */
static bool parse_int64(const char *v, int64_t min, int64_t max, int64_t *out)
{
    if (!isdigit((unsigned char)*v) && !(*v == '-' && isdigit((unsigned char)v[1])))
        return false;
    errno = 0;
    char *end;
    long long n = strtoll(v, &end, 10);
    if (errno || *end || n < min || n > max)
        return false;
    *out = n;
    return true;
}

/* "1048576", "512KiB", "64 MiB" → bytes. */
static bool parse_size(const char *v, int64_t *out)
{
    static const struct { const char *suffix; int64_t factor; } units[] = {
        {"", 1}, {"B", 1}, {"KiB", 1024}, {"MiB", INT64_C(1024) * 1024},
        {"GiB", INT64_C(1024) * 1024 * 1024},
    };
    if (!isdigit((unsigned char)*v))
        return false;
    errno = 0;
    char *end;
    long long n = strtoll(v, &end, 10);
    if (errno || n < 1)
        return false;
    while (*end == ' ')
        end++;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcasecmp(end, units[i].suffix) == 0) {
            if (n > INT64_MAX / units[i].factor)
                return false;
            *out = n * units[i].factor;
            return true;
        }
    }
    return false;
}

static bool parse_log_level(const char *v, enum log_level *out)
{
    static const char *const names[] = {"debug", "info", "warning", "error"};
    for (int i = 0; i < 4; i++) {
        if (strcasecmp(v, names[i]) == 0) {
            *out = (enum log_level)i;
            return true;
        }
    }
    return false;
}

static bool parse_metrics(const char *v, enum metrics_allow *out)
{
    static const char *const names[] = {"all", "loopback", "admin"};
    for (int i = 0; i < 3; i++) {
        if (strcasecmp(v, names[i]) == 0) {
            *out = (enum metrics_allow)i;
            return true;
        }
    }
    return false;
}

static bool *blueprint_flag(struct config *c, const char *name, size_t len)
{
    static const struct { const char *name; size_t offset; } blueprints[] = {
        {"stats_bp", CFG(bp_stats)},
        {"admin_bp", CFG(bp_admin)},
        {"root_bp", CFG(bp_root)},
        {"map_bp", CFG(bp_map)},
    };
    for (size_t i = 0; i < sizeof blueprints / sizeof blueprints[0]; i++)
        if (strlen(blueprints[i].name) == len && strncmp(blueprints[i].name, name, len) == 0)
            return (bool *)((char *)c + blueprints[i].offset);
    return NULL;
}

/* "stats_bp, map_bp" or the Python list '["stats_bp", "map_bp"]'; the listed
 * blueprints are switched on and the others off. */
static bool parse_blueprints(struct config *c, const char *v, buf *why)
{
    struct config on = {0};
    size_t n = strlen(v);
    if (n >= 2 && v[0] == '[' && v[n - 1] == ']') {
        v++;
        n -= 2;
    }
    const char *end = v + n;
    while (v < end) {
        const char *comma = memchr(v, ',', (size_t)(end - v));
        const char *item_end = comma ? comma : end;
        while (v < item_end && (isspace((unsigned char)*v) || *v == '"' || *v == '\''))
            v++;
        const char *stop = item_end;
        while (stop > v && (isspace((unsigned char)stop[-1]) || stop[-1] == '"' || stop[-1] == '\''))
            stop--;
        if (stop > v) {
            bool *flag = blueprint_flag(&on, v, (size_t)(stop - v));
            if (!flag) {
                buf_puts(why, "unknown blueprint '");
                put_printable(why, v, (size_t)(stop - v));
                buf_puts(why, "' (known: stats_bp, admin_bp, root_bp, map_bp)");
                return false;
            }
            *flag = true;
        }
        v = comma ? comma + 1 : end;
    }
    c->bp_stats = on.bp_stats;
    c->bp_admin = on.bp_admin;
    c->bp_root = on.bp_root;
    c->bp_map = on.bp_map;
    return true;
}

/* A zone of the system database ("Europe/Luxembourg"), or UTC. */
static bool timezone_exists(const char *name)
{
    if (strcmp(name, "UTC") == 0)
        return true;
    /* The name becomes a path: keep it inside the zone database. */
    if (name[0] == '/' || strstr(name, ".."))
        return false;
    buf path = BUF_INIT;
    buf_printf(&path, ZONEINFO_DIR "%s", name);
    struct stat st;
    bool ok = stat(path.data, &st) == 0 && S_ISREG(st.st_mode);
    buf_free(&path);
    return ok;
}

static bool has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool valid_db_uri(const char *v)
{
    return (has_prefix(v, "sqlite:///") && v[strlen("sqlite:///")] != '\0') ||
           has_prefix(v, "postgresql://") || has_prefix(v, "postgres://");
}

/* Stores a URL without its trailing slashes, so callers can append "/path". */
static bool set_url(char **field, const char *v)
{
    if (!has_prefix(v, "http://") && !has_prefix(v, "https://"))
        return false;
    size_t n = strlen(v);
    while (n > 0 && v[n - 1] == '/')
        n--;
    free(*field);
    *field = xstrndup(v, n);
    return true;
}

static bool set_host(char **field, const char *v)
{
    size_t n = strlen(v);
    if (n >= 2 && v[0] == '[' && v[n - 1] == ']') {
        v++;
        n -= 2;
    }
    if (n == 0)
        return false;
    free(*field);
    *field = xstrndup(v, n);
    return true;
}

static bool set_number(struct config *c, const struct key *k, const char *v, buf *why)
{
    int64_t n;
    if (!parse_int64(v, k->min, k->max, &n)) {
        if (k->max == INT64_MAX || k->max == INT_MAX)
            buf_printf(why, "expected an integer of at least %lld", (long long)k->min);
        else
            buf_printf(why, "expected an integer from %lld to %lld", (long long)k->min,
                       (long long)k->max);
        return false;
    }
    if (k->kind == KIND_INT)
        *(int *)((char *)c + k->offset) = (int)n;
    else
        *(int64_t *)((char *)c + k->offset) = n;
    return true;
}

/*
 * Checks v for key k and stores it.  db receives the DB_* parts (NULL when the
 * caller has nowhere to keep them).  On failure, *why says what was expected.
 */
static bool apply_value(struct config *c, const struct key *k, const char *v, struct db_parts *db,
                        buf *why)
{
    const char *reason = NULL;
    bool ok = true;
    if (*v == '\0' && (k->flags & EMPTY_UNSETS)) {
        replace_text(text_field(c, k), NULL);
        return true;
    }
    switch (k->kind) {
    case KIND_TEXT:
        replace_text(text_field(c, k), v);
        break;
    case KIND_URL:
        ok = set_url(text_field(c, k), v);
        reason = "expected an http:// or https:// URL";
        break;
    case KIND_HOST:
        ok = set_host(text_field(c, k), v);
        reason = "expected a host name or an IP address";
        break;
    case KIND_BOOL:
        ok = parse_bool(v, (bool *)((char *)c + k->offset), &reason);
        break;
    case KIND_INT:
    case KIND_INT64:
        return set_number(c, k, v, why);
    case KIND_SIZE:
        ok = parse_size(v, (int64_t *)((char *)c + k->offset));
        reason = "expected a positive size in bytes, optionally with KiB or MiB";
        break;
    case KIND_LOG_LEVEL:
        ok = parse_log_level(v, (enum log_level *)((char *)c + k->offset));
        reason = "expected debug, info, warning or error";
        break;
    case KIND_METRICS:
        ok = parse_metrics(v, (enum metrics_allow *)((char *)c + k->offset));
        reason = "expected all, loopback or admin";
        break;
    case KIND_BLUEPRINTS:
        return parse_blueprints(c, v, why);
    case KIND_TIMEZONE:
        ok = timezone_exists(v);
        if (ok)
            replace_text(text_field(c, k), v);
        reason = "no such time zone in " ZONEINFO_DIR;
        break;
    case KIND_DB_URI:
        ok = valid_db_uri(v);
        if (ok)
            replace_text(text_field(c, k), v);
        reason = "expected sqlite:///<path> or postgresql://user:password@host:port/name";
        break;
    case KIND_DATETIME: {
        char date[DATE_STR_LEN];
        ok = date_parse(v, date);
        if (ok)
            replace_text(text_field(c, k), v);
        reason = "expected an ISO 8601 date or date-time";
        break;
    }
    case KIND_DB_PART:
        if (!db) {
            buf_puts(why, "only read from the configuration file or the environment");
            return false;
        }
        replace_text((char **)((char *)db + k->offset), v);
        break;
    case KIND_LEGACY:
        break;
    }
    if (!ok)
        buf_puts(why, reason);
    return ok;
}

/* The one-line message for a refused value, e.g. "invalid value for PORT: 'abc'
 * (expected …)"; source is "" or "environment variable ". */
static char *invalid_value(const char *source, const struct key *k, const char *v, const buf *why)
{
    buf msg = BUF_INIT;
    /* Secrets stay out of messages, which may end up in logs. */
    bool secret = strstr(k->name, "TOKEN") || strstr(k->name, "PASSWORD") ||
                  strcmp(k->name, "SECRET_KEY") == 0 || k->kind == KIND_DB_URI;
    buf_printf(&msg, "invalid value for %s%s", source, k->name);
    if (!secret) {
        buf_puts(&msg, ": '");
        put_printable(&msg, v, strlen(v));
        buf_putc(&msg, '\'');
    }
    if (why->len)
        buf_printf(&msg, " (%s)", why->data);
    return buf_detach(&msg, NULL);
}

/* Sets key k from v; on failure returns the message (caller frees). */
static char *set_checked(const char *source, struct config *c, const struct key *k, const char *v,
                         struct db_parts *db)
{
    buf why = BUF_INIT;
    char *err = NULL;
    if (!apply_value(c, k, v, db, &why))
        err = invalid_value(source, k, v, &why);
    buf_free(&why);
    return err;
}

/*
 * The file's value syntax: 'text' or "text" (anything may follow after a
 * space and '#'), or bare text ending at the first " #" comment.  Returns the
 * value (caller frees), or NULL if a quoted value is followed by something
 * else, as in a Python line never rewritten ("…".format(…)).
 */
static char *file_value(const char *raw)
{
    if (raw[0] == '"' || raw[0] == '\'') {
        const char *close = strchr(raw + 1, raw[0]);
        if (!close)
            return NULL;
        const char *rest = close + 1;
        while (isspace((unsigned char)*rest))
            rest++;
        if (*rest != '\0' && *rest != '#')
            return NULL;
        return xstrndup(raw + 1, (size_t)(close - raw - 1));
    }
    size_t n = strlen(raw);
    for (const char *p = raw; *p; p++) {
        if (*p == '#' && (p == raw || isspace((unsigned char)p[-1]))) {
            n = (size_t)(p - raw);
            break;
        }
    }
    while (n > 0 && isspace((unsigned char)raw[n - 1]))
        n--;
    return xstrndup(raw, n);
}

/* Environment values may carry the quotes of a copied config line. */
static char *unquoted(const char *v)
{
    size_t n = strlen(v);
    if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0])
        return xstrndup(v + 1, n - 2);
    return xstrdup(v);
}

static void loader_fail(struct loader *ld, char *msg)
{
    if (ld->err_line == 0) {
        ld->err_line = ld->line;
        ld->err = msg;
    } else {
        free(msg);
    }
}

static char *format_msg(const char *fmt, const char *arg)
{
    buf b = BUF_INIT;
    buf_printf(&b, fmt, arg);
    return buf_detach(&b, NULL);
}

/* inih handler: one KEY = value line of the file. */
static int on_file_entry(void *user, const char *section, const char *name, const char *raw)
{
    struct loader *ld = user;
    const struct key *k = find_key(name);
    if (!k) {
        loader_fail(ld, quoting_msg("unknown key ", name, ""));
        return 0;
    }
    if (k->kind == KIND_LEGACY) {
        buf_printf(&ld->warnings, "%s:%d: %s is not used by this service; ignored\n",
                   ld->file_shown, ld->line, name);
        return 1;
    }
    char *v = file_value(raw);
    if (!v) {
        loader_fail(ld, format_msg("invalid value for %s (expected a plain or quoted value)", name));
        return 0;
    }
    char *err = set_checked("", ld->c, k, v, &ld->db);
    if (k->kind == KIND_DB_URI && !err)
        ld->uri_given = true;
    free(v);
    if (err) {
        loader_fail(ld, err);
        return 0;
    }
    return 1;
}

/*
 * inih reader: fgets, but one that also tracks which line inih is on (the
 * packaged inih does not pass line numbers to the handler) and stops at a
 * NUL byte: fgets would hand inih a line that ends there, silently dropping
 * the rest of it.  A line longer than inih's buffer arrives in several
 * pieces; only its last piece ends with '\n'.
 */
static char *read_line(char *str, int num, void *stream)
{
    struct loader *ld = stream;
    int n = 0, c;
    if (ld->nul_line)
        return NULL; /* reading stopped there */
    while (n < num - 1 && (c = getc(ld->fp)) != EOF) {
        if (c == '\0') {
            ld->nul_line = ld->next_line;
            /* inih takes it as the end of the file (load_file tells); asked for
             * the rest of a long line, it still reads what it already has, which
             * must stay a string. */
            str[n] = '\0';
            return NULL;
        }
        str[n++] = (char)c;
        if (c == '\n')
            break;
    }
    if (n == 0)
        return NULL;
    str[n] = '\0';
    ld->line = ld->next_line;
    if (str[n - 1] == '\n')
        ld->next_line++;
    return str;
}

/* Makes inih hand us lines as they are: no ';' comments (commands and
 * passwords contain ';'), no indented continuation lines, no length limit
 * below what a URL or a command may need. */
static void configure_inih(void)
{
    ini_allow_inline_comments = false;
    ini_allow_multiline = false;
    ini_use_stack = false;
    ini_allow_realloc = true;
    ini_max_line = 64 * 1024;
}

static bool load_file(struct loader *ld, char **err)
{
    struct stat st;
    ld->fp = fopen(ld->file, "r");
    if (ld->fp && fstat(fileno(ld->fp), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(ld->fp);
        ld->fp = NULL;
        errno = EISDIR;
    }
    if (!ld->fp) {
        buf b = BUF_INIT;
        buf_printf(&b, "cannot read configuration file %s: %s", ld->file_shown, strerror(errno));
        *err = buf_detach(&b, NULL);
        return false;
    }
    configure_inih();
    ld->next_line = 1;
    int rc = ini_parse_stream(read_line, ld, on_file_entry, ld);
    bool read_error = ferror(ld->fp);
    fclose(ld->fp);
    if (rc == 0 && !ld->nul_line && !read_error)
        return true;
    buf b = BUF_INIT;
    /* The first problem in the file is told; reading stopped at a NUL byte,
     * so those inih or the handler found come before it. */
    if (rc > 0 && (ld->err_line == 0 || rc < ld->err_line))
        buf_printf(&b, "%s:%d: syntax error (expected KEY = value)", ld->file_shown, rc);
    else if (rc > 0)
        buf_printf(&b, "%s:%d: %s", ld->file_shown, ld->err_line, ld->err);
    else if (rc < 0)
        buf_printf(&b, "cannot read configuration file %s: out of memory", ld->file_shown);
    else if (ld->nul_line)
        buf_printf(&b, "%s:%d: NUL byte (\\x00): a configuration file is text", ld->file_shown,
                   ld->nul_line);
    else
        buf_printf(&b, "cannot read configuration file %s: read error", ld->file_shown);
    *err = buf_detach(&b, NULL);
    return false;
}

static bool load_environment(struct loader *ld, char **err)
{
    for (size_t i = 0; i < N_KEYS; i++) {
        const struct key *k = &keys[i];
        const char *raw = getenv(k->name);
        /* DEBUG, TESTING … are common variable names: not ours to warn about. */
        if (!raw || k->kind == KIND_LEGACY)
            continue;
        char *v = unquoted(raw);
        *err = set_checked("environment variable ", ld->c, k, v, &ld->db);
        free(v);
        if (*err)
            return false;
        if (k->kind == KIND_DB_URI)
            ld->uri_given = true;
    }
    return true;
}

/* Appends s with the characters that mean something in a URI percent-encoded. */
static void put_uri_part(buf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (isalnum(*p) || strchr("-._~", *p))
            buf_putc(b, (char)*p);
        else
            buf_printf(b, "%%%02X", *p);
    }
}

/* postgresql://[user[:password]@]host[:port]/name from the DB_* variables. */
static char *uri_from_parts(const struct db_parts *db)
{
    buf b = BUF_INIT;
    buf_puts(&b, "postgresql://");
    if (db->username && *db->username) {
        put_uri_part(&b, db->username);
        if (db->password && *db->password) {
            buf_putc(&b, ':');
            put_uri_part(&b, db->password);
        }
        buf_putc(&b, '@');
    }
    if (strchr(db->hostname, ':'))
        buf_printf(&b, "[%s]", db->hostname);
    else
        buf_puts(&b, db->hostname);
    if (db->port && *db->port)
        buf_printf(&b, ":%s", db->port);
    buf_putc(&b, '/');
    put_uri_part(&b, db->name && *db->name ? db->name : DEFAULT_DB_NAME);
    return buf_detach(&b, NULL);
}

static bool resolve_db_parts(struct loader *ld, char **err)
{
    const struct db_parts *db = &ld->db;
    if (ld->uri_given || !db->hostname || !*db->hostname)
        return true;
    int64_t port;
    if (db->port && *db->port && !parse_int64(db->port, 1, 65535, &port)) {
        *err = quoting_msg("invalid value for DB_PORT: ", db->port,
                           " (expected an integer from 1 to 65535)");
        return false;
    }
    free(ld->c->database_uri);
    ld->c->database_uri = uri_from_parts(db);
    return true;
}

static void db_parts_free(struct db_parts *db)
{
    free(db->hostname);
    free(db->port);
    free(db->name);
    free(db->username);
    free(db->password);
}

static int cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 256 ? 256 : (int)n;
}

void config_defaults(struct config *c)
{
    *c = (struct config){
        .host = xstrdup("127.0.0.1"),
        .port = 5000,
        .database_uri = xstrdup(DEFAULT_DATABASE_URI),
        .admin_email = xstrdup("opensource@nc3.lu"),
        .admin_url = xstrdup("https://www.nc3.lu"),
        .data_license = xstrdup("CC BY 4.0"),
        .bp_stats = true,
        .bp_admin = true,
        .bp_root = true,
        .bp_map = true,
        .remote_stats_server = xstrdup("https://dashboard.monarc.lu"),
        .mosp_url = xstrdup("https://objects.monarc.lu"),
        .log_path = xstrdup("./var/stats.log"),
        .log_level = LOG_INFO,
        .threads = cpu_count(),
        .max_body_size = INT64_C(64) * 1024 * 1024,
        .max_page_size = 100000,
        .metrics_allow = METRICS_ALL,
        .remote_timeout = 30,
        .remote_retries = 5,
        .auth_failures_per_minute = 30,
        .min_organisations = 3,
        .evolution_window = 90,
    };
}

bool config_load(struct config *c, const char *path, char **err, char **warnings)
{
    struct loader ld = {.c = c, .file = path ? path : getenv("STATS_CONFIG")};
    buf_init_bounded(&ld.warnings, WARNINGS_MAX);
    *err = NULL;
    *warnings = NULL;
    if (ld.file && !*ld.file)
        ld.file = NULL;
    if (ld.file) {
        buf shown = BUF_INIT;
        put_printable(&shown, ld.file, strlen(ld.file));
        ld.file_shown = buf_detach(&shown, NULL);
    }
    bool ok = (!ld.file || load_file(&ld, err)) && load_environment(&ld, err) &&
              resolve_db_parts(&ld, err);
    if (ld.warnings.overflow) {
        buf all = BUF_INIT;
        buf_append(&all, ld.warnings.data, ld.warnings.len);
        buf_printf(&all, "%s: more keys not used by this service were ignored; their warnings are left out\n",
                   ld.file_shown);
        buf_free(&ld.warnings);
        *warnings = buf_detach(&all, NULL);
    } else if (ld.warnings.len) {
        *warnings = buf_detach(&ld.warnings, NULL);
    }
    free(ld.file_shown);
    free(ld.err);
    db_parts_free(&ld.db);
    return ok;
}

static char *derived_instance_url(const struct config *c)
{
    buf b = BUF_INIT;
    if (strchr(c->host, ':'))
        buf_printf(&b, "http://[%s]:%d", c->host, c->port);
    else
        buf_printf(&b, "http://%s:%d", c->host, c->port);
    return buf_detach(&b, NULL);
}

static char *derived_security_contact(const struct config *c)
{
    return format_msg("mailto:%s", c->admin_email);
}

/* The build date one year later, as security.txt wants it (RFC 3339). */
static char *derived_expiry(void)
{
    int y, m, d;
    /* Our own build date (YYYY-MM-DD): sscanf's count is check enough. */
    if (sscanf(STATS_BUILD_DATE, "%d-%d-%d", &y, &m, &d) != 3) /* NOLINT(cert-err34-c) */
        return xstrdup(STATS_BUILD_DATE);
    if (m == 2 && d == 29)
        d = 28;
    buf b = BUF_INIT;
    buf_printf(&b, "%04d-%02d-%02dT00:00:00Z", y + 1, m, d);
    return buf_detach(&b, NULL);
}

/*
 * A value config_finish() derived (INSTANCE_URL from HOST and PORT …) follows
 * the settings it came from when one of them is changed afterwards, e.g. by
 * `serve --port`; a value set explicitly stays.
 */
static void follow_source(char **field, const char *before, char *after)
{
    if (*field && strcmp(*field, before) == 0) {
        free(*field);
        *field = after;
    } else {
        free(after);
    }
}

bool config_set(struct config *c, const char *key, const char *value, char **err)
{
    *err = NULL;
    const struct key *k = find_key(key);
    if (!k || k->kind == KIND_LEGACY) {
        *err = format_msg("unknown setting '%s'", key);
        return false;
    }
    char *url_before = derived_instance_url(c);
    char *contact_before = derived_security_contact(c);
    *err = set_checked("", c, k, value, NULL);
    if (!*err) {
        follow_source(&c->instance_url, url_before, derived_instance_url(c));
        follow_source(&c->security_contact, contact_before, derived_security_contact(c));
    }
    free(url_before);
    free(contact_before);
    return *err == NULL;
}

void config_finish(struct config *c)
{
    if (!c->instance_url)
        c->instance_url = derived_instance_url(c);
    if (!c->security_contact)
        c->security_contact = derived_security_contact(c);
    if (!c->security_txt_expires)
        c->security_txt_expires = derived_expiry();
    if (!c->secret_key) {
        char token[TOKEN_STR_LEN];
        /* libuuid falls back on other sources when getrandom() fails. */
        if (!token_generate(token))
            uuid_generate_str(token);
        c->secret_key = xstrdup(token);
    }
}

void config_free(struct config *c)
{
    for (size_t i = 0; i < N_KEYS; i++) {
        const struct key *k = &keys[i];
        bool is_text = k->kind == KIND_TEXT || k->kind == KIND_URL || k->kind == KIND_HOST ||
                       k->kind == KIND_TIMEZONE || k->kind == KIND_DB_URI ||
                       k->kind == KIND_DATETIME;
        if (is_text && !(k->flags & ALIAS))
            replace_text(text_field(c, k), NULL);
    }
}

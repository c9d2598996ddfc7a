/*
 * config.h — the service's settings (docs/configuration.md).
 *
 * Sources, later ones winning: built-in defaults → the configuration file
 * (--config FILE or STATS_CONFIG) → environment variables → command-line
 * options (applied by the caller through config_set()).  Keys and environment
 * variables share the names of the original's Docker image.
 */
#ifndef CONFIG_CONFIG_H
#define CONFIG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/log.h" /* enum log_level */

enum metrics_allow { METRICS_ALL, METRICS_LOOPBACK, METRICS_ADMIN };

struct config {
    char *host;                 /* HOST, default 127.0.0.1 */
    int port;                   /* PORT, default 5000 */
    char *instance_url;         /* INSTANCE_URL, default http://HOST:PORT */
    bool fix_proxy;             /* FIX_PROXY */
    char *database_uri;         /* DATABASE_URI / SQLALCHEMY_DATABASE_URI / DB_* */
    char *admin_email;
    char *admin_url;
    char *data_license;         /* DATA_LICENSE, default "CC BY 4.0": of the open data */
    char *admin_token;          /* ADMIN_TOKEN, NULL if unset */
    bool bp_stats, bp_admin, bp_root, bp_map; /* ACTIVE_BLUEPRINTS */
    bool client_registration_open;
    char *remote_stats_server;
    char *remote_stats_token;   /* NULL if unset */
    char *mosp_url;
    char *log_path;             /* "" = stderr */
    enum log_level log_level;
    char *secret_key;
    int threads;                /* THREADS, default: number of CPUs */
    int64_t max_body_size;      /* MAX_BODY_SIZE, bytes, default 64 MiB */
    char *timezone;             /* TIMEZONE, NULL = the system's */
    char *update_command;       /* NULL if unset */
    char *security_contact;
    char *security_txt_expires;
    int64_t max_page_size;      /* MAX_PAGE_SIZE, default 100000 */
    enum metrics_allow metrics_allow;
    char *map_tiles_url;        /* NULL if unset */
    int remote_timeout;         /* seconds */
    int remote_retries;
    char *remote_ca_file;       /* NULL if unset */
    int min_organisations;      /* MIN_ORGANISATIONS, default 3: the privacy floor of public
                                   figures (docs/privacy.md); 1 = the original's behaviour */
    int evolution_window;       /* EVOLUTION_WINDOW, default 90: days an analysis' latest
                                   stats stand for it in the evolution (docs/privacy.md) */
    int auth_failures_per_minute; /* AUTH_FAILURES_PER_MINUTE (not in the original): failed
                                     X-API-KEY checks allowed per client address, 0 = no limit */
};

/* Fills c with the built-in defaults. */
void config_defaults(struct config *c);
/*
 * Loads the file at path (NULL: $STATS_CONFIG if set, else no file), then the
 * environment.  On an unknown key, a bad value or an unreadable file returns
 * false with a one-line message in *err (allocated), e.g.
 * "config.ini:12: unknown key 'PROT'" or "invalid value for PORT: 'abc'".
 * Ignored legacy keys produce warnings appended to *warnings (allocated, one
 * per line, may be NULL when there are none).
 */
bool config_load(struct config *c, const char *path, char **err, char **warnings);
/* Sets one key from a string, as the file would (used for command-line options). */
bool config_set(struct config *c, const char *key, const char *value, char **err);
/* Fills derived values (INSTANCE_URL, SECURITY_CONTACT, DB_* → URI) after loading. */
void config_finish(struct config *c);
void config_free(struct config *c);

#endif

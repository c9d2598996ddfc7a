# The Stats Service for MONARC in a container (docker-compose.yml runs it with
# PostgreSQL).  Settings come from environment variables, with the names the
# original's image read (DB_HOSTNAME, DB_PORT, DB_NAME, DB_USERNAME, DB_PASSWORD,
# ADMIN_TOKEN, HOST, PORT …; see docs/configuration.md).  `serve` creates or
# upgrades the schema and the ADMIN_TOKEN client itself at start.

# --- build: compile the service alone with meson (no tests: -Dtests=disabled);
#     the dashboard's npm packages are embedded in the binary
FROM debian:bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      gcc pkg-config meson ninja-build python3 ca-certificates nodejs npm \
      libmicrohttpd-dev libjson-c-dev libsqlite3-dev libpq-dev libcurl4-openssl-dev \
      libssl-dev uuid-dev libinih-dev zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts
COPY . .
RUN meson setup /build --buildtype=release -Dtests=disabled \
 && ninja -C /build stats-service \
 && strip /build/stats-service

# --- run: the binary and the shared libraries it links, nothing else
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libmicrohttpd12 libjson-c5 libsqlite3-0 libpq5 libcurl4 libssl3 libuuid1 libinih1 zlib1g \
      ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home-dir /var/lib/stats-service --create-home stats-service
COPY --from=build /build/stats-service /usr/local/bin/stats-service
USER stats-service
WORKDIR /var/lib/stats-service
# Listen on every interface of the container; log to stderr (docker logs).
# DATABASE_URI is deliberately not set here: without it the DB_* variables
# name the database, and without those a SQLite file in the volume is used.
ENV HOST=0.0.0.0 \
    PORT=5000 \
    LOG_PATH=""
VOLUME /var/lib/stats-service
EXPOSE 5000
STOPSIGNAL SIGTERM
ENTRYPOINT ["stats-service"]
CMD ["serve"]

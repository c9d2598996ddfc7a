/*
 * ids.c — UUIDs, random tokens, token hashing (see ids.h).
 */
#include "util/ids.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <uuid/uuid.h>

bool uuid_is_valid(const char *s)
{
    if (!s)
        return false;
    for (int i = 0; i < 36; i++) {
        bool dash = (i == 8 || i == 13 || i == 18 || i == 23);
        if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
            return false;
    }
    return s[36] == '\0';
}

bool uuid_normalize(const char *s, char out[UUID_STR_LEN])
{
    if (!uuid_is_valid(s))
        return false;
    for (int i = 0; i < 36; i++)
        out[i] = (char)tolower((unsigned char)s[i]);
    out[36] = '\0';
    return true;
}

void uuid_generate_str(char out[UUID_STR_LEN])
{
    uuid_t u;
    uuid_generate_random(u);
    uuid_unparse_lower(u, out);
}

void uuid_generate_time_ordered_str(char out[UUID_STR_LEN])
{
    uuid_t u;
    uuid_generate_random(u); /* random bits and the RFC variant */
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    uint64_t ms = (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000;
    for (int i = 5; i >= 0; i--, ms >>= 8)
        u[i] = (unsigned char)(ms & 0xff);
    u[6] = (unsigned char)(0x70 | (u[6] & 0x0f));
    uuid_unparse_lower(u, out);
}

bool token_generate(char out[TOKEN_STR_LEN])
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned char raw[66]; /* 64 random bytes, padded to a multiple of 3 */
    size_t got = 0;
    while (got < 64) {
        ssize_t n = getrandom(raw + got, 64 - got, 0);
        if (n <= 0)
            return false;
        got += (size_t)n;
    }
    raw[64] = raw[65] = 0;
    char text[88]; /* 66 bytes encode to 88 characters, more than out holds */
    size_t o = 0;
    for (size_t i = 0; i < 66; i += 3) {
        unsigned v = (unsigned)raw[i] << 16 | (unsigned)raw[i + 1] << 8 | raw[i + 2];
        text[o++] = alphabet[(v >> 18) & 63];
        text[o++] = alphabet[(v >> 12) & 63];
        text[o++] = alphabet[(v >> 6) & 63];
        text[o++] = alphabet[v & 63];
    }
    /* 64 bytes are 512 bits = 85.3 sextets: keep 86 characters. */
    memcpy(out, text, 86);
    out[86] = '\0';
    OPENSSL_cleanse(raw, sizeof raw);
    OPENSSL_cleanse(text, sizeof text);
    return true;
}

void token_hash(const char *token, char out[TOKEN_HASH_STR_LEN])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_Digest(token, strlen(token), digest, &n, EVP_sha256(), NULL);
    for (size_t i = 0; i < 32; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 15];
    }
    out[64] = '\0';
}

bool token_hash_equal(const char *a, const char *b)
{
    return CRYPTO_memcmp(a, b, TOKEN_HASH_STR_LEN - 1) == 0;
}

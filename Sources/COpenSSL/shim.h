// OpenSSL, for what Fluxion must not write itself: TLS (libssl, driven through memory BIOs so
// that the libuv loop keeps owning the socket), SHA-256 of access tokens and their constant-time
// comparison (CRYPTO_memcmp), and random bytes for new tokens (libcrypto).
#include <openssl/sha.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

// Macros Swift cannot import.
static inline long fluxion_ssl_set_min_proto_version(SSL_CTX *ctx, int version) {
    return SSL_CTX_set_min_proto_version(ctx, version);
}
static inline long fluxion_ssl_set_tlsext_host_name(SSL *ssl, const char *name) {
    return SSL_set_tlsext_host_name(ssl, name);
}

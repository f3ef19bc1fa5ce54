// OpenSSL's libcrypto, for what fluxiond must not write itself: SHA-256 of access tokens and
// their constant-time comparison (CRYPTO_memcmp), and random bytes for new tokens.
#include <openssl/sha.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

// Request signing: the percent-encoded parameter string and its signature, HMAC-SHA256 (hex) or
// Ed25519 (base64, then percent-encoded), as Binance specifies. The signed bytes are exactly the
// bytes sent.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace orchestrade::plugins::binance {

// Ordered request parameters; order matters for the signature.
using Params = std::vector<std::pair<std::string, std::string>>;

// RFC 3986: unreserved characters (A-Z a-z 0-9 - _ . ~) as they are, every other byte %XX.
std::string percent_encode(std::string_view text);
// "k1=v1&k2=v2" with keys and values percent-encoded.
std::string encode_params(const Params& params);

std::string hmac_sha256_hex(std::string_view key, std::string_view message);
// Ed25519 over message with a 32-byte seed; the 64-byte signature as base64.
std::string ed25519_sign_base64(const std::string& seed, std::string_view message);
std::string base64_encode(const std::string& bytes);
// Throws std::invalid_argument on bad input.
std::string base64_decode(std::string_view text);

enum class KeyType { Hmac, Ed25519 };

class Signer {
  public:
    // secret: the HMAC secret key, or for Ed25519 a PKCS#8 PEM private key or a base64 seed.
    // Throws std::invalid_argument for an unusable Ed25519 key (without echoing it).
    Signer(KeyType type, const std::string& secret);
    // The value of the `signature` parameter, ready to append to the payload.
    std::string sign(std::string_view payload) const;

  private:
    KeyType type_;
    std::string key_;  // HMAC secret or Ed25519 seed
};

}  // namespace orchestrade::plugins::binance

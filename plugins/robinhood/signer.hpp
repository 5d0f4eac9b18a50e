// Ed25519 request signing as the Robinhood Crypto Trading API expects it: the message is
// api_key + timestamp + path (with its query) + method + body, concatenated without separators,
// and the header carries the base64 of the 64-byte signature.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

typedef struct evp_pkey_st EVP_PKEY;

namespace orchestrade::plugins::robinhood {

std::string base64_encode(std::string_view bytes);
// std::nullopt when the text is not base64 (whitespace around it is ignored).
std::optional<std::string> base64_decode(std::string_view text);

std::string signing_message(std::string_view api_key, int64_t timestamp_s, std::string_view path,
                            std::string_view method, std::string_view body);

class Signer {
  public:
    // 'private_key_base64' is the 32-byte seed (or a 64-byte seed + public key, as libsodium
    // writes it). Throws sdk::Error(OT_E_INVALID_ARG) without ever quoting the key.
    explicit Signer(std::string_view private_key_base64);

    std::string sign_base64(std::string_view message) const;
    std::string public_key_base64() const;

  private:
    struct KeyDeleter {
        void operator()(EVP_PKEY* key) const;
    };
    std::unique_ptr<EVP_PKEY, KeyDeleter> key_;
};

}  // namespace orchestrade::plugins::robinhood

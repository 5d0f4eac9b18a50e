#include "signer.hpp"

#include <orchestrade/sdk.hpp>

#include <openssl/evp.h>

namespace orchestrade::plugins::robinhood {
namespace {

constexpr std::size_t kSeedSize = 32;
constexpr std::size_t kSignatureSize = 64;

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.remove_suffix(1);
    return s;
}

bool is_base64_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/';
}

[[noreturn]] void bad_key(const std::string& why) {
    throw sdk::Error(OT_E_INVALID_ARG, "robinhood: private_key " + why +
                                           " (expected the base64 of a 32-byte Ed25519 seed)");
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3), '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(bytes.data()),
                            static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
    text = trim(text);
    if (text.size() % 4 != 0) return std::nullopt;
    std::size_t padding = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        bool tail = i + 2 >= text.size();
        if (text[i] == '=' && tail) {
            ++padding;
        } else if (!is_base64_char(text[i]) || padding > 0) {
            return std::nullopt;
        }
    }
    std::string out(3 * text.size() / 4, '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(text.data()),
                            static_cast<int>(text.size()));
    if (n < 0) return std::nullopt;
    out.resize(static_cast<std::size_t>(n) - padding);
    return out;
}

std::string signing_message(std::string_view api_key, int64_t timestamp_s, std::string_view path,
                            std::string_view method, std::string_view body) {
    std::string m;
    m.reserve(api_key.size() + 12 + path.size() + method.size() + body.size());
    m.append(api_key).append(std::to_string(timestamp_s)).append(path).append(method).append(body);
    return m;
}

void Signer::KeyDeleter::operator()(EVP_PKEY* key) const {
    EVP_PKEY_free(key);
}

Signer::Signer(std::string_view private_key_base64) {
    std::optional<std::string> raw = base64_decode(private_key_base64);
    if (!raw) bad_key("is not base64");
    if (raw->size() != kSeedSize && raw->size() != 2 * kSeedSize)
        bad_key("decodes to " + std::to_string(raw->size()) + " bytes");
    key_.reset(EVP_PKEY_new_raw_private_key(
        EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(raw->data()), kSeedSize));
    if (!key_) bad_key("is not a usable Ed25519 seed");
    if (raw->size() == 2 * kSeedSize &&
        public_key_base64() != base64_encode(raw->substr(kSeedSize)))
        bad_key("holds a public key that does not belong to its seed");
}

std::string Signer::sign_base64(std::string_view message) const {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    unsigned char sig[kSignatureSize];
    std::size_t len = sizeof sig;
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1 ||
        EVP_DigestSign(ctx.get(), sig, &len, reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) != 1)
        throw sdk::Error(OT_E_PLUGIN, "robinhood: Ed25519 signing failed");
    return base64_encode(std::string_view(reinterpret_cast<const char*>(sig), len));
}

std::string Signer::public_key_base64() const {
    unsigned char pub[kSeedSize];
    std::size_t len = sizeof pub;
    if (EVP_PKEY_get_raw_public_key(key_.get(), pub, &len) != 1)
        throw sdk::Error(OT_E_PLUGIN, "robinhood: cannot derive the public key");
    return base64_encode(std::string_view(reinterpret_cast<const char*>(pub), len));
}

}  // namespace orchestrade::plugins::robinhood

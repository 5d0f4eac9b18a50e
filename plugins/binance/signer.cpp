#include "signer.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <memory>
#include <stdexcept>

namespace orchestrade::plugins::binance {
namespace {

constexpr char kHex[] = "0123456789ABCDEF";

bool unreserved(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '~';
}

struct PkeyDeleter {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct MdCtxDeleter {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct BioDeleter {
    void operator()(BIO* b) const { BIO_free(b); }
};

// The 32-byte seed of an Ed25519 key given as PKCS#8 PEM or as base64.
std::string ed25519_seed(const std::string& secret) {
    if (secret.find("-----BEGIN") != std::string::npos) {
        std::unique_ptr<BIO, BioDeleter> bio(
            BIO_new_mem_buf(secret.data(), static_cast<int>(secret.size())));
        std::unique_ptr<EVP_PKEY, PkeyDeleter> key(
            bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
        if (!key || EVP_PKEY_id(key.get()) != EVP_PKEY_ED25519)
            throw std::invalid_argument("api_secret is not an Ed25519 private key in PEM form");
        std::string seed(32, '\0');
        size_t len = seed.size();
        if (EVP_PKEY_get_raw_private_key(key.get(), reinterpret_cast<unsigned char*>(seed.data()),
                                         &len) != 1 ||
            len != 32)
            throw std::invalid_argument("cannot read the Ed25519 private key");
        return seed;
    }
    std::string seed;
    try {
        seed = base64_decode(secret);
    } catch (const std::invalid_argument&) {
        throw std::invalid_argument("api_secret is neither a PEM key nor a base64 Ed25519 seed");
    }
    if (seed.size() != 32)
        throw std::invalid_argument("an Ed25519 seed must be 32 bytes, api_secret decodes to " +
                                    std::to_string(seed.size()));
    return seed;
}

}  // namespace

std::string percent_encode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char ch : text) {
        auto c = static_cast<unsigned char>(ch);
        if (unreserved(c)) {
            out += ch;
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 0xF];
        }
    }
    return out;
}

std::string encode_params(const Params& params) {
    std::string out;
    for (const auto& [key, value] : params) {
        if (!out.empty()) out += '&';
        out += percent_encode(key);
        out += '=';
        out += percent_encode(value);
    }
    return out;
}

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
              reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &len))
        throw std::runtime_error("HMAC-SHA256 failed");
    static constexpr char lower[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
        out += lower[digest[i] >> 4];
        out += lower[digest[i] & 0xF];
    }
    return out;
}

std::string ed25519_sign_base64(const std::string& seed, std::string_view message) {
    std::unique_ptr<EVP_PKEY, PkeyDeleter> key(EVP_PKEY_new_raw_private_key(
        EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(seed.data()),
        seed.size()));
    std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
    if (!key || !ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1)
        throw std::runtime_error("Ed25519 key set-up failed");
    std::string sig(64, '\0');
    size_t len = sig.size();
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                       reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1)
        throw std::runtime_error("Ed25519 signing failed");
    sig.resize(len);
    return base64_encode(sig);
}

std::string base64_encode(const std::string& bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3), '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(bytes.data()),
                            static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::string base64_decode(std::string_view text) {
    std::string in;
    for (char c : text)
        if (c != '\n' && c != '\r' && c != ' ') in += c;
    if (in.empty() || in.size() % 4 != 0) throw std::invalid_argument("not base64");
    std::string out(in.size() / 4 * 3, '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(in.data()),
                            static_cast<int>(in.size()));
    if (n < 0) throw std::invalid_argument("not base64");
    std::size_t padding = in.size() >= 2 && in[in.size() - 2] == '=' ? 2 : in.back() == '=' ? 1 : 0;
    out.resize(static_cast<std::size_t>(n) - padding);
    return out;
}

Signer::Signer(KeyType type, const std::string& secret)
    : type_(type), key_(type == KeyType::Hmac ? secret : ed25519_seed(secret)) {}

std::string Signer::sign(std::string_view payload) const {
    if (type_ == KeyType::Hmac) return hmac_sha256_hex(key_, payload);
    return percent_encode(ed25519_sign_base64(key_, payload));
}

}  // namespace orchestrade::plugins::binance

#include "client_id.hpp"

#include <openssl/sha.h>

#include <string>

namespace orchestrade::plugins::robinhood {
namespace {

// 6ba7b811-9dad-11d1-80b4-00c04fd430c8
constexpr Uuid kUrlNamespace{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
                             0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};

}  // namespace

std::string uuid_v5(const Uuid& name_space, std::string_view name) {
    std::string input(name_space.begin(), name_space.end());
    input.append(name);
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
    digest[6] = static_cast<unsigned char>((digest[6] & 0x0f) | 0x50);
    digest[8] = static_cast<unsigned char>((digest[8] & 0x3f) | 0x80);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
        out.push_back(kHex[digest[i] >> 4]);
        out.push_back(kHex[digest[i] & 0x0f]);
    }
    return out;
}

std::string venue_client_order_id(std::string_view core_client_order_id) {
    return uuid_v5(kUrlNamespace, "orchestrade:robinhood:" + std::string(core_client_order_id));
}

}  // namespace orchestrade::plugins::robinhood

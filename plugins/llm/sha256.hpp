// SHA-256 of a byte string as 64 lowercase hex digits: the key of the response cache.
#pragma once

#include <string>
#include <string_view>

namespace orchestrade::llm {

std::string sha256_hex(std::string_view bytes);

}  // namespace orchestrade::llm

// Reading the venue's JSON: the same kind of value comes quoted ("0.5") in one payload and as a
// bare number (0.5) in another, so every numeric read accepts both.
#pragma once

#include "decimal.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace orchestrade::plugins::robinhood {

using json = nlohmann::json;

// std::nullopt when the key is absent, null or not a number in either form.
std::optional<double> number_field(const json& object, const char* key);
std::optional<Decimal> decimal_field(const json& object, const char* key);
// "" when the key is absent or not a string.
std::string text_field(const json& object, const char* key);

}  // namespace orchestrade::plugins::robinhood

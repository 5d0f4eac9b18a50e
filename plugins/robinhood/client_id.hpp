// The client_order_id sent to Robinhood: a UUID (the API requires one) derived from the core's
// journaled client order id, so the same intent always carries the same id and an order can be
// found again after a crash or a lost response.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace orchestrade::plugins::robinhood {

using Uuid = std::array<uint8_t, 16>;

// RFC 4122 name-based UUID, version 5 (SHA-1), in the canonical lower-case form.
std::string uuid_v5(const Uuid& name_space, std::string_view name);

// uuid_v5 of "orchestrade:robinhood:" + core_client_order_id in the RFC 4122 URL namespace.
std::string venue_client_order_id(std::string_view core_client_order_id);

}  // namespace orchestrade::plugins::robinhood

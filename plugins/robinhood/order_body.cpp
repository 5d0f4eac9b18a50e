#include "order_body.hpp"

#include <nlohmann/json.hpp>

namespace orchestrade::plugins::robinhood {

const char* venue_order_type(int32_t type) {
    switch (type) {
        case OT_ORDER_LIMIT:
            return "limit";
        case OT_ORDER_STOP_MARKET:
            return "stop_loss";
        case OT_ORDER_STOP_LIMIT:
            return "stop_limit";
        default:
            return "market";
    }
}

std::string order_body(const LocalOrder& o, const std::string& venue_symbol) {
    const std::string type = venue_order_type(o.type);
    nlohmann::ordered_json config;
    config["asset_quantity"] = o.qty;
    if (!o.limit_price.empty() && type != "market") config["limit_price"] = o.limit_price;
    if (!o.stop_price.empty() && (type == "stop_loss" || type == "stop_limit"))
        config["stop_price"] = o.stop_price;
    if (type != "market") config["time_in_force"] = "gtc";

    nlohmann::ordered_json body;
    body["client_order_id"] = o.uuid;
    body["side"] = o.side == OT_SIDE_SELL ? "sell" : "buy";
    body["type"] = type;
    body["symbol"] = venue_symbol;
    body[type + "_order_config"] = std::move(config);
    return body.dump();
}

}  // namespace orchestrade::plugins::robinhood

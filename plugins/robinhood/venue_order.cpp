#include "venue_order.hpp"

#include "time_format.hpp"

#include <orchestrade/sdk.hpp>

namespace orchestrade::plugins::robinhood {

VenueOrder VenueOrder::from_json(const json& row) {
    VenueOrder o;
    o.id = text_field(row, "id");
    o.state = text_field(row, "state");
    if (o.id.empty() || o.state.empty())
        throw sdk::Error(OT_E_IO,
                         "robinhood: an order without id or state: " + row.dump().substr(0, 200));
    o.client_order_id = text_field(row, "client_order_id");
    o.symbol = text_field(row, "symbol");
    o.side = text_field(row, "side");
    o.created_ms = parse_iso8601_ms(text_field(row, "created_at")).value_or(0);
    auto executions = row.find("executions");
    if (executions != row.end() && executions->is_array()) {
        for (const json& e : *executions) {
            Execution x;
            x.price = number_field(e, "effective_price").value_or(0);
            x.qty = number_field(e, "quantity").value_or(0);
            x.time_ms = parse_iso8601_ms(text_field(e, "timestamp")).value_or(o.created_ms);
            if (x.qty > 0) o.executions.push_back(x);
        }
    }
    return o;
}

}  // namespace orchestrade::plugins::robinhood

// What the executor knows about the orders it placed, saved in the host's key-value store after
// every change so that a restarted process resumes with the same knowledge: the venue ids, which
// placements are still unresolved, which fills were already reported, the protective legs.
#pragma once

#include "venue_order.hpp"

#include <orchestrade/sdk.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace orchestrade::plugins::robinhood {

enum class Stage {
    Held,     // kept here, not sent yet (a take-profit waiting for its level, an exit waiting
              // for protective legs to be canceled)
    Sending,  // the placement went out and its outcome is unknown
    Open,     // the venue has it
    Done,     // final; nothing more will be reported
};

struct LocalOrder {
    std::string id;      // the core's client order id; legs: the entry's id + "-sl" or "-tp"
    std::string uuid;    // client_order_id at the venue
    std::string parent;  // protective legs: the entry's id
    std::string symbol;  // pipeline form, "BTC/USD"
    int32_t side = OT_SIDE_BUY;
    int32_t type = OT_ORDER_MARKET;
    double requested_qty = 0;
    std::string qty;  // decimal text as sent
    std::string limit_price;
    std::string stop_price;
    double unsent = 0;       // left out by rounding down to the asset increment
    double stop_loss = 0;    // entries: levels of the protective legs to place once filled
    double take_profit = 0;  //
    bool legs_placed = false;
    Stage stage = Stage::Held;
    bool triggered = false;  // held take-profit: its level was reached
    bool cancel_requested = false;
    std::vector<std::string> waiting_for;  // held: orders that must end before this is sent
    std::vector<std::string> lifted_legs;  // exits: the protective legs they canceled
    double legs_sold_before = 0;           // exits: what those legs had sold when they were lifted
    double sold_by_legs = 0;               // exits: what those legs sold after that, so not sent
    bool throttled = false;  // exits: refused by the rate limit once the legs were lifted, which
                             // then rested again until the core sent the exit again
    int restored = 0;        // legs: times placed again (a new uuid each): after an exit that
                             // lifted them ended, after the venue refused or never got them
    // ---- keeping a position protected (see README "Protective legs") ----
    bool legs_owed = false;    // exits, triggered take-profits: the legs they lifted are put back
                               // for what they leave unsold once they end (cleared when done)
    int64_t triggered_ms = 0;  // held take-profit: when its level was reached
    bool announced = false;    // legs: the core has heard of it (an ACCEPTED report went out)
    bool cancel_deferred = false;  // legs: canceled for an exit still owing it back; its CANCELED
                                   // report waits for the exit's end (it may rest again)
    double sold_by_exits = 0;     // legs: what the exits that lifted them sold of the position they
                                  // protect (the same on every leg of one entry)
    int64_t retry_at_ms = 0;      // held legs: not placed before (after the venue refused it)
    bool fit_to_holding = false;  // held stop after a refusal: sized to the holding before it goes
    bool unprotected = false;     // stops: an error said the position is not protected; the
                                  // next time the stop rests, a note says it is again
    bool released = false;        // stops: no longer watched (the core canceled it, the holding
                                  // is gone, or nothing is left to protect)
    std::string venue_id;
    std::string venue_state;
    int64_t created_ms = 0;
    int64_t sent_ms = 0;            // 0: never sent
    uint64_t seq = 0;               // creation order
    std::vector<Execution> fills;   // the venue's executions already reported, in its order
    std::size_t earlier_fills = 0;  // legs placed again: fills of their earlier venue orders

    double filled_qty() const;
    bool is_leg() const { return !parent.empty(); }
};

// An execution report waiting for poll(); a type of its own so that its JSON is this plugin's.
struct PendingReport : sdk::Report {};

class OrderBook {
  public:
    LocalOrder* find(const std::string& id);
    LocalOrder* find_by_uuid(const std::string& uuid);
    LocalOrder& add(LocalOrder order);
    // Every order, in creation order.
    std::vector<LocalOrder*> all();
    // The other legs protecting the same entry.
    std::vector<LocalOrder*> siblings(const LocalOrder& leg);

    std::vector<PendingReport>& outbox() { return outbox_; }

    // Forgets finished orders beyond the most recent few hundred (query_order finds older ones by
    // listing). Invalidates pointers to forgotten orders.
    void prune();
    std::string to_json() const;
    // Throws sdk::Error(OT_E_INVALID_ARG) when the text is not a saved book.
    static OrderBook from_json(const std::string& text);

  private:
    static constexpr std::size_t kKeepDone = 500;

    std::map<std::string, LocalOrder> orders_;
    uint64_t next_seq_ = 1;
    std::vector<PendingReport> outbox_;
};

}  // namespace orchestrade::plugins::robinhood

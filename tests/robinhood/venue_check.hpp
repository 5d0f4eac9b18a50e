// After a run: the fake venue holds exactly the orders the journal says were placed (each once,
// under the client id derived from the journal's, or a protective leg placed again under its own:
// put back after an exit, or after the venue refused it or never got it),
// the journal holds every fill of the venue, and the position and cash agree.
#pragma once

#include "client_id.hpp"
#include "fake_robinhood.hpp"

#include <orchestrade/core/journal.hpp>
#include <orchestrade/core/ledger.hpp>

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace orchestrade::testing::robinhood {

inline constexpr int kMaxRestored = 10;

inline void expect_journal_matches_venue(FakeRobinhood& fake, const std::string& journal_path,
                                         double starting_cash) {
    core::Journal journal(journal_path, core::Journal::Durability::Synchronous);
    std::vector<FakeOrder> venue = fake.with_venue([](FakeVenue& v) { return v.orders(); });
    EXPECT_EQ(fake.with_venue([](FakeVenue& v) { return v.duplicate_client_ids(); }), 0)
        << "an order was sent twice";
    EXPECT_EQ(fake.bad_signatures(), 0);
    EXPECT_EQ(fake.stale_timestamps(), 0);

    std::map<std::string, const FakeOrder*> by_uuid;
    for (const FakeOrder& o : venue)
        by_uuid[o.client_order_id] = &o;
    std::map<std::string, std::string> journal_uuids;
    for (const core::OrderRecord& o : journal.orders()) {
        const std::string uuid = plugins::robinhood::venue_client_order_id(o.client_order_id);
        journal_uuids[uuid] = o.client_order_id;
        bool placed = by_uuid.count(uuid) != 0;
        // A protective leg placed again rests under "<leg id>#<n>".
        for (int n = 1; n <= kMaxRestored; ++n) {
            const std::string again = plugins::robinhood::venue_client_order_id(
                o.client_order_id + "#" + std::to_string(n));
            journal_uuids[again] = o.client_order_id;
            placed |= !o.parent_client_order_id.empty() && by_uuid.count(again) != 0;
        }
        if (o.state == core::OrderState::Rejected)
            EXPECT_FALSE(placed) << o.client_order_id << " is rejected in the journal";
        else
            EXPECT_TRUE(placed) << o.client_order_id << " (" << o.text << ") is not at the venue";
        EXPECT_NE(o.state, core::OrderState::Unknown) << o.client_order_id << " unresolved";
    }
    std::size_t executions = 0;
    for (const FakeOrder& o : venue) {
        EXPECT_TRUE(journal_uuids.count(o.client_order_id))
            << "the venue holds order " << o.id << " the journal does not know";
        executions += o.executions.size();
    }

    std::vector<core::FillRecord> fills = journal.fills();
    EXPECT_EQ(fills.size(), executions) << "a fill was lost or invented";
    core::Ledger ledger(starting_cash);
    for (const core::FillRecord& f : fills)
        ledger.apply_fill(f);
    EXPECT_NEAR(ledger.position("BTC/USD").qty,
                fake.with_venue([](FakeVenue& v) { return v.holding("BTC"); }), 1e-9);
    EXPECT_NEAR(ledger.cash(), fake.with_venue([](FakeVenue& v) { return v.buying_power(); }),
                1e-6);
}

}  // namespace orchestrade::testing::robinhood

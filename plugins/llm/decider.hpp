// One decision: asks the model (or replays its recorded answer), checks the answer, and falls
// back to HOLD with the reason on anything unusable. At most two requests per decision: the same
// request again after a transport or server error, or the request plus the rejected answer and
// why after an invalid one. Refusals, client errors and rate limits get no second request; a rate
// limit pauses calls until its retry-after has passed; an account out of money stops them until
// the next UTC day of the host's clock (as a spent daily budget does) or a restart. A backtest's
// clock is simulated, and a pause on it would be over by the next bar: there a rate limit is
// waited out in real time and the request sent again, and an account out of money ends the calls
// of the run. Every request
// is journaled ("llm_call"), and every HOLD decided without one ("llm_hold"); a new reason for a
// HOLD is also logged.
#pragma once

#include "cost_ledger.hpp"
#include "decision.hpp"
#include "host_stop.hpp"
#include "provider.hpp"
#include "response_cache.hpp"

#include <orchestrade/sdk.hpp>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace orchestrade::llm {

struct DeciderSettings {
    std::string model;
    // What bounds a call's cost: the token prices (the HTTP providers), a stated most per call
    // (a command), or both (the larger applies). The Decider refuses to be built with neither.
    std::optional<Price> price;
    std::optional<double> max_call_cost_usd;
    int64_t max_tokens = 1024;
    DecisionRules rules;
    double min_confidence = 0;
    bool journal_prompt = false;
};

struct Verdict {
    Decision decision;        // a HOLD unless the model's answer was accepted
    bool accepted = false;    // the decision is the model's
    std::string reason;       // why a HOLD that is not the model's
    std::string prompt_hash;  // of the last request
    bool cached = false;      // the accepted answer was replayed from the cache
};

class Decider {
  public:
    Decider(const sdk::Host& host, Provider& provider, ResponseCache& cache, Budget& budget,
            DeciderSettings settings);

    // time_ms: the moment decided for (the bar close), for the journal.
    Verdict decide(ChatRequest request, const MarketContext& market, int64_t time_ms);
    // The same, the answer checked by `rules` instead of the settings' (a step that reads less of
    // the answer checks less of it).
    Verdict decide(ChatRequest request, const MarketContext& market, int64_t time_ms,
                   const DecisionRules& rules);

  private:
    struct Call {
        int attempt = 1;
        std::string hash;
        std::string payload;
        Reply reply;
        bool cached = false;
        double cost_usd = 0;
        bool cost_estimated = false;  // charged its worst case: the reply did not say the cost
        int64_t latency_ms = 0;
    };

    Reply send(const std::string& payload);
    struct Charge {
        double usd = 0;
        bool estimated = false;  // the worst case: the reply does not say what the call cost
    };
    // The charge of a call that came back: the cost the provider states, else its usage at the
    // model's prices; `worst_usd` when the reply cannot say (or there are no prices).
    Charge charge(const Reply& reply, double worst_usd) const;
    // The most the call can cost: every payload byte an input token at the dearest input price
    // plus max_tokens output tokens, at least max_call_cost_usd and the largest cost stated.
    double worst_case_usd(const std::string& payload) const;
    // A stated cost above the worst case raises it from then on (and is logged once).
    void note_stated_cost(double usd, double worst_usd);
    void pause(const Reply& reply);
    // A backtest's pause: the host waits the retry-after in real time; false when the run is
    // asked to stop meanwhile.
    bool wait_out(const Reply& reply);
    // Stops calls for the rest of the host's UTC day, logged once as an error; the HOLD reason.
    std::string stop_for_the_day(const Reply& reply);
    // `cause` names the kind in the llm_hold record: stopping, out_of_funds, rate_limited,
    // not_recorded, daily_budget, run_budget.
    Verdict hold_without_call(int64_t time_ms, const char* cause, std::string reason,
                              std::string hash);
    void journal_call(int64_t time_ms, const Call& call, const std::optional<Decision>& decision,
                      const std::string& error, const char* result);
    // Logs why a decision is a HOLD, once until the reason changes (a backtest may repeat it
    // thousands of times).
    void warn(const std::string& reason);

    sdk::Host host_;
    HostStop stop_;
    Provider& provider_;
    ResponseCache& cache_;
    Budget& budget_;
    DeciderSettings s_;
    int64_t paused_until_ms_ = 0;
    int64_t stopped_until_ms_ = 0;  // the account is out of money
    std::string stop_reason_;
    double largest_stated_usd_ = 0;
    std::string last_warning_;
};

}  // namespace orchestrade::llm

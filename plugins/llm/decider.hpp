// One decision: asks the model (or replays its recorded answer), checks the answer, and falls
// back to HOLD with the reason on anything unusable. At most two requests per decision: the same
// request again after a transport or server error, or the request plus the rejected answer and
// why after an invalid one. Refusals, client errors and rate limits get no second request; a rate
// limit pauses calls until its retry-after has passed. Every request is journaled ("llm_call"),
// and every HOLD decided without one ("llm_hold"); a new reason for a HOLD is also logged.
#pragma once

#include "cost_ledger.hpp"
#include "decision.hpp"
#include "provider.hpp"
#include "response_cache.hpp"

#include <orchestrade/sdk.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace orchestrade::llm {

struct DeciderSettings {
    std::string model;
    std::optional<Price> price;  // none: only a cost the provider states is counted
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

  private:
    struct Call {
        int attempt = 1;
        std::string hash;
        std::string payload;
        Reply reply;
        bool cached = false;
        double cost_usd = 0;
        int64_t latency_ms = 0;
    };

    Reply send(const std::string& payload);
    double cost_of(const Usage& usage) const;
    double worst_case_usd(const std::string& payload) const;
    void pause(const Reply& reply);
    Verdict hold_without_call(int64_t time_ms, std::string reason, std::string hash);
    void journal_call(int64_t time_ms, const Call& call, const std::optional<Decision>& decision,
                      const std::string& error, const char* result);
    // Logs why a decision is a HOLD, once until the reason changes (a backtest may repeat it
    // thousands of times).
    void warn(const std::string& reason);

    sdk::Host host_;
    Provider& provider_;
    ResponseCache& cache_;
    Budget& budget_;
    DeciderSettings s_;
    int64_t paused_until_ms_ = 0;
    double last_cost_usd_ = 0;
    std::string last_warning_;
};

}  // namespace orchestrade::llm

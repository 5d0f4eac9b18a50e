// Answers recorded by prompt hash and replayed, so a backtest can run again deterministically and
// without paying: in the host's key-value state ("cache/<hash>"), or in a JSON-lines file that
// can be shared between journals.
#pragma once

#include "provider.hpp"

#include <orchestrade/sdk.hpp>

#include <optional>
#include <string>
#include <unordered_map>

namespace orchestrade::llm {

enum class CacheMode {
    ReadWrite,   // replay recorded answers, record new ones
    ReplayOnly,  // replay recorded answers; no call is ever made (a miss is a HOLD)
    Off,
};

class ResponseCache {
  public:
    // An empty `file` keeps the answers in the host's key-value state.
    ResponseCache(const sdk::Host& host, CacheMode mode, std::string file);

    CacheMode mode() const { return mode_; }
    std::optional<Reply> find(const std::string& hash);
    // Records answers, truncations and refusals (what the model said); errors are not recorded.
    void store(const std::string& hash, const Reply& reply);

  private:
    void load_file();

    sdk::Host host_;
    CacheMode mode_;
    std::string file_;
    bool loaded_ = false;
    std::unordered_map<std::string, std::string> entries_;  // file mode: hash -> record
};

}  // namespace orchestrade::llm

// RAII wrappers over plugin instances. Every call collects what the plugin pushes into vectors
// and turns an error status into a PluginError carrying the plugin's message.
#pragma once

#include <orchestrade/ot_plugin.h>
#include <orchestrade/testing/records.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace orchestrade::testing {

class PluginError : public std::runtime_error {
  public:
    PluginError(ot_status code, const std::string& message)
        : std::runtime_error(message), code_(code) {}
    ot_status code() const { return code_; }

  private:
    ot_status code_;
};

// Throws PluginError when status < 0.
void check(ot_status status, const ot_error& err);

struct FeedOutput {
    std::vector<Bar> bars;
    std::vector<SeriesPoint> series;
    bool end = false;       // the call returned OT_END
    bool behind = false;    // the call returned OT_BEHIND
    int column_pushes = 0;  // calls of push_bars (bars pushed as columns)
};

class FeedInstance {
  public:
    explicit FeedInstance(ot_feed* feed) : feed_(feed) {}
    FeedInstance(FeedInstance&& other) noexcept;
    FeedInstance& operator=(FeedInstance&&) = delete;
    ~FeedInstance();

    void start();
    void stop();
    FeedOutput poll(int64_t now_ms = std::numeric_limits<int64_t>::max(), uint32_t max_bars = 0);
    // Polls until OT_END; every bar pushed on the way.
    std::vector<Bar> drain(uint32_t max_bars = 0);
    FeedOutput history(const std::string& symbol, int32_t interval_s, int64_t before_ms,
                       uint32_t count);
    ot_feed* raw() const { return feed_; }
    // Whether the sink offers push_bars (as the host does), or only push_bar (an older host).
    void offer_push_bars(bool offer) { offer_push_bars_ = offer; }

  private:
    ot_feed_sink sink(FeedOutput& out) const;

    ot_feed* feed_;
    bool offer_push_bars_ = true;
};

class StrategyInstance {
  public:
    explicit StrategyInstance(ot_strategy* strategy) : strategy_(strategy) {}
    StrategyInstance(StrategyInstance&& other) noexcept;
    StrategyInstance& operator=(StrategyInstance&&) = delete;
    ~StrategyInstance();

    void start();
    void stop();
    uint32_t warmup_bars();
    // One batch holding all 'bars'.
    std::vector<Signal> on_bars(const std::vector<Bar>& bars, uint32_t flags = 0);
    // One batch per bar, signals of all of them in order.
    std::vector<Signal> on_each_bar(const std::vector<Bar>& bars, uint32_t flags = 0);
    std::vector<Signal> on_event(const std::string& name, int64_t time_ms,
                                 const std::string& payload_json = {});
    ot_strategy* raw() const { return strategy_; }

  private:
    ot_strategy* strategy_;
};

class ExecutorInstance {
  public:
    explicit ExecutorInstance(ot_executor* executor) : executor_(executor) {}
    ExecutorInstance(ExecutorInstance&& other) noexcept;
    ExecutorInstance& operator=(ExecutorInstance&&) = delete;
    ~ExecutorInstance();

    void start();
    void stop();
    void submit(const Order& order);
    void cancel(const std::string& symbol, const std::string& client_order_id);
    void on_bars(const std::vector<Bar>& bars, uint32_t flags = 0,
                 std::vector<SeriesPoint> series = {});
    std::vector<Report> poll();
    // std::nullopt when the executor answers OT_E_NOT_FOUND.
    std::optional<std::vector<Report>> query_order(const std::string& symbol,
                                                   const std::string& client_order_id);
    std::vector<Report> open_orders();
    std::vector<Balance> balances();
    ot_executor* raw() const { return executor_; }

  private:
    ot_executor* executor_;
};

}  // namespace orchestrade::testing

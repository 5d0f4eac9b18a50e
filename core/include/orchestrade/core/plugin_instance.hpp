// RAII handles over plugin instances. They turn ot_status + ot_error into PluginCallError, keep
// the plugin's library loaded while the instance lives, and destroy the instance before its
// host table.
#pragma once

#include <orchestrade/core/host_services.hpp>
#include <orchestrade/core/pipeline.hpp>
#include <orchestrade/core/plugin_registry.hpp>

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace orchestrade::core {

class PluginCallError : public std::runtime_error {
  public:
    PluginCallError(ot_status status, const std::string& message)
        : std::runtime_error(message), status_(status) {}
    ot_status status() const { return status_; }

  private:
    ot_status status_;
};

struct CreateArgs {
    Mode mode = Mode::Backtest;
    std::vector<std::string> universe;
    std::string base_dir;
};

// Shared part: library lifetime, host table, error conversion.
class PluginInstance {
  public:
    PluginInstance(const ComponentConfig& config, HostServices& services, std::string name,
                   const CreateArgs& args);
    virtual ~PluginInstance() = default;
    PluginInstance(const PluginInstance&) = delete;
    PluginInstance& operator=(const PluginInstance&) = delete;

    const std::string& name() const { return name_; }
    const ComponentInfo& info() const { return *info_; }

  protected:
    // Throws PluginCallError("<name> (<id>): <what>: <message>") for an error (status < 0);
    // returns the others (OK, or informational such as END).
    ot_status check(ot_status status, const ot_error& err, const char* what) const {
        if (status >= 0) return status;  // inline: several per bar
        fail(status, err, what);
    }
    [[noreturn]] void fail(ot_status status, const ot_error& err, const char* what) const;
    HostContext& host_context() const { return *host_; }
    // For constructors: destroys the instance and throws when its table is smaller than ABI 1.0's
    // smallest (size_10), before a struct_size of 0 reads as missing functions.
    void require_size(uint32_t struct_size, std::size_t size_10, const char* table,
                      void (*destroy)(void*)) const;
    // For constructors: destroys the instance and throws when a required function is missing.
    void require(bool present, const char* function, void (*destroy)(void*)) const;
    void* raw() const { return raw_; }

  private:
    const ComponentInfo* info_;  // owned by the registry, which outlives every instance
    std::shared_ptr<boost::dll::shared_library> library_;  // keeps the code mapped
    std::string name_;
    std::unique_ptr<HostContext> host_;
    void* raw_ = nullptr;
};

// What a feed's poll said besides the bars it pushed.
enum class FeedPoll {
    Ok,      // every bar that has closed is pushed
    Behind,  // more closed bars wait for the next poll (OT_BEHIND)
    End,     // a finite source is exhausted (OT_END)
};

class FeedInstance final : public PluginInstance {
  public:
    // Throws PluginCallError when the instance lacks a required function.
    FeedInstance(const ComponentConfig& config, HostServices& services, std::string name,
                 const CreateArgs& args);
    ~FeedInstance() override;
    void start();
    FeedPoll poll(int64_t now_ms, uint32_t max_bars, const ot_feed_sink& sink);
    bool history(const std::string& symbol, int32_t interval_s, int64_t before_ms, uint32_t count,
                 const ot_feed_sink& sink);  // false when unsupported
    void stop();
    // Paper and live: the feed's state writes (its cursor) wait for commit_state(), which the
    // loop calls once the bars polled have run, so a crash in between polls them again.
    void hold_state() { host_context().hold_state_writes(); }
    void commit_state() { host_context().commit_held_state(); }

  private:
    ot_feed* f() const { return static_cast<ot_feed*>(raw()); }
    ot_feed table_;  // the plugin's functions, read up to its struct_size (missing ones are NULL)
};

class StrategyInstance final : public PluginInstance {
  public:
    // Throws PluginCallError when the instance lacks a required function.
    StrategyInstance(const ComponentConfig& config, HostServices& services, std::string name,
                     const CreateArgs& args);
    ~StrategyInstance() override;
    void start();
    uint32_t warmup_bars();
    void on_bars(const ot_bar_batch& batch, const ot_signal_sink& sink);
    bool on_event(const ot_event& event, const ot_signal_sink& sink);  // false when unsupported
    void stop();

  private:
    ot_strategy* s() const { return static_cast<ot_strategy*>(raw()); }
    ot_strategy
        table_;  // the plugin's functions, read up to its struct_size (missing ones are NULL)
};

class ExecutorInstance final : public PluginInstance {
  public:
    // Throws PluginCallError when the instance lacks a required function.
    ExecutorInstance(const ComponentConfig& config, HostServices& services, std::string name,
                     const CreateArgs& args);
    ~ExecutorInstance() override;
    void start();
    // Returns the status (OK, REJECTED, AMBIGUOUS, ...) and fills err; never throws for a
    // venue error, since each outcome has its own handling.
    ot_status submit(const ot_order& order, ot_error& err);
    ot_status cancel(const std::string& symbol, const std::string& client_order_id, ot_error& err);
    void on_bars(const ot_bar_batch& batch);
    void poll(const ot_report_sink& sink);
    // OT_OK, or OT_E_NOT_FOUND when the venue does not know the id; throws for other errors.
    ot_status query_order(const std::string& symbol, const std::string& client_order_id,
                          const ot_report_sink& sink);
    void open_orders(const ot_report_sink& sink);
    void balances(const ot_balance_sink& sink);
    // The venue's smallest order of symbol at price (OT_EXT_MIN_ORDER); 0 when the executor has
    // no such rules or cannot tell for this symbol.
    double min_order_qty(const std::string& symbol, double price);
    bool has_min_order_qty() const { return min_order_.min_order_qty != nullptr; }
    void stop();
    // Paper and live: the executor's state writes from hold_state() on (those of a poll: its
    // emptied outbox) wait for release_state(), called once the poll's reports are journaled.
    void hold_state() { host_context().hold_state_writes(); }
    void release_state() { host_context().release_held_state(); }

  private:
    ot_executor* e() const { return static_cast<ot_executor*>(raw()); }
    ot_executor
        table_;  // the plugin's functions, read up to its struct_size (missing ones are NULL)
    ot_min_order_ext min_order_{};  // zeroed when the executor does not offer it
};

}  // namespace orchestrade::core

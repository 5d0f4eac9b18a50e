// Helpers for tests that call plugins directly: a host table that records log lines, a sink that
// collects signals, a column-wise bar batch, a sink that captures one logger's output, and a
// private temporary folder.
#pragma once

#include <orchestrade/ot_plugin.h>
#include <orchestrade/core/logging.hpp>

#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace orchestrade::testing {

class TestHost {
  public:
    TestHost() {
        table_.struct_size = sizeof table_;
        table_.abi_major = OT_ABI_MAJOR;
        table_.abi_minor = OT_ABI_MINOR;
        table_.mode = OT_MODE_BACKTEST;
        table_.host_data = this;
        table_.host_version = "test";
        table_.instance_name = "test";
        table_.log = &log;
        table_.now_ms = &now_ms;
    }
    TestHost(const TestHost&) = delete;
    TestHost& operator=(const TestHost&) = delete;

    const ot_host* table() const { return &table_; }
    const std::vector<std::string>& log_lines() const { return lines_; }
    bool logged(const std::string& line) const {
        return std::find(lines_.begin(), lines_.end(), line) != lines_.end();
    }

  private:
    static void OT_CALL log(const ot_host* h, int32_t, const char* message) {
        static_cast<TestHost*>(h->host_data)->lines_.emplace_back(message);
    }
    static int64_t OT_CALL now_ms(const ot_host*) { return 1'700'000'000'000; }

    ot_host table_{};
    std::vector<std::string> lines_;
};

struct CollectedSignal {
    int32_t action = 0;
    std::string symbol;
    int64_t time_ms = 0;
    std::string reason;
};

class SignalCollector {
  public:
    SignalCollector() : sink_{this, &push} {}
    SignalCollector(const SignalCollector&) = delete;
    SignalCollector& operator=(const SignalCollector&) = delete;
    const ot_signal_sink* sink() const { return &sink_; }
    std::vector<CollectedSignal> signals;

  private:
    static ot_status OT_CALL push(void* ctx, const ot_signal* s) {
        static_cast<SignalCollector*>(ctx)->signals.push_back(
            {s->action, s->symbol, s->time_ms, s->reason ? s->reason : ""});
        return OT_OK;
    }
    ot_signal_sink sink_;
};

// One-minute bars for a fixed symbol table; only the close varies.
class BarBatch {
  public:
    explicit BarBatch(std::vector<std::string> symbols) : names_(std::move(symbols)) {
        for (const std::string& s : names_)
            symbols_.push_back(s.c_str());
    }
    void add(uint32_t symbol, int64_t open_time_ms, double close) {
        symbol_.push_back(symbol);
        interval_.push_back(60);
        open_time_.push_back(open_time_ms);
        for (auto* column : {&open_, &high_, &low_, &close_})
            column->push_back(close);
        volume_.push_back(1);
    }
    const ot_bar_batch* get() {
        batch_ = {};
        batch_.struct_size = sizeof batch_;
        batch_.count = static_cast<uint32_t>(symbol_.size());
        batch_.now_ms = open_time_.empty() ? 0 : open_time_.back() + 60'000;
        batch_.symbols = symbols_.data();
        batch_.symbol_count = static_cast<uint32_t>(symbols_.size());
        batch_.symbol = symbol_.data();
        batch_.interval_s = interval_.data();
        batch_.open_time_ms = open_time_.data();
        batch_.open = open_.data();
        batch_.high = high_.data();
        batch_.low = low_.data();
        batch_.close = close_.data();
        batch_.volume = volume_.data();
        return &batch_;
    }

  private:
    std::vector<std::string> names_;
    std::vector<const char*> symbols_;
    std::vector<uint32_t> symbol_;
    std::vector<int32_t> interval_;
    std::vector<int64_t> open_time_;
    std::vector<double> open_, high_, low_, close_, volume_;
    ot_bar_batch batch_{};
};

// Captures what one of the core's loggers writes while it lives.
class LogCapture {
  public:
    explicit LogCapture(const std::string& component)
        : logger_(core::logger(component)),
          sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(256)) {
        sink_->set_pattern("%l|%v");
        logger_->sinks().push_back(sink_);
    }
    ~LogCapture() {
        auto& sinks = logger_->sinks();
        sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
    }
    LogCapture(const LogCapture&) = delete;
    LogCapture& operator=(const LogCapture&) = delete;
    std::vector<std::string> lines() const {
        std::vector<std::string> out = sink_->last_formatted();
        for (std::string& line : out)
            while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
                line.pop_back();
        return out;
    }

  private:
    std::shared_ptr<spdlog::logger> logger_;
    std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
};

// A fresh folder per test and process (ctest may run tests in parallel), removed afterwards.
class TempDir {
  public:
    TempDir() {
        const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
        std::string name = std::string("orchestrade_") + test->test_suite_name() + "_" +
                           test->name() + "_" + std::to_string(getpid());
        std::replace(name.begin(), name.end(), '/', '_');
        path_ = std::filesystem::temp_directory_path() / name;
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

}  // namespace orchestrade::testing

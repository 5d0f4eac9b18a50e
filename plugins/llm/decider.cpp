#include "decider.hpp"

#include "sha256.hpp"
#include "text_format.hpp"

#include <algorithm>
#include <limits>
#include <utility>

namespace orchestrade::llm {
namespace {

using json = nlohmann::json;

constexpr int kMaxRequests = 2;
constexpr int64_t kDefaultPauseMs = 60'000;     // a 429 that does not say how long to wait
constexpr int64_t kMaxPauseMs = 3'600'000;      // a retry-after is followed up to an hour
constexpr std::size_t kJournaledAnswer = 8000;  // characters of a raw answer kept
constexpr int64_t kDayMs = 86'400'000;

std::string clip(const std::string& s, std::size_t n) {
    return s.size() <= n ? s : s.substr(0, n) + "...";
}

// How long a rate limit asks to wait: its retry-after, or a minute; at most an hour.
int64_t pause_ms(const Reply& reply) {
    return std::min(reply.retry_after_ms >= 0 ? reply.retry_after_ms : kDefaultPauseMs,
                    kMaxPauseMs);
}

}  // namespace

Decider::Decider(const sdk::Host& host, Provider& provider, ResponseCache& cache, Budget& budget,
                 DeciderSettings settings)
    : host_(host),
      stop_(host),
      provider_(provider),
      cache_(cache),
      budget_(budget),
      s_(std::move(settings)) {
    if (!s_.price && !s_.max_call_cost_usd)
        throw std::invalid_argument("llm: nothing bounds the cost of a call to " + s_.model +
                                    ": it needs prices or max_call_cost_usd");
}

Reply Decider::send(const std::string& payload) {
    try {
        return provider_.send(payload);
    } catch (const std::exception& e) {
        Reply r;
        r.kind = ReplyKind::Transport;
        r.error = e.what();
        r.billing = Billing::Unknown;  // it may have failed after sending
        return r;
    }
}

Decider::Charge Decider::charge(const Reply& reply, double worst_usd) const {
    if (reply.billing == Billing::NotSent) return {0, false};
    if (reply.usage.reported_cost_usd) return {*reply.usage.reported_cost_usd, false};
    if (reply.billing == Billing::Unknown || !s_.price) return {worst_usd, true};
    return {cost_usd(*s_.price, reply.usage), false};
}

// A token is at least one byte, so the payload's size bounds the input tokens, each at most at
// the dearest of the input, cache-read and cache-write prices; the output is bounded by
// max_tokens. What a command adds to the prompt is unknown: max_call_cost_usd bounds it.
double Decider::worst_case_usd(const std::string& payload) const {
    double bound = 0;
    if (s_.price) {
        const double input =
            std::max({s_.price->input, s_.price->cached_input, s_.price->cache_write});
        bound = (static_cast<double>(payload.size()) * input +
                 static_cast<double>(s_.max_tokens) * s_.price->output) /
                1e6;
    }
    if (s_.max_call_cost_usd) bound = std::max(bound, *s_.max_call_cost_usd);
    return std::max(bound, largest_stated_usd_);
}

void Decider::note_stated_cost(double usd, double worst_usd) {
    if (usd > worst_usd)
        host_.warn("llm: a call to " + s_.model + " cost $" + format_number(usd) +
                   ", more than its worst case of $" + format_number(worst_usd) +
                   (s_.max_call_cost_usd ? ": raise max_call_cost_usd" : "") +
                   "; later calls are budgeted at $" + format_number(usd) + " at least");
    largest_stated_usd_ = std::max(largest_stated_usd_, usd);
}

void Decider::pause(const Reply& reply) {
    paused_until_ms_ = host_.now_ms() + pause_ms(reply);
}

bool Decider::wait_out(const Reply& reply) {
    const int64_t wait = pause_ms(reply);
    host_.warn("llm: rate limited (" + reply.error + "): the backtest waits " +
               format_number(static_cast<double>(wait) / 1000) +
               " s for the provider, then asks again");
    return stop_.wait(wait);
}

std::string Decider::stop_for_the_day(const Reply& reply) {
    const bool backtest = host_.mode() == OT_MODE_BACKTEST;
    stopped_until_ms_ =
        backtest ? std::numeric_limits<int64_t>::max() : (host_.now_ms() / kDayMs + 1) * kDayMs;
    stop_reason_ = "the provider's account is out of money (" + reply.error + "): no calls " +
                   (backtest ? std::string("for the rest of this backtest")
                             : "until " + iso_utc(stopped_until_ms_) + " or a restart");
    host_.error("llm: " + stop_reason_);
    last_warning_ = stop_reason_;  // logged: the HOLDs it causes add no warning
    return stop_reason_;
}

void Decider::warn(const std::string& reason) {
    if (reason == last_warning_) return;
    last_warning_ = reason;
    host_.warn("llm: HOLD: " + reason);
}

Verdict Decider::hold_without_call(int64_t time_ms, const char* cause, std::string reason,
                                   std::string hash) {
    warn(reason);
    json record = {{"time_ms", time_ms},
                   {"provider", provider_.name()},
                   {"model", s_.model},
                   {"cause", cause},
                   {"reason", reason}};
    if (!hash.empty()) record["prompt_hash"] = hash;
    host_.journal("llm_hold", record.dump());
    Verdict v;
    v.reason = std::move(reason);
    v.prompt_hash = std::move(hash);
    return v;
}

void Decider::journal_call(int64_t time_ms, const Call& call,
                           const std::optional<Decision>& decision, const std::string& error,
                           const char* result) {
    const Reply& r = call.reply;
    json record = {
        {"time_ms", time_ms},
        {"attempt", call.attempt},
        {"provider", provider_.name()},
        {"model", s_.model},
        {"prompt_hash", call.hash},
        {"cached", call.cached},
        {"outcome", decision || r.kind != ReplyKind::Answer ? to_string(r.kind) : "invalid"},
        {"result", result},
        {"http_status", r.http_status},
        {"input_tokens", r.usage.input},
        {"cached_input_tokens", r.usage.cached_input},
        {"cache_write_tokens", r.usage.cache_write},
        {"output_tokens", r.usage.output},
        {"cost_usd", call.cost_usd},
        {"cost_estimated", call.cost_estimated},
        {"spent_today_usd", budget_.spent_today()},
        {"latency_ms", call.latency_ms},
        {"raw_answer", clip(r.text, kJournaledAnswer)},
        {"decision", decision ? decision->to_json() : json(nullptr)}};
    if (!error.empty()) record["error"] = error;
    if (!r.request_id.empty()) record["request_id"] = r.request_id;
    if (s_.journal_prompt) record["prompt"] = call.payload;
    host_.journal("llm_call", record.dump());
}

Verdict Decider::decide(ChatRequest request, const MarketContext& market, int64_t time_ms) {
    return decide(std::move(request), market, time_ms, s_.rules);
}

Verdict Decider::decide(ChatRequest request, const MarketContext& market, int64_t time_ms,
                        const DecisionRules& rules) {
    if (stop_.stop_requested()) return hold_without_call(time_ms, "stopping", kStoppingReason, {});
    if (host_.now_ms() < stopped_until_ms_)
        return hold_without_call(time_ms, "out_of_funds", stop_reason_, {});
    if (host_.now_ms() < paused_until_ms_)
        return hold_without_call(
            time_ms, "rate_limited",
            "rate limited: the provider asked to wait until " + iso_utc(paused_until_ms_), {});
    for (int attempt = 1;; ++attempt) {
        Call call;
        call.attempt = attempt;
        call.payload = provider_.payload(request);
        call.hash = sha256_hex(provider_.identity() + "\n" + call.payload);
        if (std::optional<Reply> hit = cache_.find(call.hash)) {
            call.reply = std::move(*hit);
            call.cached = true;
        } else if (cache_.mode() == CacheMode::ReplayOnly) {
            return hold_without_call(time_ms, "not_recorded",
                                     "no recorded answer for this prompt (cache: replay_only)",
                                     call.hash);
        } else {
            const double worst = worst_case_usd(call.payload);
            if (std::optional<BudgetRefusal> refusal = budget_.refusal(worst))
                return hold_without_call(time_ms, refusal->cause.c_str(), refusal->text, call.hash);
            const Reservation reserved = budget_.reserve(worst);  // counted while the call is out
            int64_t start = host_.now_ms();
            call.reply = send(call.payload);
            call.latency_ms = host_.now_ms() - start;
            const Charge charged = charge(call.reply, worst);
            call.cost_usd = charged.usd;
            call.cost_estimated = charged.estimated;
            if (call.reply.usage.reported_cost_usd)
                note_stated_cost(*call.reply.usage.reported_cost_usd, worst);
            budget_.settle(reserved, call.cost_usd);
            cache_.store(call.hash, call.reply);
        }

        const Reply& reply = call.reply;
        std::optional<Decision> decision;
        std::string error = reply.error;
        bool resend = false, correct = false, waited = false;
        if (reply.kind == ReplyKind::Answer) {
            ParsedAnswer parsed = parse_decision(reply.text, market, rules);
            decision = parsed.decision;
            if (!decision) error = "invalid answer: " + parsed.error;
            correct = !decision;
        } else if (reply.kind == ReplyKind::Truncated) {
            correct = true;
        } else if (reply.kind == ReplyKind::RateLimited) {
            // A host too old to wait for the plugin: the pause, on the simulated clock.
            if (host_.mode() == OT_MODE_BACKTEST && stop_.can_wait())
                waited = wait_out(reply);
            else
                pause(reply);
        } else if (reply.kind == ReplyKind::OutOfFunds) {
            error = stop_for_the_day(reply);
        } else {
            resend = worth_resending(reply);
        }
        if (decision && decision->action != OT_ACTION_HOLD &&
            decision->confidence < s_.min_confidence)
            error = "confidence " + format_number(decision->confidence) +
                    " is below min_confidence " + format_number(s_.min_confidence);

        const bool again = !decision && !stop_.stop_requested() &&
                           (waited || ((resend || correct) && attempt < kMaxRequests));
        const char* result = decision && error.empty() ? "accepted" : again ? "retry" : "hold";
        journal_call(time_ms, call, decision, error, result);
        if (decision && error.empty()) {
            last_warning_.clear();
            Verdict v;
            v.decision = *decision;
            v.accepted = true;
            v.prompt_hash = call.hash;
            v.cached = call.cached;
            return v;
        }
        if (!again) {
            Verdict v;
            v.reason = error.empty() ? "no usable answer" : error;
            warn(v.reason);
            v.prompt_hash = call.hash;
            return v;
        }
        if (correct) {
            request.messages.push_back(
                {"assistant", reply.text.empty() ? "(no answer)" : reply.text});
            request.messages.push_back(
                {"user", "Your answer was rejected: " + error +
                             ". Answer again with only the JSON object, following the schema."});
        }
    }
}

}  // namespace orchestrade::llm

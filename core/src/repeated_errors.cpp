#include <orchestrade/core/repeated_errors.hpp>

#include <iterator>

namespace orchestrade::core {
namespace {

bool is_power_of_ten(int64_t n) {
    while (n >= 10 && n % 10 == 0)
        n /= 10;
    return n == 1;
}

}  // namespace

RepeatedErrors::Occurrence RepeatedErrors::add(const std::string& kind, const std::string& message,
                                               int64_t now_ms) {
    if (tallies_.size() >= kMaxDistinct && tallies_.count({kind, message}) == 0)
        for (auto it = tallies_.begin(); it != tallies_.end();)
            it = it->second.count == it->second.logged ? tallies_.erase(it) : std::next(it);
    Tally& t = tallies_[{kind, message}];
    Occurrence o;
    o.count = ++t.count;
    o.first = t.count == 1;
    if (t.count <= kLoggedInFull) {
        o.log = true;
        t.logged = t.count;
        t.logged_ms = now_ms;
    } else if (is_power_of_ten(t.count) || (remind_ms_ > 0 && now_ms - t.logged_ms >= remind_ms_)) {
        o.unlogged = t.count - t.logged;
        t.logged = t.count;
        t.logged_ms = now_ms;
    }
    return o;
}

std::vector<RepeatedErrors::Unlogged> RepeatedErrors::take_unlogged() {
    std::vector<Unlogged> out;
    for (auto& [key, t] : tallies_) {
        if (t.count == t.logged) continue;
        out.push_back({key.first, key.second, t.count - t.logged, t.count});
        t.logged = t.count;
    }
    return out;
}

}  // namespace orchestrade::core

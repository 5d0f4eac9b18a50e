#include <orchestrade/core/scheduler.hpp>

#include <date/tz.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>

namespace orchestrade::core {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;

const date::time_zone* zone(const std::string& name) {
    try {
        return date::locate_zone(name);
    } catch (const std::exception&) {
        throw std::invalid_argument("unknown time zone '" + name + "'");
    }
}

// The UTC instant of a local date and minute of the day. A local time that does not exist (the
// hour skipped when clocks go forward) moves to the same wall time after the change; one that
// exists twice (clocks go back) takes the first.
date::sys_time<milliseconds> to_utc(const date::time_zone* z, date::local_days day, int minute) {
    const date::local_time<minutes> local = day + minutes(minute);
    const auto info = z->get_info(local);
    if (info.result == date::local_info::nonexistent)
        return date::make_zoned(z, local + (info.second.offset - info.first.offset)).get_sys_time();
    return date::make_zoned(z, local, date::choose::earliest).get_sys_time();
}

bool allowed(const CalendarTrigger& t, date::local_days day) {
    const unsigned iso = date::weekday(day).iso_encoding();  // Monday = 1 ... Sunday = 7
    if (!(t.weekdays & (1u << (iso - 1)))) return false;
    return t.holidays.empty() || !t.holidays.count(date::format("%F", day));
}

Occurrence occurrence(const CalendarTrigger& t, const date::time_zone* z,
                      date::sys_time<milliseconds> at) {
    return {t.name, at.time_since_epoch().count(),
            date::format("%F %H:%M %Z", date::make_zoned(z, date::floor<minutes>(at)))};
}

date::local_days local_day(const date::time_zone* z, int64_t ms) {
    const auto local =
        date::make_zoned(z, date::sys_time<milliseconds>(milliseconds(ms))).get_local_time();
    return date::floor<date::days>(local);
}

}  // namespace

void check_time_zone(const std::string& tz) {
    zone(tz);
}

Scheduler::Scheduler(std::vector<CalendarTrigger> triggers) : triggers_(std::move(triggers)) {
    for (const auto& t : triggers_)
        zone(t.tz);
}

std::optional<Occurrence> Scheduler::latest_at_or_before(const CalendarTrigger& t,
                                                         int64_t now_ms) const {
    const date::time_zone* z = zone(t.tz);
    const date::local_days today = local_day(z, now_ms);
    for (int back = 0; back <= 8; ++back) {
        const date::local_days day = today - date::days(back);
        if (!allowed(t, day)) continue;
        const auto at = to_utc(z, day, t.minute_of_day);
        if (at.time_since_epoch().count() <= now_ms) return occurrence(t, z, at);
    }
    return std::nullopt;
}

std::optional<Occurrence> Scheduler::next_after(const CalendarTrigger& t, int64_t from_ms) const {
    const date::time_zone* z = zone(t.tz);
    const date::local_days today = local_day(z, from_ms);
    for (int ahead = 0; ahead <= 370; ++ahead) {
        const date::local_days day = today + date::days(ahead);
        if (!allowed(t, day)) continue;
        const auto at = to_utc(z, day, t.minute_of_day);
        if (at.time_since_epoch().count() > from_ms) return occurrence(t, z, at);
    }
    return std::nullopt;
}

std::vector<Occurrence> Scheduler::upcoming(int64_t from_ms, int count) const {
    std::vector<Occurrence> out;
    for (const auto& t : triggers_) {
        if (!t.enabled) continue;
        int64_t from = from_ms;
        for (int i = 0; i < count; ++i) {
            auto next = next_after(t, from);
            if (!next) break;
            from = next->time_ms;
            out.push_back(std::move(*next));
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const Occurrence& a, const Occurrence& b) {
        return a.time_ms < b.time_ms;
    });
    if (static_cast<int>(out.size()) > count) out.resize(static_cast<std::size_t>(count));
    return out;
}

std::vector<Scheduler::Decision> Scheduler::due(
    int64_t now_ms, const std::function<int64_t(const std::string&)>& last_handled) const {
    std::vector<Decision> out;
    for (const auto& t : triggers_) {
        if (!t.enabled) continue;
        auto latest = latest_at_or_before(t, now_ms);
        if (!latest || latest->time_ms <= last_handled(t.name)) continue;
        Decision d;
        d.late_ms = now_ms - latest->time_ms;
        d.fire = d.late_ms <= t.catch_up_ms;
        d.occurrence = std::move(*latest);
        out.push_back(std::move(d));
    }
    std::stable_sort(out.begin(), out.end(), [](const Decision& a, const Decision& b) {
        return a.occurrence.time_ms < b.occurrence.time_ms;
    });
    return out;
}

}  // namespace orchestrade::core

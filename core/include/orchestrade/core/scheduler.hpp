// Calendar triggers: "at 09:30 America/New_York on weekdays, not on holidays". Each occurrence
// fires at most once, also across restarts (the last fired occurrence is persisted by the
// caller); a restart within the catch-up tolerance after a missed time fires it once, a later
// one skips it. Local times are converted with the IANA time zone database, so a trigger stays
// at 09:30 local time across daylight-saving changes.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace orchestrade::core {

struct CalendarTrigger {
    std::string name;
    int minute_of_day = 0;           // local time: 09:30 -> 570
    std::string tz = "UTC";          // IANA name
    uint8_t weekdays = 0x7f;         // bit 0 = Monday ... bit 6 = Sunday
    std::set<std::string> holidays;  // local dates "2026-12-25"
    int64_t catch_up_ms = 0;         // how late an occurrence may still fire
    bool enabled = true;
};

// Throws std::invalid_argument for an unknown time zone name.
void check_time_zone(const std::string& tz);

// One occurrence of a trigger.
struct Occurrence {
    std::string trigger;
    int64_t time_ms = 0;     // UTC
    std::string local_text;  // "2026-03-09 09:30 EDT"
};

class Scheduler {
  public:
    explicit Scheduler(std::vector<CalendarTrigger> triggers);
    const std::vector<CalendarTrigger>& triggers() const { return triggers_; }

    // The latest occurrence of a trigger at or before t, if one exists in the last 8 days.
    std::optional<Occurrence> latest_at_or_before(const CalendarTrigger& t, int64_t now_ms) const;
    // The first occurrence strictly after from_ms (searching a year ahead).
    std::optional<Occurrence> next_after(const CalendarTrigger& t, int64_t from_ms) const;
    // The next `count` occurrences of all enabled triggers after from_ms, in time order.
    std::vector<Occurrence> upcoming(int64_t from_ms, int count) const;

    struct Decision {
        Occurrence occurrence;
        bool fire = false;  // false: missed beyond the tolerance, skipped
        int64_t late_ms = 0;
    };
    // What to do at now_ms: one decision per enabled trigger whose latest occurrence is newer
    // than the last one handled (last_handled returns that occurrence's time, or 0). The caller
    // persists each decision's occurrence time before acting on it.
    std::vector<Decision> due(int64_t now_ms,
                              const std::function<int64_t(const std::string&)>& last_handled) const;

  private:
    std::vector<CalendarTrigger> triggers_;
};

}  // namespace orchestrade::core

// Calendar arithmetic: DST, weekdays, holidays, once per occurrence, catch-up, next firings.
#include <orchestrade/core/scheduler.hpp>

#include <gtest/gtest.h>

#include <map>

using namespace orchestrade::core;

namespace {

constexpr int64_t kMinute = 60'000, kHour = 3'600'000;

// UTC milliseconds of a civil UTC time, computed independently of the scheduler.
int64_t utc(int y, int m, int d, int hh, int mm) {
    // days from civil (Howard Hinnant's algorithm, written out)
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    const int64_t days = era * 146097 + doe - 719468;
    return (days * 24 * 60 + hh * 60 + mm) * kMinute;
}

CalendarTrigger market_open() {
    CalendarTrigger t;
    t.name = "market_open";
    t.minute_of_day = 9 * 60 + 30;
    t.tz = "America/New_York";
    t.weekdays = 0x1f;  // mon-fri
    t.catch_up_ms = 10 * kMinute;
    return t;
}

}  // namespace

TEST(Calendar, LocalTimeFollowsDaylightSavingTime) {
    Scheduler s({market_open()});
    // Friday 2026-03-06 is EST (UTC-5); Monday 2026-03-09 is EDT (UTC-4) after the change on
    // Sunday 2026-03-08.
    auto fri = s.next_after(market_open(), utc(2026, 3, 6, 0, 0));
    ASSERT_TRUE(fri);
    EXPECT_EQ(fri->time_ms, utc(2026, 3, 6, 14, 30));
    EXPECT_EQ(fri->local_text, "2026-03-06 09:30 EST");
    auto mon = s.next_after(market_open(), fri->time_ms);
    ASSERT_TRUE(mon);
    EXPECT_EQ(mon->time_ms, utc(2026, 3, 9, 13, 30));  // the weekend is skipped
    EXPECT_EQ(mon->local_text, "2026-03-09 09:30 EDT");
    // Back to EST after Sunday 2026-11-01.
    auto nov = s.next_after(market_open(), utc(2026, 11, 2, 0, 0));
    EXPECT_EQ(nov->time_ms, utc(2026, 11, 2, 14, 30));
}

TEST(Calendar, ALocalTimeThatDoesNotExistMovesPastTheGap) {
    CalendarTrigger t;
    t.name = "night";
    t.minute_of_day = 2 * 60 + 30;  // 02:30 does not exist in New York on 2026-03-08
    t.tz = "America/New_York";
    Scheduler s({t});
    auto o = s.next_after(t, utc(2026, 3, 8, 0, 0));
    ASSERT_TRUE(o);
    EXPECT_EQ(o->time_ms, utc(2026, 3, 8, 7, 30));  // 03:30 EDT
    // 01:30 happens twice on 2026-11-01: the first one (EDT) counts.
    t.minute_of_day = 90;
    auto twice = Scheduler({t}).next_after(t, utc(2026, 11, 1, 0, 0));
    EXPECT_EQ(twice->time_ms, utc(2026, 11, 1, 5, 30));
}

TEST(Calendar, WeekdaysAndHolidays) {
    CalendarTrigger t = market_open();
    t.holidays = {"2026-11-26"};  // Thanksgiving, a Thursday
    Scheduler s({t});
    auto o = s.next_after(t, utc(2026, 11, 25, 15, 0));  // after Wednesday's open
    ASSERT_TRUE(o);
    EXPECT_EQ(o->time_ms, utc(2026, 11, 27, 14, 30));  // Friday
    t.weekdays = 1u << 4;                              // Fridays only
    auto weekly = Scheduler({t}).upcoming(utc(2026, 11, 27, 15, 0), 2);
    ASSERT_EQ(weekly.size(), 2u);
    EXPECT_EQ(weekly[0].time_ms, utc(2026, 12, 4, 14, 30));
    EXPECT_EQ(weekly[1].time_ms, utc(2026, 12, 11, 14, 30));
}

TEST(Calendar, UpcomingMergesTriggersInTimeOrderAndSkipsDisabledOnes) {
    CalendarTrigger pre = market_open();
    pre.name = "pre_market";
    pre.minute_of_day = 6 * 60 + 30;
    CalendarTrigger off = market_open();
    off.name = "disabled";
    off.enabled = false;
    Scheduler s({market_open(), pre, off});
    auto next = s.upcoming(utc(2026, 11, 23, 0, 0), 3);  // a Monday
    ASSERT_EQ(next.size(), 3u);
    EXPECT_EQ(next[0].trigger, "pre_market");
    EXPECT_EQ(next[1].trigger, "market_open");
    EXPECT_EQ(next[2].trigger, "pre_market");
    EXPECT_EQ(next[2].time_ms, utc(2026, 11, 24, 11, 30));
}

TEST(Calendar, EachOccurrenceIsHandledOnceAcrossRestarts) {
    Scheduler s({market_open()});
    std::map<std::string, int64_t> persisted;  // what a journal would hold
    auto last = [&](const std::string& n) { return persisted.count(n) ? persisted[n] : 0; };
    const int64_t open = utc(2026, 11, 23, 14, 30);
    auto first = s.due(open - kMinute, last);  // a first start: Friday's open is the latest
    ASSERT_EQ(first.size(), 1u);
    EXPECT_FALSE(first[0].fire);  // three days late
    persisted["market_open"] = first[0].occurrence.time_ms;
    EXPECT_TRUE(s.due(open - kMinute, last).empty());
    auto at_open = s.due(open + 30'000, last);
    ASSERT_EQ(at_open.size(), 1u);
    EXPECT_TRUE(at_open[0].fire);
    EXPECT_EQ(at_open[0].occurrence.time_ms, open);
    persisted["market_open"] = open;
    // A restart a minute later finds it handled.
    EXPECT_TRUE(s.due(open + kMinute, last).empty());
}

TEST(Calendar, CatchUpWithinTheToleranceFiresOnceLaterIsSkipped) {
    Scheduler s({market_open()});
    const int64_t open = utc(2026, 11, 23, 14, 30);
    const int64_t friday_open = utc(2026, 11, 20, 14, 30);
    auto handled_friday = [&](const std::string&) { return friday_open; };
    auto late = s.due(open + 9 * kMinute, handled_friday);
    ASSERT_EQ(late.size(), 1u);
    EXPECT_TRUE(late[0].fire);
    EXPECT_EQ(late[0].late_ms, 9 * kMinute);
    auto too_late = s.due(open + 2 * kHour, handled_friday);
    ASSERT_EQ(too_late.size(), 1u);
    EXPECT_FALSE(too_late[0].fire);
}

TEST(Calendar, AnUnknownTimeZoneIsRefused) {
    EXPECT_THROW(check_time_zone("Mars/Olympus_Mons"), std::invalid_argument);
    EXPECT_NO_THROW(check_time_zone("Europe/Zurich"));
}

// A fast and a slow simple moving average over one series of closes, updated in O(1) per value
// from a ring buffer of the last `slow` closes and two running sums.
#pragma once

#include <cstddef>
#include <vector>

namespace orchestrade::plugins {

class MovingAverages {
  public:
    MovingAverages(std::size_t fast, std::size_t slow) : fast_(fast), slow_(slow), ring_(slow) {}

    void add(double close) {
        // Works on local copies of the sums and stores each once: updated in place, they are
        // stored and reloaded around the ring write (which may alias them), stalling store
        // forwarding.
        double fast_sum = fast_sum_, slow_sum = slow_sum_;
        if (count_ >= fast_) {
            std::size_t leaving = head_ + slow_ - fast_;
            fast_sum -= ring_[leaving >= slow_ ? leaving - slow_ : leaving];
        }
        if (count_ >= slow_) slow_sum -= ring_[head_];
        ring_[head_] = close;
        fast_sum_ = fast_sum + close;
        slow_sum_ = slow_sum + close;
        if (++head_ == slow_) {
            head_ = 0;
            resum();
        }
        if (count_ < slow_) ++count_;
    }
    bool ready() const { return count_ >= slow_; }
    double fast() const { return fast_sum_ / static_cast<double>(fast_); }
    double slow() const { return slow_sum_ / static_cast<double>(slow_); }

  private:
    // Running sums drift by rounding; recomputing them once per lap keeps the error bounded at
    // an amortized O(1) cost.
    void resum() {
        slow_sum_ = 0;
        for (double c : ring_)
            slow_sum_ += c;
        fast_sum_ = 0;
        for (std::size_t i = slow_ - fast_; i < slow_; ++i)
            fast_sum_ += ring_[i];
    }

    std::size_t fast_, slow_;
    std::vector<double> ring_;
    std::size_t head_ = 0;   // where the next close goes (the oldest one once full)
    std::size_t count_ = 0;  // closes seen, up to slow_
    double fast_sum_ = 0, slow_sum_ = 0;
};

}  // namespace orchestrade::plugins

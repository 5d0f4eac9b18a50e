#include "portfolio.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>

namespace orchestrade::llm {

void SharpeRatio::add_equity(double equity) {
    if (last_equity_ > 0) {
        double r = equity / last_equity_ - 1;
        ++n_;
        double delta = r - mean_;
        mean_ += delta / static_cast<double>(n_);
        m2_ += delta * (r - mean_);
    }
    last_equity_ = equity;
}

double SharpeRatio::value() const {
    if (n_ < 2) return std::numeric_limits<double>::quiet_NaN();
    double stdev = std::sqrt(m2_ / static_cast<double>(n_ - 1));
    if (stdev == 0) return std::numeric_limits<double>::quiet_NaN();
    return mean_ / stdev * std::sqrt(periods_per_year_);
}

std::string SharpeRatio::save() const {
    return nlohmann::json{{"last_equity", last_equity_}, {"n", n_}, {"mean", mean_}, {"m2", m2_}}
        .dump();
}

void SharpeRatio::load(const std::string& saved) {
    const nlohmann::json j = nlohmann::json::parse(saved);
    const double last_equity = j.at("last_equity").get<double>(), mean = j.at("mean").get<double>(),
                 m2 = j.at("m2").get<double>();
    const long long n = j.at("n").get<long long>();
    if (n < 0 || m2 < 0) throw std::invalid_argument("negative count or variance");
    last_equity_ = last_equity;
    n_ = n;
    mean_ = mean;
    m2_ = m2;
}

PortfolioSnapshot read_portfolio(const sdk::Host& host, const std::vector<std::string>& universe,
                                 SharpeRatio& sharpe) {
    ot_account a = host.account();
    PortfolioSnapshot p;
    p.cash = a.cash;
    p.equity = a.equity;
    p.return_pct = a.starting_equity > 0 ? (a.equity / a.starting_equity - 1) * 100 : 0;
    sharpe.add_equity(a.equity);
    p.sharpe = sharpe.value();
    for (const std::string& symbol : universe) {
        ot_position pos = host.position(symbol);
        if (pos.qty == 0) continue;
        p.positions.push_back({symbol, pos.qty, pos.avg_price, pos.mark_price, pos.unrealized_pnl});
    }
    return p;
}

}  // namespace orchestrade::llm

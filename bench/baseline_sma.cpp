// The reference for the backtest benchmark: a hand-written loop that parses the same CSV (every
// field, as a loop that feeds a strategy OHLCV bars must) and computes the same SMA 10/30
// crossovers, with nothing else: no plugins, no validation, no journal, no risk, no fills.
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: baseline_sma FILE.csv [fast slow]\n");
        return 2;
    }
    const int fast = argc > 3 ? std::atoi(argv[2]) : 10;
    const int slow = argc > 3 ? std::atoi(argv[3]) : 30;
    std::FILE* f = std::fopen(argv[1], "rb");
    if (!f) {
        std::perror(argv[1]);
        return 1;
    }
    std::vector<double> ring(slow, 0.0);
    double sum_fast = 0, sum_slow = 0, prev_diff = 0;
    long long bars = 0, buys = 0, sells = 0;
    double checksum = 0;  // keeps the other fields' parsing from being optimised away
    std::vector<char> buf(1 << 20);
    std::size_t keep = 0;
    while (true) {
        std::size_t n = std::fread(buf.data() + keep, 1, buf.size() - keep, f);
        std::size_t len = keep + n;
        if (len == 0) break;
        std::size_t start = 0;
        while (true) {
            char* nl = static_cast<char*>(std::memchr(buf.data() + start, '\n', len - start));
            if (!nl && n != 0) break;
            const char* p = buf.data() + start;
            const char* end = nl ? nl : buf.data() + len;
            start = nl ? static_cast<std::size_t>(nl - buf.data()) + 1 : len;
            if (p == end || (*p < '0' || *p > '9')) {
                if (!nl) break;
                continue;  // header or blank line
            }
            // timestamp,open,high,low,close,volume
            long long ts = 0;
            double field[5] = {0, 0, 0, 0, 0};
            p = std::from_chars(p, end, ts).ptr + 1;
            for (double& v : field)
                p = std::from_chars(p, end, v).ptr + 1;
            const double close = field[3];
            checksum += static_cast<double>(ts % 7) + field[0] + field[1] - field[2] + field[4];
            const long long i = bars++;
            const double out_slow = ring[i % slow];
            const double out_fast = i >= fast ? ring[(i - fast) % slow] : 0.0;
            ring[i % slow] = close;
            sum_slow += close - (i >= slow ? out_slow : 0.0);
            sum_fast += close - out_fast;
            if (i >= slow - 1) {
                const double diff = sum_fast / fast - sum_slow / slow;
                if (i >= slow) {
                    if (prev_diff <= 0 && diff > 0) ++buys;
                    if (prev_diff >= 0 && diff < 0) ++sells;
                }
                prev_diff = diff;
            }
            if (!nl) break;
        }
        if (n == 0) break;
        keep = len - start;
        std::memmove(buf.data(), buf.data() + start, keep);
    }
    std::fclose(f);
    std::printf("bars %lld, buy crosses %lld, sell crosses %lld (checksum %.3f)\n", bars, buys,
                sells, checksum);
    return 0;
}

#include "candle_file_label.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace orchestrade::cli {

std::string label_path(const std::string& csv_path) {
    return csv_path + ".meta";
}

std::optional<CandleFileLabel> read_label(const std::string& csv_path) {
    std::ifstream in(label_path(csv_path));
    if (!in) return std::nullopt;
    CandleFileLabel label;
    for (std::string line; std::getline(in, line);) {
        const std::size_t eq = line.find('=');
        if (eq == std::string::npos) continue;
        const std::string key = line.substr(0, eq), value = line.substr(eq + 1);
        if (key == "symbol") label.symbol = value;
        if (key == "timeframe") label.timeframe = value;
    }
    return label;
}

void write_label(const std::string& csv_path, const CandleFileLabel& label) {
    const std::string path = label_path(csv_path);
    const std::string temp = path + ".part-" + std::to_string(::getpid());
    {
        std::ofstream out(temp, std::ios::trunc);
        out << "symbol=" << label.symbol << "\ntimeframe=" << label.timeframe << "\n";
        out.close();
        if (!out) throw std::runtime_error("cannot write " + temp + ": " + std::strerror(errno));
    }
    std::filesystem::rename(temp, path);
}

}  // namespace orchestrade::cli

#include <orchestrade/testing/temp_dir.hpp>

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace orchestrade::testing {

TempDir::TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "orchestrade-test-XXXXXX");
    if (!mkdtemp(pattern.data())) throw std::runtime_error("cannot create a temp dir");
    path_ = pattern;
}

TempDir::~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

std::string TempDir::write(const std::string& name, const std::string& content) const {
    std::filesystem::path file = path_ / name;
    std::ofstream out(file, std::ios::binary);
    out << content;
    if (!out) throw std::runtime_error("cannot write " + file.string());
    return file.string();
}

}  // namespace orchestrade::testing

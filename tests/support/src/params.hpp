// Parameter values parsed against a component's schema, as the host does before create().
#pragma once

#include <orchestrade/ot_plugin.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace orchestrade::testing {

class ParsedParams {
  public:
    // Throws std::invalid_argument naming the key on any mismatch with the schema.
    ParsedParams(const ot_descriptor& descriptor, const std::map<std::string, std::string>& given);
    const ot_param_value* data() const { return values_.data(); }
    uint32_t size() const { return static_cast<uint32_t>(values_.size()); }

  private:
    std::vector<std::unique_ptr<std::string>> strings_;  // stable addresses for string_value
    std::vector<ot_param_value> values_;
};

}  // namespace orchestrade::testing

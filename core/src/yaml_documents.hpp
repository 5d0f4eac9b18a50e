// A pipeline file holds one YAML document; yaml-cpp's Load reads the first and ignores the rest.
#pragma once

#include <yaml-cpp/mark.h>

#include <optional>
#include <string>

namespace orchestrade::core {

// Where a second document starts (its '---'), or nothing when the text holds at most one.
// Throws YAML::Exception when the first document is not valid YAML; the second is not parsed.
std::optional<YAML::Mark> second_document(const std::string& yaml_text);

}  // namespace orchestrade::core

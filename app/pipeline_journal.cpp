#include "pipeline_journal.hpp"

#include "file_checks.hpp"

#include <yaml-cpp/yaml.h>

namespace orchestrade::cli {

void check_pipeline_journal(const core::Pipeline& pipeline) {
    const std::string problem = pipeline_journal_problem(pipeline.journal);
    if (problem.empty()) return;
    // The loader has read this text already: it parses.
    const YAML::Node root = YAML::Load(pipeline.yaml_text);
    const YAML::Node journal = root["journal"];
    const YAML::Node at = journal ? journal : root["name"];
    const YAML::Mark mark = at ? at.Mark() : YAML::Mark::null_mark();
    throw core::ConfigError(pipeline.file, mark.line + 1, mark.column + 1,
                            journal ? problem : problem + " (the default journal, from the name)");
}

}  // namespace orchestrade::cli

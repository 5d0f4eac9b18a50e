#include "pipeline_journal.hpp"

#include "file_checks.hpp"

namespace orchestrade::cli {

void check_pipeline_journal(const core::Pipeline& pipeline) {
    const std::string problem = pipeline_journal_problem(pipeline.journal);
    if (!problem.empty())
        throw core::ConfigError(pipeline.file, pipeline.journal_line, pipeline.journal_column,
                                problem);
}

}  // namespace orchestrade::cli

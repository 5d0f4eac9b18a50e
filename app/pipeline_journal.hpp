// The journal a pipeline names, checked before anything runs.
#pragma once

#include <orchestrade/core/pipeline.hpp>

namespace orchestrade::cli {

// Throws core::ConfigError at the pipeline's `journal` line (at `name` when the journal is the
// default one made from it) when the run could not keep its journal there.
void check_pipeline_journal(const core::Pipeline& pipeline);

}  // namespace orchestrade::cli

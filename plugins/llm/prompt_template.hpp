// Prompt templates: text with {{name}} placeholders in three sections. `system` is rendered once
// per run, so its bytes never change and providers can cache it; `user` is rendered per decision
// and holds one `symbol` block per universe symbol.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace orchestrade::llm {

using TemplateValues = std::map<std::string, std::string, std::less<>>;

struct PromptTemplates {
    std::string system, user, symbol;
    std::string file;  // the prompt file they came from; empty for the defaults

    static PromptTemplates defaults();
    // A file whose "--- system ---", "--- user ---" and "--- symbol ---" lines start sections
    // that replace the defaults. Throws std::runtime_error.
    static PromptTemplates load(const std::string& path);
};

// The placeholder names in a template, in order of appearance.
std::vector<std::string> placeholders(std::string_view text);
// The names of `known` written with single braces in a template ("{cash}", "{ cash }"), which
// would be sent as they are: a placeholder takes double braces. Other braces (JSON in a prompt)
// are not reported.
std::vector<std::string> single_brace_names(std::string_view text,
                                            const std::set<std::string, std::less<>>& known);
// Replaces every {{name}}; throws std::invalid_argument for a name without a value.
std::string render(std::string_view text, const TemplateValues& values);

}  // namespace orchestrade::llm
